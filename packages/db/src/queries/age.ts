import { lt, sql } from 'drizzle-orm';

/** `column` is more than `days` days in the past (by the database's clock). */
export const olderThanDays = (column: Parameters<typeof lt>[0], days: number) =>
  lt(column, sql`now() - make_interval(days => ${days})`);
