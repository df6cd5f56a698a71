import { type Static, Type } from 'typebox';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.js';

/**
 * An upload's life: `pending` (URL handed out) → `uploaded` (bytes stored, complete called) →
 * `scanning` → `clean` | `rejected` → `analysing` → `analysed` | `failed`; `purged` once retention
 * deleted its bytes (metadata and result kept). Only `clean` and later bytes ever leave quarantine.
 */
export const UploadStatuses = [
  'pending',
  'uploaded',
  'scanning',
  'clean',
  'rejected',
  'analysing',
  'analysed',
  'failed',
  'purged',
] as const;
export type UploadStatus = (typeof UploadStatuses)[number];

/** The pipeline's stages, in order; each is one BullMQ job (notify: the email and the CRM note). */
export const UploadStages = ['upload', 'scan', 'analysis', 'notify'] as const;
export type UploadStage = (typeof UploadStages)[number];

/** `waiting`: the stage cannot run yet and will be retried (e.g. clamd unreachable). */
export const UploadStageStatuses = [
  'pending',
  'running',
  'waiting',
  'done',
  'skipped',
  'failed',
] as const;
export type UploadStageStatus = (typeof UploadStageStatuses)[number];

/** Why a file was rejected; `detail` carries the specifics (the signature name, the sniffed type). */
export const UploadRejections = ['infected', 'type_mismatch', 'size_mismatch'] as const;
export type UploadRejection = (typeof UploadRejections)[number];

const UploadStatusSchema = Type.Enum(UploadStatuses);
const UploadStageSchema = Type.Enum(UploadStages);
const NullableTimestamp = Nullable(Timestamp);

/** The local store's upload route under the API prefix; its URLs are signed by @atrium/storage. */
export const LOCAL_UPLOAD_ROUTE = '/upload/file';

/** The header that carries an upload's access token (OpenAPI security scheme `uploadToken`). */
export const UPLOAD_TOKEN_HEADER = 'x-upload-token';

/**
 * A file name as the uploader's system knows it, shown back to them and to staff; never part of
 * a storage key. No path separators, no control characters: a name that could mean a path is
 * refused rather than trimmed to something the uploader did not send.
 */
const Filename = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[^/\\\\\\u0000-\\u001f\\u007f]+$',
  description: 'The file name without any directory (no `/`, `\\`, or control characters)',
});

export const UploadRequest = Type.Object(
  {
    filename: Filename,
    contentType: Type.String({
      minLength: 3,
      maxLength: 100,
      description: 'A bare media type from the allow-list (UPLOAD_TYPES), e.g. `text/csv`',
    }),
    size: Type.Integer({
      minimum: 1,
      description: 'The exact size in bytes; the store refuses more (UPLOAD_MAX_BYTES at most)',
    }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 254 }),
    company: Type.Optional(Type.String({ maxLength: 200 })),
    purpose: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type UploadRequest = Static<typeof UploadRequest>;

/**
 * Where to send the bytes. Local driver: `PUT uploadUrl` with `headers`; S3: a `POST uploadUrl`
 * of `multipart/form-data` with `fields` first, then the file. `accessToken` is shown only here.
 */
export const UploadTicket = Type.Object({
  uploadId: Id,
  uploadUrl: Type.String(),
  method: Type.Enum(['PUT', 'POST']),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  fields: Type.Optional(Type.Record(Type.String(), Type.String())),
  expiresAt: Timestamp,
  accessToken: Type.String({
    description: 'Send as `X-Upload-Token` to complete the upload and read its status and result',
  }),
});
export type UploadTicket = Static<typeof UploadTicket>;

export const CompleteUploadRequest = Type.Object({ uploadId: Id }, { additionalProperties: false });
export type CompleteUploadRequest = Static<typeof CompleteUploadRequest>;

export const Upload = Type.Object({
  id: Id,
  leadId: Id,
  ownerId: Nullable(Id),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer(),
  purpose: Nullable(Type.String()),
  status: UploadStatusSchema,
  rejection: Nullable(Type.Enum(UploadRejections)),
  detail: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  expiresAt: Timestamp,
  uploadedAt: NullableTimestamp,
  purgedAt: NullableTimestamp,
});
export type Upload = Static<typeof Upload>;
export const UploadPage = Page(Upload);

export const UploadStageState = Type.Object({
  name: UploadStageSchema,
  status: Type.Enum(UploadStageStatuses),
  startedAt: NullableTimestamp,
  finishedAt: NullableTimestamp,
  error: Type.Optional(Type.String()),
});
export type UploadStageState = Static<typeof UploadStageState>;

/** An upload with its pipeline: `stage` is the first stage not yet done or skipped (else the last). */
export const UploadState = Type.Object({
  ...Upload.properties,
  stage: UploadStageSchema,
  stages: Type.Array(UploadStageState),
});
export type UploadState = Static<typeof UploadState>;

export const FileAnalysis = Type.Object({
  uploadId: Id,
  kind: Type.String({ description: 'csv, tsv, json, xml, image or audio' }),
  status: Type.Enum(['analysed', 'failed']),
  summary: Type.String(),
  result: Nullable(Type.Record(Type.String(), Type.Unknown())),
  error: Nullable(Type.String()),
  durationMs: Type.Integer(),
  createdAt: Timestamp,
});
export type FileAnalysis = Static<typeof FileAnalysis>;

export const UploadListQuery = Type.Object(
  { ...PageQuery.properties, status: Type.Optional(UploadStatusSchema) },
  { additionalProperties: false },
);
export type UploadListQuery = Static<typeof UploadListQuery>;

/** The signed query of a local upload URL (made by @atrium/storage; verified by the PUT route). */
export const LocalUploadQuery = Type.Object(
  {
    key: Type.String({ maxLength: 512 }),
    max: Type.String({ maxLength: 16 }),
    type: Type.String({ maxLength: 100 }),
    exp: Type.String({ maxLength: 16 }),
    sig: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type LocalUploadQuery = Static<typeof LocalUploadQuery>;
