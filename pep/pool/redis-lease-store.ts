/**
 * The PEP's leases in Redis (the LeaseStore of lease-store.ts), where the PDP's Redis store and its
 * admin API read them. Self-contained (the PEP does not import pdp/): the key layout is the one
 * pdp/store/redis-keys.ts documents, under the same hash tag:
 *
 *   {tnc}:lease:<pool>   HASH  address -> {"identity","acquired","released"} JSON
 *   {tnc}:pools          SET   pool names
 *
 * save() replaces a pool's leases in one MULTI (DEL, HSET, SADD: one slot, so also on a Cluster):
 * a reader sees the old set or the new one. Redis down or slow: PoolError POOL_STORE within
 * commandTimeoutMs (no queueing); ioredis reconnects in the background.
 */
import { Cluster, Redis, type ClusterNode } from 'ioredis';
import type { LeaseRecord, LeaseStore } from './lease-store.js';
import { MAX_STORED_LEASES } from './lease-store.js';
import { PoolError } from './pool-error.js';

export interface RedisLeaseStoreOptions {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly cluster?: readonly { readonly host: string; readonly port: number }[];
  /** The hash tag (default 'tnc'), as the PDP's store.redis.keyPrefix. */
  readonly keyPrefix?: string;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: boolean;
  readonly commandTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
}

export class RedisLeaseStore implements LeaseStore {
  readonly #client: Redis | Cluster;
  readonly #p: string;

  private constructor(client: Redis | Cluster, tag: string) {
    this.#client = client;
    this.#p = `{${tag}}:`;
  }

  static async open(o: RedisLeaseStoreOptions): Promise<RedisLeaseStore> {
    const tag = o.keyPrefix ?? 'tnc';
    if (!/^[^{}\s]{1,64}$/.test(tag)) throw new PoolError('POOL_STORE', '-', `keyPrefix '${tag}' must be 1-64 characters without braces or spaces`);
    const common = {
      commandTimeout: o.commandTimeoutMs ?? 1000,
      connectTimeout: o.connectTimeoutMs ?? 3000,
      maxRetriesPerRequest: 1,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.tls ? { tls: {} } : {}),
    };
    const client: Redis | Cluster = o.cluster
      ? new Cluster(o.cluster as ClusterNode[], { enableOfflineQueue: false, lazyConnect: true, clusterRetryStrategy: (n) => Math.min(100 * n, 2000), redisOptions: common })
      : o.url
        ? new Redis(o.url, { ...common, enableOfflineQueue: false, lazyConnect: true, retryStrategy: (n) => Math.min(100 * n, 2000) })
        : new Redis({ host: o.host ?? '127.0.0.1', port: o.port ?? 6379, ...common, enableOfflineQueue: false, lazyConnect: true, retryStrategy: (n) => Math.min(100 * n, 2000) });
    client.on('error', () => undefined); // surfaced per call as POOL_STORE
    try {
      await client.connect();
    } catch (e) {
      client.disconnect();
      throw new PoolError('POOL_STORE', '-', `cannot reach Redis: ${(e as Error).message}`);
    }
    return new RedisLeaseStore(client, tag);
  }

  #key(pool: string): string {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(pool) || pool.startsWith('.')) throw new PoolError('POOL_INVALID', pool, `'${pool}' is not a pool name`);
    return `${this.#p}lease:${pool}`;
  }

  async load(pool: string): Promise<readonly LeaseRecord[]> {
    const key = this.#key(pool);
    let h: Record<string, string>;
    try {
      h = await this.#client.hgetall(key);
    } catch (e) {
      throw new PoolError('POOL_STORE', pool, `cannot read the leases from Redis: ${(e as Error).message}`);
    }
    const addresses = Object.keys(h);
    if (addresses.length > MAX_STORED_LEASES) throw new PoolError('POOL_STORE', pool, `${key} holds more than ${MAX_STORED_LEASES} leases`);
    return addresses.map((address) => {
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(h[address]!) as Record<string, unknown>;
      } catch {
        throw new PoolError('POOL_STORE', pool, `${key}: lease ${address} is not JSON`);
      }
      if (typeof r?.['identity'] !== 'string' || typeof r['acquired'] !== 'number' || typeof r['released'] !== 'number') throw new PoolError('POOL_STORE', pool, `${key}: lease ${address} is malformed`);
      return Object.freeze({ address, identity: r['identity'], acquired: r['acquired'], released: r['released'] });
    });
  }

  async save(pool: string, leases: readonly LeaseRecord[]): Promise<void> {
    const key = this.#key(pool);
    const m = this.#client.multi().del(key);
    for (let i = 0; i < leases.length; i += 500) {
      m.hset(key, ...leases.slice(i, i + 500).flatMap((l) => [l.address, JSON.stringify({ identity: l.identity, acquired: l.acquired, released: l.released })]));
    }
    m.sadd(`${this.#p}pools`, pool);
    try {
      const out = await m.exec();
      const failed = out?.find(([err]) => err);
      if (!out || failed) throw failed?.[0] ?? new Error('transaction aborted');
    } catch (e) {
      throw new PoolError('POOL_STORE', pool, `cannot write the leases to Redis: ${(e as Error).message}`);
    }
  }

  async close(): Promise<void> {
    await this.#client.quit().catch(() => undefined);
    this.#client.disconnect();
  }
}
