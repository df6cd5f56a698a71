import { createHash } from 'node:crypto';
import type {
  DemoRequestForm,
  FormAccepted,
  FormInput,
  FormSubmissionQuery,
  FormType,
} from '@atrium/contracts';
import { type Database, isUniqueViolation } from '@atrium/db';
import { normalizeEmail } from '@atrium/db/queries';
import type { CaptchaVerifier } from '@atrium/integrations/captcha';
import { announceJobs } from '@atrium/jobs';
import { uuidv7 } from 'uuidv7';
import {
  BadRequest,
  CaptchaFailed,
  IdempotencyKeyReused,
  NotFound,
  ServiceUnavailable,
} from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';
import { formJobs } from './jobs.js';
import type { EmailLimiter } from './limiter.js';
import { toFormSubmission } from './mapping.js';
import {
  filters,
  insertSubmission,
  insertSubmissionWithJobs,
  submissionById,
  submissionByKey,
  submissionPage,
} from './queries.js';

export interface FormsContext {
  db: Database;
  /** Absent when no CAPTCHA_PROVIDER is configured. */
  captcha: CaptchaVerifier | undefined;
  salesInbox: string | undefined;
  emailLimit: EmailLimiter;
  log: { warn(obj: object, msg?: string): void };
}

export interface Origin {
  ip: string;
  userAgent: string | undefined;
  idempotencyKey: string | undefined;
}

/** JSON with keys sorted at every level: the same form is the same text whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What a replay is compared by: the form without its captcha token, which a retry may have had
 * to renew (providers spend a token on its first check).
 */
function bodyHash(type: FormType, { captchaToken: _, ...form }: FormInput) {
  return createHash('sha256').update(canonical({ type, form })).digest('base64url');
}

function isTimeZone(zone: string) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What the schema cannot check: a real IANA zone. */
function validate(type: FormType, input: FormInput) {
  if (type === 'demo-request' && !isTimeZone((input as DemoRequestForm).timeZone)) {
    throw new BadRequest('The demo request is invalid: /body/timeZone must be an IANA time zone.', [
      { path: '/body/timeZone', message: 'must be an IANA time zone such as Europe/Paris' },
    ]);
  }
}

/** The earlier submission under this key, if its form is this one; 422 if it is another. */
async function replayed(db: Database, key: string, hash: string) {
  const earlier = await submissionByKey(db, key);
  if (earlier && earlier.bodyHash !== hash) throw new IdempotencyKeyReused();
  return earlier;
}

/** Throws 400 `captcha_failed` for a missing or refused token, 503 when the provider fails. */
async function checkCaptcha(context: FormsContext, token: string | undefined, ip: string) {
  if (!context.captcha) return;
  if (!token) throw new CaptchaFailed('The captchaToken is missing.');
  let verdict: Awaited<ReturnType<CaptchaVerifier['verify']>>;
  try {
    verdict = await context.captcha.verify(token, ip);
  } catch (error) {
    context.log.warn({ err: error, provider: context.captcha.provider }, 'captcha check failed');
    throw new ServiceUnavailable('The captcha could not be checked; try again shortly.');
  }
  if (!verdict.passed) throw new CaptchaFailed('The captcha was not solved.');
}

/**
 * Stores a submission and queues its jobs, all or nothing. A filled honeypot is stored as spam
 * with no lead, no email and no CRM, and answered like any other: a bot learns nothing. An
 * Idempotency-Key seen before answers the first submission's id (422 for another form).
 */
export async function submitForm(
  context: FormsContext,
  type: FormType,
  input: FormInput,
  origin: Origin,
): Promise<FormAccepted> {
  const { db } = context;
  const hash = bodyHash(type, input);
  const key = origin.idempotencyKey;
  if (key) {
    const earlier = await replayed(db, key, hash);
    if (earlier) return { id: earlier.id };
  }
  const spam = Boolean(input.website);
  const email = normalizeEmail(input.email);
  if (!spam) {
    validate(type, input);
    await checkCaptcha(context, input.captchaToken, origin.ip);
    await context.emailLimit.consume(email);
  }
  const { captchaToken: _, ...payload } = input;
  const submission = {
    id: uuidv7(),
    type,
    email,
    payload,
    ip: origin.ip,
    userAgent: origin.userAgent?.slice(0, 500) ?? null,
    idempotencyKey: key ?? null,
    bodyHash: hash,
  };
  try {
    if (spam) {
      const row = await insertSubmission(db, { ...submission, leadId: null, spam });
      // Another request with the same key stored its submission first.
      if (!row) return { id: (await replayed(db, key!, hash))!.id };
      return { id: row.id };
    }
    const jobs = formJobs(submission.id, context.salesInbox);
    await insertSubmissionWithJobs(db, input, submission, jobs);
  } catch (error) {
    if (!(key && isUniqueViolation(error, 'form_submissions_idempotency_key_unique'))) throw error;
    const earlier = await replayed(db, key, hash);
    if (!earlier) throw error;
    return { id: earlier.id };
  }
  await announceJobs(db);
  return { id: submission.id };
}

export async function listSubmissions(db: Database, query: FormSubmissionQuery) {
  const limit = query.limit ?? 20;
  const rows = await submissionPage(db, filters(query), limit + 1, idCursor(query.cursor));
  return toPage(rows, limit, toFormSubmission, (row) => row.id);
}

export async function getSubmission(db: Database, id: string) {
  const row = isUuid(id) ? await submissionById(db, id) : undefined;
  if (!row) throw new NotFound('form submission');
  return toFormSubmission(row);
}
