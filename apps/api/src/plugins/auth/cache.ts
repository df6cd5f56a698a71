import type { User } from '@atrium/contracts';

interface Entry {
  user: User;
  until: number;
}

/**
 * A short-lived cache of "session → live user", so most authenticated requests need no query.
 * Any change to users, sessions or roles clears it: locally at once, and on every instance
 * through a PostgreSQL NOTIFY (sent in the changing transaction, so delivered on commit).
 * The TTL bounds staleness should a notification ever be missed.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 10_000,
    private readonly maxEntries = 50_000,
  ) {}

  get(key: string): User | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until > Date.now()) return entry.user;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, user: User): void {
    if (this.ttlMs <= 0) return;
    // Crude but bounded: a full cache starts over rather than tracking recency.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { user, until: Date.now() + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
