import { type Static, Type } from 'typebox';
import { Id, Nullable, Timestamp } from './common.js';
import { User, UserFields } from './users.js';

const Token = Type.String({ minLength: 1, maxLength: 512 });

export const RegisterRequest = Type.Object(
  {
    email: UserFields.Email,
    password: UserFields.Password,
    username: Type.Optional(UserFields.Username),
    fullName: Type.Optional(UserFields.FullName),
    invitationToken: Type.Optional({
      ...Token,
      description:
        'An org invitation sent to `email`: the account joins the org and its email counts as verified',
    }),
  },
  { additionalProperties: false },
);
export type RegisterRequest = Static<typeof RegisterRequest>;

export const LoginRequest = Type.Object(
  {
    login: Type.String({ minLength: 1, maxLength: 254, description: 'Email or username' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const RefreshRequest = Type.Object({ refreshToken: Token }, { additionalProperties: false });
export type RefreshRequest = Static<typeof RefreshRequest>;

export const AuthResponse = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  tokenType: Type.Literal('bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
  user: User,
});
export type AuthResponse = Static<typeof AuthResponse>;

export const ChangePasswordRequest = Type.Object(
  { currentPassword: UserFields.Password, newPassword: UserFields.Password },
  { additionalProperties: false },
);
export type ChangePasswordRequest = Static<typeof ChangePasswordRequest>;

export const PasswordResetRequest = Type.Object(
  { email: UserFields.Email },
  { additionalProperties: false },
);
export type PasswordResetRequest = Static<typeof PasswordResetRequest>;

export const PasswordResetConfirm = Type.Object(
  { token: Token, newPassword: UserFields.Password },
  { additionalProperties: false },
);
export type PasswordResetConfirm = Static<typeof PasswordResetConfirm>;

export const VerifyEmailRequest = Type.Object({ token: Token }, { additionalProperties: false });
export type VerifyEmailRequest = Static<typeof VerifyEmailRequest>;

/** What the User-Agent says of the device; each part null when it does not say. */
export const SessionDevice = Type.Object({
  browser: Nullable(Type.String({ description: 'e.g. "Firefox 128.0"' })),
  os: Nullable(Type.String({ description: 'e.g. "macOS 14.5"' })),
  type: Nullable(Type.String({ description: 'desktop | mobile | tablet | tv | bot' })),
});
export type SessionDevice = Static<typeof SessionDevice>;

/** Asks to move the account to `newEmail`: a confirmation link goes there, a notice to the old one. */
export const ChangeEmailRequest = Type.Object(
  { newEmail: UserFields.Email },
  { additionalProperties: false },
);
export type ChangeEmailRequest = Static<typeof ChangeEmailRequest>;

export const ConfirmEmailChangeRequest = Type.Object(
  { token: Token },
  { additionalProperties: false },
);
export type ConfirmEmailChangeRequest = Static<typeof ConfirmEmailChangeRequest>;

export const Session = Type.Object({
  id: Id,
  userAgent: Nullable(Type.String()),
  device: SessionDevice,
  ip: Nullable(Type.String()),
  createdAt: Timestamp,
  lastUsedAt: Timestamp,
  expiresAt: Timestamp,
  current: Type.Boolean(),
});
export type Session = Static<typeof Session>;

export const SessionList = Type.Object({ items: Type.Array(Session) });
export type SessionList = Static<typeof SessionList>;

export const Accepted = Type.Object({ status: Type.Literal('accepted') });
export type Accepted = Static<typeof Accepted>;

const TotpCode = Type.String({
  pattern: '^[0-9]{6}$',
  description: 'The 6-digit code your authenticator app shows now',
});
const RecoveryCode = Type.String({
  minLength: 16,
  maxLength: 24,
  pattern: '^[A-Za-z2-7 -]+$',
  description: 'One of your recovery codes (dashes and spaces are ignored)',
});

/**
 * The login answer for an account with two-factor sign-in: the password was right, and no
 * session exists yet. Post the challenge token with a code to `/auth/login/mfa`.
 */
export const MfaRequired = Type.Object({
  status: Type.Literal('mfa_required'),
  challengeToken: Type.String({ description: 'Single use; send it to POST /auth/login/mfa' }),
  expiresIn: Type.Integer({ description: 'Seconds until the challenge token expires' }),
  methods: Type.Array(Type.Union([Type.Literal('totp'), Type.Literal('recovery_code')])),
});
export type MfaRequired = Static<typeof MfaRequired>;

export const LoginResponse = Type.Union([AuthResponse, MfaRequired], {
  description: 'Tokens, or `status: "mfa_required"` when the account has two-factor sign-in',
});
export type LoginResponse = Static<typeof LoginResponse>;

/** Exactly one of `code` and `recoveryCode`. */
export const LoginMfaRequest = Type.Object(
  {
    challengeToken: Token,
    code: Type.Optional(TotpCode),
    recoveryCode: Type.Optional(RecoveryCode),
  },
  { additionalProperties: false },
);
export type LoginMfaRequest = Static<typeof LoginMfaRequest>;

/** Exactly one of `password` and `code` (a TOTP code, for accounts with two-factor sign-in). */
export const ReauthenticateRequest = Type.Object(
  { password: Type.Optional(UserFields.Password), code: Type.Optional(TotpCode) },
  { additionalProperties: false },
);
export type ReauthenticateRequest = Static<typeof ReauthenticateRequest>;

export const Reauthenticated = Type.Object({
  authenticatedAt: Timestamp,
  validUntil: Timestamp,
});
export type Reauthenticated = Static<typeof Reauthenticated>;

/** A new, unconfirmed TOTP secret: add it to an authenticator app, then confirm a code. */
export const TotpEnrollment = Type.Object({
  secret: Type.String({ description: 'Base32, for typing into an app by hand' }),
  otpauthUri: Type.String({ description: 'otpauth://totp/… (RFC 6238 key URI)' }),
  qrCode: Type.String({ description: 'The URI as a QR code, a data:image/svg+xml URL' }),
});
export type TotpEnrollment = Static<typeof TotpEnrollment>;

export const ConfirmTotpRequest = Type.Object({ code: TotpCode }, { additionalProperties: false });
export type ConfirmTotpRequest = Static<typeof ConfirmTotpRequest>;

/** Shown once: only their hashes are kept. Each signs in once in place of a TOTP code. */
export const RecoveryCodes = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { minItems: 10, maxItems: 10 }),
});
export type RecoveryCodes = Static<typeof RecoveryCodes>;

/** Exactly one of `password` and `code`. */
export const DisableMfaRequest = Type.Object(
  { password: Type.Optional(UserFields.Password), code: Type.Optional(TotpCode) },
  { additionalProperties: false },
);
export type DisableMfaRequest = Static<typeof DisableMfaRequest>;

export const MfaStatus = Type.Object({
  enabled: Type.Boolean(),
  recoveryCodesRemaining: Type.Integer({ description: 'Unused recovery codes (0 when off)' }),
});
export type MfaStatus = Static<typeof MfaStatus>;
