import { type Permission, Permissions } from '@atrium/contracts';

export { type Permission, Permissions };

/** Who is asking, as far as permissions go. */
export interface Principal {
  isSuperuser: boolean;
  permissions: readonly string[];
}

const catalogue = new Set<string>(Permissions);

export function isPermission(name: string): name is Permission {
  return catalogue.has(name);
}

/** The names in `names` that are not in the catalogue (empty when all are valid). */
export function unknownPermissions(names: readonly string[]): string[] {
  return names.filter((name) => !catalogue.has(name));
}

/** Superusers hold every permission; everyone else holds the union of their roles'. */
export function hasPermission(principal: Principal, permission: Permission): boolean {
  return principal.isSuperuser || principal.permissions.includes(permission);
}
