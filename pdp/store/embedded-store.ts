/**
 * The embedded store: the whole state in memory, made durable under `dir` (config.stateDir/store)
 * by an append-only journal and periodic snapshots (journal.ts). No set-up; one owner (the main
 * thread of one PDP process; worker threads reach it through remote-store.ts).
 *
 *   write   mutate memory, give the change the next sequence number, append it to the journal
 *           (group commit: one fsync for the appends made meanwhile); the promise resolves once
 *           the record is on disk
 *   every snapshotEvery records:  snapshot (temp file, fsync, rename) at sequence S, then the
 *           journal is emptied; records with seq <= S that reach the new journal are ignored on
 *           replay, so a crash anywhere in between loses nothing and applies nothing twice
 *   open    snapshot, then the journal's records after its sequence; a torn last record is cut
 *
 * Memory is bounded: at most maxSessions sessions (the oldest are dropped) and maxDevices devices
 * (the least recently seen are dropped with their results).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeRecord, JournalWriter, readJournal, readSnapshot, writeSnapshot } from './journal.js';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  StoreError,
  type DeviceQuery,
  type DeviceRecord,
  type DeviceSighting,
  type Page,
  type PolicyResultRecord,
  type SessionQuery,
  type SessionRecord,
  type Store,
} from './store.js';

export interface EmbeddedStoreOptions {
  /** Directory of journal.log and snapshot.json; created when missing. */
  readonly dir: string;
  readonly maxSessions?: number;
  readonly maxDevices?: number;
  /** Journal records between snapshots (default 1000). */
  readonly snapshotEvery?: number;
  /** fdatasync each group of appends (default true; tests of speed may turn it off). */
  readonly fsync?: boolean;
  /** Told about recovery (a torn tail cut, damaged records skipped) and failed snapshots. */
  readonly onEvent?: (e: EmbeddedStoreEvent) => void;
}

export type EmbeddedStoreEvent =
  | { readonly type: 'store.recovered'; readonly snapshotSeq: number; readonly replayed: number; readonly tornTail: boolean; readonly corrupt: readonly number[] }
  | { readonly type: 'store.snapshot'; readonly seq: number; readonly sessions: number; readonly devices: number }
  | { readonly type: 'store.snapshot-failed'; readonly message: string };

export const DEFAULT_MAX_SESSIONS = 10_000;
export const DEFAULT_MAX_DEVICES = 1_000_000;
export const DEFAULT_SNAPSHOT_EVERY = 1000;

type JournalRecord =
  | { readonly seq: number; readonly op: 'device'; readonly device: DeviceRecord }
  | { readonly seq: number; readonly op: 'session'; readonly session: SessionRecord; readonly results: readonly PolicyResultRecord[] };

interface Snapshot {
  readonly version: 1;
  readonly seq: number;
  readonly devices: readonly DeviceRecord[];
  readonly results: readonly (readonly [string, readonly PolicyResultRecord[]])[];
  readonly sessions: readonly (SessionRecord & { readonly seq: number })[];
}

export class EmbeddedStore implements Store {
  readonly #dir: string;
  readonly #maxSessions: number;
  readonly #maxDevices: number;
  readonly #snapshotEvery: number;
  readonly #onEvent: (e: EmbeddedStoreEvent) => void;
  /** Least recently seen first. */
  readonly #devices = new Map<string, DeviceRecord>();
  readonly #results = new Map<string, Map<string, PolicyResultRecord>>();
  /** Oldest first; each with the sequence number that recorded it (the paging cursor). */
  readonly #sessions = new Map<string, SessionRecord & { readonly seq: number }>();
  #journal!: JournalWriter;
  #seq = 0;
  #sinceSnapshot = 0;
  #compacting: Promise<void> | undefined;
  #closed = false;

  private constructor(o: EmbeddedStoreOptions) {
    this.#dir = o.dir;
    this.#maxSessions = o.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.#maxDevices = o.maxDevices ?? DEFAULT_MAX_DEVICES;
    this.#snapshotEvery = o.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
    this.#onEvent = o.onEvent ?? (() => undefined);
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
      store.#load(s);
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
      store.#apply(r);
      replayed++;
    }
    store.#seq = Math.max(snapshotSeq, ...read.records.map((r) => r.seq));
    store.#sinceSnapshot = replayed;
    store.#journal = await JournalWriter.open(path, read.validLength, options.fsync ?? true);
    if (snap !== undefined || data.length > 0) {
      store.#onEvent({ type: 'store.recovered', snapshotSeq, replayed, tornTail: read.tornTail, corrupt: read.corrupt });
    }
    return store;
  }

  get size(): { readonly devices: number; readonly sessions: number } {
    return { devices: this.#devices.size, sessions: this.#sessions.size };
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    return this.#devices.get(id);
  }

  async recordDevice(s: DeviceSighting): Promise<DeviceRecord> {
    const old = this.#devices.get(s.id);
    const device: DeviceRecord = {
      ...old,
      id: s.id,
      idKind: s.idKind,
      firstSeen: old?.firstSeen ?? s.at,
      lastSeen: s.at,
      ...(s.product !== undefined ? { product: s.product } : {}),
      ...(s.user !== undefined ? { lastUser: s.user } : {}),
    };
    await this.#write({ seq: 0, op: 'device', device });
    return device;
  }

  async updateDevice(id: string, change: { readonly groups?: readonly string[]; readonly description?: string }): Promise<DeviceRecord | undefined> {
    const old = this.#devices.get(id);
    if (!old) return undefined;
    const device: DeviceRecord = { ...old, ...(change.groups ? { groups: [...change.groups] } : {}), ...(change.description !== undefined ? { description: change.description } : {}) };
    await this.#write({ seq: 0, op: 'device', device });
    return device;
  }

  async listDevices(q: DeviceQuery = {}): Promise<Page<DeviceRecord>> {
    const limit = pageSize(q.limit);
    const product = q.product?.toLowerCase();
    const all = [...this.#devices.values()]
      .filter((d) => (product === undefined || (d.product ?? '').toLowerCase().includes(product)) && (q.group === undefined || (d.groups ?? []).includes(q.group)))
      .sort((a, b) => b.lastSeen - a.lastSeen || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    let start = 0;
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      const at = Number(c[0]);
      const id = c[1] ?? '';
      start = all.findIndex((d) => d.lastSeen < at || (d.lastSeen === at && d.id > id));
      if (start < 0) start = all.length;
    }
    const items = all.slice(start, start + limit);
    const last = items[items.length - 1];
    return { items, ...(last && start + limit < all.length ? { cursor: encodeCursor([String(last.lastSeen), last.id]) } : {}) };
  }

  async getPolicyResults(device: string): Promise<readonly PolicyResultRecord[]> {
    return [...(this.#results.get(device)?.values() ?? [])];
  }

  async recordSession(session: SessionRecord, results: readonly PolicyResultRecord[]): Promise<void> {
    await this.#write({ seq: 0, op: 'session', session, results });
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const s = this.#sessions.get(id);
    return s ? withoutSeq(s) : undefined;
  }

  async listSessions(q: SessionQuery = {}): Promise<Page<SessionRecord>> {
    const limit = pageSize(q.limit);
    const before = q.cursor === undefined ? Infinity : Number(decodeCursor(q.cursor)[0]);
    const all = [...this.#sessions.values()];
    const items: SessionRecord[] = [];
    let more = false;
    for (let i = all.length - 1; i >= 0; i--) {
      const s = all[i]!;
      if (s.seq >= before) continue;
      if (q.device !== undefined && s.device !== q.device) continue;
      if (q.user !== undefined && s.user !== q.user) continue;
      if (q.recommendation !== undefined && s.recommendation !== q.recommendation) continue;
      if (q.since !== undefined && s.end < q.since) continue;
      if (q.until !== undefined && s.end >= q.until) continue;
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(s);
    }
    const last = items[items.length - 1] as (SessionRecord & { seq: number }) | undefined;
    return { items: items.map((s) => withoutSeq(s as SessionRecord & { seq: number })), ...(more && last ? { cursor: encodeCursor([String(last.seq)]) } : {}) };
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
    await this.#journal.close();
  }

  // ------------------------------------------------------------------ internals

  /** Applies `r` in memory now (with the next sequence number), then makes it durable. */
  async #write(r: JournalRecord): Promise<void> {
    if (this.#closed) throw new StoreError('STORE_CLOSED', 'the store is closed');
    const record = { ...r, seq: ++this.#seq } as JournalRecord;
    this.#apply(record);
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
    const snapshot: Snapshot = {
      version: 1,
      seq,
      devices: [...this.#devices.values()],
      results: [...this.#results].map(([d, m]) => [d, [...m.values()]] as const),
      sessions: [...this.#sessions.values()],
    };
    try {
      writeSnapshot(this.#dir, JSON.stringify(snapshot));
      await this.#journal.reset();
      this.#sinceSnapshot = 0;
      this.#onEvent({ type: 'store.snapshot', seq, sessions: this.#sessions.size, devices: this.#devices.size });
    } catch (e) {
      // The journal still holds everything: nothing is lost, the next write tries again.
      this.#onEvent({ type: 'store.snapshot-failed', message: (e as Error).message });
    }
  }

  #load(s: Snapshot): void {
    if (s.version !== 1 || typeof s.seq !== 'number') throw new StoreError('STORE_CORRUPT', `snapshot version ${String(s.version)} is not supported`);
    for (const d of s.devices) this.#putDevice(d);
    for (const [d, results] of s.results) this.#results.set(d, new Map(results.map((r) => [r.policy, r])));
    for (const x of s.sessions) this.#putSession(x);
  }

  #apply(r: JournalRecord): void {
    if (r.op === 'device') {
      this.#putDevice(r.device);
      return;
    }
    this.#putSession({ ...r.session, seq: r.seq });
    if (r.results.length > 0) {
      let m = this.#results.get(r.session.device);
      if (!m) this.#results.set(r.session.device, (m = new Map()));
      for (const x of r.results) m.set(x.policy, x);
    }
  }

  #putDevice(d: DeviceRecord): void {
    this.#devices.delete(d.id);
    this.#devices.set(d.id, d);
    while (this.#devices.size > this.#maxDevices) {
      const oldest = this.#devices.keys().next().value as string;
      this.#devices.delete(oldest);
      this.#results.delete(oldest);
    }
  }

  #putSession(s: SessionRecord & { readonly seq: number }): void {
    this.#sessions.delete(s.id);
    this.#sessions.set(s.id, s);
    while (this.#sessions.size > this.#maxSessions) this.#sessions.delete(this.#sessions.keys().next().value as string);
  }
}

function withoutSeq(s: SessionRecord & { readonly seq?: number }): SessionRecord {
  const { seq: _seq, ...rest } = s;
  return rest;
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1) throw new StoreError('STORE_BAD_REQUEST', `limit must be a positive integer, not ${limit}`);
  return Math.min(limit, MAX_PAGE_SIZE);
}

function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

function decodeCursor(cursor: string): string[] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string') && v.length > 0 && v.length <= 2) return v as string[];
  } catch {
    /* below */
  }
  throw new StoreError('STORE_BAD_CURSOR', 'not a cursor this store issued');
}
