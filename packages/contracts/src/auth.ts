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
