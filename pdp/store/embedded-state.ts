/**
 * The embedded store's state in memory (embedded-store.ts makes it durable): devices, results,
 * sessions, and generic collections (admin entities, active sessions, accounting, audit, leases,
 * meta), changed only by journal records (apply) and snapshots (load), so a replay after a crash
 * rebuilds exactly what was acknowledged. Bounded: sessions, devices (least recently seen dropped
 * with their results), accounting/audit/closed active sessions (oldest dropped). Every change also
 * keeps the secondary indexes (embedded-indexes.ts) that the listings walk (embedded-listing.ts).
 */
import { ADMIN_KINDS, type ActiveSessionRecord, type AdminKind, type DeviceRecord, type PolicyResultRecord, type SessionRecord } from './store.js';
import { StoreError } from './store.js';
import { ActiveIndex, DeviceIndex, SessionIndex } from './embedded-indexes.js';

/** Collections of the generic part: admin kinds, active sessions, accounting, audit, leases, meta. */
export type Coll = AdminKind | 'active' | 'accounting' | 'audit' | 'lease' | 'meta';
const COLLS: readonly Coll[] = [...ADMIN_KINDS, 'active', 'accounting', 'audit', 'lease', 'meta'];
/** One change of a collection entry: v null deletes. */
export interface Put {
  readonly c: Coll;
  readonly k: string;
  readonly v: unknown;
}
/** An entry with the sequence number that created it (listing order and cursor). */
export interface Entry {
  readonly s: number;
  readonly v: unknown;
}

export type JournalRecord =
  | { readonly seq: number; readonly op: 'device'; readonly device: DeviceRecord }
  | { readonly seq: number; readonly op: 'device-delete'; readonly id: string }
  | { readonly seq: number; readonly op: 'session'; readonly session: SessionRecord; readonly results: readonly PolicyResultRecord[] }
  | { readonly seq: number; readonly op: 'batch'; readonly puts: readonly Put[]; readonly devices?: readonly DeviceRecord[]; readonly deleteDevices?: readonly string[] };

export interface Snapshot {
  readonly version: 1 | 2;
  readonly seq: number;
  readonly devices: readonly DeviceRecord[];
  readonly results: readonly (readonly [string, readonly PolicyResultRecord[]])[];
  readonly sessions: readonly (SessionRecord & { readonly seq: number })[];
  /** Version 2: the collections, each [key, created seq, value] in creation order. */
  readonly colls?: Readonly<Record<string, readonly (readonly [string, number, unknown])[]>>;
}

export class EmbeddedState {
  /** Least recently seen first. */
  readonly devices = new Map<string, DeviceRecord>();
  readonly results = new Map<string, Map<string, PolicyResultRecord>>();
  /** Oldest first; each with the sequence number that recorded it (the paging cursor). */
  readonly sessions = new Map<string, SessionRecord & { readonly seq: number }>();
  readonly #colls = new Map<Coll, Map<string, Entry>>(COLLS.map((c) => [c, new Map()]));
  /** Secondary indexes (embedded-indexes.ts), kept by every change below. */
  readonly deviceIndex = new DeviceIndex();
  readonly sessionIndex = new SessionIndex();
  readonly activeIndex = new ActiveIndex();
  /** Records the listings visited (instrumentation: a page must not cost the whole store). */
  visited = 0;

  constructor(
    private readonly maxSessions: number,
    private readonly maxDevices: number,
    private readonly maxRecords: number,
  ) {}

  coll(c: Coll): Map<string, Entry> {
    return this.#colls.get(c)!;
  }

  modelVersion(): number {
    return (this.coll('meta').get('modelVersion')?.v as number | undefined) ?? 0;
  }

  snapshot(seq: number): Snapshot {
    return {
      version: 2,
      seq,
      devices: [...this.devices.values()],
      results: [...this.results].map(([d, m]) => [d, [...m.values()]] as const),
      sessions: [...this.sessions.values()],
      colls: Object.fromEntries([...this.#colls].map(([c, m]) => [c, [...m].map(([k, e]) => [k, e.s, e.v] as const)])),
    };
  }

  load(s: Snapshot): void {
    if ((s.version !== 1 && s.version !== 2) || typeof s.seq !== 'number') throw new StoreError('STORE_CORRUPT', `snapshot version ${String(s.version)} is not supported`);
    for (const d of s.devices) this.putDevice(d.version === undefined ? { ...d, version: 1 } : d);
    for (const [d, results] of s.results) this.results.set(d, new Map(results.map((r) => [r.policy, r])));
    for (const x of s.sessions) this.putSession(x);
    for (const [c, rows] of Object.entries(s.colls ?? {})) {
      const m = this.#colls.get(c as Coll);
      if (m) for (const [k, seq, v] of rows) this.#set(c as Coll, m, k, { s: seq, v });
    }
  }

  apply(r: JournalRecord): void {
    switch (r.op) {
      case 'device':
        this.putDevice(r.device.version === undefined ? { ...r.device, version: 1 } : r.device);
        return;
      case 'device-delete':
        this.#deleteDevice(r.id);
        return;
      case 'batch':
        for (const d of r.devices ?? []) this.putDevice(d);
        for (const id of r.deleteDevices ?? []) this.#deleteDevice(id);
        for (const p of r.puts) this.put(p, r.seq);
        return;
      case 'session':
        this.putSession({ ...r.session, seq: r.seq });
        if (r.results.length > 0) {
          let m = this.results.get(r.session.device);
          if (!m) this.results.set(r.session.device, (m = new Map()));
          for (const x of r.results) m.set(x.policy, x);
        }
    }
  }

  put(p: Put, seq: number): void {
    const m = this.#colls.get(p.c);
    if (!m) return;
    if (p.v === null) {
      this.#delete(p.c, m, p.k);
      return;
    }
    const old = m.get(p.k);
    this.#set(p.c, m, p.k, { s: old?.s ?? seq, v: p.v });
    if (p.c === 'accounting' || p.c === 'audit') {
      while (m.size > this.maxRecords) m.delete(m.keys().next().value as string);
    } else if (p.c === 'active' && m.size > this.maxRecords) {
      // Drop the oldest closed ones first, then the oldest.
      for (const [k, e] of m) {
        if (m.size <= this.maxRecords) break;
        if ((e.v as ActiveSessionRecord).state === 'closed') this.#delete(p.c, m, k);
      }
      while (m.size > this.maxRecords) this.#delete(p.c, m, m.keys().next().value as string);
    }
  }

  putDevice(d: DeviceRecord): void {
    const old = this.devices.get(d.id);
    if (old) {
      this.devices.delete(d.id);
      this.deviceIndex.delete(old);
    }
    this.devices.set(d.id, d);
    this.deviceIndex.add(d);
    while (this.devices.size > this.maxDevices) this.#deleteDevice(this.devices.keys().next().value as string);
  }

  putSession(s: SessionRecord & { readonly seq: number }): void {
    const old = this.sessions.get(s.id);
    if (old) {
      this.sessions.delete(s.id);
      this.sessionIndex.delete(old);
    }
    this.sessions.set(s.id, s);
    this.sessionIndex.add(s);
    while (this.sessions.size > this.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessionIndex.delete(this.sessions.get(oldest)!);
      this.sessions.delete(oldest);
    }
  }

  #deleteDevice(id: string): void {
    const old = this.devices.get(id);
    if (old) this.deviceIndex.delete(old);
    this.devices.delete(id);
    this.results.delete(id);
  }

  #set(c: Coll, m: Map<string, Entry>, k: string, e: Entry): void {
    if (c === 'active') {
      const old = m.get(k);
      if (old) this.activeIndex.delete({ k, s: old.s }, old.v as ActiveSessionRecord);
      this.activeIndex.add({ k, s: e.s }, e.v as ActiveSessionRecord);
    }
    m.set(k, e);
  }

  #delete(c: Coll, m: Map<string, Entry>, k: string): void {
    const old = m.get(k);
    if (old && c === 'active') this.activeIndex.delete({ k, s: old.s }, old.v as ActiveSessionRecord);
    m.delete(k);
  }
}
