import type { FetchResponse, MaybeOptionalInit } from 'openapi-fetch';
import type {
  HttpMethod,
  MediaType,
  PathsWithMethod,
  RequiredKeysOf,
} from 'openapi-typescript-helpers';
import type { paths } from './schema.gen.js';

export type { paths };

/** The second argument of a call: required when the operation has required params or a body. */
export type InitParam<Init> =
  RequiredKeysOf<Init> extends never
    ? [(Init & { [key: string]: unknown })?]
    : [Init & { [key: string]: unknown }];

/** openapi-fetch's result without its error branch: the client throws a ProblemError instead. */
export type Success<R> = R extends { error: unknown } ? never : R;

// biome-ignore lint/suspicious/noExplicitAny: openapi-fetch's own constraint on an operation
type Operation = Record<string | number, any>;

type Response<Path extends keyof paths, M extends HttpMethod, Init> = Success<
  FetchResponse<Extract<paths[Path][M], Operation>, Init, MediaType>
>;

/** `client.GET(path, init)` and its siblings: typed from the route map, throwing on errors. */
export type Method<M extends HttpMethod> = <
  Path extends PathsWithMethod<paths, M>,
  Init extends MaybeOptionalInit<paths[Path], M>,
>(
  url: Path,
  ...init: InitParam<Init>
) => Promise<Response<Path, M, Init>>;

/**
 * The problem+json bodies an operation declares for its error statuses (with the codes it
 * documents), e.g. `ProblemOf<'get', '/orgs/{orgId}/interactions/{id}'>`.
 */
export type ProblemOf<M extends HttpMethod, Path extends PathsWithMethod<paths, M>> = Exclude<
  FetchResponse<Extract<paths[Path][M], Operation>, object, MediaType>['error'],
  undefined
>;

/** A keyset page, as every list operation answers. */
interface PageShape {
  items: unknown[];
  nextCursor: string | null;
}

/** The GET paths that answer a page: those `paginate` accepts. */
export type ListPath = {
  [P in PathsWithMethod<paths, 'get'>]: paths[P]['get'] extends {
    responses: { 200: { content: { 'application/json': PageShape } } };
  }
    ? P
    : never;
}[PathsWithMethod<paths, 'get'>];

/** The item type of a list path's pages. */
export type ItemOf<P extends ListPath> = paths[P]['get'] extends {
  responses: { 200: { content: { 'application/json': { items: (infer Item)[] } } } };
}
  ? Item
  : never;
