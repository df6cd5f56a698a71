import { timingSafeEqual } from 'node:crypto';
import { generateToken, hashToken, hasPermission } from '@atrium/auth';
import type { Config } from '@atrium/config';
import type {
  UploadListQuery,
  UploadRequest,
  UploadState,
  UploadTicket,
  User,
} from '@atrium/contracts';
import type { Database, UploadRow } from '@atrium/db';
import { normalizeEmail, upsertLead } from '@atrium/db/queries';
import { enqueue } from '@atrium/jobs';
import type { Storage, UploadTarget } from '@atrium/storage';
import { uuidv7 } from 'uuidv7';
import { BadRequest, Conflict, HttpError, NotFound } from '../../errors.js';
import { idCursor, isUuid, toPage } from '../../pagination.js';
import { toFileAnalysis, toUpload, toUploadState } from './mapping.js';
import {
  analysisOf,
  insertUpload,
  lockRequester,
  markUploaded,
  type Recent,
  recentForEmail,
  recentFromIp,
  reissueUpload,
  stagesOf,
  uploadById,
  uploadByIdempotencyKey,
  uploadPage,
} from './queries.js';

export interface UploadsContext {
  db: Database;
  storage: Storage;
  config: Config;
}

/** Who asks: the client IP (per-IP limit) and the signed-in user, if any (the owner). */
export interface Requester {
  ip: string;
  user: User | undefined;
  /** From the `Idempotency-Key` header: a retry with it gets the same upload back. */
  idempotencyKey?: string;
}

/** What may open an upload: its access token (the `X-Upload-Token` header) or a signed-in user. */
export interface UploadAccess {
  token: string | undefined;
  user: User | undefined;
}

const LIMIT_WINDOW_SECONDS = 3600;

/**
 * Refused in production when nothing would scan the file (SPEC §4.7): the operator must configure
 * clamd or say `UPLOAD_SCAN=off` explicitly. Development goes on and records the scan as skipped.
 */
function assertScannerReady(config: Config) {
  const strict = config.env === 'production' || config.env === 'staging';
  if (strict && config.uploads.scan && !config.scanner) {
    throw new HttpError(
      503,
      'service_unavailable',
      'Uploads are unavailable: no virus scanner is configured.',
    );
  }
}

// Invisible characters that reorder or hide parts of a name ("evil\u202Evsc.exe" shows as
// "evilexe.csv"): dropped, so the name staff see is the name that is stored.
const HIDDEN = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/**
 * The name shown back to people. The schema already refused separators and control characters;
 * this drops invisible characters and refuses what is still a path (`.`, `..`) or empty. It is
 * never part of a storage key, which is generated.
 */
export function cleanFilename(filename: string): string {
  const cleaned = filename.normalize('NFC').replace(HIDDEN, '').trim();
  if (!cleaned || /^\.+$/.test(cleaned)) {
    throw new BadRequest('The file name is not usable.', [
      { path: '/body/filename', message: 'must name a file, not a directory' },
    ]);
  }
  return cleaned;
}

function checkDeclared(config: Config, input: UploadRequest) {
  const contentType = input.contentType.trim().toLowerCase();
  const { types, maxBytes } = config.uploads;
  if (!types.includes(contentType)) {
    throw new BadRequest(`Files of type ${contentType} are not accepted.`, [
      { path: '/body/contentType', message: `must be one of ${types.join(', ')}` },
    ]);
  }
  if (input.size > maxBytes) {
    throw new BadRequest(`The file is larger than the ${maxBytes} bytes accepted.`, [
      { path: '/body/size', message: `must be at most ${maxBytes}` },
    ]);
  }
  return { contentType, filename: cleanFilename(input.filename) };
}

const rateLimited = (message: string, { leavesIn }: Recent) =>
  new HttpError(429, 'rate_limited', `${message}; try again in ${leavesIn} seconds.`, undefined, {
    'retry-after': String(leavesIn),
  });

/**
 * Counted from the uploads table inside the request's transaction, under locks on the IP and
 * the address: exact across API instances, with no Redis, and every request counts (each one
 * handed out a URL), completed or not.
 */
async function assertWithinLimits(tx: Database, config: Config, ip: string, email: string) {
  const { perIp, perEmail } = config.uploads.limits;
  const fromIp = await recentFromIp(tx, ip, LIMIT_WINDOW_SECONDS);
  if (fromIp.count >= perIp) {
    throw rateLimited(`This address has requested ${perIp} uploads in the last hour`, fromIp);
  }
  const forEmail = await recentForEmail(tx, email, LIMIT_WINDOW_SECONDS);
  if (forEmail.count >= perEmail) {
    throw rateLimited(`This email has requested ${perEmail} uploads in the last hour`, forEmail);
  }
}

/**
 * Hands out an upload URL. The storage key is `quarantine/<uploadId>`, never derived from the
 * file name. The URL is signed before the transaction (it is only arithmetic, or credentials the
 * S3 SDK may fetch) so a failure there leaves no row; the upload, its stages, the lead and the
 * limit counts then commit together. The access token is returned once and stored hashed.
 * `created` is false when an `Idempotency-Key` replayed an earlier request.
 */
export async function requestUpload(
  context: UploadsContext,
  requester: Requester,
  input: UploadRequest,
): Promise<{ ticket: UploadTicket; created: boolean }> {
  const { db, storage, config } = context;
  assertScannerReady(config);
  const declared = checkDeclared(config, input);
  const email = normalizeEmail(input.email);
  if (requester.idempotencyKey) {
    const earlier = await uploadByIdempotencyKey(db, email, requester.idempotencyKey);
    if (earlier) return { ticket: await replay(context, earlier, declared, input), created: false };
  }
  const id = uuidv7();
  const storageKey = `quarantine/${id}`;
  const target = await targetFor(storage, config, storageKey, input.size, declared.contentType);
  const accessToken = generateToken();
  await db.transaction(async (tx) => {
    await lockRequester(tx, requester.ip, email);
    await assertWithinLimits(tx, config, requester.ip, email);
    const lead = await upsertLead(tx, {
      email,
      name: input.name,
      company: input.company ?? null,
    });
    await insertUpload(tx, {
      id,
      leadId: lead.id,
      ownerId: requester.user?.id ?? null,
      filename: declared.filename,
      contentType: declared.contentType,
      size: input.size,
      purpose: input.purpose || null,
      storageKey,
      accessTokenHash: hashToken(accessToken),
      requestIp: requester.ip,
      expiresAt: target.expiresAt,
      idempotencyKey: requester.idempotencyKey ?? null,
    });
  });
  return { ticket: toTicket(id, target, accessToken), created: true };
}

const targetFor = (
  storage: Storage,
  config: Config,
  key: string,
  size: number,
  contentType: string,
) =>
  storage.uploadTarget({
    key,
    maxBytes: size,
    contentType,
    expiresInSeconds: config.uploads.urlTtlSeconds,
  });

function toTicket(id: string, target: UploadTarget, accessToken: string): UploadTicket {
  return {
    uploadId: id,
    uploadUrl: target.url,
    method: target.method,
    ...(target.headers ? { headers: target.headers } : {}),
    ...(target.fields ? { fields: target.fields } : {}),
    expiresAt: target.expiresAt.toISOString(),
    accessToken,
  };
}

/**
 * A retried request: the same upload, if the request is the same and the file has not been sent.
 * The first token never reached the client (or it would not retry), and only its hash is kept,
 * so a new one replaces it, with a fresh URL; a retry costs nothing against the limits.
 */
async function replay(
  { db, storage, config }: UploadsContext,
  earlier: UploadRow,
  declared: { contentType: string; filename: string },
  input: UploadRequest,
) {
  const same =
    earlier.contentType === declared.contentType &&
    earlier.filename === declared.filename &&
    earlier.size === input.size;
  if (!same) {
    throw new Conflict('This Idempotency-Key was used for another upload request.');
  }
  const target = await targetFor(
    storage,
    config,
    earlier.storageKey,
    earlier.size,
    earlier.contentType,
  );
  const accessToken = generateToken();
  const reissued = await reissueUpload(db, earlier.id, {
    accessTokenHash: hashToken(accessToken),
    expiresAt: target.expiresAt,
  });
  if (!reissued) {
    throw new Conflict('The upload of this Idempotency-Key has already received its file.');
  }
  return toTicket(earlier.id, target, accessToken);
}

function holdsToken(row: UploadRow, token: string | undefined) {
  if (!token) return false;
  const given = Buffer.from(hashToken(token));
  const stored = Buffer.from(row.accessTokenHash);
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/**
 * The upload when `access` may see it: its token, its signed-in owner, or (`staff`) a holder of
 * `uploads:read`. Anyone else gets the answer a missing id gets, so ids reveal nothing.
 */
async function visibleUpload(db: Database, access: UploadAccess, id: string, staff: boolean) {
  const row = isUuid(id) ? await uploadById(db, id) : undefined;
  const { user } = access;
  const allowed =
    row &&
    (holdsToken(row, access.token) ||
      (user !== undefined && row.ownerId === user.id) ||
      (staff && user !== undefined && hasPermission(user, 'uploads:read')));
  if (!allowed) throw new NotFound('upload');
  return row;
}

async function stateOf(db: Database, row: UploadRow): Promise<UploadState> {
  return toUploadState(row, await stagesOf(db, row.id));
}

/**
 * Marks the upload `uploaded` and queues its scan, in one transaction, once the bytes are in the
 * store. Idempotent: the update only moves a `pending` upload, so a repeated or concurrent
 * complete changes nothing and queues nothing (the outbox key is the second guard).
 */
export async function completeUpload(
  { db, storage }: UploadsContext,
  access: UploadAccess,
  uploadId: string,
): Promise<UploadState> {
  const row = await visibleUpload(db, access, uploadId, false);
  if (row.status !== 'pending') return stateOf(db, row);
  if (!(await storage.stat(row.storageKey))) {
    throw new Conflict('The file has not arrived yet: send it to the upload URL, then complete.');
  }
  const updated = await db.transaction(async (tx) => {
    const moved = await markUploaded(tx, row.id);
    if (moved) {
      await enqueue(
        tx,
        'file-scan',
        { uploadId: row.id },
        { idempotencyKey: `file-scan:${row.id}` },
      );
    }
    return moved;
  });
  return stateOf(db, updated ?? (await uploadById(db, row.id))!);
}

export async function uploadStatus(db: Database, access: UploadAccess, id: string) {
  return stateOf(db, await visibleUpload(db, access, id, true));
}

export async function uploadResult(db: Database, access: UploadAccess, id: string) {
  const row = await visibleUpload(db, access, id, true);
  const analysis = await analysisOf(db, row.id);
  if (!analysis) throw new NotFound('analysis');
  return toFileAnalysis(analysis);
}

export async function listUploads(db: Database, query: UploadListQuery) {
  const limit = query.limit ?? 20;
  const rows = await uploadPage(db, { status: query.status }, limit, idCursor(query.cursor));
  return toPage(rows, limit, toUpload, (r) => r.id);
}
