import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, open, opendir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AlreadyExists, InvalidKey, NotFound, TooLarge } from './errors.js';
import { assertKey, assertPrefix, assertUploadRequest } from './keys.js';
import { signUpload } from './signing.js';
import type { Storage, StoredObject, UploadTarget, UploadTargetRequest } from './types.js';

export interface LocalStorageOptions {
  /** Directory that holds every object, e.g. `DATA_DIR/uploads`; created when missing. */
  root: string;
  /** HMAC key for upload URLs (at least 32 bytes). */
  signingSecret: string | Buffer;
  /** Absolute URL of the API route that receives signed uploads (the uploads module's PUT route). */
  uploadUrl: string;
  now?: () => Date;
}

/** Partial uploads live here, on the same file system as the objects, so moving one in is atomic. */
const INCOMING = '.incoming';

export interface LocalStorage extends Storage {
  readonly driver: 'local';
  readonly root: string;
  /**
   * Streams a client's upload body to `key`, never holding it in memory: to a temporary file
   * first, counting bytes as they pass; past `maxBytes` the stream is cut, the partial file
   * removed and `TooLarge` thrown. A key that already holds an object is never overwritten
   * (`AlreadyExists`), not even by two uploads racing each other.
   */
  writeUploadStream(
    key: string,
    body: Readable,
    options: { maxBytes: number },
  ): Promise<StoredObject>;
}

export function localStorage(options: LocalStorageOptions): LocalStorage {
  const root = resolve(options.root);
  const now = options.now ?? (() => new Date());
  if (Buffer.byteLength(options.signingSecret) < 32) {
    throw new Error('local storage: signingSecret must be at least 32 bytes');
  }

  function pathOf(key: string): string {
    const path = resolve(root, assertKey(key));
    // assertKey already refuses every escape; this is the belt to its braces.
    if (!path.startsWith(root + sep)) throw new InvalidKey('outside the storage root');
    return path;
  }

  async function statKey(key: string): Promise<StoredObject | undefined> {
    try {
      const info = await stat(pathOf(key));
      return info.isFile() ? { key, size: info.size, lastModified: info.mtime } : undefined;
    } catch (error) {
      if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return undefined;
      throw error;
    }
  }

  async function incomingFile(): Promise<string> {
    await mkdir(join(root, INCOMING), { recursive: true });
    return join(root, INCOMING, randomUUID());
  }

  async function writeUploadStream(
    key: string,
    body: Readable,
    { maxBytes }: { maxBytes: number },
  ) {
    const target = pathOf(key);
    if (await statKey(key)) throw new AlreadyExists(key);
    const temp = await incomingFile();
    try {
      await pipeline(body, limitBytes(maxBytes), createWriteStream(temp, { flags: 'wx' }));
      await mkdir(dirname(target), { recursive: true });
      // link() fails when the name exists, where rename() would replace it: the no-clobber,
      // atomic way in. The temporary name goes in `finally`.
      await link(temp, target).catch((error) => {
        throw isCode(error, 'EEXIST') ? new AlreadyExists(key) : error;
      });
    } finally {
      await rm(temp, { force: true });
    }
    return (await statKey(key))!;
  }

  return {
    driver: 'local',
    root,
    writeUploadStream,
    stat: statKey,

    async put(key, body) {
      const target = pathOf(key);
      const temp = await incomingFile();
      try {
        if (Buffer.isBuffer(body)) await writeFile(temp, body);
        else await pipeline(body, createWriteStream(temp, { flags: 'wx' }));
        await mkdir(dirname(target), { recursive: true });
        await rename(temp, target);
      } finally {
        await rm(temp, { force: true });
      }
    },

    async read(key) {
      const handle = await open(pathOf(key), 'r').catch((error) => {
        throw isCode(error, 'ENOENT') ? new NotFound(key) : error;
      });
      return handle.createReadStream();
    },

    async delete(key) {
      await rm(pathOf(key), { force: true });
    },

    async move(from, to) {
      const source = pathOf(from);
      const target = pathOf(to);
      await mkdir(dirname(target), { recursive: true });
      await rename(source, target).catch((error) => {
        throw isCode(error, 'ENOENT') ? new NotFound(from) : error;
      });
    },

    async *list(prefix) {
      assertPrefix(prefix);
      for await (const key of walk(root, root)) {
        if (key.startsWith(prefix)) yield (await statKey(key))!;
      }
    },

    async uploadTarget(request: UploadTargetRequest): Promise<UploadTarget> {
      assertUploadRequest(request);
      const expiresAt = new Date(now().getTime() + request.expiresInSeconds * 1000);
      const query = signUpload(options.signingSecret, { ...request, expiresAt });
      const url = new URL(options.uploadUrl);
      for (const [name, value] of query) url.searchParams.set(name, value);
      return {
        url: url.toString(),
        method: 'PUT',
        headers: { 'content-type': request.contentType },
        expiresAt: new Date(Math.floor(expiresAt.getTime() / 1000) * 1000),
      };
    },
  };
}

/** Passes bytes through until more than `maxBytes` have come, then fails the pipeline. */
function limitBytes(maxBytes: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > maxBytes) callback(new TooLarge(maxBytes));
      else callback(null, chunk);
    },
  });
}

async function* walk(root: string, dir: string): AsyncGenerator<string> {
  let entries: Awaited<ReturnType<typeof opendir>>;
  try {
    entries = await opendir(dir);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  for await (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(root, path);
    else if (entry.isFile()) yield relative(root, path).split(sep).join('/');
  }
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
