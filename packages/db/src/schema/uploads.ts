import {
  type UploadRejection,
  UploadRejections,
  type UploadStage,
  UploadStageStatuses,
  UploadStages,
  UploadStatuses,
} from '@atrium/contracts';
import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from './auth.js';
import { createdAt, id, instant } from './columns.js';
import { leads } from './leads.js';

/**
 * One uploaded file (SPEC §4.7). The bytes live in storage under `storage_key` (in `quarantine/`
 * until a clean scan moves them to `clean/`); this row is the only way to reach them. The
 * uploader is a lead; a signed-in uploader is also the owner. The access token handed out once
 * is stored hashed.
 */
export const uploads = pgTable(
  'uploads',
  {
    id: id(),
    leadId: uuid()
      .notNull()
      .references(() => leads.id, { onDelete: 'cascade' }),
    ownerId: uuid().references(() => users.id, { onDelete: 'set null' }),
    /** The client's file name, cleaned for display; never part of a storage key. */
    filename: text().notNull(),
    contentType: text().notNull(),
    /** Declared at request time; the store refuses more, the scan refuses a different size. */
    size: bigint({ mode: 'number' }).notNull(),
    purpose: text(),
    storageKey: text().notNull().unique('uploads_storage_key_unique'),
    accessTokenHash: text().notNull().unique('uploads_access_token_hash_unique'),
    status: text({ enum: UploadStatuses }).notNull().default('pending'),
    rejection: text({ enum: UploadRejections }).$type<UploadRejection>(),
    /** The signature name, the sniffed type, the stored size: what a rejection or failure means. */
    detail: text(),
    /** Where the request came from, for the per-IP limit. */
    requestIp: text().notNull(),
    /** The request's `Idempotency-Key`, if it sent one: a retry with it gets this upload back. */
    idempotencyKey: text(),
    /** The upload URL's expiry: a `pending` upload past it is removed by retention. */
    expiresAt: instant().notNull(),
    uploadedAt: instant(),
    purgedAt: instant(),
    createdAt: createdAt(),
    updatedAt: instant().notNull().defaultNow(),
  },
  (t) => [
    // Keyset list (`GET /uploads`), and retention by age and status.
    index('uploads_created_idx').on(t.createdAt, t.id),
    index('uploads_lead_idx').on(t.leadId),
    index('uploads_owner_idx').on(t.ownerId).where(sql`${t.ownerId} is not null`),
    index('uploads_ip_created_idx').on(t.requestIp, t.createdAt),
    index('uploads_status_idx').on(t.status, t.createdAt),
    // One upload per (uploader, key): the retried request finds the first one's.
    uniqueIndex('uploads_lead_idempotency_unique')
      .on(t.leadId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
  ],
);
export type UploadRow = typeof uploads.$inferSelect;

/** One row per stage of one upload: what `GET /upload/status/{id}` shows, stage by stage. */
export const uploadStages = pgTable(
  'upload_stages',
  {
    uploadId: uuid()
      .notNull()
      .references(() => uploads.id, { onDelete: 'cascade' }),
    name: text({ enum: UploadStages }).$type<UploadStage>().notNull(),
    status: text({ enum: UploadStageStatuses }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    startedAt: instant(),
    finishedAt: instant(),
    error: text(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.name] })],
);
export type UploadStageRow = typeof uploadStages.$inferSelect;

/** The analysis of one upload: a summary for lists and emails, the full result as JSONB. */
export const fileAnalyses = pgTable('file_analyses', {
  uploadId: uuid()
    .primaryKey()
    .references(() => uploads.id, { onDelete: 'cascade' }),
  /** csv, tsv, json, xml, image, audio. */
  kind: text().notNull(),
  status: text({ enum: ['analysed', 'failed'] }).notNull(),
  summary: text().notNull(),
  result: jsonb().$type<Record<string, unknown>>(),
  error: text(),
  durationMs: integer().notNull(),
  createdAt: createdAt(),
});
export type FileAnalysisRow = typeof fileAnalyses.$inferSelect;
