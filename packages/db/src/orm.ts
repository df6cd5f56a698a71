// Drizzle's operators (eq, and, sql, …) for the rest of the workspace. Importing them from here,
// not from drizzle-orm directly, keeps one copy of Drizzle in play: pnpm may otherwise resolve
// separate copies per peer-dependency set, and their SQL types do not mix.
export * from 'drizzle-orm';
export type { SelectedFields } from 'drizzle-orm/pg-core';
