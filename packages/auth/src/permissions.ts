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

/** `MFA_REQUIRED_FOR`'s name for superuser status (the rest are permission names). */
export const SUPERUSER = 'superuser';

/**
 * Whether `required` (MFA_REQUIRED_FOR) makes this principal turn on two-factor sign-in before
 * using `need`: a permission, or `superuser` for superuser-only routes. Superusers are covered on
 * every protected route when `superuser` is listed (their access comes from that status). Without
 * `need`: whether any privilege the principal holds is listed.
 */
export function requiresMfa(
  required: readonly string[],
  principal: Principal,
  need?: Permission | typeof SUPERUSER,
): boolean {
  if (required.length === 0) return false;
  if (principal.isSuperuser && required.includes(SUPERUSER)) return true;
  if (need === undefined) return principal.permissions.some((p) => required.includes(p));
  return need !== SUPERUSER && required.includes(need) && hasPermission(principal, need);
}
