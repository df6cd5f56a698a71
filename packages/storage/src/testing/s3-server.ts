import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/**
 * s3rver (npm, installed by the lockfile) on a free loopback port, storing under a temporary
 * directory that `close()` removes. Its one account's keys are `S3RVER`/`S3RVER`.
 *
 * What it does and does not check (read from its source and probed; see the README): it
 * implements the S3 REST API (objects, CopyObject, ListObjectsV2, multipart) and browser POST
 * uploads, and refuses expired presigned GET/PUT URLs; it does not evaluate a POST policy
 * (`content-length-range`, expiry, signature), and neither does moto_server 5.2.1.
 */
export async function startS3Server(options: { buckets: string[] }) {
  const directory = await mkdtemp(join(tmpdir(), 'atrium-s3-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  const address = (await server.run()) as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
export type S3TestServer = Awaited<ReturnType<typeof startS3Server>>;
