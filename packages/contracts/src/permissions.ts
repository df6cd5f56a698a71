import { type Static, Type } from 'typebox';

/**
 * Every permission a role can grant. Superusers hold all of them. Frontends read this list to
 * build role editors; the API rejects any permission not in it.
 */
export const Permissions = [
  'users:read',
  'users:write',
  'roles:read',
  'roles:write',
  'reports:manage',
  'content:write',
  'forms:read',
  'forms:delete',
  'uploads:read',
  'queues:admin',
  'audit:read',
] as const;
export type Permission = (typeof Permissions)[number];

export const PermissionSchema = Type.Enum(Permissions, { description: 'A permission name' });
export type PermissionSchema = Static<typeof PermissionSchema>;
