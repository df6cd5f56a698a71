import { type Static, Type } from 'typebox';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.js';

/**
 * What the audit log records. One name per kind of change, `<area>.<what>`; add a name here when
 * a new change is audited (the API's `recordAudit` accepts only these).
 */
export const AuditActions = [
  // auth: sign-in and session events
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.logout',
  'auth.logout.all',
  'auth.logout.others',
  'auth.refresh.reused',
  'auth.password.changed',
  'auth.password.reset',
  'auth.email.change.requested',
  'auth.email.changed',
  'auth.account.deleted',
  'auth.lockout',
  'auth.reauthenticated',
  'auth.mfa.enabled',
  'auth.mfa.disabled',
  'auth.mfa.recovery_codes.regenerated',
  // admin actions
  'admin.user.created',
  'admin.user.deleted',
  'admin.user.updated',
  'admin.role.created',
  'admin.role.updated',
  'admin.role.deleted',
  'admin.user.roles.changed',
  'admin.user.superuser.changed',
  'admin.queue.action',
  'admin.org.ownership.transferred',
  'admin.org.deleted',
  // org membership
  'org.created',
  'org.deleted',
  'org.member.added',
  'org.member.role.changed',
  'org.member.removed',
  'org.invitation.created',
  'org.invitation.accepted',
  'org.invitation.revoked',
  // the log itself: retention's signed checkpoint
  'audit.checkpoint',
] as const;
export type AuditAction = (typeof AuditActions)[number];

/** What an audited change was done to. */
export const AuditTargets = [
  'user',
  'session',
  'role',
  'org',
  'membership',
  'invitation',
  'queue',
  'audit',
] as const;
export type AuditTarget = (typeof AuditTargets)[number];

const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, hex' });

/**
 * One audit row as the API shows it. `seq` numbers the chain with no gaps; `hash` is
 * sha256(prevHash ‖ canonical(row)), so changing or removing a row breaks every link after it.
 */
export const AuditEntry = Type.Object({
  id: Id,
  seq: Type.Integer({ minimum: 1 }),
  at: Timestamp,
  actorId: Nullable(Id),
  actorIp: Nullable(Type.String()),
  action: Type.Enum(AuditActions),
  targetType: Type.Enum(AuditTargets),
  targetId: Nullable(Type.String()),
  orgId: Nullable(Id),
  data: Type.Record(Type.String(), Type.Unknown()),
  prevHash: Hash,
  hash: Hash,
});
export type AuditEntry = Static<typeof AuditEntry>;
export const AuditPage = Page(AuditEntry);

const AuditFilters = {
  action: Type.Optional(Type.Enum(AuditActions)),
  targetType: Type.Optional(Type.Enum(AuditTargets)),
  targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  actorId: Type.Optional(Id),
  from: Type.Optional(
    Type.String({ format: 'date-time', description: 'Events at or after this instant' }),
  ),
  to: Type.Optional(
    Type.String({ format: 'date-time', description: 'Events before this instant' }),
  ),
};

/** Filters of an org's log (newest first, keyset by seq). */
export const OrgAuditQuery = Type.Object(
  { ...PageQuery.properties, ...AuditFilters },
  { additionalProperties: false },
);
export type OrgAuditQuery = Static<typeof OrgAuditQuery>;

/** Filters of the whole log, for `audit:read` holders. */
export const AuditQuery = Type.Object(
  { ...PageQuery.properties, ...AuditFilters, orgId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

/** The export takes the same filters, without paging: it streams every matching row. */
export const AuditExportQuery = Type.Object(
  { ...AuditFilters, orgId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type AuditExportQuery = Static<typeof AuditExportQuery>;

/** The answer of a walk over the whole chain. */
export const AuditVerification = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    checked: Type.Integer({ description: 'Rows walked' }),
    lastSeq: Nullable(Type.Integer()),
    lastHash: Nullable(Hash),
  }),
  Type.Object({
    ok: Type.Literal(false),
    checked: Type.Integer({ description: 'Rows that verified before the broken link' }),
    broken: Type.Object({
      id: Id,
      seq: Type.Integer(),
      reason: Type.String({ description: 'Why this row breaks the chain' }),
    }),
  }),
]);
export type AuditVerification = Static<typeof AuditVerification>;
