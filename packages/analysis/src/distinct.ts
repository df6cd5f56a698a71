/**
 * Distinct values of one column: counted exactly while few and small, then estimated with a
 * HyperLogLog (p = 12: 4 KiB, ~1.6 % standard error) fed with every value seen so far, which is
 * the same sketch as if it had seen each cell (a sketch ignores repeats).
 *
 * Written here rather than taken from npm because what is there costs too much per cell for a
 * streamed 1 GiB file (measured on this machine, loaded, with short strings like `value-123`):
 * `bloom-filters`' HyperLogLog ~240 µs per update (xxhashjs 64-bit hashes turned into binary
 * strings), the `murmurhash` package's v3 ~1.4 µs per string; this FNV-1a + murmur3 finaliser
 * over UTF-16 code units ~0.15–0.25 µs. The estimator is the published one (Flajolet et al.
 * 2007, with linear counting for small ranges).
 */
const P = 12;
const M = 1 << P;
const ALPHA = 0.7213 / (1 + 1.079 / M);
const TWO_32 = 2 ** 32;

export class DistinctCounter {
  private exact: Set<string> | undefined = new Set();
  private exactChars = 0;
  private registers: Uint8Array | undefined;

  constructor(
    private readonly maxExact: number,
    /** Characters kept in the exact set before it gives way to the sketch. */
    private readonly maxExactChars = 64 * 1024,
  ) {}

  add(value: string): void {
    const exact = this.exact;
    if (exact !== undefined) {
      if (exact.has(value)) return;
      exact.add(value);
      this.exactChars += value.length;
      if (exact.size > this.maxExact || this.exactChars > this.maxExactChars) this.toSketch(exact);
      return;
    }
    this.addHashed(hash32(value));
  }

  /** `exact` while every distinct value was kept; otherwise a HyperLogLog estimate. */
  count(): { distinct: number; exact: boolean } {
    if (this.exact !== undefined) return { distinct: this.exact.size, exact: true };
    return { distinct: estimate(this.registers!), exact: false };
  }

  private toSketch(exact: Set<string>): void {
    this.registers = new Uint8Array(M);
    this.exact = undefined;
    for (const value of exact) this.addHashed(hash32(value));
  }

  private addHashed(h: number): void {
    const registers = this.registers!;
    const index = h >>> (32 - P);
    // Rank: position of the first 1-bit in the remaining 32 - P bits (at most 32 - P + 1).
    const rank = Math.min(Math.clz32(h << P) + 1, 32 - P + 1);
    if (rank > registers[index]!) registers[index] = rank;
  }
}

function estimate(registers: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < M; i++) {
    const r = registers[i]!;
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  let e = (ALPHA * M * M) / sum;
  if (e <= 2.5 * M && zeros > 0) e = M * Math.log(M / zeros);
  else if (e > TWO_32 / 30) e = -TWO_32 * Math.log(1 - e / TWO_32);
  return Math.round(e);
}

/** FNV-1a over the UTF-16 code units, then murmur3's finaliser to spread the bits. */
export function hash32(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
