import { randomBytes } from 'node:crypto';
import type { UploadStatus } from '@atrium/contracts';
import {
  type DatabaseHandle,
  fileAnalyses,
  leads,
  outbox,
  uploadStages,
  uploads,
} from '@atrium/db';
import { eq, like } from '@atrium/db/orm';
import type { Storage } from '@atrium/storage';
import { unique } from './support.js';

// The EICAR test file, put together here so that no file in the repository is one that other
// scanners flag (its MD5 is in packages/integrations/test/clamav/atrium.hdb).
export const EICAR = Buffer.from(
  ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR-STANDARD-ANTIVIRUS', '-TEST-FILE!$H+H*'].join(''),
);
export const CSV = Buffer.from('name,amount,paid\nada,12,true\ngrace,7.5,false\nalan,,true\n');
/** A ZIP local file header, padded: what file-type calls application/zip. */
export const ZIP = Buffer.concat([Buffer.from('504b0304140000000800', 'hex'), Buffer.alloc(300)]);
/** An ELF header, padded. */
export const ELF = Buffer.concat([
  Buffer.from('7f454c46020101000000000000000000', 'hex'),
  Buffer.alloc(300),
]);

export interface UploadSeed {
  contentType: string;
  bytes?: Buffer;
  /** The declared size; the bytes' length unless a test wants them to differ. */
  size?: number;
  status?: UploadStatus;
  filename?: string;
  createdAt?: Date;
  expiresAt?: Date;
  email?: string;
}

/** An upload row with its lead and, unless `bytes` is undefined, its bytes in quarantine. */
export async function insertUpload(database: DatabaseHandle, storage: Storage, seed: UploadSeed) {
  const tag = unique();
  const email = seed.email ?? `uploader-${tag}@example.com`;
  const [lead] = await database.db
    .insert(leads)
    .values({ email, name: 'Ada Lovelace', company: 'Analytical Engines' })
    .onConflictDoUpdate({ target: leads.email, set: { name: 'Ada Lovelace' } })
    .returning({ id: leads.id });
  const key = `quarantine/${tag}-${randomBytes(6).toString('hex')}`;
  const [row] = await database.db
    .insert(uploads)
    .values({
      leadId: lead!.id,
      filename: seed.filename ?? `file-${tag}`,
      contentType: seed.contentType,
      size: seed.size ?? seed.bytes?.length ?? 0,
      storageKey: key,
      accessTokenHash: `hash-${tag}-${randomBytes(6).toString('hex')}`,
      status: seed.status ?? 'uploaded',
      requestIp: '127.0.0.1',
      expiresAt: seed.expiresAt ?? new Date(Date.now() + 900_000),
      ...(seed.createdAt ? { createdAt: seed.createdAt } : {}),
    })
    .returning();
  if (seed.bytes) await storage.put(key, seed.bytes, { contentType: seed.contentType });
  return { ...row!, email };
}

export async function readUpload(database: DatabaseHandle, id: string) {
  const [row] = await database.db.select().from(uploads).where(eq(uploads.id, id));
  const stages = await database.db.select().from(uploadStages).where(eq(uploadStages.uploadId, id));
  const [analysis] = await database.db
    .select()
    .from(fileAnalyses)
    .where(eq(fileAnalyses.uploadId, id));
  const stage = (name: string) => stages.find((s) => s.name === name);
  return { ...row!, stage, analysis };
}

/** Outbox rows whose idempotency key names the upload (its analysis, email, CRM note). */
export async function jobsOf(database: DatabaseHandle, uploadId: string) {
  const rows = await database.db
    .select({ queue: outbox.queue, key: outbox.idempotencyKey, payload: outbox.payload })
    .from(outbox)
    .where(like(outbox.idempotencyKey, `%${uploadId}%`));
  return rows.sort((a, b) => a.key.localeCompare(b.key));
}
