/**
 * Duplicate request detection.
 *
 * RFC 5080 section 2.2.2: a request is a duplicate when it has the same client IP address, source
 * port, Identifier and Request Authenticator as one received recently. "The server SHOULD use the
 * originally sent response rather than re-processing the request": a retransmitted EAP packet must
 * not advance the conversation twice.
 *
 * An entry is created when a request arrives (pending) and completed with the reply. A duplicate
 * of a pending request is dropped (the reply is on its way); a duplicate of a completed one gets the
 * cached bytes. Entries live for `windowMs` and the cache is bounded by `maxEntries` (oldest out
 * first), so a flood cannot grow it without limit.
 */

export type DuplicateLookup =
  | { readonly kind: 'new' }
  | { readonly kind: 'pending' }
  | { readonly kind: 'replay'; readonly reply: Buffer };

interface Entry {
  reply: Buffer | null;
  readonly expires: number;
}

export interface DuplicateCacheOptions {
  readonly windowMs: number;
  readonly maxEntries: number;
  readonly now?: () => number;
}

export class DuplicateCache {
  readonly #entries = new Map<string, Entry>();
  readonly #windowMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: DuplicateCacheOptions) {
    this.#windowMs = options.windowMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  static key(address: string, port: number, identifier: number, authenticator: Uint8Array, code: number): string {
    return `${address}|${port}|${code}|${identifier}|${Buffer.from(authenticator.buffer, authenticator.byteOffset, 16).toString('latin1')}`;
  }

  /** Records `key` as pending when new; otherwise says what to do with the duplicate. */
  check(key: string): DuplicateLookup {
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry && entry.expires > now) {
      return entry.reply ? { kind: 'replay', reply: entry.reply } : { kind: 'pending' };
    }
    if (entry) this.#entries.delete(key);
    this.#evict(now);
    this.#entries.set(key, { reply: null, expires: now + this.#windowMs });
    return { kind: 'new' };
  }

  /** Stores the reply sent for `key`; `null` forgets the request (no reply was sent). */
  complete(key: string, reply: Buffer | null): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    if (reply === null) this.#entries.delete(key);
    else entry.reply = reply;
  }

  get size(): number {
    return this.#entries.size;
  }

  #evict(now: number): void {
    // Map iteration is insertion order, so the oldest entries come first.
    for (const [k, e] of this.#entries) {
      if (e.expires <= now || this.#entries.size >= this.#maxEntries) this.#entries.delete(k);
      else break;
    }
  }
}
