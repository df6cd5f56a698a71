import { describe, expect, it } from 'vitest';
import {
  checkPassword,
  generateToken,
  hashPassword,
  hashToken,
  hasPermission,
  unknownPermissions,
  verifyPassword,
} from '../src/index.js';

describe('passwords', () => {
  it('hashes with argon2id and OWASP parameters, and verifies the right password only', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(stored, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(stored, 'wrong horse battery staple')).toBe(false);
  });

  it('answers false for a missing hash after running a verify anyway', async () => {
    expect(await verifyPassword(null, 'anything at all')).toBe(false);
  });
});

describe('password policy', () => {
  it.each([
    ['short', /at least 10 characters/],
    ['password1234', /most common passwords/],
    ['aaaaaaaaaaaa', /too easy to guess/],
    ['x'.repeat(129), /at most 128/],
  ])('refuses %s and says what to fix', async (password, message) => {
    const result = await checkPassword(password);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('counts the email and name as guessable', async () => {
    expect((await checkPassword('janedoe19850412', ['janedoe19850412@example.com'])).ok).toBe(
      false,
    );
  });

  it('accepts a long unrelated passphrase', async () => {
    expect(await checkPassword('plum-orbit-cactus-lantern-93')).toEqual({ ok: true });
  });
});

describe('tokens', () => {
  it('generates 256-bit url-safe tokens and hashes them with SHA-256', () => {
    const token = generateToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(generateToken()).not.toBe(token);
  });
});

describe('permissions', () => {
  it('grants superusers everything and others only what their roles hold', () => {
    expect(hasPermission({ isSuperuser: true, permissions: [] }, 'queues:admin')).toBe(true);
    expect(hasPermission({ isSuperuser: false, permissions: ['users:read'] }, 'users:read')).toBe(
      true,
    );
    expect(hasPermission({ isSuperuser: false, permissions: ['users:read'] }, 'users:write')).toBe(
      false,
    );
  });

  it('names the permissions that are not in the catalogue', () => {
    expect(unknownPermissions(['users:read', 'users:fly'])).toEqual(['users:fly']);
  });
});
