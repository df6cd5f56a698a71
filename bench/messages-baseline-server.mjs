// The ceiling for "send a message": bare Fastify and one postgres.js insert into messages.
import Fastify from 'fastify';
import postgres from 'postgres';

const sql = postgres(process.env.DATABASE_URL, { max: 10 });
const app = Fastify();
app.get('/health', async () => ({ status: 'ok' }));
app.post('/messages', async (request, reply) => {
  const { conversationId, senderId, recipientId, content } = request.body;
  const [row] =
    await sql`insert into messages (id, conversation_id, sender_id, recipient_id, content)
    values (gen_random_uuid(), ${conversationId}, ${senderId}, ${recipientId}, ${content}) returning *`;
  return reply.status(201).send(row);
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
