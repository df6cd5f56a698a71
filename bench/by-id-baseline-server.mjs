// The ceiling for "read an interaction by id": bare Fastify and one postgres.js primary-key select.
import Fastify from 'fastify';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL, { max: 10 });
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.get('/interactions/:id', async (request) => {
  const [row] =
    await sql`select id, org_id, title, type, lead, start_at, end_at, timezone, location,
    description, notes, created_by, updated_by, created_at, updated_at, version
    from interactions where id = ${request.params.id}`;
  return row;
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
