import { PROBLEM_CONTENT_TYPE } from '@atrium/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './support.js';

type Operation = { responses?: Record<string, { content?: Record<string, unknown> }> };

let app: Awaited<ReturnType<typeof testApp>>;
let operations: [string, Operation][];

beforeAll(async () => {
  app = await testApp();
  await app.ready();
  const document = app.swagger() as { paths: Record<string, Record<string, Operation>> };
  operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      op,
    ]),
  );
});
afterAll(() => app.dispose());

describe('OpenAPI error responses', () => {
  it('documents the errors of every operation as problem+json', () => {
    expect(operations.length).toBeGreaterThan(50);
    for (const [name, op] of operations) {
      const errors = Object.entries(op.responses ?? {}).filter(([status]) => Number(status) >= 400);
      expect(
        errors.map(([status]) => status),
        name,
      ).toEqual(expect.arrayContaining(['429', '500']));
      for (const [status, response] of errors) {
        // Readiness answers 503 with the health report itself, which probes read.
        if (name === 'GET /health' && status === '503') continue;
        expect(Object.keys(response.content ?? {}), `${name} ${status}`).toEqual([
          PROBLEM_CONTENT_TYPE,
        ]);
      }
    }
  });

  it('documents 401 and 403 where the route declares access, and 404 where it takes an id', () => {
    const byName = new Map(operations);
    const statuses = (name: string) => Object.keys(byName.get(name)?.responses ?? {});
    expect(statuses('GET /api/v1/users/{id}')).toEqual(
      expect.arrayContaining(['400', '401', '403', '404']),
    );
    expect(statuses('PATCH /api/v1/orgs/{orgId}/interactions/{id}')).toEqual(
      expect.arrayContaining(['400', '401', '403', '404', '413', '415']),
    );
    expect(statuses('GET /api/v1/interaction-types')).not.toContain('401');
  });
});
