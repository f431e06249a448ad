/**
 * The Redis store: the Store interface on Redis (standalone or Cluster) through ioredis, so several
 * PDPs share devices, results, the posture model, users, clients, sessions and leases. Key design
 * and the Cluster trade-off: redis-keys.ts; the atomic steps: redis-scripts.ts (every change is
 * one Lua script: a version check on one hash field, then all its commands).
 *
 * Read-modify-write (a device sighting, an admin update, accounting moving an active session) is
 * optimistic: read, compute (store-logic.ts, the same code as the embedded store), write with a
 * check of the version read; a concurrent change makes the script fail and the step is retried
 * (or, when the caller gave expectedVersion, STORE_CONFLICT).
 *
 * Redis down, refusing or slow: no command waits in a queue (enableOfflineQueue off, each command
 * bounded by commandTimeout, one retry): the call fails with STORE_UNAVAILABLE within about
 * commandTimeoutMs, and ioredis keeps reconnecting (backoff up to 2 s). What the PDP does then:
 *   - authentication goes on; a posture assessment reads no history (checks everything);
 *   - a finished assessment (recordSession) is queued in a bounded in-memory outbox (outboxSize,
 *     default 10000) and written, in order, when Redis is back ('ready'); the call resolves when
 *     queued. Queued records are NOT acknowledged by Redis: they survive the outage, not a crash
 *     of the PDP during it. A full outbox rejects with STORE_UNAVAILABLE;
 *   - accounting (recordAccounting) is not queued: it rejects, so the PDP sends no
 *     Accounting-Response and the NAS retransmits (RFC 2866: respond only once recorded);
 *   - admin changes fail with STORE_UNAVAILABLE (nothing half-applied: a script is atomic).
 * What Redis acknowledged is as durable as the Redis server's persistence settings make it.
 */
import { EventEmitter } from 'node:events';
import { Cluster, Redis, type ClusterNode } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { redisKeys, type RedisKeys, type Step } from './redis-keys.js';
import { APPLY, TRIM } from './redis-scripts.js';
import { RedisReads } from './redis-reads.js';
import { applyAccounting, auditRecord, changedAdminRecord, checkKey, findActive, newAdminRecord, type Kept } from './store-logic.js';
import {
  applyDeviceChange,
  type DeviceChange,
  MODEL_KINDS,
  StoreError,
  adminKey,
  type AccountingEntry,
  type ActiveSessionOpen,
  type ActiveSessionRecord,
  type AdminChange,
  type AdminInputs,
  type AdminKind,
  type AdminRecords,
  type AuditRecord,
  type ChangeMeta,
  type DeviceRecord,
  type DeviceSighting,
  type LeaseRecord,
  type PolicyResultRecord,
  type SeedData,
  type SessionRecord,
  type Store,
  type StoreChange,
} from './store.js';

export interface RedisStoreOptions {
  /** redis://[user:password@]host:port[/db] or rediss:// (TLS). */
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  /** Cluster seed nodes: use a Redis Cluster. */
  readonly cluster?: readonly { readonly host: string; readonly port: number }[];
  /** The hash tag of every key (default 'tnc': keys `{tnc}:...`). */
  readonly keyPrefix?: string;
  readonly username?: string;
  readonly password?: string;
  /** TLS to Redis (true: system CAs). */
  readonly tls?: boolean | ConnectionOptions;
  /** Bound on each command (default 1000 ms). */
  readonly commandTimeoutMs?: number;
  /** Bound on connecting at open (default 3000 ms). */
  readonly connectTimeoutMs?: number;
  readonly maxSessions?: number;
  /** Accounting and audit records kept (each; default 100000). */
  readonly maxRecords?: number;
  /** Finished assessments held while Redis is down (default 10000). */
  readonly outboxSize?: number;
  readonly onEvent?: (e: RedisStoreEvent) => void;
  readonly now?: () => number;
}

export type RedisStoreEvent =
  | { readonly type: 'store.unavailable'; readonly message: string }
  | { readonly type: 'store.available' }
  | { readonly type: 'store.outbox-queued'; readonly size: number }
  | { readonly type: 'store.outbox-flushed'; readonly count: number }
  | { readonly type: 'store.outbox-full'; readonly size: number };

type Client = Redis | Cluster;
type Applier = (numKeys: number, ...args: (string | number)[]) => Promise<number>;

const RETRIES = 10;

export class RedisStore extends RedisReads implements Store {
  readonly #sub: Client;
  readonly #maxSessions: number;
  readonly #maxRecords: number;
  readonly #outboxSize: number;
  readonly #onEvent: (e: RedisStoreEvent) => void;
  readonly #now: () => number;
  readonly #changes = new EventEmitter<{ change: [StoreChange] }>();
  readonly #outbox: { session: SessionRecord; results: readonly PolicyResultRecord[] }[] = [];
  #flushing: Promise<void> | undefined;
  #flushTimer: NodeJS.Timeout | undefined;
  #available = true;
  #closed = false;
  /** The newest model version seen (script results, notifications): stamped on other changes. */
  #modelVersion = 0;

  private constructor(client: Client, sub: Client, k: RedisKeys, o: RedisStoreOptions) {
    super(client, k, (e) => this.#error(e));
    this.#sub = sub;
    this.#maxSessions = o.maxSessions ?? 10_000;
    this.#maxRecords = o.maxRecords ?? 100_000;
    this.#outboxSize = o.outboxSize ?? 10_000;
    this.#onEvent = o.onEvent ?? (() => undefined);
    this.#now = o.now ?? Date.now;
    this.#changes.setMaxListeners(0);
  }

  /** Connects (STORE_UNAVAILABLE when Redis cannot be reached within connectTimeoutMs). */
  static async open(o: RedisStoreOptions): Promise<RedisStore> {
    const k = redisKeys(o.keyPrefix);
    const connectTimeout = o.connectTimeoutMs ?? 3000;
    const where = o.cluster ? `cluster ${o.cluster.map((n) => `${n.host}:${n.port}`).join(',')}` : o.url ? redactUrl(o.url) : `${o.host ?? '127.0.0.1'}:${o.port ?? 6379}`;
    const make = (): Client => {
      const tls = o.tls === true ? {} : o.tls || undefined;
      const common = {
        commandTimeout: o.commandTimeoutMs ?? 1000,
        connectTimeout,
        maxRetriesPerRequest: 1,
        ...(o.username !== undefined ? { username: o.username } : {}),
        ...(o.password !== undefined ? { password: o.password } : {}),
        ...(tls ? { tls } : {}),
      };
      if (o.cluster) {
        return new Cluster(o.cluster as ClusterNode[], { enableOfflineQueue: false, lazyConnect: true, clusterRetryStrategy: (n) => Math.min(100 * n, 2000), slotsRefreshTimeout: connectTimeout, redisOptions: common });
      }
      const opts = { ...common, enableOfflineQueue: false, lazyConnect: true, retryStrategy: (n: number) => Math.min(100 * n, 2000) };
      return o.url ? new Redis(o.url, opts) : new Redis({ host: o.host ?? '127.0.0.1', port: o.port ?? 6379, ...opts });
    };
    const client = make();
    const sub = make();
    const store = new RedisStore(client, sub, k, o);
    for (const c of [client, sub]) c.on('error', (e: Error) => store.#down(e.message));
    client.on('ready', () => store.#up());
    client.defineCommand('tncApply', { lua: APPLY });
    client.defineCommand('tncTrim', { lua: TRIM });
    try {
      await withTimeout(Promise.all([client.connect(), sub.connect()]), connectTimeout, `cannot reach Redis at ${where} within ${connectTimeout} ms`);
      await sub.subscribe(k.changes);
    } catch (e) {
      client.disconnect();
      sub.disconnect();
      throw new StoreError('STORE_UNAVAILABLE', `cannot reach Redis at ${where}: ${(e as Error).message}`);
    }
    sub.on('message', (channel: string, message: string) => {
      if (channel !== k.changes) return;
      try {
        const change = JSON.parse(message) as StoreChange;
        store.#modelVersion = Math.max(store.#modelVersion, change.modelVersion);
        store.#changes.emit('change', change);
      } catch {
        /* not ours */
      }
    });
    return store;
  }

  /** Assessments waiting for Redis. */
  get outboxLength(): number {
    return this.#outbox.length;
  }

  // ---------------------------------------------------------------- devices and results

  recordDevice(s: DeviceSighting): Promise<DeviceRecord> {
    checkKey('device', s.id);
    return this.#retry(async () => {
      const old = await this.getDevice(s.id);
      const device: DeviceRecord = {
        ...old,
        id: s.id,
        idKind: s.idKind,
        firstSeen: old?.firstSeen ?? s.at,
        lastSeen: s.at,
        ...(s.product !== undefined ? { product: s.product } : {}),
        ...(s.user !== undefined ? { lastUser: s.user } : {}),
        version: (old?.version ?? 0) + 1,
      };
      await this.#deviceStep(old, device);
      this.#publish({ kind: 'device', key: s.id, action: old ? 'update' : 'create' }, undefined);
      return device;
    });
  }

  updateDevice(id: string, change: DeviceChange, meta?: ChangeMeta): Promise<DeviceRecord | undefined> {
    return this.#retry(async () => {
      const old = await this.getDevice(id);
      if (!old) return undefined;
      const device: DeviceRecord = { ...applyDeviceChange(old, change), version: old.version + 1 };
      const audit = meta ? auditRecord(meta, 'update', 'device', id, old, device, meta.at ?? this.#now()) : undefined;
      await this.#deviceStep(old, device, audit, meta?.expectedVersion);
      this.#publish({ kind: 'device', key: id, action: 'update' }, undefined);
      return device;
    }, meta);
  }

  moveDevice(id: string, groups: readonly string[], meta: ChangeMeta): Promise<DeviceRecord> {
    checkKey('device', id);
    return this.#retry(async () => {
      const old = await this.getDevice(id);
      const at = meta.at ?? this.#now();
      const device: DeviceRecord = old ? { ...old, groups: [...groups], version: old.version + 1 } : { id, idKind: 'device-id', firstSeen: at, lastSeen: at, groups: [...groups], version: 1 };
      await this.#deviceStep(old, device, auditRecord(meta, 'move', 'device', id, old, device, at), meta.expectedVersion);
      this.#publish({ kind: 'device', key: id, action: old ? 'update' : 'create' }, undefined);
      return device;
    }, meta);
  }

  deleteDevice(id: string, meta: ChangeMeta): Promise<boolean> {
    return this.#retry(async () => {
      const old = await this.getDevice(id);
      if (!old) return false;
      const audit = auditRecord(meta, 'delete', 'device', id, old, undefined, meta.at ?? this.#now());
      const k = this.k;
      await this.#apply({
        check: { key: k.device, field: id, cond: { version: meta.expectedVersion ?? old.version } },
        commands: [['HDEL', k.device, id], ['ZREM', k.devices, id], ['DEL', k.results(id)], ...(old.groups ?? []).map((g) => ['ZREM', k.devicesOfGroup(g), id] as const), ...(await this.#auditCommands(audit))],
      });
      this.#publish({ kind: 'device', key: id, action: 'delete' }, undefined);
      return true;
    }, meta);
  }

  async #deviceStep(old: DeviceRecord | undefined, device: DeviceRecord, audit?: AuditRecord, expected?: number): Promise<void> {
    const k = this.k;
    const removed = (old?.groups ?? []).filter((g) => !(device.groups ?? []).includes(g));
    await this.#apply({
      check: { key: k.device, field: device.id, cond: old ? { version: expected ?? old.version } : 'absent' },
      commands: [
        ['HSET', k.device, device.id, JSON.stringify(device)],
        ['ZADD', k.devices, device.lastSeen, device.id],
        ...(device.groups ?? []).map((g) => ['ZADD', k.devicesOfGroup(g), device.lastSeen, device.id] as const),
        ...removed.map((g) => ['ZREM', k.devicesOfGroup(g), device.id] as const),
        ...(audit ? await this.#auditCommands(audit) : []),
      ],
    });
  }

  async recordSession(session: SessionRecord, results: readonly PolicyResultRecord[]): Promise<void> {
    checkKey('session', session.id);
    if (this.#closed) throw new StoreError('STORE_CLOSED', 'the store is closed');
    // Behind queued ones, so a device's results land in order.
    if (this.#outbox.length > 0) return this.#queue(session, results);
    try {
      await this.#writeSession(session, results);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'STORE_UNAVAILABLE') return this.#queue(session, results);
      throw e;
    }
  }

  async #writeSession(session: SessionRecord, results: readonly PolicyResultRecord[]): Promise<void> {
    const k = this.k;
    const seq = await this.#seq();
    await this.#apply({
      commands: [
        ['HSET', k.session, session.id, JSON.stringify({ ...session, seq })],
        ['ZADD', k.sessions, seq, session.id],
        ['ZADD', k.sessionsOfDevice(session.device), seq, session.id],
        ['ZADD', k.sessionsOfUser(session.user), seq, session.id],
        ...(results.length > 0 ? [['HSET', k.results(session.device), ...results.flatMap((r) => [r.policy, JSON.stringify(r)])] as [string, string, ...string[]]] : []),
      ],
    });
    this.#publish({ kind: 'session', key: session.id, action: 'record' }, undefined);
    if (seq % 50 === 0) await this.#trim(k.sessions, k.session, this.#maxSessions, k.prefix);
  }

  #queue(session: SessionRecord, results: readonly PolicyResultRecord[]): void {
    if (this.#outbox.length >= this.#outboxSize) {
      this.#onEvent({ type: 'store.outbox-full', size: this.#outbox.length });
      throw new StoreError('STORE_UNAVAILABLE', `Redis is unavailable and the outbox is full (${this.#outbox.length} assessments)`);
    }
    this.#outbox.push({ session, results });
    this.#onEvent({ type: 'store.outbox-queued', size: this.#outbox.length });
    this.#flushTimer ??= setInterval(() => void this.flush(), 1000);
    this.#flushTimer.unref();
  }

  /** Writes queued assessments, oldest first, until the outbox is empty or Redis fails again. */
  flush(): Promise<void> {
    this.#flushing ??= (async () => {
      let count = 0;
      try {
        while (this.#outbox.length > 0 && !this.#closed) {
          const next = this.#outbox[0]!;
          try {
            await this.#writeSession(next.session, next.results);
          } catch {
            return;
          }
          this.#outbox.shift();
          count++;
        }
        if (this.#flushTimer) clearInterval(this.#flushTimer);
        this.#flushTimer = undefined;
      } finally {
        this.#flushing = undefined;
        if (count > 0) this.#onEvent({ type: 'store.outbox-flushed', count });
      }
    })();
    return this.#flushing;
  }

  // ---------------------------------------------------------------- admin entities

  async create<K extends AdminKind>(kind: K, input: AdminInputs[K], meta: ChangeMeta): Promise<AdminRecords[K]> {
    const at = meta.at ?? this.#now();
    const kept = newAdminRecord(kind, input, at);
    const key = adminKey(kind, input);
    const seq = await this.#seq();
    const mv = await this.#apply({
      check: { key: this.k.admin(kind), field: key, cond: 'absent' },
      commands: [['HSET', this.k.admin(kind), key, JSON.stringify(kept)], ['ZADD', this.k.adminOrder(kind), seq, key], ...(await this.#auditCommands(auditRecord(meta, 'create', kind, key, undefined, kept.record, at))), ...this.#bump(kind)],
    }, `${kind} '${key}'`);
    this.#publish({ kind, key, action: 'create' }, mv);
    return kept.record;
  }

  update<K extends AdminKind>(kind: K, key: string, change: AdminChange<K>, meta: ChangeMeta): Promise<AdminRecords[K]> {
    return this.#retry(async () => {
      const old = await this.kept(kind, key);
      if (!old) throw new StoreError('STORE_NOT_FOUND', `no ${kind} '${key}'`);
      const at = meta.at ?? this.#now();
      const kept = changedAdminRecord(kind, old, change, at);
      const mv = await this.#apply({
        check: { key: this.k.admin(kind), field: key, cond: { version: meta.expectedVersion ?? old.record.version } },
        commands: [['HSET', this.k.admin(kind), key, JSON.stringify(kept)], ...(await this.#auditCommands(auditRecord(meta, 'update', kind, key, old.record, kept.record, at))), ...this.#bump(kind)],
      }, `${kind} '${key}'`);
      this.#publish({ kind, key, action: 'update' }, mv);
      return kept.record;
    }, meta);
  }

  remove(kind: AdminKind, key: string, meta: ChangeMeta): Promise<boolean> {
    return this.#retry(async () => {
      const old = await this.kept(kind, key);
      if (!old) return false;
      const mv = await this.#apply({
        check: { key: this.k.admin(kind), field: key, cond: { version: meta.expectedVersion ?? old.record.version } },
        commands: [['HDEL', this.k.admin(kind), key], ['ZREM', this.k.adminOrder(kind), key], ...(await this.#auditCommands(auditRecord(meta, 'delete', kind, key, old.record, undefined, meta.at ?? this.#now()))), ...this.#bump(kind)],
      }, `${kind} '${key}'`);
      this.#publish({ kind, key, action: 'delete' }, mv);
      return true;
    }, meta);
  }

  async seed(data: SeedData, meta: ChangeMeta): Promise<boolean> {
    if ((await this.#do(() => this.client.hget(this.k.meta, 'seeded'))) !== null) return false;
    const at = meta.at ?? this.#now();
    const commands: Step['commands'][number][] = [];
    const add = async <K extends AdminKind>(kind: K, inputs: readonly AdminInputs[K][]) => {
      const seen = new Set<string>();
      for (const input of inputs) {
        const key = adminKey(kind, input);
        if (seen.has(key)) continue; // ties in the config: the first listed wins
        seen.add(key);
        commands.push(['HSETNX', this.k.admin(kind), key, JSON.stringify(newAdminRecord(kind, input, at))], ['ZADD', this.k.adminOrder(kind), 'NX', await this.#seq(), key]);
      }
    };
    await add('group', data.groups);
    await add('policy', data.policies);
    await add('enforcement', data.enforcements);
    await add('user', data.users);
    await add('radius-client', data.radiusClients);
    for (const d of data.devices) {
      const old = await this.getDevice(d.id);
      const device: DeviceRecord = old
        ? { ...old, groups: [...d.groups], ...(d.description !== undefined ? { description: d.description } : {}), version: old.version + 1 }
        : { id: d.id, idKind: 'device-id', firstSeen: at, lastSeen: at, groups: [...d.groups], ...(d.description !== undefined ? { description: d.description } : {}), version: 1 };
      commands.push(['HSET', this.k.device, d.id, JSON.stringify(device)], ['ZADD', this.k.devices, device.lastSeen, d.id], ...d.groups.map((g) => ['ZADD', this.k.devicesOfGroup(g), device.lastSeen, d.id] as const));
    }
    const counts = { groups: data.groups.length, policies: data.policies.length, enforcements: data.enforcements.length, devices: data.devices.length, users: data.users.length, radiusClients: data.radiusClients.length };
    commands.push(...(await this.#auditCommands(auditRecord(meta, 'seed', 'policy', '*', undefined, counts, at))), ['HSET', this.k.meta, 'seeded', at], ['HINCRBY', this.k.meta, 'modelVersion', 1]);
    try {
      const mv = await this.#apply({ check: { key: this.k.meta, field: 'seeded', cond: 'absent' }, commands });
      this.#publish({ kind: 'policy', key: '*', action: 'seed' }, mv);
      return true;
    } catch (e) {
      if (e instanceof StoreError && e.code === 'STORE_EXISTS') return false; // another PDP seeded first
      throw e;
    }
  }

  watch(listener: (change: StoreChange) => void): () => void {
    this.#changes.on('change', listener);
    return () => this.#changes.off('change', listener);
  }

  // ---------------------------------------------------------------- active sessions, accounting, leases

  async openActiveSession(o: ActiveSessionOpen): Promise<ActiveSessionRecord> {
    checkKey('active session', o.id);
    const old = await this.getActiveSession(o.id);
    const s: ActiveSessionRecord = { ...o, updated: o.start, state: 'accepted', version: (old?.version ?? 0) + 1 };
    const seq = await this.#seq();
    const k = this.k;
    await this.#apply({
      commands: [
        ['HSET', k.active, s.id, JSON.stringify(s)],
        ['ZADD', k.actives, 'NX', seq, s.id],
        ['HSET', k.activeIdx, `u:${s.nas} ${s.user}`, s.id],
        ...(s.class !== undefined ? [['HSET', k.activeIdx, `c:${s.class}`, s.id] as const] : []),
        ...(s.acctSessionId !== undefined ? [['HSET', k.activeIdx, `a:${s.nas} ${s.acctSessionId}`, s.id] as const] : []),
      ],
    });
    this.#publish({ kind: 'active-session', key: s.id, action: old ? 'update' : 'create' }, undefined);
    return s;
  }

  recordAccounting(entry: AccountingEntry): Promise<ActiveSessionRecord | undefined> {
    const k = this.k;
    return this.#retry(async () => {
      const fields = [entry.class !== undefined ? `c:${entry.class}` : '-', entry.sessionId !== undefined ? `a:${entry.client} ${entry.sessionId}` : '-', entry.userName !== undefined ? `u:${entry.client} ${entry.userName}` : '-'];
      const ids = [...new Set((await this.#do(() => this.client.hmget(k.activeIdx, ...fields))).filter((x): x is string => x !== null))];
      const candidates = (await Promise.all(ids.map((id) => this.getActiveSession(id)))).filter((s): s is ActiveSessionRecord => s !== undefined);
      const found = findActive(entry, candidates);
      const updated = found ? applyAccounting(found, entry) : undefined;
      const changed = updated !== undefined && updated !== found;
      const seq = await this.#seq();
      await this.#apply({
        ...(changed ? { check: { key: k.active, field: found!.id, cond: { version: found!.version } } } : {}),
        commands: [
          ['HSET', k.accounting, String(seq), JSON.stringify(entry)],
          ['ZADD', k.accountings, seq, String(seq)],
          ...(changed ? [['HSET', k.active, updated.id, JSON.stringify(updated)] as const] : []),
          ...(changed && updated.acctSessionId !== undefined ? [['HSET', k.activeIdx, `a:${updated.nas} ${updated.acctSessionId}`, updated.id] as const] : []),
        ],
      });
      if (changed) this.#publish({ kind: 'active-session', key: updated.id, action: 'update' }, undefined);
      if (seq % 50 === 0) await this.#trim(k.accountings, k.accounting, this.#maxRecords, '');
      return updated;
    });
  }

  async saveLeases(pool: string, leases: readonly Omit<LeaseRecord, 'pool'>[]): Promise<void> {
    checkKey('pool', pool);
    const key = this.k.lease(pool);
    const chunks: [string, string, ...string[]][] = [];
    for (let i = 0; i < leases.length; i += 500) {
      chunks.push(['HSET', key, ...leases.slice(i, i + 500).flatMap((l) => [l.address, JSON.stringify({ identity: l.identity, acquired: l.acquired, released: l.released })])]);
    }
    await this.#apply({ commands: [['DEL', key], ...chunks, ['SADD', this.k.pools, pool]] });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.closed = true;
    if (this.#flushTimer) clearInterval(this.#flushTimer);
    this.#changes.removeAllListeners();
    await Promise.allSettled([this.client.quit(), this.#sub.quit()]);
    this.client.disconnect();
    this.#sub.disconnect();
  }

  // ---------------------------------------------------------------- internals

  #bump(kind: AdminKind): Step['commands'] {
    return MODEL_KINDS.includes(kind) ? [['HINCRBY', this.k.meta, 'modelVersion', 1]] : [];
  }

  async #auditCommands(a: AuditRecord): Promise<Step['commands']> {
    const seq = await this.#seq();
    if (seq % 50 === 0) await this.#trim(this.k.audits, this.k.audit, this.#maxRecords, '');
    return [['HSET', this.k.audit, a.id, JSON.stringify(a)], ['ZADD', this.k.audits, seq, a.id]];
  }

  #seq(): Promise<number> {
    return this.#do(() => this.client.incr(this.k.seq));
  }

  async #trim(order: string, hash: string, keep: number, sessionPrefix: string): Promise<void> {
    const trim = (this.client as unknown as { tncTrim: (n: number, ...a: (string | number)[]) => Promise<number> }).tncTrim.bind(this.client);
    await this.#do(() => trim(2, order, hash, keep, sessionPrefix));
  }

  /** Runs one Step as the tncApply script; returns the model version after it. */
  async #apply(step: Step, what = 'entry'): Promise<number> {
    const keys = [this.k.meta];
    const idx = (key: string) => {
      let i = keys.indexOf(key);
      if (i < 0) i = keys.push(key) - 1;
      return i + 1;
    };
    const check = step.check;
    const checkIdx = check ? idx(check.key) : 0;
    const cmds = step.commands.map(([cmd, key, ...args]) => [cmd, idx(key), ...args.map(String)]);
    const cond = !check ? '' : typeof check.cond === 'string' ? check.cond : `v:${check.cond.version}`;
    const apply = (this.client as unknown as { tncApply: Applier }).tncApply.bind(this.client);
    try {
      return await this.#do(() => apply(keys.length, ...keys, checkIdx, check?.field ?? '', cond, JSON.stringify(cmds)));
    } catch (e) {
      const m = ((e as Error).message ?? '').replace(/^ERR /, '');
      if (m.startsWith('EXISTS')) throw new StoreError('STORE_EXISTS', `${what} exists`);
      if (m.startsWith('NOTFOUND')) throw new StoreError('STORE_NOT_FOUND', `${what} does not exist`);
      if (m.startsWith('CONFLICT')) throw new StoreError('STORE_CONFLICT', `${what} is at version ${m.slice(9)}${check && typeof check.cond === 'object' ? `, not ${check.cond.version}` : ''}`);
      throw e;
    }
  }

  /** A read-modify-write step, again while a concurrent change gets in its way (unless the caller pinned a version). */
  async #retry<T>(step: () => Promise<T>, meta?: ChangeMeta): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await step();
      } catch (e) {
        const conflict = e instanceof StoreError && (e.code === 'STORE_CONFLICT' || e.code === 'STORE_EXISTS' || e.code === 'STORE_NOT_FOUND');
        if (!conflict || meta?.expectedVersion !== undefined || i >= RETRIES) throw e;
        // A concurrent writer moved the entity: read it again (a real "not found" surfaces from step()).
      }
    }
  }

  #do<T>(f: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreError('STORE_CLOSED', 'the store is closed'));
    return f().catch((e: unknown) => {
      throw this.#error(e);
    });
  }

  /** Maps an ioredis failure to a StoreError (script replies pass through for #apply). */
  #error(e: unknown): Error {
    if (e instanceof StoreError) return e;
    const m = (e as Error)?.message ?? String(e);
    if (this.#closed) return new StoreError('STORE_CLOSED', 'the store is closed');
    if (/^(ERR )?(EXISTS|NOTFOUND|CONFLICT)/.test(m)) return e as Error;
    if ((e as { name?: string })?.name === 'ReplyError' && !/^(LOADING|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|READONLY)/.test(m)) return new StoreError('STORE_IO', `Redis: ${m}`);
    this.#down(m);
    return new StoreError('STORE_UNAVAILABLE', `Redis is unavailable: ${m}`);
  }

  #down(message: string): void {
    if (!this.#available || this.#closed) return;
    this.#available = false;
    this.#onEvent({ type: 'store.unavailable', message });
  }

  #up(): void {
    if (!this.#available) {
      this.#available = true;
      this.#onEvent({ type: 'store.available' });
    }
    if (this.#outbox.length > 0) void this.flush();
  }

  #publish(c: Omit<StoreChange, 'modelVersion'>, modelVersion: number | undefined): void {
    if (modelVersion !== undefined) this.#modelVersion = Math.max(this.#modelVersion, modelVersion);
    // A notification lost while Redis is down is not retried: watchers re-read on the next one.
    this.client.publish(this.k.changes, JSON.stringify({ ...c, modelVersion: modelVersion ?? this.#modelVersion })).catch(() => undefined);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured URL';
  }
}

export type { Kept };
