interface Entry<V> {
  value: V;
  until: number;
}

/**
 * A short-lived cache of access decisions ("session → live user", "org member → role"), so most
 * requests need no query. The auth plugin clears every such cache on any change to users,
 * sessions, roles or memberships: locally at once, and on every instance through a PostgreSQL
 * NOTIFY (sent in the changing transaction, so delivered on commit). The TTL bounds staleness
 * should a notification ever be missed; a TTL of 0 turns caching off.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 50_000,
  ) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    // Crude but bounded: a full cache starts over rather than tracking recency.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
