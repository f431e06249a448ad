/**
 * The embedded store's secondary indexes (pdp/store/embedded-indexes.ts, sorted-list.ts): a page
 * of devices and each one's latest session touch a bounded number of records however large the
 * store (counted by EmbeddedStore.visited, not timed), with the indexes built by snapshot load,
 * journal replay and live writes alike; and SortedList against a plain sorted array (fast-check).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Snapshot } from '../store/embedded-state.js';
import { EmbeddedStore } from '../store/embedded-store.js';
import { encodeRecord } from '../store/journal.js';
import { SortedList } from '../store/sorted-list.js';
import type { DeviceRecord, SessionRecord } from '../store/store.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;
const deviceId = (i: number) => `dev-${String(i).padStart(6, '0')}`;
const device = (i: number): DeviceRecord => ({ id: deviceId(i), idKind: 'device-id', firstSeen: T0 + i, lastSeen: T0 + i, product: i % 4 === 1 ? 'Ubuntu 22.04' : 'Debian 12', ...(i % 10 === 0 ? { groups: ['Lab'] } : {}), version: 1 });
const session = (i: number, n = 0): SessionRecord => ({
  id: `s-${i}-${n}`,
  user: `user${i % 1000}`,
  device: deviceId(i),
  transport: 'pt-eap',
  via: 'moon',
  start: T0 + i,
  end: T0 + i + n,
  groups: [],
  policies: [],
  imvs: [],
  recommendation: 'allow',
  evaluation: 'compliant',
  enforced: 'allow',
  group: 'allow',
});

/**
 * A store of `count` devices with one session each: all but the last `tail` from a snapshot, the
 * last `tail` (device, then session) replayed from the journal.
 */
async function build(count: number, tail: number): Promise<EmbeddedStore> {
  const dir = mkdtempSync(join(tmpdir(), 'store-index-'));
  dirs.push(dir);
  const head = count - tail;
  const snap: Snapshot = {
    version: 2,
    seq: 2 * head,
    devices: Array.from({ length: head }, (_, i) => device(i)),
    results: [],
    sessions: Array.from({ length: head }, (_, i) => ({ ...session(i), seq: 2 * i + 2 })),
  };
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(snap));
  const lines: string[] = [];
  for (let i = head; i < count; i++) {
    lines.push(encodeRecord({ seq: 2 * i + 1, op: 'device', device: device(i) } as never));
    lines.push(encodeRecord({ seq: 2 * i + 2, op: 'session', session: session(i), results: [] } as never));
  }
  writeFileSync(join(dir, 'journal.log'), lines.join(''));
  return EmbeddedStore.open({ dir, fsync: false, maxSessions: count + 100, snapshotEvery: 1_000_000 });
}

/** What the admin API's endpoints(first: 50) asks: a page of devices, each one's latest session and open grants. */
async function endpointsPage(store: EmbeddedStore, cursor?: string): Promise<{ ids: string[]; latest: (string | undefined)[]; cursor?: string; visited: number }> {
  const v0 = store.visited;
  const page = await store.listDevices({ limit: 50, ...(cursor ? { cursor } : {}) });
  const latest: (string | undefined)[] = [];
  for (const d of page.items) {
    latest.push((await store.listSessions({ device: d.id, limit: 1 })).items[0]?.id);
    await store.listActiveSessions({ device: d.id, limit: 100 });
    await store.listActiveSessions({ user: d.id, limit: 100 });
  }
  return { ids: page.items.map((d) => d.id), latest, ...(page.cursor ? { cursor: page.cursor } : {}), visited: store.visited - v0 };
}

describe('embedded store indexes: listing does not scale with the store', () => {
  it('100,000 devices and sessions: a page of 50 devices + each latest session touches at most ~2 records per row, as at 1,000', async () => {
    const small = await build(1000, 100);
    const big = await build(100_000, 1000);
    try {
      assert.equal(big.size.devices, 100_000);
      assert.equal(big.size.sessions, 100_000);
      const runs = [];
      for (const store of [small, big]) {
        const n = store.size.devices;
        const p1 = await endpointsPage(store);
        assert.deepEqual(p1.ids, Array.from({ length: 50 }, (_, k) => deviceId(n - 1 - k)), 'newest first');
        assert.deepEqual(p1.latest, Array.from({ length: 50 }, (_, k) => `s-${n - 1 - k}-0`));
        const p2 = await endpointsPage(store, p1.cursor);
        assert.equal(p2.ids[0], deviceId(n - 51), 'page 2 starts at the 51st newest');
        // 51 devices (one more to know there is a next page) + 50 sessions; no active sessions.
        assert.equal(p1.visited, 51 + 50);
        assert.equal(p2.visited, 51 + 50);
        runs.push([p1.visited, p2.visited]);
      }
      assert.deepEqual(runs[1], runs[0], 'the same work at 100,000 as at 1,000');

      // Filters by index: a group (every 10th device); by product, a scan that stops with the page.
      let v0 = big.visited;
      const lab = await big.listDevices({ group: 'Lab', limit: 50 });
      assert.equal(lab.items.length, 50);
      assert.ok(lab.items.every((d) => d.groups?.includes('Lab')));
      assert.equal(lab.items[0]!.id, deviceId(99_990));
      assert.equal(big.visited - v0, 51);
      v0 = big.visited;
      const ubuntu = await big.listDevices({ product: 'ubuntu 22.04', limit: 50 });
      assert.equal(ubuntu.items[0]!.id, deviceId(99_997));
      // From the newest (99,999) down to the 51st match (99,797): 203 devices.
      assert.equal(big.visited - v0, 203);

      // Live writes keep the indexes: a new session moves to the top of its device's, an older
      // device seen again moves to the top of the listing, and sessions page by the cursor.
      await big.recordSession(session(5, 1), []);
      await big.recordDevice({ id: deviceId(5), idKind: 'device-id', at: T0 + 200_000 });
      v0 = big.visited;
      const top = await big.listDevices({ limit: 1 });
      assert.equal(top.items[0]!.id, deviceId(5));
      const s5 = await big.listSessions({ device: deviceId(5), limit: 1 });
      assert.equal(s5.items[0]!.id, 's-5-1');
      const s5b = await big.listSessions({ device: deviceId(5), limit: 1, cursor: s5.cursor! });
      assert.deepEqual(s5b.items.map((s) => s.id), ['s-5-0']);
      assert.equal(s5b.cursor, undefined);
      assert.equal(big.visited - v0, 2 + 2 + 1);
      const u = await big.listSessions({ user: 'user5', limit: 3 });
      assert.deepEqual(u.items.map((s) => s.id), ['s-5-1', 's-99005-0', 's-98005-0']);

      // Active sessions by device, user, NAS; accounting finds its session through the indexes.
      for (const i of [7, 8]) await big.openActiveSession({ id: `a${i}`, user: `user${i}`, device: deviceId(i), nas: 'moon', nasAddress: '192.0.2.1', group: 'allow', class: `c${i}`, start: T0 + i });
      v0 = big.visited;
      assert.deepEqual((await big.listActiveSessions({ device: deviceId(7) })).items.map((a) => a.id), ['a7']);
      assert.deepEqual((await big.listActiveSessions({ nas: 'moon' })).items.map((a) => a.id), ['a8', 'a7']);
      assert.equal(big.visited - v0, 3);
      const acct = await big.recordAccounting({ client: 'moon', status: 'stop', class: 'c7', receivedAt: T0 + 100 });
      assert.equal(acct?.state, 'closed');
      assert.deepEqual((await big.listActiveSessions({ nas: 'moon' })).items.map((a) => a.id), ['a8']);
      assert.deepEqual((await big.listActiveSessions({ nas: 'moon', state: 'all', limit: 1 })).items.map((a) => a.id), ['a8']);
    } finally {
      await small.close();
      await big.close();
    }
  });
});

describe('embedded store indexes: what leaves the store leaves its indexes', () => {
  it('sessions over maxSessions, devices over maxDevices, deleted devices, removed active sessions; also after a reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-index-'));
    dirs.push(dir);
    const o = { dir, fsync: false, maxSessions: 3, maxDevices: 3, snapshotEvery: 4 };
    const a = await EmbeddedStore.open(o);
    for (let n = 0; n < 5; n++) await a.recordSession(session(1, n), []);
    for (const i of [1, 2, 3, 4]) await a.moveDevice(deviceId(i), ['Lab'], { actor: 't', at: T0 + i });
    await a.deleteDevice(deviceId(3), { actor: 't' });
    const check = async (s: EmbeddedStore) => {
      assert.deepEqual((await s.listSessions({ device: deviceId(1) })).items.map((x) => x.id), ['s-1-4', 's-1-3', 's-1-2']);
      assert.deepEqual((await s.listSessions({ user: 'user1' })).items.map((x) => x.id), ['s-1-4', 's-1-3', 's-1-2']);
      assert.deepEqual((await s.listDevices({ group: 'Lab' })).items.map((d) => d.id), [deviceId(4), deviceId(2)]);
      assert.deepEqual((await s.listDevices()).items.map((d) => d.id), [deviceId(4), deviceId(2)]);
    };
    await check(a);
    await a.close();
    const b = await EmbeddedStore.open(o);
    await check(b);
    await b.close();
  });
});

describe('SortedList', () => {
  it('20,000 items in random order (many chunks): order kept through deletes of half of them', () => {
    const l = new SortedList<number>((a, b) => a - b);
    const xs = Array.from({ length: 20_000 }, (_, i) => (i * 7919) % 20_000);
    for (const x of xs) l.add(x);
    for (const x of xs) if (x % 2 === 1) assert.equal(l.delete(x), true);
    assert.equal(l.delete(1), false);
    const evens = Array.from({ length: 10_000 }, (_, i) => 19_998 - 2 * i);
    assert.deepEqual([...l.descending()], evens);
    assert.deepEqual([...l.descending((x) => x - 10_001)].slice(0, 2), [10_000, 9998]);
    for (const x of evens) l.delete(x);
    assert.equal(l.size, 0);
    assert.deepEqual([...l.descending()], []);
  });

  it('property: adds, deletes and bounded descending walks match a sorted array', () => {
    const cmp = (a: number, b: number) => a - b;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { maxLength: 3000, size: 'max' }), fc.integer({ min: -1, max: 3001 }), (ops, bound) => {
        const l = new SortedList<number>(cmp);
        const model = new Set<number>();
        for (const [add, x] of ops) {
          if (add && !model.has(x)) {
            l.add(x);
            model.add(x);
          } else if (!add) assert.equal(l.delete(x), model.delete(x));
        }
        const sorted = [...model].sort(cmp).reverse();
        assert.equal(l.size, model.size);
        assert.deepEqual([...l.descending()], sorted);
        assert.deepEqual([...l.descending((x) => x - bound)], sorted.filter((x) => x < bound));
      }),
      { numRuns: 200 },
    );
  });
});
