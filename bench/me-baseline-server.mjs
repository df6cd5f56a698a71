// The ceiling for "read by id": bare Fastify and one postgres.js primary-key select per request.
import Fastify from 'fastify';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL, { max: 10 });
const id = process.env.USER_ID;
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.get('/me', async () => {
  const [user] =
    await sql`select id, email, username, full_name, created_at from users where id = ${id}`;
  return user;
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
