// The ceiling for a form submission: bare Fastify and one postgres.js insert of the submission
// row (no validation beyond JSON parsing, no lead, no jobs), answering 202 { id } like the API.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL, { max: 10 });
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.post('/contact', async (request, reply) => {
  const body = request.body;
  const [row] = await sql`insert into form_submissions
    (id, type, email, payload, spam, ip, user_agent, body_hash)
    values (${randomUUID()}, 'contact', ${body.email}, ${sql.json(body)}, false, ${request.ip},
      ${request.headers['user-agent'] ?? null}, 'baseline')
    returning id`;
  return reply.status(202).send({ id: row.id });
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
