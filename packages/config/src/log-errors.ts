import { stdSerializers } from 'pino';

type Fields = Record<string, unknown>;

/** What a database error may tell a log: where it happened, never with which values. */
const SAFE_DATABASE_FIELDS = [
  'code',
  'severity',
  'constraint',
  'table',
  'column',
  'schema',
  'routine',
];

/** Statement text, bound values and row images: how drivers attach a failed query to its error. */
const QUERY_FIELDS = ['query', 'params', 'parameters', 'args', 'types', 'queryOptions'];

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;

/** The chain of an error and its causes (Drizzle wraps the driver's error in `cause`). */
function chain(error: Fields): Fields[] {
  const errors = [error];
  for (let next = error.cause; isObject(next) && errors.length < 5; next = next.cause)
    errors.push(next);
  return errors;
}

const hasQuery = (error: Fields) => QUERY_FIELDS.some((field) => field in error);

/**
 * The `err` serializer of every logger. A failed query's error carries its bound values in
 * three places: Drizzle's message ("Failed query: … params: …") and stack, the drivers' `params`/
 * `parameters` fields, and PostgreSQL's `detail` ("Key (email)=(…) already exists"). Those values
 * are emails, token hashes and passwords, so a database error is logged as the statement text with
 * its placeholders, the SQLSTATE and the names of what it hit; anything else goes through pino's
 * standard serializer.
 */
export function serializeError(error: unknown): unknown {
  if (!isObject(error)) return error;
  const errors = chain(error);
  if (!errors.some(hasQuery)) return stdSerializers.err(error as unknown as Error);
  const query = errors.map((e) => e.query).find((q) => typeof q === 'string');
  const database = errors.find((e) => typeof e.code === 'string') ?? {};
  const safe: Fields = {
    type: (error.constructor as { name?: string } | undefined)?.name ?? 'Error',
    message: typeof query === 'string' ? `Failed query: ${query}` : 'Failed query',
    query,
  };
  // The server's message names the constraint or the problem (values go in `detail`), except for
  // class 22, whose messages quote the bad input ("invalid input syntax for type uuid: …").
  if (typeof database.code === 'string' && !database.code.startsWith('22'))
    safe.databaseMessage = database.message;
  for (const field of SAFE_DATABASE_FIELDS)
    if (database[field] !== undefined) safe[field] = database[field];
  // Only the frames: the stack's first lines repeat the message, values included.
  if (typeof error.stack === 'string')
    safe.stack = error.stack
      .split('\n')
      .filter((line) => /^\s+at /.test(line))
      .join('\n');
  return safe;
}
