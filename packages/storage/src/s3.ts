import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { NotFound } from './errors.js';
import { assertKey, assertPrefix, assertUploadRequest } from './keys.js';
import type { Storage, StoredObject, UploadTarget, UploadTargetRequest } from './types.js';

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** For S3-compatible stores (MinIO, R2, Ceph…); implies path-style addressing unless `forcePathStyle` says otherwise. */
  endpoint?: string;
  /** Path-style (`endpoint/bucket/key`) rather than virtual-hosted addressing; default: with `endpoint`. */
  forcePathStyle?: boolean;
  /** Leave unset in production: the SDK's default chain (env, profile, IMDS, IRSA…) applies. */
  credentials?: S3ClientConfig['credentials'];
}

export interface S3Storage extends Storage {
  readonly driver: 's3';
  readonly bucket: string;
  readonly client: S3Client;
  close(): void;
}

export function s3Storage(options: S3StorageOptions): S3Storage {
  const { bucket } = options;
  const client = new S3Client({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });

  async function stat(key: string): Promise<StoredObject | undefined> {
    try {
      const head = await client.send(
        new HeadObjectCommand({ Bucket: bucket, Key: assertKey(key) }),
      );
      return {
        key,
        size: head.ContentLength ?? 0,
        lastModified: head.LastModified ?? new Date(0),
        ...(head.ContentType ? { contentType: head.ContentType } : {}),
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  return {
    driver: 's3',
    bucket,
    client,
    stat,
    close: () => client.destroy(),

    async put(key, body, putOptions = {}) {
      // lib-storage's Upload streams a body of unknown length as a multipart upload, a part at
      // a time, instead of asking for the length up front as PutObject does.
      const upload = new Upload({
        client,
        params: {
          Bucket: bucket,
          Key: assertKey(key),
          Body: body,
          ContentType: putOptions.contentType,
        },
      });
      await upload.done();
    },

    async read(key) {
      try {
        const object = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: assertKey(key) }),
        );
        return object.Body as Readable;
      } catch (error) {
        throw isMissing(error) ? new NotFound(key) : error;
      }
    },

    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: assertKey(key) }));
    },

    // S3 has no rename. CopyObject takes objects up to 5 GiB, far above any upload limit here;
    // a crash between the two calls leaves both copies, and a retried move copies again.
    async move(from, to) {
      assertKey(from);
      assertKey(to);
      try {
        await client.send(
          new CopyObjectCommand({
            Bucket: bucket,
            Key: to,
            // The key alphabet (assertKey) needs no URL-encoding; encoding the slashes
            // too would be read literally by some S3-compatible stores.
            CopySource: `${bucket}/${from}`,
          }),
        );
      } catch (error) {
        throw isMissing(error) ? new NotFound(from) : error;
      }
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: from }));
    },

    async *list(prefix) {
      const pages = paginateListObjectsV2(
        { client },
        { Bucket: bucket, Prefix: assertPrefix(prefix) },
      );
      for await (const page of pages) {
        for (const item of page.Contents ?? []) {
          if (!item.Key) continue;
          yield {
            key: item.Key,
            size: item.Size ?? 0,
            lastModified: item.LastModified ?? new Date(0),
          };
        }
      }
    },

    /**
     * A presigned POST whose policy pins the key, the content type and a `content-length-range`
     * of 0..maxBytes: S3 checks the policy and refuses a larger body itself, before it is stored.
     */
    async uploadTarget(request: UploadTargetRequest): Promise<UploadTarget> {
      const { key } = assertUploadRequest(request);
      const expiresAt = new Date(Date.now() + request.expiresInSeconds * 1000);
      const post = await createPresignedPost(client, {
        Bucket: bucket,
        Key: key,
        Conditions: [
          ['content-length-range', 0, request.maxBytes],
          ['eq', '$Content-Type', request.contentType],
        ],
        Fields: { 'Content-Type': request.contentType },
        Expires: request.expiresInSeconds,
      });
      return {
        url: post.url,
        method: 'POST',
        fields: post.fields,
        expiresAt,
      };
    },
  };
}

function isMissing(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return name === 'NoSuchKey' || name === 'NotFound';
}
