import { type ChildProcess, spawn } from 'node:child_process';
import { inheritedEnv } from '@atrium/config/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startStack } from './stack.js';

// docker-compose.yml's proxy: Caddy with proxy/Caddyfile, here in front of the real app on a
// socket instead of the `api` replicas (its PROXY_PORT/API_HOST/API_PORT placeholders). Caddy is
// Debian's package (.ci/run installs it).
const CADDYFILE = new URL('../../../proxy/Caddyfile', import.meta.url).pathname;

let stack: Awaited<ReturnType<typeof startStack>>;
let caddy: ChildProcess;
let base: string;

beforeAll(async () => {
  stack = await startStack({ server: false, env: {}, listen: () => ({}) });
  const proxyPort = await freePort();
  caddy = spawn('caddy', ['run', '--config', CADDYFILE, '--adapter', 'caddyfile'], {
    env: {
      ...inheritedEnv(),
      PROXY_PORT: String(proxyPort),
      API_HOST: '127.0.0.1',
      API_PORT: String(stack.port),
    },
    stdio: 'ignore',
  });
  base = `http://127.0.0.1:${proxyPort}`;
  for (let i = 0; i < 100; i++) {
    if (caddy.exitCode !== null) throw new Error(`caddy exited (${caddy.exitCode})`);
    if (
      await fetch(`${base}/health/live`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the proxy did not answer in 10 s');
});

afterAll(async () => {
  await stack?.close();
  if (caddy && caddy.exitCode === null) {
    const exited = new Promise((resolve) => caddy.once('exit', resolve));
    caddy.kill('SIGTERM');
    await exited;
  }
});

async function signIn(): Promise<string> {
  const post = (path: string, body: unknown) =>
    fetch(`${base}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const credentials = { email: 'proxy@example.com', password: 'plum-orbit-cactus-lantern-93' };
  expect((await post('/auth/register', credentials)).status).toBe(201);
  const login = await post('/auth/login', {
    login: credentials.email,
    password: credentials.password,
  });
  expect(login.status).toBe(200);
  return ((await login.json()) as { accessToken: string }).accessToken;
}

describe('the compose proxy (proxy/Caddyfile) in front of the API', () => {
  it('passes requests and problem responses through', async () => {
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', database: 'up' });
    const problem = await fetch(`${base}/api/v1/auth/me`);
    expect(problem.status).toBe(401);
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
  });

  it('streams live events unbuffered: the first frame arrives while the stream stays open', async () => {
    const token = await signIn();
    const controller = new AbortController();
    const response = await fetch(`${base}/api/v1/events`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    // A buffering proxy would hold `retry:` until the stream ends (never, here) or a buffer fills.
    const first = await Promise.race([
      reader.read(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no frame through the proxy in 5 s')), 5000),
      ),
    ]);
    expect(first.done).toBe(false);
    expect(new TextDecoder().decode(first.value)).toContain('retry: 3000');
    await reader.cancel();
    controller.abort();
  });
});
