// The ceiling for a cached content list: bare Fastify returning the same JSON from memory.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const body = JSON.parse(readFileSync(process.env.BODY_FILE, 'utf8'));
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.get('/services', async () => body);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
