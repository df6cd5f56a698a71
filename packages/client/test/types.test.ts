import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AtriumClient } from '../src/index.js';
import { typeErrors } from '../src/testing.js';

/**
 * Checked by `pnpm run typecheck`, never run: each `@ts-expect-error` fails the type check if
 * the line below it compiles, so a route map that stopped catching these mistakes breaks CI.
 */
export async function wrongCallsDoNotCompile(client: AtriumClient, orgId: string, id: string) {
  // @ts-expect-error a path the API does not have
  await client.GET('/orgs/{orgId}/interaction/{id}', { params: { path: { orgId, id } } });
  // @ts-expect-error a path param missing
  await client.GET('/orgs/{orgId}/interactions/{id}', { params: { path: { orgId } } });
  // @ts-expect-error a method the path does not answer
  await client.DELETE('/interaction-types', {});
  const { data } = await client.GET('/orgs/{orgId}/interactions/{id}', {
    params: { path: { orgId, id } },
  });
  // @ts-expect-error a field the response does not have
  data.titel;
  // @ts-expect-error a page that is not a list
  client.paginate('/auth/me', {});
  for await (const event of client.events()) {
    // @ts-expect-error message.read carries ids, not a message
    if (event.type === 'message.read') event.data.content;
  }
}

const here = fileURLToPath(new URL('.', import.meta.url));

/** Each snippet type-checked as a module beside this file; its error messages by name. */
function snippetErrors(snippets: Record<string, string>): Record<string, string[]> {
  const file = (name: string) => `${here}__snippet_${name}.ts`;
  const errors = typeErrors(
    Object.fromEntries(
      Object.entries(snippets).map(([name, body]) => [
        file(name),
        `import { createAtriumClient, isProblem, type ProblemOf } from '../src/index.js';
const client = createAtriumClient({ baseUrl: 'http://localhost:3000' });
const orgId = 'org';
const id = 'interaction';
export async function snippet() {
${body}
}
`,
      ]),
    ),
  );
  return Object.fromEntries(Object.keys(snippets).map((name) => [name, errors[file(name)]!]));
}

describe('@atrium/client types', () => {
  const interaction = `{ title: 'T', type: 'call', lead: 'L', startAt: '2026-01-01T00:00:00Z',
    endAt: '2026-01-01T01:00:00Z', timezone: 'UTC' }`;

  it('accepts right calls and refuses a wrong path, field, param, method or event', () => {
    const errors = snippetErrors({
      right: `
        const { data } = await client.GET('/orgs/{orgId}/interactions/{id}', { params: { path: { orgId, id } } });
        const title: string = data.title;
        await client.PATCH('/orgs/{orgId}/interactions/{id}', {
          params: { path: { orgId, id }, header: { 'if-match': String(data.version) } },
          body: { title: 'Renamed' },
        });
        await client.POST('/orgs/{orgId}/interactions', { params: { path: { orgId } }, body: ${interaction} });
        for await (const item of client.paginate('/orgs/{orgId}/interactions', { params: { path: { orgId } } })) {
          const version: number = item.version;
        }
        for await (const event of client.events()) {
          if (event.type === 'message.created') { const text: string = event.data.content; }
        }
        const problem = {} as ProblemOf<'get', '/orgs/{orgId}/interactions/{id}'>;
        const code: string = problem.code;
        const fields: { path: string; message: string }[] | undefined = problem.errors;
        try { await client.GET('/auth/me'); } catch (err) {
          if (isProblem(err, 'not_found', 'forbidden')) { const narrowed: 'not_found' | 'forbidden' = err.code; }
        }`,
      wrongPath: `await client.GET('/orgs/{orgId}/interaction/{id}', { params: { path: { orgId, id } } });`,
      wrongBodyField: `await client.POST('/orgs/{orgId}/interactions', {
        params: { path: { orgId } }, body: { ...${interaction}, titel: 'typo' } });`,
      wrongFieldType: `await client.POST('/orgs/{orgId}/interactions', {
        params: { path: { orgId } }, body: { ...${interaction}, type: 'lunch' } });`,
      missingParam: `await client.GET('/orgs/{orgId}/interactions/{id}', { params: { path: { orgId } } });`,
      wrongMethod: `await client.DELETE('/interaction-types', {});`,
      wrongResponseField: `const { data } = await client.GET('/auth/me'); data.fullname;`,
      notAList: `client.paginate('/auth/me', {});`,
      wrongProblemCode: `try { await client.GET('/auth/me'); } catch (err) { if (isProblem(err, 'not_a_code')) {} }`,
      wrongEventData: `for await (const event of client.events()) {
        if (event.type === 'message.read') event.data.content; }`,
    });
    expect(errors.right).toEqual([]);
    const { right: _, ...wrong } = errors;
    for (const [name, messages] of Object.entries(wrong)) {
      expect(messages.length, name).toBeGreaterThan(0);
    }
    expect(errors.wrongPath!.join()).toContain('/orgs/{orgId}/interaction/{id}');
    expect(errors.wrongBodyField!.join()).toContain('titel');
    expect(errors.wrongFieldType!.join()).toContain('"lunch"');
    expect(errors.missingParam!.join()).toContain("'id'");
    expect(errors.wrongResponseField!.join()).toContain("'fullname'");
    expect(errors.wrongEventData!.join()).toContain("'content'");
    expect(errors.wrongMethod!.join()).toContain('PathsWithMethod<paths, "delete">');
    expect(errors.notAList!.join()).toContain('ListPath');
    expect(errors.wrongProblemCode!.join()).toContain('"not_a_code"');
  }, 120_000);
});
