interface DriverError {
  code?: string;
  /** postgres.js names it `constraint_name`, PGlite `constraint`. */
  constraint_name?: string;
  constraint?: string;
}

/**
 * Whether `error` (as postgres.js or PGlite throw it, or wrapped by Drizzle in `cause`) is a
 * unique violation, of `constraint` when one is named.
 */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const cause = ((error as { cause?: DriverError }).cause ?? error) as DriverError;
  if (cause.code !== '23505') return false;
  return constraint === undefined || (cause.constraint_name ?? cause.constraint) === constraint;
}
