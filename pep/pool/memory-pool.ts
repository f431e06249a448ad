/**
 * In-memory pool for `rightsourceip=10.3.0.0/24` (or from-to): first come, first served, leases
 * keyed by identity, following strongSwan's mem_pool (libcharon/attributes/mem_pool.c):
 * 1. "reassigning offline lease": an identity that comes back gets its released address;
 * 2. "reassigning online lease": asking for the address it holds online (a reconnect before the
 *    old SA is gone) gives it the same address again;
 * 3. "assigning new lease": the next never-used address;
 * 4. "reassigning existing offline lease by X to Y": when the pool is full, the first offline
 *    lease of another identity;
 * 5. otherwise "pool is full": PoolError POOL_EXHAUSTED.
 * Nothing survives a restart; named pools (persistent-pool.ts) do.
 */
import { parseAddress, type AddressRange } from '../config/addresses.js';
import { PoolError } from './pool-error.js';
import { poolSpan, spanAddress, type AddressPool, type LeaseInfo, type PoolSpan, type PoolStatus } from './pool-types.js';

interface Entry {
  /** Online leases: offset -> number of SAs using it. */
  readonly online: Map<number, number>;
  /** Offline offsets in release order. */
  readonly offline: number[];
  readonly acquired: Map<number, number>;
  readonly released: Map<number, number>;
}

export class MemoryPool implements AddressPool {
  readonly #span: PoolSpan;
  readonly #clock: () => number;
  #unused = 0;
  readonly #byIdentity = new Map<string, Entry>();
  /** offset -> identity currently bound to it, the invariant that no address has two owners. */
  readonly #owner = new Map<number, string>();

  constructor(
    readonly name: string,
    range: AddressRange,
    clock: () => number = Date.now,
  ) {
    this.#span = poolSpan(range);
    this.#clock = clock;
  }

  get family(): 4 | 6 {
    return this.#span.family;
  }

  get size(): number {
    return this.#span.size;
  }

  #offset(address: string): number | undefined {
    const a = parseAddress(address);
    if (!a || a.family !== this.#span.family) return undefined;
    const off = a.value - this.#span.first;
    return off >= 0n && off < BigInt(this.#span.size) ? Number(off) : undefined;
  }

  #entry(identity: string): Entry {
    let e = this.#byIdentity.get(identity);
    if (!e) {
      e = { online: new Map(), offline: [], acquired: new Map(), released: new Map() };
      this.#byIdentity.set(identity, e);
    }
    return e;
  }

  #goOnline(identity: string, e: Entry, off: number): string {
    e.online.set(off, (e.online.get(off) ?? 0) + 1);
    e.acquired.set(off, this.#clock());
    e.released.delete(off);
    this.#owner.set(off, identity);
    return spanAddress(this.#span, off);
  }

  async acquire(identity: string, requested?: string): Promise<string> {
    return this.acquireSync(identity, requested);
  }

  acquireSync(identity: string, requested?: string): string {
    const existing = this.#byIdentity.get(identity);
    if (existing?.offline.length) return this.#goOnline(identity, existing, existing.offline.shift()!);
    if (existing && requested !== undefined) {
      const off = this.#offset(requested);
      if (off !== undefined && existing.online.has(off)) {
        existing.online.set(off, existing.online.get(off)! + 1);
        return spanAddress(this.#span, off);
      }
    }
    if (this.#unused < this.#span.size) return this.#goOnline(identity, this.#entry(identity), this.#unused++);
    for (const [other, e] of this.#byIdentity) {
      if (!e.offline.length) continue;
      const off = e.offline.shift()!;
      e.acquired.delete(off);
      e.released.delete(off);
      if (!e.online.size && !e.offline.length) this.#byIdentity.delete(other);
      return this.#goOnline(identity, this.#entry(identity), off);
    }
    throw new PoolError('POOL_EXHAUSTED', this.name, `pool '${this.name}' is full, unable to assign address`);
  }

  async release(address: string): Promise<boolean> {
    return this.releaseSync(address);
  }

  releaseSync(address: string): boolean {
    const off = this.#offset(address);
    if (off === undefined) return false;
    const identity = this.#owner.get(off);
    const e = identity !== undefined ? this.#byIdentity.get(identity) : undefined;
    const refs = e?.online.get(off);
    if (!e || refs === undefined) return false;
    if (refs > 1) {
      e.online.set(off, refs - 1);
      return true;
    }
    // "no tunnels are online anymore for this lease, make offline"
    e.online.delete(off);
    e.offline.push(off);
    e.released.set(off, this.#clock());
    return true;
  }

  status(): PoolStatus {
    let online = 0;
    let used = 0;
    for (const e of this.#byIdentity.values()) {
      online += e.online.size;
      used += e.online.size + e.offline.length;
    }
    return {
      name: this.name,
      start: spanAddress(this.#span, 0),
      end: spanAddress(this.#span, Math.max(0, this.#span.size - 1)),
      timeoutSeconds: 0,
      size: this.#span.size,
      online,
      used,
    };
  }

  leases(): readonly LeaseInfo[] {
    const out: LeaseInfo[] = [];
    for (const [identity, e] of this.#byIdentity) {
      for (const off of e.online.keys()) {
        out.push({ pool: this.name, address: spanAddress(this.#span, off), identity, status: 'online', acquired: e.acquired.get(off) ?? 0 });
      }
      for (const off of e.offline) {
        out.push({ pool: this.name, address: spanAddress(this.#span, off), identity, status: 'static', acquired: e.acquired.get(off) ?? 0, released: e.released.get(off) ?? 0 });
      }
    }
    return out;
  }
}
