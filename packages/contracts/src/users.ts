import { type Static, Type } from 'typebox';
import { Id, Nullable, Page, PageQuery, Timestamp } from './common.js';
import { PermissionSchema } from './permissions.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Username = Type.String({
  minLength: 3,
  maxLength: 32,
  pattern: '^[A-Za-z0-9_.-]+$',
  description: 'letters, digits, dot, dash and underscore',
});
const FullName = Type.String({ maxLength: 200 });
const Bio = Type.String({ maxLength: 2000 });
const Phone = Type.String({ maxLength: 32, pattern: '^[+0-9 ()-]*$' });
const Password = Type.String({ minLength: 1, maxLength: 1024 });

/** A user as they see themselves and as admins see them; never a hash. */
export const User = Type.Object({
  id: Id,
  email: Type.String(),
  username: Nullable(Type.String()),
  fullName: Nullable(Type.String()),
  bio: Nullable(Type.String()),
  phoneNumber: Nullable(Type.String()),
  isSuperuser: Type.Boolean(),
  isActive: Type.Boolean(),
  emailVerified: Type.Boolean(),
  mfaEnabled: Type.Boolean({ description: 'Two-factor sign-in (TOTP) is on' }),
  passwordResetRequired: Type.Boolean({
    description: 'An administrator demands a new password before the next sign-in',
  }),
  permissions: Type.Array(PermissionSchema, {
    description: 'Effective permissions (every one for a superuser)',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type User = Static<typeof User>;

export const UserPage = Page(User);

export const UserListQuery = Type.Object(
  {
    ...PageQuery.properties,
    q: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Matches email, username or name' }),
    ),
  },
  { additionalProperties: false },
);
export type UserListQuery = Static<typeof UserListQuery>;

export const CreateUserRequest = Type.Object(
  {
    email: Email,
    password: Password,
    username: Type.Optional(Username),
    fullName: Type.Optional(FullName),
    isSuperuser: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);
export type CreateUserRequest = Static<typeof CreateUserRequest>;

/** Only the profile fields a user may change; anything else is rejected (no mass assignment). */
export const UpdateMeRequest = Type.Object(
  {
    username: Type.Optional(Nullable(Username)),
    fullName: Type.Optional(Nullable(FullName)),
    bio: Type.Optional(Nullable(Bio)),
    phoneNumber: Type.Optional(Nullable(Phone)),
  },
  { additionalProperties: false },
);
export type UpdateMeRequest = Static<typeof UpdateMeRequest>;

/**
 * An administrator's edit of an account (PATCH /users/{id}): profile, email, active, and a demand
 * for a new password at the next sign-in. Superuser status and roles have routes of their own.
 */
export const UpdateUserRequest = Type.Object(
  {
    username: Type.Optional(Nullable(Username)),
    fullName: Type.Optional(Nullable(FullName)),
    bio: Type.Optional(Nullable(Bio)),
    phoneNumber: Type.Optional(Nullable(Phone)),
    email: Type.Optional({
      ...Email,
      description: 'A new address, unverified until its owner confirms it',
    }),
    isActive: Type.Optional(Type.Boolean({ description: 'false also ends every session' })),
    passwordResetRequired: Type.Optional(
      Type.Boolean({
        description:
          'true ends every session and makes sign-in answer 403 `password_reset_required` until the password is reset',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequest>;

export const SetSuperuserRequest = Type.Object(
  { isSuperuser: Type.Boolean() },
  { additionalProperties: false },
);
export type SetSuperuserRequest = Static<typeof SetSuperuserRequest>;

export const SetUserRolesRequest = Type.Object(
  { roleIds: Type.Array(Id, { maxItems: 100, uniqueItems: true }) },
  { additionalProperties: false },
);
export type SetUserRolesRequest = Static<typeof SetUserRolesRequest>;

export const UserFields = { Email, Username, FullName, Password };
