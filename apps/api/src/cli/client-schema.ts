// `pnpm client:generate`: writes @atrium/client's route map from the OpenAPI document the API
// builds (no server, no database), so the client follows every route change once regenerated.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { apiDocument } from '../api-document.js';
import { CLIENT_SCHEMA_FILE, clientSchemaSource } from '../client-schema.js';

const source = await clientSchemaSource(await apiDocument());
writeFileSync(CLIENT_SCHEMA_FILE, source);
console.log(`wrote ${fileURLToPath(CLIENT_SCHEMA_FILE)}`);
