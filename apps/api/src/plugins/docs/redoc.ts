import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

// ReDoc's own standalone build, served from here: the page needs no CDN and works offline.
const BUNDLE = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Atrium API reference</title>
<link rel="icon" href="data:,">
</head>
<body>
<redoc spec-url="/docs/json"></redoc>
<script src="/redoc/redoc.standalone.js"></script>
</body>
</html>
`;

/**
 * ReDoc styles itself with inline <style> elements and runs its search in a blob: worker. No
 * `upgrade-insecure-requests`: over plain HTTP on a LAN address it would send the browser to https
 * for the bundle and the document, and the page would stay blank.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** `GET /redoc`: the same OpenAPI document (/docs/json) as a three-pane reference. */
export function redocRoutes(app: FastifyInstance) {
  const hide = { hide: true };
  app.get('/redoc', { schema: hide }, async (_request, reply) =>
    reply.header('content-security-policy', CSP).type('text/html; charset=utf-8').send(PAGE),
  );
  app.get('/redoc/redoc.standalone.js', { schema: hide }, async (_request, reply) =>
    reply
      .header('cache-control', 'public, max-age=86400')
      .type('application/javascript; charset=utf-8')
      .send(createReadStream(BUNDLE)),
  );
}
