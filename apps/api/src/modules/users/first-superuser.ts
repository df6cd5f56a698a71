import { generateToken, hashPassword } from '@atrium/auth';
import type { Config, Logger } from '@atrium/config';
import { type Database, users } from '@atrium/db';
import { and, eq, sql } from '@atrium/db/orm';

const GENERATED_EMAIL = 'admin@atrium.local';

/**
 * Makes sure an active superuser exists, from FIRST_SUPERUSER_EMAIL/PASSWORD; embedded with
 * neither set, it generates credentials and logs them once. Idempotent, and safe when several
 * processes start together: an advisory lock serialises them and the loser sees the winner's row.
 */
export async function ensureFirstSuperuser(db: Database, config: Config, log: Logger) {
  let { email, password } = config.firstSuperuser;
  const generate = !email && !password && !config.databaseUrl;
  if (!generate && (!email || !password)) {
    if (email || password) log.warn('set both FIRST_SUPERUSER_EMAIL and FIRST_SUPERUSER_PASSWORD');
    return;
  }
  if (generate) {
    email = GENERATED_EMAIL;
    password = generateToken().slice(0, 24);
  }
  const passwordHash = await hashPassword(password!);
  const created = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('atrium:first-superuser'))`);
    const [existing] = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.isSuperuser, true), eq(users.isActive, true)))
      .limit(1);
    if (existing) return false;
    const rows = await tx
      .insert(users)
      .values({ email: email!, passwordHash, isSuperuser: true, emailVerifiedAt: new Date() })
      .onConflictDoNothing()
      .returning({ id: users.id });
    if (!rows.length)
      log.warn({ email }, 'FIRST_SUPERUSER_EMAIL belongs to an existing account; not changed');
    return rows.length > 0;
  });
  if (!created) return;
  if (generate) {
    // Printed once: the next start finds the superuser and generates nothing.
    log.warn(
      { email, password },
      'created the first superuser with generated credentials; change the password',
    );
  } else {
    log.info({ email }, 'created the first superuser');
  }
}
