// `pnpm db:seed`: a "Demo" organization with 500 realistic interactions, owned by every
// superuser (start Atrium once first, so the first superuser exists). Safe to run again: an
// existing demo org is left as it is.
import { ConfigError, loadConfig } from '@atrium/config';
import { eq } from 'drizzle-orm';
import { createDatabase } from '../client.js';
import { memberships, organizations, users } from '../schema/index.js';
import { seedInteractions } from '../seed.js';

try {
  const config = loadConfig();
  const database = createDatabase({ url: config.databaseUrl, dataDir: config.dataDir, poolMax: 1 });
  await database.migrate();
  const { db } = database;
  const owners = await db.select({ id: users.id }).from(users).where(eq(users.isSuperuser, true));
  const [org] = await db
    .insert(organizations)
    .values({ name: 'Demo', slug: 'demo' })
    .onConflictDoNothing()
    .returning();
  if (!org) {
    console.log('the demo organization exists already; nothing to do');
  } else {
    for (const owner of owners)
      await db.insert(memberships).values({ orgId: org.id, userId: owner.id, role: 'owner' });
    await seedInteractions(db, { orgId: org.id, createdBy: owners[0]?.id ?? null, count: 500 });
    console.log(
      `seeded the "demo" organization with 500 interactions (owners: ${owners.length} superusers)`,
    );
  }
  await database.close();
} catch (error) {
  console.error(error instanceof ConfigError ? `Invalid configuration: ${error.message}` : error);
  process.exit(1);
}
