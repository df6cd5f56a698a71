import { randomBytes } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import {
  decryptSecret,
  encryptSecret,
  hashPassword,
  hashRecoveryCode,
  matchTotp,
  needsRehash,
  newRecoveryCodes,
  newTotpSecret,
  totpCode,
  totpUri,
} from '../src/index.js';

// A fixed clock: 2026-01-01T00:00:00Z is the start of step 59_166_720 (a multiple of 30 s).
const T0 = Date.UTC(2026, 0, 1);
const STEP0 = T0 / 30_000;

describe('TOTP with an injected clock', () => {
  const secret = newTotpSecret();

  it('accepts the code of this step and answers its step number', () => {
    expect(matchTotp(secret, totpCode(secret, T0), T0)).toBe(STEP0);
    expect(matchTotp(secret, totpCode(secret, T0), T0 + 29_999)).toBe(STEP0);
  });

  it.each([
    ['the previous step (one step of drift)', -30_000, STEP0 - 1],
    ['the next step (one step of drift)', 30_000, STEP0 + 1],
    ['the last millisecond of the previous step', -1, STEP0 - 1],
  ])('accepts the code of %s', (_name, offset, step) => {
    expect(matchTotp(secret, totpCode(secret, T0 + offset), T0)).toBe(step);
  });

  it.each([
    ['two steps ago', -60_000],
    ['the last millisecond two steps ago', -30_001],
    ['two steps ahead', 60_000],
  ])('refuses the code of %s', (_name, offset) => {
    expect(matchTotp(secret, totpCode(secret, T0 + offset), T0)).toBeUndefined();
  });

  it("refuses another secret's code and malformed codes", () => {
    expect(matchTotp(secret, totpCode(newTotpSecret(), T0), T0)).toBeUndefined();
    expect(matchTotp(secret, '', T0)).toBeUndefined();
    expect(matchTotp(secret, 'abcdef', T0)).toBeUndefined();
  });

  it('writes a key URI an authenticator app reads (issuer, account, SHA1, 6 digits, 30 s)', () => {
    const uri = new URL(totpUri(secret, 'ada@example.com', 'Atrium'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Atrium:ada@example.com');
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret,
      issuer: 'Atrium',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

describe('sealed TOTP secrets', () => {
  const key = randomBytes(32);

  it('round-trip, with a fresh nonce each time', () => {
    const a = encryptSecret(key, 'JBSWY3DPEHPK3PXP');
    const b = encryptSecret(key, 'JBSWY3DPEHPK3PXP');
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(decryptSecret(key, a)).toBe('JBSWY3DPEHPK3PXP');
  });

  it('refuse another key and any altered byte', () => {
    const sealed = encryptSecret(key, 'JBSWY3DPEHPK3PXP');
    expect(() => decryptSecret(randomBytes(32), sealed)).toThrow();
    const [v, nonce, body, tag] = sealed.split('.') as [string, string, string, string];
    const flipped = Buffer.from(body, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() =>
      decryptSecret(key, [v, nonce, flipped.toString('base64url'), tag].join('.')),
    ).toThrow();
    expect(() => decryptSecret(key, 'not-sealed')).toThrow();
  });
});

describe('recovery codes', () => {
  it('are ten distinct 16-character base32 codes in groups of four', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  });

  it('hash the same whatever the case, dashes or spaces a user types', () => {
    const [code] = newRecoveryCodes() as [string];
    const plain = code.replace(/-/g, '');
    expect(hashRecoveryCode(code.toLowerCase())).toBe(hashRecoveryCode(code));
    expect(hashRecoveryCode(plain.match(/.{4}/g)!.join(' '))).toBe(hashRecoveryCode(code));
    expect(hashRecoveryCode(code)).not.toBe(hashRecoveryCode(newRecoveryCodes()[0]!));
  });
});

describe('rehash check', () => {
  it('leaves a hash made with the current parameters alone', async () => {
    expect(needsRehash(await hashPassword('correct horse battery staple'))).toBe(false);
  });

  it.each([
    ['less memory', { memoryCost: 8192, timeCost: 2, parallelism: 1 }],
    ['fewer passes', { memoryCost: 19_456, timeCost: 1, parallelism: 1 }],
  ])('asks for a rehash of a hash with %s', async (_name, params) => {
    const weaker = await hash('correct horse battery staple', { algorithm: 2, ...params });
    expect(needsRehash(weaker)).toBe(true);
  });

  it('asks for a rehash of argon2i and of anything that is not a PHC argon2 string', async () => {
    const argon2i = await hash('x'.repeat(12), {
      algorithm: 1,
      memoryCost: 19_456,
      timeCost: 2,
      parallelism: 1,
    });
    expect(needsRehash(argon2i)).toBe(true);
    expect(needsRehash('$2b$12$abcdefghijklmnopqrstuv')).toBe(true);
  });

  it('keeps a hash stronger than the current parameters', async () => {
    const stronger = await hash('x'.repeat(12), {
      algorithm: 2,
      memoryCost: 65_536,
      timeCost: 3,
      parallelism: 1,
    });
    expect(needsRehash(stronger)).toBe(false);
  });
});
