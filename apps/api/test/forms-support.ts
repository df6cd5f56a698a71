import { randomBytes } from 'node:crypto';
import type { FormType } from '@atrium/contracts';
import { formSubmissions, outbox } from '@atrium/db';
import { asc, eq, like } from '@atrium/db/orm';
import type { testApp } from './support.js';

type App = Awaited<ReturnType<typeof testApp>>;

export const uniqueEmail = (name = 'lead') =>
  `${name}-${randomBytes(4).toString('hex')}@example.com`;

/** A client address of its own, so the per-IP form limit of one test never stops another. */
export const freshIp = () => `10.${[1, 2, 3].map(() => randomBytes(1)[0]! % 250).join('.')}`;

/** A valid form of each type. */
export const forms: Record<FormType, () => { email: string; [field: string]: unknown }> = {
  contact: () => ({
    name: 'Ada Lovelace',
    email: uniqueEmail('ada'),
    company: 'Analytical Engines',
    message: 'We would like to talk about a project.',
    consent: true,
  }),
  'demo-request': () => ({
    name: 'Grace Hopper',
    email: uniqueEmail('grace'),
    service: 'Data pipelines',
    preferredDates: ['2026-12-01T09:00:00.000Z', '2026-12-02T14:30:00.000Z'],
    timeZone: 'Europe/Paris',
  }),
  'quote-request': () => ({
    name: 'Alan Turing',
    email: uniqueEmail('alan'),
    company: 'Bletchley',
    service: 'Annotation',
    budgetRange: '10k-50k EUR',
    timeline: 'Q1 2027',
    volume: '20 000 documents',
  }),
};

export function submit(
  app: App,
  type: FormType,
  payload: unknown,
  options: { ip?: string; key?: string } = {},
) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/${type}`,
    payload: payload as Record<string, unknown>,
    remoteAddress: options.ip ?? freshIp(),
    headers: options.key ? { 'idempotency-key': options.key } : {},
  });
}

/** The jobs a submission queued, in order. */
export const jobsOf = (app: App, submissionId: string) =>
  app.db
    .select({ queue: outbox.queue, key: outbox.idempotencyKey, payload: outbox.payload })
    .from(outbox)
    .where(like(outbox.idempotencyKey, `form:${submissionId}:%`))
    .orderBy(asc(outbox.idempotencyKey));

export const submissionRow = async (app: App, id: string) => {
  const [row] = await app.db.select().from(formSubmissions).where(eq(formSubmissions.id, id));
  return row;
};
