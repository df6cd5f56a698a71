// The login benchmark's second reference: the least a password login can be on this stack — a bare
// Fastify route that looks the user up, verifies the password (same argon2id, same thread pool)
// and writes a session row, with postgres.js prepared statements and nothing else (no plugins,
// tokens, hooks or validation). Started by auth-login.ts with DATABASE_URL and PORT.
import { randomUUID } from 'node:crypto';
import { verifyPassword } from '@atrium/auth';
import Fastify from 'fastify';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL!, { max: 10 });
const app = Fastify();
app.post('/login', async (request, reply) => {
  const { login, password } = request.body as { login: string; password: string };
  const [user] = await sql`select id, password_hash from users where lower(email) = ${login}`;
  if (!user || !(await verifyPassword(user.password_hash, password)))
    return reply.status(401).send();
  await sql`insert into sessions (id, user_id, expires_at)
    values (${randomUUID()}, ${user.id}, now() + interval '7 days')`;
  return { ok: true };
});
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
