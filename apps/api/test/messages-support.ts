import type { testApp } from './support.js';
import type { Person } from './tenant-support.js';

type App = Awaited<ReturnType<typeof testApp>>;

/** Sends `content` from one person to another and returns the created message. */
export async function sendMessage(
  app: App,
  from: Person,
  to: Person,
  content = 'Hello there',
  parentId?: string,
) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/messages',
    headers: from.headers,
    payload: { recipientId: to.id, content, ...(parentId ? { parentId } : {}) },
  });
  if (response.statusCode !== 201) throw new Error(`send failed: ${response.body}`);
  return response.json() as { id: string; conversationId: string; parentId: string | null };
}

export async function unreadOf(app: App, who: Person): Promise<number> {
  const response = await app.inject({
    method: 'GET',
    url: '/api/v1/messages/unread/count',
    headers: who.headers,
  });
  return response.json().unread;
}
