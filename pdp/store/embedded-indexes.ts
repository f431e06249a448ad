/**
 * The embedded store's secondary indexes, kept by EmbeddedState on every change (journal replay,
 * snapshot load and live writes alike), so that a page costs what it returns and not the size of
 * the store:
 *
 *   devices          listing order (lastSeen descending, id ascending), all and per group
 *   sessions         by sequence number (newest first), all, per device, per user
 *   active sessions  by creation sequence (newest first), all, per device, user, NAS and Class
 *
 * Lists are SortedLists kept ascending; listings walk them from the top down.
 */
import type { ActiveSessionRecord, DeviceRecord, SessionRecord } from './store.js';
import { SortedList } from './sorted-list.js';

export type SeqSession = SessionRecord & { readonly seq: number };
/** An active session's key and creation sequence (its value stays in the 'active' collection). */
export interface ActiveRef {
  readonly k: string;
  readonly s: number;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ascending lastSeen, then descending id: walked from the top it is the listing order. */
export function cmpDevice(a: { readonly lastSeen: number; readonly id: string }, b: { readonly lastSeen: number; readonly id: string }): number {
  return a.lastSeen - b.lastSeen || cmpStr(b.id, a.id);
}

const cmpSession = (a: SeqSession, b: SeqSession): number => a.seq - b.seq || cmpStr(a.id, b.id);
const cmpActive = (a: ActiveRef, b: ActiveRef): number => a.s - b.s || cmpStr(a.k, b.k);

/**
 * SortedLists by a string key (empty ones dropped). A key with one item (most devices have one
 * session) holds the item itself: a list is made for the second.
 */
export class KeyedLists<T extends object> {
  readonly #lists = new Map<string, SortedList<T> | T>();

  constructor(private readonly cmp: (a: T, b: T) => number) {}

  /** The key's list, or undefined when the key has no items. */
  get(key: string): Pick<SortedList<T>, 'size' | 'descending'> | undefined {
    const l = this.#lists.get(key);
    if (l === undefined || l instanceof SortedList) return l;
    return {
      size: 1,
      *descending(bound?: (item: T) => number) {
        if (bound === undefined || bound(l) < 0) yield l;
      },
    };
  }

  add(key: string, item: T): void {
    const l = this.#lists.get(key);
    if (l === undefined) this.#lists.set(key, item);
    else if (l instanceof SortedList) l.add(item);
    else {
      const list = new SortedList(this.cmp);
      list.add(l);
      list.add(item);
      this.#lists.set(key, list);
    }
  }

  delete(key: string, item: T): void {
    const l = this.#lists.get(key);
    if (l === undefined) return;
    if (l instanceof SortedList) {
      if (l.delete(item) && l.size === 0) this.#lists.delete(key);
    } else if (this.cmp(l, item) === 0) this.#lists.delete(key);
  }
}

export class DeviceIndex {
  readonly all = new SortedList<DeviceRecord>(cmpDevice);
  readonly byGroup = new KeyedLists<DeviceRecord>(cmpDevice);

  add(d: DeviceRecord): void {
    this.all.add(d);
    for (const g of new Set(d.groups ?? [])) this.byGroup.add(g, d);
  }

  delete(d: DeviceRecord): void {
    this.all.delete(d);
    for (const g of new Set(d.groups ?? [])) this.byGroup.delete(g, d);
  }
}

export class SessionIndex {
  readonly all = new SortedList<SeqSession>(cmpSession);
  readonly byDevice = new KeyedLists<SeqSession>(cmpSession);
  readonly byUser = new KeyedLists<SeqSession>(cmpSession);

  add(s: SeqSession): void {
    this.all.add(s);
    this.byDevice.add(s.device, s);
    this.byUser.add(s.user, s);
  }

  delete(s: SeqSession): void {
    this.all.delete(s);
    this.byDevice.delete(s.device, s);
    this.byUser.delete(s.user, s);
  }
}

export class ActiveIndex {
  readonly all = new SortedList<ActiveRef>(cmpActive);
  readonly byDevice = new KeyedLists<ActiveRef>(cmpActive);
  readonly byUser = new KeyedLists<ActiveRef>(cmpActive);
  readonly byNas = new KeyedLists<ActiveRef>(cmpActive);
  readonly byClass = new KeyedLists<ActiveRef>(cmpActive);

  add(r: ActiveRef, v: ActiveSessionRecord): void {
    this.all.add(r);
    this.#each(r, v, (l, key) => l.add(key, r));
  }

  delete(r: ActiveRef, v: ActiveSessionRecord): void {
    this.all.delete(r);
    this.#each(r, v, (l, key) => l.delete(key, r));
  }

  #each(_r: ActiveRef, v: ActiveSessionRecord, f: (l: KeyedLists<ActiveRef>, key: string) => void): void {
    if (v.device !== undefined) f(this.byDevice, v.device);
    f(this.byUser, v.user);
    f(this.byNas, v.nas);
    if (v.class !== undefined) f(this.byClass, v.class);
  }
}
