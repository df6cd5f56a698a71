// The ceiling for "upload a file to the local store": bare Fastify handing the request stream to
// a file, with no signature, no size count and no database.
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Fastify from 'fastify';

const dir = process.env.DATA_DIR;
mkdirSync(dir, { recursive: true });
const app = Fastify();
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
app.get('/health', async () => ({ status: 'ok' }));
app.put('/upload', async (request, reply) => {
  await pipeline(request.body, createWriteStream(join(dir, randomUUID()), { flags: 'wx' }));
  return reply.status(204).send();
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
