/**
 * The embedded store's listings through its indexes (embedded-indexes.ts): each walks one index
 * from the top (or from the cursor, found by binary search) and stops once it has the page and one
 * row more (to know there is a next page), so a page costs what it returns plus the rows its other
 * filters skip, never the size of the store (EmbeddedState.visited counts the rows walked). Same
 * order, cursors and totals as the scans they replace (store-conformance-suite.ts).
 */
import { cmpDevice, type ActiveRef, type SeqSession } from './embedded-indexes.js';
import type { EmbeddedState } from './embedded-state.js';
import type { SortedList } from './sorted-list.js';
import { decodeCursor, encodeCursor, matchesActive, pageSize } from './store-logic.js';
import { StoreError, type AccountingEntry, type ActiveSessionQuery, type ActiveSessionRecord, type DeviceQuery, type DeviceRecord, type Page, type SessionQuery, type SessionRecord } from './store.js';

/** Most recently seen first (lastSeen descending, id ascending). */
export function listDevices(s: EmbeddedState, q: DeviceQuery): Page<DeviceRecord> {
  const limit = pageSize(q.limit);
  const product = q.product?.toLowerCase();
  const filtered = product !== undefined || q.group !== undefined;
  const total = filtered ? {} : { total: s.devices.size };
  // Listing order: lastSeen descending, id ascending (the index walked from the top).
  const list = q.group === undefined ? s.deviceIndex.all : s.deviceIndex.byGroup.get(q.group);
  let bound: ((d: DeviceRecord) => number) | undefined;
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor);
    const after = { lastSeen: Number(c[0]), id: c[1] ?? '' };
    // Not a number: nothing is after it.
    if (Number.isNaN(after.lastSeen)) return { items: [], ...total };
    bound = (d) => cmpDevice(d, after);
  }
  const items: DeviceRecord[] = [];
  let more = false;
  for (const d of list?.descending(bound) ?? []) {
    s.visited++;
    if (product !== undefined && !(d.product ?? '').toLowerCase().includes(product)) continue;
    if (items.length === limit) {
      more = true;
      break;
    }
    items.push(d);
  }
  const last = items[items.length - 1];
  return { items, ...(last && more ? { cursor: encodeCursor([String(last.lastSeen), last.id]) } : {}), ...total };
}

/** Newest first (by sequence number). */
export function listSessions(st: EmbeddedState, q: SessionQuery): Page<SessionRecord> {
  const limit = pageSize(q.limit);
  const before = q.cursor === undefined ? Infinity : Number(decodeCursor(q.cursor)[0]);
  const idx = st.sessionIndex;
  // The smaller of the device's and the user's sessions, else all; newest first.
  const byDevice = q.device === undefined ? undefined : idx.byDevice.get(q.device);
  const byUser = q.user === undefined ? undefined : idx.byUser.get(q.user);
  const none = (q.device !== undefined && !byDevice) || (q.user !== undefined && !byUser);
  const list = none ? undefined : byDevice && byUser ? (byDevice.size <= byUser.size ? byDevice : byUser) : (byDevice ?? byUser ?? idx.all);
  const items: SeqSession[] = [];
  let more = false;
  // Sessions before the cursor's sequence (a cursor that is not a number bounds nothing).
  const bound = Number.isNaN(before) || before === Infinity ? undefined : (s: SeqSession) => (s.seq < before ? -1 : 1);
  for (const s of list?.descending(bound) ?? []) {
    st.visited++;
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
  const last = items[items.length - 1];
  const filtered = q.device !== undefined || q.user !== undefined || q.recommendation !== undefined || q.since !== undefined || q.until !== undefined;
  return { items: items.map(withoutSeq), ...(more && last ? { cursor: encodeCursor([String(last.seq)]) } : {}), ...(filtered ? {} : { total: st.sessions.size }) };
}

/** Newest first (by the sequence number that created each). */
export function listActiveSessions(s: EmbeddedState, q: ActiveSessionQuery): Page<ActiveSessionRecord> {
  const limit = pageSize(q.limit);
  let after = Infinity;
  if (q.cursor !== undefined) {
    after = Number(decodeCursor(q.cursor, 1)[0]);
    if (!Number.isFinite(after)) throw new StoreError('STORE_BAD_CURSOR', 'not a cursor this store issued');
  }
  const idx = s.activeIndex;
  const active = s.coll('active');
  // The smallest of the device's, user's and NAS's lists, else all; newest first.
  let list: Pick<SortedList<ActiveRef>, 'size' | 'descending'> | undefined = idx.all;
  let keyed = false;
  for (const [lists, key] of [
    [idx.byDevice, q.device],
    [idx.byUser, q.user],
    [idx.byNas, q.nas],
  ] as const) {
    if (key === undefined) continue;
    const l = lists.get(key);
    if (!l) {
      list = undefined; // nothing has this device, user or NAS
      break;
    }
    if (!keyed || l.size < list!.size) list = l;
    keyed = true;
  }
  const items: ActiveSessionRecord[] = [];
  let last: ActiveRef | undefined;
  let more = false;
  for (const r of list?.descending(after === Infinity ? undefined : (x) => (x.s < after ? -1 : 1)) ?? []) {
    s.visited++;
    const v = active.get(r.k)!.v as ActiveSessionRecord;
    if (!matchesActive(v, q)) continue;
    if (items.length === limit) {
      more = true;
      break;
    }
    items.push(v);
    last = r;
  }
  return { items, ...(more && last ? { cursor: encodeCursor([String(last.s)]) } : {}) };
}

/**
 * What findActive must see to decide as it would over every active session: the first (oldest)
 * one with the entry's Class, else the sessions of the entry's NAS, oldest first.
 */
export function accountingCandidates(s: EmbeddedState, entry: AccountingEntry): ActiveSessionRecord[] {
  const idx = s.activeIndex;
  const active = s.coll('active');
  const value = (r: ActiveRef) => active.get(r.k)!.v as ActiveSessionRecord;
  if (entry.class !== undefined) {
    const byClass = [...(idx.byClass.get(entry.class)?.descending() ?? [])];
    if (byClass.length > 0) return [value(byClass[byClass.length - 1]!)];
  }
  return [...(idx.byNas.get(entry.client)?.descending() ?? [])].reverse().map(value);
}

function withoutSeq(s: SessionRecord & { readonly seq?: number }): SessionRecord {
  const { seq: _seq, ...rest } = s;
  return rest;
}
