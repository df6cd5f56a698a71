import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, type TestApp } from './auth-support.js';
import { testApp } from './support.js';

const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'https://api.atrium.test';

let app: TestApp;
let server: Server;
const keys: JWK[] = [];
const rsa = await generateKeyPair('RS256', { extractable: true });
const ec = await generateKeyPair('ES256', { extractable: true });

beforeAll(async () => {
  keys.push({ ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' });
  server = createServer((_, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  app = await testApp({
    AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  });
});
afterAll(async () => {
  await app.dispose();
  server.close();
});

function idpToken(
  claims: Record<string, unknown>,
  options: {
    key?: Parameters<SignJWT['sign']>[0];
    alg?: string;
    kid?: string;
    issuer?: string;
  } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'rsa-1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(String(claims.sub ?? 'auth0|alice'))
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(options.key ?? rsa.privateKey);
}
const me = (token: string) =>
  app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(token) });

describe('external identity provider', () => {
  it('accepts its RS256 token and provisions the user once, on first use', async () => {
    const token = await idpToken({
      sub: 'auth0|alice',
      email: 'alice@idp.example.com',
      email_verified: true,
    });
    const first = await me(token);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ email: 'alice@idp.example.com', emailVerified: true });
    const again = await me(await idpToken({ sub: 'auth0|alice' }));
    expect(again.json().id).toBe(first.json().id);
  });

  it('accepts ES256 from a rotated-in key it has not seen before', async () => {
    keys.push({ ...(await exportJWK(ec.publicKey)), kid: 'ec-2', alg: 'ES256', use: 'sig' });
    // The key set is refetched for an unknown kid at most every 30 s: step past that cooldown.
    const now = Date.now;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => now() + 60_000);
    try {
      const token = await idpToken(
        { sub: 'auth0|bob' },
        { key: ec.privateKey, alg: 'ES256', kid: 'ec-2' },
      );
      expect((await me(token)).statusCode).toBe(200);
    } finally {
      clock.mockRestore();
    }
  });

  it('refuses a token from another issuer', async () => {
    const token = await idpToken({ sub: 'auth0|eve' }, { issuer: 'https://evil.example.com/' });
    const res = await me(token);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('invalid_token');
  });

  it('refuses a token signed by a key outside the key set', async () => {
    const stranger = await generateKeyPair('RS256');
    const token = await idpToken({ sub: 'auth0|eve' }, { key: stranger.privateKey });
    expect((await me(token)).statusCode).toBe(401);
  });

  it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const publicJwk = JSON.stringify(keys[0]);
    const token = await new SignJWT({ sub: 'auth0|alice' })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(publicJwk));
    expect((await me(token)).statusCode).toBe(401);
  });

  it('refuses an unsigned token that claims its issuer', async () => {
    const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const exp = Math.floor(Date.now() / 1000) + 300;
    const token = `${b64({ alg: 'none' })}.${b64({ sub: 'auth0|alice', iss: ISSUER, aud: AUDIENCE, exp })}.`;
    expect((await me(token)).statusCode).toBe(401);
  });
});

describe('sensitive routes with identity-provider tokens', () => {
  const enrol = (token: string) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/mfa/totp', headers: bearer(token) });

  it('refuse a token whose auth_time is older than REAUTH_WINDOW, and accept a fresh sign-in', async () => {
    const longAgo = Math.floor(Date.now() / 1000) - 2 * app.config.mfa.reauthWindowSeconds;
    const stale = await idpToken({ sub: 'auth0|reauth', auth_time: longAgo });
    const refused = await enrol(stale);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('reauthentication_required');
    const fresh = await idpToken({
      sub: 'auth0|reauth',
      auth_time: Math.floor(Date.now() / 1000),
    });
    expect((await enrol(fresh)).statusCode).toBe(200);
  });

  it('fall back to the token’s issue time without auth_time', async () => {
    expect((await enrol(await idpToken({ sub: 'auth0|reauth-iat' }))).statusCode).toBe(200);
  });

  it('cannot re-authenticate here: that happens at the provider', async () => {
    const token = await idpToken({ sub: 'auth0|reauth-here' });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/reauthenticate',
      headers: bearer(token),
      payload: { password: 'whatever-it-is-here' },
    });
    expect(res.statusCode).toBe(400);
  });
});
