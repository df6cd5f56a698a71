import { type Static, Type } from 'typebox';
import { Id, Timestamp } from './common.js';
import { PermissionSchema } from './permissions.js';

export const Role = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(PermissionSchema),
  createdAt: Timestamp,
});
export type Role = Static<typeof Role>;

export const RoleList = Type.Object({ items: Type.Array(Role) });
export type RoleList = Static<typeof RoleList>;

export const CreateRoleRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9 _.:-]+$' }),
    description: Type.String({ maxLength: 500, default: '' }),
    permissions: Type.Array(PermissionSchema, { maxItems: 64, uniqueItems: true }),
  },
  { additionalProperties: false },
);
export type CreateRoleRequest = Static<typeof CreateRoleRequest>;
