/**
 * The read side of the Redis store (redis-store.ts): gets, and listings that walk a sorted set
 * (redis-keys.ts) in batches, fetch the rows with HMGET and filter them. Cursor = the last row's
 * [score, member]; rows with the same score are ordered by member, so ties page correctly.
 * A filter the indexes do not cover (a device's product, a session's recommendation) scans at most
 * MAX_SCAN rows per page: such a page may come back short, with a cursor to go on.
 */
import type { Cluster, Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';
import { decodeCursor, encodeCursor, matchesAccounting, matchesActive, matchesAdmin, matchesAudit, matchesLease, pageOf, pageSize, type Kept } from './store-logic.js';
import {
  StoreError,
  type AccountingEntry,
  type AccountingQuery,
  type ActiveSessionQuery,
  type ActiveSessionRecord,
  type AdminKind,
  type AdminQuery,
  type AdminRecords,
  type AuditQuery,
  type AuditRecord,
  type DeviceQuery,
  type DeviceRecord,
  type LeaseQuery,
  type LeaseRecord,
  type Page,
  type PolicyResultRecord,
  type SessionQuery,
  type SessionRecord,
} from './store.js';

const MAX_SCAN = 20_000;

export class RedisReads {
  protected closed = false;

  constructor(
    protected readonly client: Redis | Cluster,
    protected readonly k: RedisKeys,
    private readonly mapError: (e: unknown) => Error,
  ) {}

  protected async read<T>(f: () => Promise<T>): Promise<T> {
    if (this.closed) throw new StoreError('STORE_CLOSED', 'the store is closed');
    try {
      return await f();
    } catch (e) {
      throw this.mapError(e);
    }
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    return parse<DeviceRecord>(await this.read(() => this.client.hget(this.k.device, id)));
  }

  async listDevices(q: DeviceQuery = {}): Promise<Page<DeviceRecord>> {
    const product = q.product?.toLowerCase();
    return this.zpage<DeviceRecord>(q.group !== undefined ? this.k.devicesOfGroup(q.group) : this.k.devices, this.k.device, 'desc', q, (d) => product === undefined || (d.product ?? '').toLowerCase().includes(product), product === undefined && q.group === undefined);
  }

  async getPolicyResults(device: string): Promise<readonly PolicyResultRecord[]> {
    const all = await this.read(() => this.client.hvals(this.k.results(device)));
    return all.map((j) => JSON.parse(j) as PolicyResultRecord);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const s = parse<SessionRecord & { seq?: number }>(await this.read(() => this.client.hget(this.k.session, id)));
    return s ? withoutSeq(s) : undefined;
  }

  async listSessions(q: SessionQuery = {}): Promise<Page<SessionRecord>> {
    const key = q.device !== undefined ? this.k.sessionsOfDevice(q.device) : q.user !== undefined ? this.k.sessionsOfUser(q.user) : this.k.sessions;
    const page = await this.zpage<SessionRecord & { seq?: number }>(
      key,
      this.k.session,
      'desc',
      q,
      (s) =>
        (q.device === undefined || s.device === q.device) &&
        (q.user === undefined || s.user === q.user) &&
        (q.recommendation === undefined || s.recommendation === q.recommendation) &&
        (q.since === undefined || s.end >= q.since) &&
        (q.until === undefined || s.end < q.until),
      q.device === undefined && q.user === undefined && q.recommendation === undefined && q.since === undefined && q.until === undefined,
    );
    return { ...page, items: page.items.map(withoutSeq) };
  }

  protected async kept<K extends AdminKind>(kind: K, key: string): Promise<Kept<K> | undefined> {
    return parse<Kept<K>>(await this.read(() => this.client.hget(this.k.admin(kind), key)));
  }

  async get<K extends AdminKind>(kind: K, key: string): Promise<AdminRecords[K] | undefined> {
    return (await this.kept(kind, key))?.record;
  }

  async list<K extends AdminKind>(kind: K, q: AdminQuery = {}): Promise<Page<AdminRecords[K]>> {
    const page = await this.zpage<Kept<K>>(this.k.adminOrder(kind), this.k.admin(kind), 'asc', q, (x) => matchesAdmin(kind, x.record, q), q.policy === undefined && q.group === undefined && q.parent === undefined);
    return { ...page, items: page.items.map((x) => x.record) };
  }

  async getCredential(kind: 'user' | 'radius-client', key: string): Promise<string | undefined> {
    return (await this.kept(kind, key))?.secret;
  }

  async modelVersion(): Promise<number> {
    return Number((await this.read(() => this.client.hget(this.k.meta, 'modelVersion'))) ?? 0);
  }

  async getActiveSession(id: string): Promise<ActiveSessionRecord | undefined> {
    return parse<ActiveSessionRecord>(await this.read(() => this.client.hget(this.k.active, id)));
  }

  listActiveSessions(q: ActiveSessionQuery = {}): Promise<Page<ActiveSessionRecord>> {
    return this.zpage<ActiveSessionRecord>(this.k.actives, this.k.active, 'desc', q, (s) => matchesActive(s, q), false);
  }

  listAccounting(q: AccountingQuery = {}): Promise<Page<AccountingEntry>> {
    return this.zpage<AccountingEntry>(this.k.accountings, this.k.accounting, 'desc', q, (a) => matchesAccounting(a, q), q.client === undefined && q.user === undefined && q.sessionId === undefined);
  }

  listAudit(q: AuditQuery = {}): Promise<Page<AuditRecord>> {
    return this.zpage<AuditRecord>(this.k.audits, this.k.audit, 'desc', q, (a) => matchesAudit(a, q), q.kind === undefined && q.key === undefined && q.actor === undefined);
  }

  async listLeases(q: LeaseQuery = {}): Promise<Page<LeaseRecord>> {
    const pools = q.pool !== undefined ? [q.pool] : (await this.read(() => this.client.smembers(this.k.pools))).sort();
    const all: LeaseRecord[] = [];
    for (const pool of pools) {
      const h = await this.read(() => this.client.hgetall(this.k.lease(pool)));
      for (const address of Object.keys(h).sort()) {
        const l = JSON.parse(h[address]!) as Omit<LeaseRecord, 'pool' | 'address'>;
        const r: LeaseRecord = { pool, address, identity: l.identity, acquired: l.acquired, released: l.released };
        if (matchesLease(r, q)) all.push(r);
      }
    }
    const page = pageOf(all.map((r, i) => ({ r, i })), (x) => x.i, 'asc', q);
    return { ...page, items: page.items.map((x) => x.r) };
  }

  /** One page of the rows of `hash` listed by the sorted set `zkey`, filtered. */
  protected async zpage<T>(zkey: string, hash: string, order: 'asc' | 'desc', q: { readonly limit?: number; readonly cursor?: string }, keep: (t: T) => boolean, withTotal: boolean): Promise<Page<T>> {
    const limit = pageSize(q.limit);
    let after: { score: number; member: string } | undefined;
    if (q.cursor !== undefined) {
      const [score, member] = decodeCursor(q.cursor);
      if (member === undefined || !Number.isFinite(Number(score))) throw new StoreError('STORE_BAD_CURSOR', 'not a cursor this store issued');
      after = { score: Number(score), member };
    }
    const batch = Math.min(Math.max(limit + 1, 100), 1000);
    const items: { t: T; score: number; member: string }[] = [];
    let offset = 0;
    let scanned = 0;
    let exhausted = false;
    while (items.length <= limit && scanned < MAX_SCAN) {
      const from = after ? String(after.score) : order === 'desc' ? '+inf' : '-inf';
      const to = order === 'desc' ? '-inf' : '+inf';
      const rows = await this.read(() =>
        order === 'desc' ? this.client.zrevrangebyscore(zkey, from, to, 'WITHSCORES', 'LIMIT', offset, batch) : this.client.zrangebyscore(zkey, from, to, 'WITHSCORES', 'LIMIT', offset, batch),
      );
      const pairs: { member: string; score: number }[] = [];
      for (let i = 0; i < rows.length; i += 2) pairs.push({ member: rows[i]!, score: Number(rows[i + 1]) });
      offset += pairs.length;
      scanned += pairs.length;
      const fresh = after ? pairs.filter((p) => p.score !== after!.score || (order === 'desc' ? p.member < after!.member : p.member > after!.member)) : pairs;
      if (fresh.length > 0) {
        const values = await this.read(() => this.client.hmget(hash, ...fresh.map((p) => p.member)));
        fresh.forEach((p, i) => {
          const t = parse<T>(values[i] ?? null);
          if (t !== undefined && keep(t)) items.push({ t, ...p });
        });
      }
      if (pairs.length < batch) {
        exhausted = true;
        break;
      }
    }
    const more = items.length > limit || (!exhausted && scanned >= MAX_SCAN);
    const page = items.slice(0, limit);
    const last = page[page.length - 1] ?? (more ? undefined : undefined);
    const total = withTotal && q.cursor === undefined ? await this.read(() => this.client.zcard(zkey)) : undefined;
    return { items: page.map((x) => x.t), ...(more && last ? { cursor: encodeCursor([String(last.score), last.member]) } : {}), ...(total !== undefined ? { total } : {}) };
  }
}

function parse<T>(json: string | null): T | undefined {
  return json === null ? undefined : (JSON.parse(json) as T);
}

function withoutSeq<S extends { seq?: number }>(s: S): Omit<S, 'seq'> {
  const { seq: _seq, ...rest } = s;
  return rest;
}
