import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  index,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { createdAt, id, instant } from './columns.js';

export const users = pgTable(
  'users',
  {
    id: id(),
    email: text().notNull(),
    username: text(),
    fullName: text(),
    bio: text(),
    phoneNumber: text(),
    /** Null for accounts that only sign in through an external identity provider. */
    passwordHash: text(),
    isSuperuser: boolean().notNull().default(false),
    isActive: boolean().notNull().default(true),
    /** Set by an admin: sign-in answers `password_reset_required` until a reset clears it. */
    passwordResetRequired: boolean().notNull().default(false),
    emailVerifiedAt: instant(),
    /**
     * Set while a confirmed TOTP factor exists (mfa_factors): on the user row, so the cached
     * principal knows it and `MFA_REQUIRED_FOR` costs requests no query.
     */
    mfaEnabledAt: instant(),
    createdAt: createdAt(),
    updatedAt: instant().notNull().defaultNow(),
  },
  (t) => [
    // Emails are unique whatever their case; the lookup uses the same expression.
    uniqueIndex('users_email_lower_unique').on(sql`lower(${t.email})`),
    uniqueIndex('users_username_lower_unique').on(sql`lower(${t.username})`),
    index('users_created_at_id_idx').on(t.createdAt, t.id),
  ],
);
export type UserRow = typeof users.$inferSelect;

export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    userAgent: text(),
    ip: text(),
    createdAt: createdAt(),
    lastUsedAt: instant().notNull().defaultNow(),
    expiresAt: instant().notNull(),
    revokedAt: instant(),
    /** The last password or 2FA check in this session (login, MFA completion, reauthenticate). */
    authenticatedAt: instant().notNull().defaultNow(),
  },
  (t) => [index('sessions_user_id_idx').on(t.userId)],
);
export type SessionRow = typeof sessions.$inferSelect;

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: id(),
    sessionId: uuid()
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    tokenHash: text().notNull().unique('refresh_tokens_token_hash_unique'),
    createdAt: createdAt(),
    expiresAt: instant().notNull(),
    /** Set when the token was exchanged; presenting it again is reuse. */
    rotatedAt: instant(),
  },
  (t) => [index('refresh_tokens_session_id_idx').on(t.sessionId)],
);

export const roles = pgTable('roles', {
  id: id(),
  name: text().notNull().unique('roles_name_unique'),
  description: text().notNull().default(''),
  permissions: text().array().notNull().default(sql`'{}'::text[]`),
  /** Shipped with Atrium: cannot be renamed, edited or deleted through the API. */
  isSystem: boolean().notNull().default(false),
  createdAt: createdAt(),
});
export type RoleRow = typeof roles.$inferSelect;

export const userRoles = pgTable(
  'user_roles',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    roleId: uuid()
      .notNull()
      .references(() => roles.id, { onDelete: 'cascade' }),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.roleId] }),
    index('user_roles_role_id_idx').on(t.roleId),
  ],
);

export const oneTimeTokenPurposes = [
  'password-reset',
  'email-verification',
  'email-change',
  'mfa-challenge',
] as const;
export type OneTimeTokenPurpose = (typeof oneTimeTokenPurposes)[number];

/**
 * Password-reset, email-verification and email-change tokens (one hour) and the challenge between
 * a password and a second factor at sign-in (minutes): hash only, single use.
 */
export const oneTimeTokens = pgTable(
  'one_time_tokens',
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text({ enum: oneTimeTokenPurposes }).notNull(),
    /** `email-change` only: the address the token confirms. */
    newEmail: text(),
    tokenHash: text().notNull().unique('one_time_tokens_token_hash_unique'),
    createdAt: createdAt(),
    expiresAt: instant().notNull(),
    usedAt: instant(),
  },
  (t) => [index('one_time_tokens_user_id_idx').on(t.userId)],
);

export const externalIdentities = pgTable(
  'external_identities',
  {
    id: id(),
    issuer: text().notNull(),
    subject: text().notNull(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('external_identities_issuer_subject_unique').on(t.issuer, t.subject),
    index('external_identities_user_id_idx').on(t.userId),
  ],
);

/**
 * A user's TOTP factor (RFC 6238). `secret` is AES-256-GCM ciphertext, never the base32 secret;
 * unconfirmed until the first code. `lastUsedStep`: the newest time step accepted, so a code is
 * refused once used (and every older one).
 */
export const mfaFactors = pgTable('mfa_factors', {
  userId: uuid()
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  secret: text().notNull(),
  confirmedAt: instant(),
  lastUsedStep: bigint({ mode: 'number' }),
  createdAt: createdAt(),
});

/** Single-use recovery codes, as SHA-256 hashes (each carries 80 random bits). */
export const mfaRecoveryCodes = pgTable(
  'mfa_recovery_codes',
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text().notNull(),
    createdAt: createdAt(),
    usedAt: instant(),
  },
  (t) => [uniqueIndex('mfa_recovery_codes_user_code_unique').on(t.userId, t.codeHash)],
);
