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
  'auth.refresh.reused',
  'auth.password.changed',
  'auth.password.reset',
  'auth.email.changed',
  'auth.account.deleted',
  'auth.lockout',
  'auth.reauthenticated',
  'auth.mfa.enabled',
  'auth.mfa.disabled',
  'auth.mfa.recovery_codes.regenerated',
  // admin actions
  'admin.user.updated',
  'admin.role.created',
  'admin.role.updated',
  'admin.role.deleted',
  'admin.user.roles.changed',
  'admin.user.superuser.changed',
  'admin.queue.action',
  // org membership
  'org.created',
  'org.deleted',
  'org.member.added',
  'org.member.role.changed',
  'org.member.removed',
  'org.invitation.created',
  'org.invitation.accepted',
  'org.invitation.revoked',
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
] as const;
export type AuditTarget = (typeof AuditTargets)[number];
