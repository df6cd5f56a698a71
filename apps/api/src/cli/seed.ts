// `pnpm db:seed`: a "demo" organization with 500 realistic interactions, owned by every superuser
// (the first superuser is created first, as at start-up), and a few published website items. Safe to run again: an existing demo
// organization is left as it is. On the embedded database it needs the server stopped: DATA_DIR
// is locked by whichever process opened it first, and a second one stops with one line.
import { runService } from '@atrium/config';
import { createDatabase, memberships, organizations, seedInteractions, users } from '@atrium/db';
import { eq } from '@atrium/db/orm';
import { seedContent } from '../modules/content/seed.js';
import { ensureFirstSuperuser } from '../modules/users/first-superuser.js';

await runService('seed', async ({ config, log }) => {
  const database = await createDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: 1,
  });
  await database.migrate();
  const { db } = database;
  await ensureFirstSuperuser(db, config, log);
  const owners = await db.select({ id: users.id }).from(users).where(eq(users.isSuperuser, true));
  const [org] = await db
    .insert(organizations)
    .values({ name: 'Demo', slug: 'demo' })
    .onConflictDoNothing()
    .returning();
  if (!org) {
    log.info('the demo organization exists already; nothing to do');
  } else {
    for (const owner of owners) {
      await db.insert(memberships).values({ orgId: org.id, userId: owner.id, role: 'owner' });
    }
    await seedInteractions(db, { orgId: org.id, createdBy: owners[0]?.id ?? null, count: 500 });
    log.info({ owners: owners.length }, 'seeded the "demo" organization with 500 interactions');
  }
  await seedContent(db);
  log.info('seeded published website content (services, a case study, metrics, a team member)');
  await database.close();
  process.exit(0);
});
