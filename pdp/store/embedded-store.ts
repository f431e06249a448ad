/**
 * The embedded store: the whole state in memory, made durable under `dir` (config.stateDir/store)
 * by an append-only journal and periodic snapshots (journal.ts). No set-up; one owner (the main
 * thread of one PDP process; worker threads reach it through remote-store.ts).
 *
 *   write   mutate memory, give the change the next sequence number, append it to the journal
 *           (group commit: one fsync for the appends made meanwhile); the promise resolves once
 *           the record is on disk. Every operation is ONE journal record (an admin change and its
 *           audit record, an accounting record and its active session, a session and the
 *           device's results), so a crash applies all of it or none.
 *   every snapshotEvery records:  snapshot (temp file, fsync, rename) at sequence S, then the
 *           journal is emptied; records with seq <= S that reach the new journal are ignored on
 *           replay, so a crash anywhere in between loses nothing and applies nothing twice
 *   open    snapshot, then the journal's records after its sequence; a torn last record is cut
 *
 * Memory is bounded: at most maxSessions sessions (the oldest dropped), maxDevices devices (the
 * least recently seen dropped with their results), maxRecords accounting records, audit records
 * and closed active sessions each (the oldest dropped).
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accountingCandidates, listActiveSessions, listDevices, listSessions } from './embedded-listing.js';
import { EmbeddedState, type JournalRecord, type Put, type Snapshot } from './embedded-state.js';
import { encodeRecord, JournalWriter, readJournal, readSnapshot, writeSnapshot } from './journal.js';
import { applyAccounting, auditRecord, changedAdminRecord, checkKey, checkVersion, findActive, matchesAccounting, matchesActive, matchesAdmin, matchesAudit, matchesLease, newAdminRecord, pageOf, pageSize, type Kept } from './store-logic.js';
import {
  applyDeviceChange,
  type DeviceChange,
  MODEL_KINDS,
  StoreError,
  adminKey,
  type AccountingEntry,
  type AccountingQuery,
  type ActiveSessionOpen,
  type ActiveSessionQuery,
  type ActiveSessionRecord,
  type AdminChange,
  type AdminInputs,
  type AdminKind,
  type AdminQuery,
  type AdminRecords,
  type AuditQuery,
  type AuditRecord,
  type ChangeMeta,
  type DeviceQuery,
  type DeviceRecord,
  type DeviceSighting,
  type LeaseQuery,
  type LeaseRecord,
  type Page,
  type PolicyResultRecord,
  type SeedData,
  type SessionQuery,
  type SessionRecord,
  type Store,
  type StoreChange,
} from './store.js';

export interface EmbeddedStoreOptions {
  /** Directory of journal.log and snapshot.json; created when missing. */
  readonly dir: string;
  readonly maxSessions?: number;
  readonly maxDevices?: number;
  /** Accounting records, audit records, closed active sessions kept (each; default 100000). */
  readonly maxRecords?: number;
  /** Journal records between snapshots (default 1000). */
  readonly snapshotEvery?: number;
  /** fdatasync each group of appends (default true; tests of speed may turn it off). */
  readonly fsync?: boolean;
  /** Told about recovery (a torn tail cut, damaged records skipped) and failed snapshots. */
  readonly onEvent?: (e: EmbeddedStoreEvent) => void;
  readonly now?: () => number;
}

export type EmbeddedStoreEvent =
  | { readonly type: 'store.recovered'; readonly snapshotSeq: number; readonly replayed: number; readonly tornTail: boolean; readonly corrupt: readonly number[] }
  | { readonly type: 'store.snapshot'; readonly seq: number; readonly sessions: number; readonly devices: number }
  | { readonly type: 'store.snapshot-failed'; readonly message: string };

export const DEFAULT_MAX_SESSIONS = 10_000;
export const DEFAULT_MAX_DEVICES = 1_000_000;
export const DEFAULT_MAX_RECORDS = 100_000;
export const DEFAULT_SNAPSHOT_EVERY = 1000;

export class EmbeddedStore implements Store {
  readonly #dir: string;
  readonly #snapshotEvery: number;
  readonly #onEvent: (e: EmbeddedStoreEvent) => void;
  readonly #now: () => number;
  readonly #changes = new EventEmitter<{ change: [StoreChange] }>();
  readonly #s: EmbeddedState;
  #journal!: JournalWriter;
  #seq = 0;
  #sinceSnapshot = 0;
  #compacting: Promise<void> | undefined;
  #closed = false;

  private constructor(o: EmbeddedStoreOptions) {
    this.#dir = o.dir;
    this.#s = new EmbeddedState(o.maxSessions ?? DEFAULT_MAX_SESSIONS, o.maxDevices ?? DEFAULT_MAX_DEVICES, o.maxRecords ?? DEFAULT_MAX_RECORDS);
    this.#snapshotEvery = o.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
    this.#onEvent = o.onEvent ?? (() => undefined);
    this.#now = o.now ?? Date.now;
    this.#changes.setMaxListeners(0);
  }

  /** Opens (and recovers) the store in `options.dir`. */
  static async open(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
    const store = new EmbeddedStore(options);
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    const snap = readSnapshot(options.dir);
    let snapshotSeq = 0;
    if (snap !== undefined) {
      let s: Snapshot;
      try {
        s = JSON.parse(snap) as Snapshot;
      } catch (e) {
        throw new StoreError('STORE_CORRUPT', `${join(options.dir, 'snapshot.json')}: ${(e as Error).message}`);
      }
      store.#s.load(s);
      snapshotSeq = s.seq;
    }
    const path = join(options.dir, 'journal.log');
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      data = Buffer.alloc(0);
    }
    const read = readJournal<JournalRecord>(data);
    let replayed = 0;
    for (const r of read.records) {
      if (r.seq <= snapshotSeq) continue;
      store.#s.apply(r);
      replayed++;
    }
    store.#seq = read.records.reduce((m, r) => Math.max(m, r.seq), snapshotSeq);
    store.#sinceSnapshot = replayed;
    store.#journal = await JournalWriter.open(path, read.validLength, options.fsync ?? true);
    if (snap !== undefined || data.length > 0) {
      store.#onEvent({ type: 'store.recovered', snapshotSeq, replayed, tornTail: read.tornTail, corrupt: read.corrupt });
    }
    return store;
  }

  get size(): { readonly devices: number; readonly sessions: number } {
    return { devices: this.#s.devices.size, sessions: this.#s.sessions.size };
  }

  /** Records the listings have visited so far (instrumentation: a page costs what it returns, not the store's size). */
  get visited(): number {
    return this.#s.visited;
  }

  // ---------------------------------------------------------------- devices and results

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    return this.#s.devices.get(id);
  }

  async recordDevice(s: DeviceSighting): Promise<DeviceRecord> {
    checkKey('device', s.id);
    const old = this.#s.devices.get(s.id);
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
    await this.#write({ seq: 0, op: 'device', device });
    this.#emit({ kind: 'device', key: s.id, action: old ? 'update' : 'create' });
    return device;
  }

  async updateDevice(id: string, change: DeviceChange, meta?: ChangeMeta): Promise<DeviceRecord | undefined> {
    const old = this.#s.devices.get(id);
    if (!old) return undefined;
    if (meta) checkVersion('device', id, old, meta);
    const device: DeviceRecord = { ...applyDeviceChange(old, change), version: old.version + 1 };
    const at = meta?.at ?? this.#now();
    const puts = meta ? [this.#auditPut(auditRecord(meta, 'update', 'device', id, old, device, at))] : [];
    await this.#write({ seq: 0, op: 'batch', puts, devices: [device] });
    this.#emit({ kind: 'device', key: id, action: 'update' });
    return device;
  }

  async moveDevice(id: string, groups: readonly string[], meta: ChangeMeta): Promise<DeviceRecord> {
    checkKey('device', id);
    const old = this.#s.devices.get(id);
    checkVersion('device', id, old, meta);
    const at = meta.at ?? this.#now();
    const device: DeviceRecord = old ? { ...old, groups: [...groups], version: old.version + 1 } : { id, idKind: 'device-id', firstSeen: at, lastSeen: at, groups: [...groups], version: 1 };
    await this.#write({ seq: 0, op: 'batch', puts: [this.#auditPut(auditRecord(meta, 'move', 'device', id, old, device, at))], devices: [device] });
    this.#emit({ kind: 'device', key: id, action: old ? 'update' : 'create' });
    return device;
  }

  async deleteDevice(id: string, meta: ChangeMeta): Promise<boolean> {
    const old = this.#s.devices.get(id);
    if (!old) return false;
    checkVersion('device', id, old, meta);
    const audit = auditRecord(meta, 'delete', 'device', id, old, undefined, meta.at ?? this.#now());
    await this.#write({ seq: 0, op: 'batch', puts: [this.#auditPut(audit)], deleteDevices: [id] });
    this.#emit({ kind: 'device', key: id, action: 'delete' });
    return true;
  }

  async listDevices(q: DeviceQuery = {}): Promise<Page<DeviceRecord>> {
    return listDevices(this.#s, q);
  }

  async getPolicyResults(device: string): Promise<readonly PolicyResultRecord[]> {
    return [...(this.#s.results.get(device)?.values() ?? [])];
  }

  async recordSession(session: SessionRecord, results: readonly PolicyResultRecord[]): Promise<void> {
    checkKey('session', session.id);
    await this.#write({ seq: 0, op: 'session', session, results });
    this.#emit({ kind: 'session', key: session.id, action: 'record' });
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const s = this.#s.sessions.get(id);
    return s ? withoutSeq(s) : undefined;
  }

  async listSessions(q: SessionQuery = {}): Promise<Page<SessionRecord>> {
    return listSessions(this.#s, q);
  }

  // ---------------------------------------------------------------- admin entities

  async get<K extends AdminKind>(kind: K, key: string): Promise<AdminRecords[K] | undefined> {
    return (this.#s.coll(kind).get(key)?.v as Kept<K> | undefined)?.record;
  }

  async list<K extends AdminKind>(kind: K, q: AdminQuery = {}): Promise<Page<AdminRecords[K]>> {
    const all = [...this.#s.coll(kind).values()].filter((e) => matchesAdmin(kind, (e.v as Kept).record, q));
    const filtered = q.policy !== undefined || q.group !== undefined || q.parent !== undefined;
    const page = pageOf(all, (e) => e.s, 'asc', q, filtered ? undefined : all.length);
    return { ...page, items: page.items.map((e) => (e.v as Kept<K>).record) };
  }

  async create<K extends AdminKind>(kind: K, input: AdminInputs[K], meta: ChangeMeta): Promise<AdminRecords[K]> {
    const at = meta.at ?? this.#now();
    const kept = newAdminRecord(kind, input, at);
    const key = adminKey(kind, input);
    if (this.#s.coll(kind).has(key)) throw new StoreError('STORE_EXISTS', `${kind} '${key}' exists`);
    await this.#adminWrite(kind, key, kept, auditRecord(meta, 'create', kind, key, undefined, kept.record, at));
    this.#emit({ kind, key, action: 'create' });
    return kept.record;
  }

  async update<K extends AdminKind>(kind: K, key: string, change: AdminChange<K>, meta: ChangeMeta): Promise<AdminRecords[K]> {
    const old = this.#s.coll(kind).get(key)?.v as Kept<K> | undefined;
    if (!old) throw new StoreError('STORE_NOT_FOUND', `no ${kind} '${key}'`);
    checkVersion(kind, key, old.record, meta);
    const at = meta.at ?? this.#now();
    const kept = changedAdminRecord(kind, old, change, at);
    await this.#adminWrite(kind, key, kept, auditRecord(meta, 'update', kind, key, old.record, kept.record, at));
    this.#emit({ kind, key, action: 'update' });
    return kept.record;
  }

  async remove(kind: AdminKind, key: string, meta: ChangeMeta): Promise<boolean> {
    const old = this.#s.coll(kind).get(key)?.v as Kept | undefined;
    if (!old) return false;
    checkVersion(kind, key, old.record, meta);
    await this.#adminWrite(kind, key, null, auditRecord(meta, 'delete', kind, key, old.record, undefined, meta.at ?? this.#now()));
    this.#emit({ kind, key, action: 'delete' });
    return true;
  }

  async getCredential(kind: 'user' | 'radius-client', key: string): Promise<string | undefined> {
    return (this.#s.coll(kind).get(key)?.v as Kept | undefined)?.secret;
  }

  async seed(data: SeedData, meta: ChangeMeta): Promise<boolean> {
    if (this.#s.coll('meta').has('seeded')) return false;
    const at = meta.at ?? this.#now();
    const puts: Put[] = [];
    const add = <K extends AdminKind>(kind: K, inputs: readonly AdminInputs[K][]) => {
      const seen = new Set<string>();
      for (const input of inputs) {
        const key = adminKey(kind, input);
        // Ties in the config: the first listed wins (as in the model).
        if (seen.has(key) || this.#s.coll(kind).has(key)) continue;
        seen.add(key);
        puts.push({ c: kind, k: key, v: newAdminRecord(kind, input, at) });
      }
    };
    add('group', data.groups);
    add('policy', data.policies);
    add('enforcement', data.enforcements);
    add('user', data.users);
    add('radius-client', data.radiusClients);
    const devices: DeviceRecord[] = data.devices.map((d) => {
      const old = this.#s.devices.get(d.id);
      return old
        ? { ...old, groups: [...d.groups], ...(d.description !== undefined ? { description: d.description } : {}), version: old.version + 1 }
        : { id: d.id, idKind: 'device-id', firstSeen: at, lastSeen: at, groups: [...d.groups], ...(d.description !== undefined ? { description: d.description } : {}), version: 1 };
    });
    const audit = auditRecord(meta, 'seed', 'policy', '*', undefined, { groups: data.groups.length, policies: data.policies.length, enforcements: data.enforcements.length, devices: data.devices.length, users: data.users.length, radiusClients: data.radiusClients.length }, at);
    puts.push({ c: 'meta', k: 'seeded', v: at }, { c: 'meta', k: 'modelVersion', v: this.#s.modelVersion() + 1 }, this.#auditPut(audit));
    await this.#write({ seq: 0, op: 'batch', puts, devices });
    this.#emit({ kind: 'policy', key: '*', action: 'seed' });
    return true;
  }

  async modelVersion(): Promise<number> {
    return this.#s.modelVersion();
  }

  watch(listener: (change: StoreChange) => void): () => void {
    this.#changes.on('change', listener);
    return () => this.#changes.off('change', listener);
  }

  // ---------------------------------------------------------------- active sessions, accounting

  async openActiveSession(o: ActiveSessionOpen): Promise<ActiveSessionRecord> {
    checkKey('active session', o.id);
    const old = this.#s.coll('active').get(o.id)?.v as ActiveSessionRecord | undefined;
    const s: ActiveSessionRecord = { ...o, updated: o.start, state: 'accepted', version: (old?.version ?? 0) + 1 };
    await this.#write({ seq: 0, op: 'batch', puts: [{ c: 'active', k: s.id, v: s }] });
    this.#emit({ kind: 'active-session', key: s.id, action: old ? 'update' : 'create' });
    return s;
  }

  async getActiveSession(id: string): Promise<ActiveSessionRecord | undefined> {
    return this.#s.coll('active').get(id)?.v as ActiveSessionRecord | undefined;
  }

  async listActiveSessions(q: ActiveSessionQuery = {}): Promise<Page<ActiveSessionRecord>> {
    return listActiveSessions(this.#s, q);
  }

  async recordAccounting(entry: AccountingEntry): Promise<ActiveSessionRecord | undefined> {
    const found = findActive(entry, accountingCandidates(this.#s, entry));
    const updated = found ? applyAccounting(found, entry) : undefined;
    const puts: Put[] = [{ c: 'accounting', k: String(this.#seq + 1), v: entry }];
    if (updated && updated !== found) puts.push({ c: 'active', k: updated.id, v: updated });
    await this.#write({ seq: 0, op: 'batch', puts });
    if (updated && updated !== found) this.#emit({ kind: 'active-session', key: updated.id, action: 'update' });
    return updated;
  }

  async listAccounting(q: AccountingQuery = {}): Promise<Page<AccountingEntry>> {
    const all = [...this.#s.coll('accounting').values()].reverse().filter((e) => matchesAccounting(e.v as AccountingEntry, q));
    const page = pageOf(all, (e) => e.s, 'desc', q);
    return { ...page, items: page.items.map((e) => e.v as AccountingEntry) };
  }

  // ---------------------------------------------------------------- leases, audit

  async saveLeases(pool: string, leases: readonly Omit<LeaseRecord, 'pool'>[]): Promise<void> {
    checkKey('pool', pool);
    await this.#write({ seq: 0, op: 'batch', puts: [{ c: 'lease', k: pool, v: leases.map((l) => ({ address: l.address, identity: l.identity, acquired: l.acquired, released: l.released })) }] });
  }

  async listLeases(q: LeaseQuery = {}): Promise<Page<LeaseRecord>> {
    const pools = [...this.#s.coll('lease').keys()].sort();
    const all: LeaseRecord[] = [];
    for (const pool of pools) {
      if (q.pool !== undefined && pool !== q.pool) continue;
      const leases = this.#s.coll('lease').get(pool)!.v as Omit<LeaseRecord, 'pool'>[];
      for (const l of [...leases].sort((a, b) => cmp(a.address, b.address))) {
        const r = { pool, ...l };
        if (matchesLease(r, q)) all.push(r);
      }
    }
    // Position = index in this listing: stable while the leases do not change between pages.
    const page = pageOf(all.map((r, i) => ({ r, i })), (x) => x.i, 'asc', q);
    return { ...page, items: page.items.map((x) => x.r) };
  }

  async listAudit(q: AuditQuery = {}): Promise<Page<AuditRecord>> {
    const all = [...this.#s.coll('audit').values()].reverse().filter((e) => matchesAudit(e.v as AuditRecord, q));
    const page = pageOf(all, (e) => e.s, 'desc', q);
    return { ...page, items: page.items.map((e) => e.v as AuditRecord) };
  }

  /** Writes a snapshot now and empties the journal. */
  async compact(): Promise<void> {
    while (this.#compacting) await this.#compacting;
    this.#compacting = this.#compact().finally(() => (this.#compacting = undefined));
    await this.#compacting;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    while (this.#compacting) await this.#compacting;
    this.#closed = true;
    this.#changes.removeAllListeners();
    await this.#journal.close();
  }

  // ---------------------------------------------------------------- internals

  #auditPut(a: AuditRecord): Put {
    return { c: 'audit', k: a.id, v: a };
  }

  async #adminWrite(kind: AdminKind, key: string, kept: Kept | null, audit: AuditRecord): Promise<void> {
    const puts: Put[] = [{ c: kind, k: key, v: kept }, this.#auditPut(audit)];
    if (MODEL_KINDS.includes(kind)) puts.push({ c: 'meta', k: 'modelVersion', v: this.#s.modelVersion() + 1 });
    await this.#write({ seq: 0, op: 'batch', puts });
  }

  #emit(c: Omit<StoreChange, 'modelVersion'>): void {
    this.#changes.emit('change', { ...c, modelVersion: this.#s.modelVersion() });
  }

  /** Applies `r` in memory now (with the next sequence number), then makes it durable. */
  async #write(r: JournalRecord): Promise<void> {
    if (this.#closed) throw new StoreError('STORE_CLOSED', 'the store is closed');
    const record = { ...r, seq: ++this.#seq } as JournalRecord;
    this.#s.apply(record);
    // A snapshot in progress already holds this change; appending after it keeps the order.
    while (this.#compacting) await this.#compacting;
    const written = this.#journal.append(encodeRecord(record));
    if (++this.#sinceSnapshot >= this.#snapshotEvery) {
      this.#compacting = this.#compact().finally(() => (this.#compacting = undefined));
    }
    await written;
  }

  async #compact(): Promise<void> {
    await this.#journal.drain();
    const seq = this.#seq;
    const snapshot = this.#s.snapshot(seq);
    try {
      writeSnapshot(this.#dir, JSON.stringify(snapshot));
      await this.#journal.reset();
      this.#sinceSnapshot = 0;
      this.#onEvent({ type: 'store.snapshot', seq, sessions: this.#s.sessions.size, devices: this.#s.devices.size });
    } catch (e) {
      // The journal still holds everything: nothing is lost, the next write tries again.
      this.#onEvent({ type: 'store.snapshot-failed', message: (e as Error).message });
    }
  }
}

function withoutSeq(s: SessionRecord & { readonly seq?: number }): SessionRecord {
  const { seq: _seq, ...rest } = s;
  return rest;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
