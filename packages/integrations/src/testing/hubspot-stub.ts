import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  path: string;
  body: unknown;
}

/** A canned answer the stub gives before its normal behaviour, once per entry. */
export interface StubFault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A local HTTP server speaking the slice of HubSpot's v3 wire format Atrium uses: contacts by
 * email (`PATCH|GET /crm/v3/objects/contacts/{email}?idProperty=email`, 404 when unknown),
 * contact creation, notes and deals with their associations to a contact. `faults` are answered first, in order.
 */
export async function startHubspotStub() {
  const contacts = new Map<string, { id: string; properties: Record<string, string> }>();
  const notes: { body: string; contactId: string }[] = [];
  const deals: { id: string; properties: Record<string, string>; contactId: string }[] = [];
  const requests: StubRequest[] = [];
  const faults: StubFault[] = [];
  const server = createServer(async (req, res) => {
    const body = await readJson(req);
    const url = new URL(req.url ?? '/', 'http://stub');
    requests.push({ method: req.method ?? 'GET', path: url.pathname, body });
    const fault = faults.shift();
    if (fault) return send(res, fault.status, fault.body ?? {}, fault.headers);
    route(req.method ?? 'GET', url, body, res);
  });
  function route(method: string, url: URL, body: unknown, res: ServerResponse) {
    const input = body as { properties?: Record<string, string>; associations?: unknown[] };
    const match = /^\/crm\/v3\/objects\/contacts\/([^/]+)$/.exec(url.pathname);
    if (match && url.searchParams.get('idProperty') === 'email') {
      const contact = contacts.get(decodeURIComponent(match[1]!));
      if (!contact) return send(res, 404, { status: 'error', message: 'resource not found' });
      if (method === 'PATCH') Object.assign(contact.properties, input.properties);
      return send(res, 200, contact);
    }
    if (method === 'POST' && url.pathname === '/crm/v3/objects/contacts') {
      const email = input.properties?.email ?? '';
      if (contacts.has(email)) return send(res, 409, { message: 'Contact already exists' });
      const contact = { id: String(1000 + contacts.size), properties: { ...input.properties } };
      contacts.set(email, contact);
      return send(res, 201, contact);
    }
    if (method === 'POST' && url.pathname === '/crm/v3/objects/notes') {
      const association = input.associations?.[0] as { to: { id: string } };
      notes.push({ body: input.properties?.hs_note_body ?? '', contactId: association.to.id });
      return send(res, 201, { id: String(5000 + notes.length) });
    }
    if (method === 'POST' && url.pathname === '/crm/v3/objects/deals') {
      const association = input.associations?.[0] as {
        to: { id: string };
        types: { associationTypeId: number }[];
      };
      if (association?.types?.[0]?.associationTypeId !== 3) {
        return send(res, 400, { status: 'error', message: 'invalid association type' });
      }
      const deal = {
        id: String(9000 + deals.length),
        properties: { ...input.properties },
        contactId: association.to.id,
      };
      deals.push(deal);
      return send(res, 201, { id: deal.id, properties: deal.properties });
    }
    send(res, 404, { message: 'no such route in the stub' });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    contacts,
    notes,
    deals,
    requests,
    faults,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type HubspotStub = Awaited<ReturnType<typeof startHubspotStub>>;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

function send(res: ServerResponse, status: number, body: unknown, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
