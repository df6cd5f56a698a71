/** A URL-safe slug from a name: ASCII letters and digits in dash-separated words. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return slug.length >= 2 ? slug : `org-${slug || 'x'}`;
}

/** Candidates for a generated slug: the slug itself, then `-2`, `-3`…, then a random suffix. */
export function* slugCandidates(base: string): Generator<string> {
  yield base;
  for (let n = 2; n <= 20; n++) yield `${base}-${n}`;
  for (;;) yield `${base}-${Math.random().toString(36).slice(2, 8)}`;
}
