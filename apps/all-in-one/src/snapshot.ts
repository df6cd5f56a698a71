// Run by build.mjs after bundling: writes the migrated, empty PGlite database that a new embedded
// DATA_DIR starts from (see writePgliteSnapshot), once per set of migrations.
import { writePgliteSnapshot } from '@atrium/db';
import { SNAPSHOTS } from './snapshots.js';

await writePgliteSnapshot(SNAPSHOTS);
