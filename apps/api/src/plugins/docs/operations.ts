import type { RouteOptions } from 'fastify';
import { TAGS } from './tags.js';

/** `feature.action`, e.g. `interactions.get`, `content.caseStudies.list`: a client's method name. */
export const OPERATION_ID = /^[a-z][a-zA-Z]*(\.[a-z][a-zA-Z]*)+$/;

const TAG_NAMES = new Set(TAGS.map((tag) => tag.name));

/**
 * A check for each route as it is registered: every route in the document has a stable, unique
 * `schema.operationId` and tags from TAGS. A route without one makes buildApp throw, naming it, so
 * a missing name is found by the first test that builds the app, not by a client generator.
 * Routes kept out of the document (`schema.hide`) and the HEAD twins of GET routes are exempt.
 */
export function operationCheck() {
  const seen = new Map<string, string>();
  return (route: RouteOptions) => {
    const methods = [route.method].flat();
    if (methods.every((method) => method === 'HEAD') || route.schema?.hide) return;
    const name = `${methods.join(',')} ${route.url}`;
    const id = route.schema?.operationId;
    if (typeof id !== 'string' || !OPERATION_ID.test(id))
      throw new Error(
        `${name}: a documented route needs schema.operationId as feature.action (e.g. 'interactions.get'), or schema.hide`,
      );
    if (methods.length > 1)
      throw new Error(`${name}: one method per route, each its own operationId`);
    const taken = seen.get(id);
    if (taken) throw new Error(`${name}: operationId '${id}' is already ${taken}'s`);
    seen.set(id, name);
    const tags = (route.schema?.tags ?? []) as string[];
    const unknown = tags.filter((tag) => !TAG_NAMES.has(tag));
    if (tags.length === 0 || unknown.length)
      throw new Error(
        `${name}: tags must be from plugins/docs/tags.ts (got ${tags.join(', ') || 'none'})`,
      );
  };
}
