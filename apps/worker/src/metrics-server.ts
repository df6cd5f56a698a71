import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * A standalone worker has no API to carry its metrics: with WORKER_METRICS_PORT it serves its
 * own registry (job durations, process metrics) at /metrics for Prometheus to scrape, and
 * /health, the liveness its container's healthcheck asks (the process answers; cheap, unlike
 * /metrics, whose gauges query the database and the scanner).
 */
export async function startMetricsServer(port: number, host: string) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'atrium_worker_' });
  const server: Server = createServer((request, response) => {
    if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => response.writeHead(200, { 'content-type': registry.contentType }).end(body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  return {
    registry,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
