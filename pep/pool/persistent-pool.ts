/**
 * A named pool (`rightsourceip=%bigpool`, `pools:` in the tnc-pep config) whose leases stay
 * bound to identities across restarts, like strongSwan's attr-sql pools (`ipsec pool`):
 * an address, once leased, belongs to its identity; after release it stays "valid" for
 * leaseTimeoutSeconds (0 = "static": forever) and only an "expired" lease is given to someone
 * else. Order of choice for acquire(identity, requested):
 *   1. the identity's own offline lease (valid or expired), or the requested one among them;
 *   2. the identity's online lease when it asks for that address again (reconnect);
 *   3. an address never leased (lowest first);
 *   4. the longest-expired lease of another identity;
 *   5. PoolError POOL_EXHAUSTED.
 * State changes happen synchronously in memory; the store write follows, serialized, so two
 * concurrent acquires never see the same free address. At open(), leases stored as online
 * (the process ended with SAs up) become released at open time: no SA survives a restart.
 */
import { parseAddress } from '../config/addresses.js';
import type { PoolConfig } from '../config/pep-config.js';
import type { LeaseRecord, LeaseStore } from './lease-store.js';
import { PoolError } from './pool-error.js';
import { poolSpan, spanAddress, type AddressPool, type LeaseInfo, type LeaseStatus, type PoolSpan, type PoolStatus } from './pool-types.js';

interface Lease {
  identity: string;
  acquired: number;
  released: number;
  refs: number;
}

export class PersistentPool implements AddressPool {
  readonly #span: PoolSpan;
  readonly #timeoutMs: number;
  readonly #leases = new Map<number, Lease>();
  #nextUnused = 0;
  #writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly config: PoolConfig,
    readonly store: LeaseStore,
    readonly clock: () => number,
  ) {
    this.#span = poolSpan(config.range);
    this.#timeoutMs = config.leaseTimeoutSeconds * 1000;
  }

  static async open(config: PoolConfig, store: LeaseStore, clock: () => number = Date.now): Promise<PersistentPool> {
    const pool = new PersistentPool(config, store, clock);
    const now = clock();
    let changed = false;
    for (const r of await store.load(config.name)) {
      const off = pool.#offset(r.address);
      if (off === undefined || pool.#leases.has(off)) {
        changed = true; // outside a resized pool, or a duplicate: dropped
        continue;
      }
      if (r.released === 0) changed = true;
      pool.#leases.set(off, { identity: r.identity, acquired: r.acquired, released: r.released || now, refs: 0 });
    }
    if (changed) await pool.#persist();
    return pool;
  }

  get name(): string {
    return this.config.name;
  }

  get family(): 4 | 6 {
    return this.#span.family;
  }

  #offset(address: string): number | undefined {
    const a = parseAddress(address);
    if (!a || a.family !== this.#span.family) return undefined;
    const off = a.value - this.#span.first;
    return off >= 0n && off < BigInt(this.#span.size) ? Number(off) : undefined;
  }

  #statusOf(l: Lease, now: number): LeaseStatus {
    if (l.refs > 0) return 'online';
    if (this.#timeoutMs === 0) return 'static';
    return l.released >= now - this.#timeoutMs ? 'valid' : 'expired';
  }

  #records(): LeaseRecord[] {
    return [...this.#leases].sort((a, b) => a[0] - b[0]).map(([off, l]) => ({
      address: spanAddress(this.#span, off),
      identity: l.identity,
      acquired: l.acquired,
      released: l.refs > 0 ? 0 : l.released,
    }));
  }

  #persist(): Promise<void> {
    const records = this.#records();
    const next = this.#writes.then(() => this.store.save(this.config.name, records));
    this.#writes = next.catch(() => undefined);
    return next;
  }

  #take(off: number, identity: string): string {
    const now = this.clock();
    const l = this.#leases.get(off);
    if (l && l.identity === identity && l.refs > 0) l.refs++;
    else this.#leases.set(off, { identity, acquired: now, released: 0, refs: 1 });
    return spanAddress(this.#span, off);
  }

  #choose(identity: string, requested?: string): number {
    const now = this.clock();
    const want = requested !== undefined ? this.#offset(requested) : undefined;
    let own: number | undefined;
    for (const [off, l] of this.#leases) {
      if (l.identity !== identity || l.refs > 0) continue;
      if (off === want) return off;
      own ??= off;
    }
    if (own !== undefined) return own;
    if (want !== undefined && this.#leases.get(want)?.identity === identity) return want;
    while (this.#nextUnused < this.#span.size && this.#leases.has(this.#nextUnused)) this.#nextUnused++;
    if (this.#nextUnused < this.#span.size) return this.#nextUnused;
    let oldest: number | undefined;
    for (const [off, l] of this.#leases) {
      if (this.#statusOf(l, now) !== 'expired') continue;
      if (oldest === undefined || l.released < this.#leases.get(oldest)!.released) oldest = off;
    }
    if (oldest !== undefined) return oldest;
    throw new PoolError('POOL_EXHAUSTED', this.name, `pool '${this.name}' is full, unable to assign address`);
  }

  async acquire(identity: string, requested?: string): Promise<string> {
    const address = this.#take(this.#choose(identity, requested), identity);
    await this.#persist();
    return address;
  }

  async release(address: string): Promise<boolean> {
    const off = this.#offset(address);
    const l = off !== undefined ? this.#leases.get(off) : undefined;
    if (!l || l.refs === 0) return false;
    if (--l.refs === 0) l.released = this.clock();
    await this.#persist();
    return true;
  }

  status(): PoolStatus {
    const now = this.clock();
    let online = 0;
    let used = 0;
    for (const l of this.#leases.values()) {
      const s = this.#statusOf(l, now);
      if (s === 'online') online++;
      if (s !== 'expired') used++;
    }
    return {
      name: this.name,
      start: spanAddress(this.#span, 0),
      end: spanAddress(this.#span, Math.max(0, this.#span.size - 1)),
      timeoutSeconds: this.config.leaseTimeoutSeconds,
      size: this.#span.size,
      online,
      used,
    };
  }

  leases(): readonly LeaseInfo[] {
    const now = this.clock();
    return [...this.#leases].sort((a, b) => a[0] - b[0]).map(([off, l]) => {
      const status = this.#statusOf(l, now);
      return {
        pool: this.name,
        address: spanAddress(this.#span, off),
        identity: l.identity,
        status,
        acquired: l.acquired,
        ...(status === 'online' ? {} : { released: l.released }),
      };
    });
  }

  /** Resolves when every store write issued so far has finished. */
  flush(): Promise<void> {
    return this.#writes;
  }
}
