/**
 * Where persistent pools keep their leases. The interface is small so the admin issue can put
 * the leases in Redis; JsonFileLeaseStore is the embedded store: one JSON file per pool under
 * <stateDir>/pools/, replaced atomically (write a temporary file, fsync it, rename it over the
 * old one, fsync the directory). A crash mid-write leaves the old file intact and a stray
 * temporary file that load() ignores (and a later save() overwrites under a fresh name).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PoolError } from './pool-error.js';

export interface LeaseRecord {
  readonly address: string;
  readonly identity: string;
  /** ms since the epoch. */
  readonly acquired: number;
  /** ms since the epoch; 0 while online. */
  readonly released: number;
}

export interface LeaseStore {
  load(pool: string): Promise<readonly LeaseRecord[]>;
  save(pool: string, leases: readonly LeaseRecord[]): Promise<void>;
}

const FORMAT_VERSION = 1;
/** Bounds what load() accepts: a pool has at most 2^31 addresses, a file far fewer bound ones. */
export const MAX_STORED_LEASES = 1_000_000;

export class JsonFileLeaseStore implements LeaseStore {
  #seq = 0;
  constructor(readonly dir: string) {}

  #file(pool: string): string {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(pool) || pool.startsWith('.')) throw new PoolError('POOL_INVALID', pool, `'${pool}' is not a pool name`);
    return join(this.dir, `${pool}.leases.json`);
  }

  async load(pool: string): Promise<readonly LeaseRecord[]> {
    const file = this.#file(pool);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new PoolError('POOL_STORE', pool, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new PoolError('POOL_STORE', pool, `${file} is not valid JSON`);
    }
    const d = doc as { version?: unknown; pool?: unknown; leases?: unknown };
    if (!d || d.version !== FORMAT_VERSION || d.pool !== pool || !Array.isArray(d.leases) || d.leases.length > MAX_STORED_LEASES) {
      throw new PoolError('POOL_STORE', pool, `${file} is not a lease file of pool '${pool}' (version ${FORMAT_VERSION})`);
    }
    return d.leases.map((l: unknown, i: number) => {
      const r = l as Record<string, unknown>;
      if (typeof r?.address !== 'string' || typeof r.identity !== 'string' || typeof r.acquired !== 'number' || typeof r.released !== 'number') {
        throw new PoolError('POOL_STORE', pool, `${file}: lease ${i} is malformed`);
      }
      return Object.freeze({ address: r.address, identity: r.identity, acquired: r.acquired, released: r.released });
    });
  }

  async save(pool: string, leases: readonly LeaseRecord[]): Promise<void> {
    const file = this.#file(pool);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.tmp-${process.pid}-${++this.#seq}`;
    const data = `${JSON.stringify({ version: FORMAT_VERSION, pool, leases }, null, 1)}\n`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, data);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      try {
        const dfd = openSync(this.dir, 'r');
        try {
          fsyncSync(dfd);
        } finally {
          closeSync(dfd);
        }
      } catch {
        /* directories cannot be fsynced on every platform */
      }
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
      throw new PoolError('POOL_STORE', pool, `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
}

/** A store in memory, for tests and for running without a stateDir. */
export class MemoryLeaseStore implements LeaseStore {
  readonly #data = new Map<string, readonly LeaseRecord[]>();
  async load(pool: string): Promise<readonly LeaseRecord[]> {
    return this.#data.get(pool) ?? [];
  }
  async save(pool: string, leases: readonly LeaseRecord[]): Promise<void> {
    this.#data.set(pool, leases.map((l) => ({ ...l })));
  }
}
