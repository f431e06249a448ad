/**
 * Freshness of cluster messages: a message is accepted once, and only while its Timestamp is within
 * `windowMs` of this instance's clock. Message IDs are remembered for twice the window (a message
 * older than the window is refused by its Timestamp), so a captured message cannot be replayed.
 * The memory is bounded: when `maxEntries` IDs are remembered, new messages are refused (fail
 * closed) until old ones age out; with the defaults that is 65,536 messages in a minute.
 */
export type ReplayVerdict = 'fresh' | 'stale' | 'replayed' | 'full';

export interface ReplayGuardOptions {
  readonly windowMs: number;
  readonly maxEntries?: number;
  readonly now: () => number;
}

export class ReplayGuard {
  /** key -> expiry; Map order is insertion order, and expiries grow with it (same lifetime). */
  readonly #seen = new Map<string, number>();
  readonly #windowMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: ReplayGuardOptions) {
    this.#windowMs = options.windowMs;
    this.#maxEntries = options.maxEntries ?? 65_536;
    this.#now = options.now;
  }

  /** Checks and, when fresh, records (sender, messageId). */
  check(sender: number, messageId: string, timestamp: number): ReplayVerdict {
    const now = this.#now();
    if (Math.abs(now - timestamp) > this.#windowMs) return 'stale';
    for (const [k, expires] of this.#seen) {
      if (expires > now) break;
      this.#seen.delete(k);
    }
    const key = `${sender}/${messageId}`;
    if (this.#seen.has(key)) return 'replayed';
    if (this.#seen.size >= this.#maxEntries) return 'full';
    this.#seen.set(key, now + 2 * this.#windowMs);
    return 'fresh';
  }

  get size(): number {
    return this.#seen.size;
  }
}
