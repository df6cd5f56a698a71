export {
  createDatabase,
  type Database,
  type DatabaseHandle,
  type DatabaseOptions,
  selectRows,
  writePgliteSnapshot,
} from './client.js';
export { DataDirLocked } from './data-dir-lock.js';
export { isUniqueViolation } from './errors.js';
export { migrationsFolder } from './migrate.js';
export { notifyAfterCommit } from './notify.js';
export { perDatabase } from './per-database.js';
export * from './schema/index.js';
export { seedInteractions } from './seed.js';
export {
  type Prefetched,
  type ScopedSelect,
  type ScopedSubquery,
  type SelectOptions,
  type TenantScope,
  type TenantStatement,
  type TenantTable,
  tenantRow,
  tenantScope,
  tenantStatement,
} from './tenant.js';
