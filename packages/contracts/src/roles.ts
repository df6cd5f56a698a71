import { type Static, Type } from 'typebox';
import { Id, Timestamp } from './common.js';
import { PermissionSchema } from './permissions.js';

export const Role = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(PermissionSchema),
  isSystem: Type.Boolean({ description: 'Shipped with Atrium: cannot be edited or deleted' }),
  createdAt: Timestamp,
});
export type Role = Static<typeof Role>;

export const RoleList = Type.Object({ items: Type.Array(Role) });
export type RoleList = Static<typeof RoleList>;

const RoleName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9 _.:-]+$' });
const RoleDescription = Type.String({ maxLength: 500 });
const RolePermissions = Type.Array(PermissionSchema, { maxItems: 64, uniqueItems: true });

export const CreateRoleRequest = Type.Object(
  {
    name: RoleName,
    description: Type.String({ maxLength: 500, default: '' }),
    permissions: RolePermissions,
  },
  { additionalProperties: false },
);
export type CreateRoleRequest = Static<typeof CreateRoleRequest>;

/** Any of the three; `permissions` replaces the list. System roles refuse every change. */
export const UpdateRoleRequest = Type.Object(
  {
    name: Type.Optional(RoleName),
    description: Type.Optional(RoleDescription),
    permissions: Type.Optional(RolePermissions),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateRoleRequest = Static<typeof UpdateRoleRequest>;
