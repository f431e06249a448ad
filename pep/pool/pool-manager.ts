/**
 * Resolves a PeerConfig's rightsourceip to pools: `10.3.0.0/24` or a from-to range is an
 * in-memory pool named after its text and shared by every conn that writes the same text (as
 * charon shares it); `%bigpool` is the named persistent pool from the tnc-pep config; `%config`
 * is no pool (the responder echoes the address the initiator asked for).
 */
import type { PoolConfig } from '../config/pep-config.js';
import type { PeerConfig } from '../config/peer-config.js';
import type { LeaseStore } from './lease-store.js';
import { MemoryPool } from './memory-pool.js';
import { PersistentPool } from './persistent-pool.js';
import { PoolError } from './pool-error.js';
import type { AddressPool, LeaseInfo, PoolStatus } from './pool-types.js';

export interface PoolManagerOptions {
  readonly pools: readonly PoolConfig[];
  readonly store: LeaseStore;
  readonly clock?: () => number;
}

export interface Assignment {
  readonly pool: string;
  readonly address: string;
}

export class PoolManager {
  readonly #named: ReadonlyMap<string, PersistentPool>;
  readonly #memory = new Map<string, MemoryPool>();
  readonly #clock: () => number;

  private constructor(named: Map<string, PersistentPool>, clock: () => number) {
    this.#named = named;
    this.#clock = clock;
  }

  static async open(opts: PoolManagerOptions): Promise<PoolManager> {
    const clock = opts.clock ?? Date.now;
    const named = new Map<string, PersistentPool>();
    for (const p of opts.pools) named.set(p.name, await PersistentPool.open(p, opts.store, clock));
    return new PoolManager(named, clock);
  }

  /** Checks every %name in the peers exists; call at startup so a typo fails before a client connects. */
  validate(peers: readonly PeerConfig[]): void {
    for (const p of peers) this.poolsFor(p);
  }

  /** The pools of a peer config in rightsourceip order. */
  poolsFor(peer: PeerConfig): AddressPool[] {
    const out: AddressPool[] = [];
    for (const s of peer.remote.sourceip) {
      if (s.kind === 'config') continue;
      if (s.kind === 'named') {
        const pool = this.#named.get(s.name);
        if (!pool) {
          throw new PoolError('POOL_UNKNOWN', s.name, `conn ${peer.name}: rightsourceip=%${s.name}: no pool '${s.name}' in the tnc-pep configuration (pools:)`);
        }
        out.push(pool);
        continue;
      }
      let pool = this.#memory.get(s.name);
      if (!pool) {
        pool = new MemoryPool(s.name, s.range, this.#clock);
        this.#memory.set(s.name, pool);
      }
      out.push(pool);
    }
    return out;
  }

  /**
   * A virtual IP for `identity` from the peer's pools: the first pool (of the requested family,
   * when the client asked for one) that has an address; POOL_EXHAUSTED when none has.
   */
  async acquire(peer: PeerConfig, identity: string, requested?: { family: 4 | 6; address?: string }): Promise<Assignment | undefined> {
    const pools = this.poolsFor(peer).filter((p) => !requested || p.family === requested.family);
    if (!pools.length) return undefined;
    let last: unknown;
    for (const pool of pools) {
      try {
        return { pool: pool.name, address: await pool.acquire(identity, requested?.address) };
      } catch (e) {
        if (!(e instanceof PoolError) || e.code !== 'POOL_EXHAUSTED') throw e;
        last = e;
      }
    }
    throw last;
  }

  async release(assignment: Assignment): Promise<boolean> {
    const pool = this.#named.get(assignment.pool) ?? this.#memory.get(assignment.pool);
    return pool ? pool.release(assignment.address) : false;
  }

  pool(name: string): AddressPool | undefined {
    return this.#named.get(name) ?? this.#memory.get(name);
  }

  status(): PoolStatus[] {
    return [...this.#named.values(), ...this.#memory.values()].map((p) => p.status());
  }

  leases(): LeaseInfo[] {
    return [...this.#named.values(), ...this.#memory.values()].flatMap((p) => [...p.leases()]);
  }
}
