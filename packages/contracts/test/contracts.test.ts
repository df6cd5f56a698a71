import { readFileSync } from 'node:fs';
import Value from 'typebox/value';
import { describe, expect, it } from 'vitest';
import * as contracts from '../src/index.js';

describe('@atrium/contracts', () => {
  it('depends on nothing but typebox, so frontends can install it', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['typebox']);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.publishConfig.exports['.']).toEqual({
      types: './dist/index.d.ts',
      import: './dist/index.js',
    });
  });

  it('keys pages by an opaque cursor that is null on the last page', () => {
    const page = contracts.Page(contracts.Id);
    expect(
      Value.Check(page, { items: ['0196f5a2-7c3e-7b3a-8f0e-2d6f1b9c4a11'], nextCursor: null }),
    ).toBe(true);
    expect(Value.Check(page, { items: [], nextCursor: 'abc' })).toBe(true);
    expect(Value.Check(page, { items: [] })).toBe(false);
  });

  it('bounds the page size to 1–100', () => {
    expect(Value.Check(contracts.PageQuery, { limit: 100 })).toBe(true);
    expect(Value.Check(contracts.PageQuery, { limit: 0 })).toBe(false);
    expect(Value.Check(contracts.PageQuery, { limit: 101 })).toBe(false);
  });

  it('gives every problem type a stable URI per code', () => {
    expect(contracts.problemType('validation_failed')).toBe('urn:atrium:problem:validation-failed');
    expect(new Set(contracts.ErrorCodes).size).toBe(contracts.ErrorCodes.length);
  });

  it('has a payload schema for every queue, and refuses an email to an unknown template', () => {
    expect(contracts.QueueNames).toEqual(Object.keys(contracts.JobPayloads));
    const ok = { to: 'a@example.com', template: 'password-reset', data: { link: 'x' } };
    expect(Value.Check(contracts.EmailJob, ok)).toBe(true);
    expect(Value.Check(contracts.EmailJob, { ...ok, template: 'newsletter' })).toBe(false);
  });

  // A newer server may add response fields: an older client's check must still pass.
  it('accepts a response with a field it does not know, and refuses one in a request', () => {
    const id = '01936b4e-8f2a-7c3d-9e1f-2a3b4c5d6e7f';
    const at = '2026-11-25T10:00:00.000Z';
    const user = {
      id,
      email: 'ada@example.com',
      username: null,
      fullName: 'Ada',
      bio: null,
      phoneNumber: null,
      isSuperuser: false,
      isActive: true,
      emailVerified: true,
      passwordResetRequired: false,
      mfaEnabled: false,
      permissions: [],
      createdAt: at,
      updatedAt: at,
    };
    expect(Value.Check(contracts.User, user)).toBe(true);
    expect(Value.Check(contracts.User, { ...user, avatarUrl: 'https://x' })).toBe(true);
    expect(Value.Check(contracts.User, { ...user, email: 1 })).toBe(false);
    const page = { items: [{ ...user, newField: 1 }], nextCursor: null, total: 1 };
    expect(Value.Check(contracts.UserPage, page)).toBe(true);
    const update = { fullName: 'Ada' };
    expect(Value.Check(contracts.UpdateMeRequest, update)).toBe(true);
    expect(Value.Check(contracts.UpdateMeRequest, { ...update, fullname: 'Ada' })).toBe(false);
  });

  // Requests are closed (their names say so); every other exported schema is a response.
  it('leaves every response schema open at its top level', () => {
    const request = /(Request|Requests|Query|Params|Form|Headers|Input|Patch|Confirm)$/;
    const closed = Object.entries(contracts)
      .filter(([name, schema]) => !request.test(name) && typeof schema === 'object')
      .filter(
        ([, schema]) =>
          (schema as { additionalProperties?: unknown }).additionalProperties === false,
      )
      .map(([name]) => name);
    expect(closed).toEqual([]);
  });
});
