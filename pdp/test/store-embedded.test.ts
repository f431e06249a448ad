/**
 * The embedded store (pdp/store/): durable across a reopen, a torn last journal record ignored and
 * cut, damage in the middle skipped and reported, compaction (snapshot + empty journal, no record
 * applied twice after a crash between the two), the session cap, paging with filters, the record
 * format, and the worker-thread proxy (RemoteStore over a BroadcastChannel) against the owner.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { EmbeddedStore, type EmbeddedStoreEvent, type EmbeddedStoreOptions } from '../store/embedded-store.js';
import { checksum, encodeRecord, readJournal } from '../store/journal.js';
import { RemoteStore, newStoreChannelName, serveStore } from '../store/remote-store.js';
import { StoreError, type SessionRecord } from '../store/store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-embedded-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (o: Partial<EmbeddedStoreOptions> = {}) => EmbeddedStore.open({ dir, ...o });

function session(n: number, o: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: `s${n}`,
    user: n % 2 ? 'carol' : 'dave',
    device: `dev-${n % 3}`,
    transport: 'pt-eap',
    via: 'moon',
    start: 1000 * n,
    end: 1000 * n + 500,
    groups: ['Default'],
    policies: [{ policy: 'no-telnet', type: 'packages-blacklist', outcome: 'pass', recommendation: 'allow', reasons: [] }],
    imvs: [{ imv: 'os', recommendation: 'allow', evaluation: 'compliant', reasons: [] }],
    recommendation: n % 4 === 0 ? 'isolate' : 'allow',
    evaluation: 'compliant',
    enforced: n % 4 === 0 ? 'isolate' : 'allow',
    group: n % 4 === 0 ? 'isolate' : 'allow',
    ...o,
  };
}

const result = (n: number) => [{ policy: 'no-telnet', outcome: 'pass' as const, recommendation: 'allow' as const, at: 1000 * n + 500, session: `s${n}` }];

describe('embedded store: durability', () => {
  it('devices, sessions and results survive a reopen', async () => {
    const a = await open();
    const d = await a.recordDevice({ id: 'dev-1', idKind: 'device-id', product: 'Debian 12 x86_64', user: 'carol', at: 5 });
    assert.deepEqual(d, { id: 'dev-1', idKind: 'device-id', firstSeen: 5, lastSeen: 5, product: 'Debian 12 x86_64', lastUser: 'carol', version: 1 });
    await a.recordDevice({ id: 'dev-1', idKind: 'device-id', at: 9 });
    await a.updateDevice('dev-1', { groups: ['Lab'] });
    await a.recordSession(session(1, { device: 'dev-1' }), result(1));
    await a.close();
    const b = await open();
    assert.deepEqual(await b.getDevice('dev-1'), { id: 'dev-1', idKind: 'device-id', firstSeen: 5, lastSeen: 9, product: 'Debian 12 x86_64', lastUser: 'carol', groups: ['Lab'], version: 3 });
    assert.deepEqual(await b.getSession('s1'), session(1, { device: 'dev-1' }));
    assert.deepEqual(await b.getPolicyResults('dev-1'), result(1));
    await b.close();
    await assert.rejects(b.recordSession(session(2), []), (e: unknown) => e instanceof StoreError && e.code === 'STORE_CLOSED');
  });

  it('a torn last record (a crash mid-write) is ignored and cut; the next write lands on a clean line', async () => {
    const a = await open();
    await a.recordSession(session(1), result(1));
    await a.recordSession(session(2), result(2));
    await a.close();
    const journal = join(dir, 'journal.log');
    const whole = encodeRecord({ seq: 3, op: 'session', session: session(3), results: result(3) } as never);
    appendFileSync(journal, whole.slice(0, Math.floor(whole.length / 2))); // torn: no LF, half the bytes
    const events: EmbeddedStoreEvent[] = [];
    const b = await open({ onEvent: (e) => events.push(e) });
    assert.deepEqual(events, [{ type: 'store.recovered', snapshotSeq: 0, replayed: 2, tornTail: true, corrupt: [] }]);
    assert.equal(await b.getSession('s3'), undefined);
    assert.deepEqual((await b.listSessions()).items.map((s) => s.id), ['s2', 's1']);
    await b.recordSession(session(4), result(4));
    await b.close();
    const c = await open();
    assert.deepEqual((await c.listSessions()).items.map((s) => s.id), ['s4', 's2', 's1']);
    await c.close();
  });

  it('a damaged record followed by good ones is skipped and reported; the rest is kept', async () => {
    const a = await open();
    for (const n of [1, 2, 3]) await a.recordSession(session(n), result(n));
    await a.close();
    const journal = join(dir, 'journal.log');
    const lines = readFileSync(journal, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"s2"', '"sX"'); // checksum no longer matches
    writeFileSync(journal, lines.join('\n'));
    const events: EmbeddedStoreEvent[] = [];
    const b = await open({ onEvent: (e) => events.push(e) });
    assert.equal(events[0]?.type === 'store.recovered' && events[0].corrupt.length, 1);
    assert.deepEqual((await b.listSessions()).items.map((s) => s.id), ['s3', 's1']);
    await b.close();
  });

  it('compaction: snapshot written atomically, journal emptied, nothing lost or applied twice', async () => {
    const a = await open({ snapshotEvery: 5 });
    for (let n = 1; n <= 12; n++) await a.recordSession(session(n), result(n));
    await a.close();
    assert.ok(existsSync(join(dir, 'snapshot.json')));
    assert.ok(!existsSync(join(dir, 'snapshot.json.tmp')));
    assert.ok(statSync(join(dir, 'journal.log')).size < 3 * 1200, 'journal holds only the records since the last snapshot');
    const snap = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { seq: number };
    assert.equal(snap.seq, 10);

    // A crash after the rename and before the journal was emptied: old records replay, skipped by seq.
    const stale = [1, 2, 3].map((n) => encodeRecord({ seq: n, op: 'session', session: session(n, { user: 'replayed-twice' }), results: [] } as never)).join('');
    writeFileSync(join(dir, 'journal.log'), stale + readFileSync(join(dir, 'journal.log'), 'utf8'));
    const b = await open();
    const all = (await b.listSessions({ limit: 100 })).items;
    assert.equal(all.length, 12);
    assert.ok(all.every((s) => s.user !== 'replayed-twice'));
    await b.compact();
    assert.equal(statSync(join(dir, 'journal.log')).size, 0);
    await b.close();
    const c = await open();
    assert.equal((await c.listSessions({ limit: 100 })).items.length, 12);
    await c.close();
  });

  it('bounded: at most maxSessions sessions, the oldest dropped (also after a reopen)', async () => {
    const a = await open({ maxSessions: 3 });
    for (let n = 1; n <= 6; n++) await a.recordSession(session(n), result(n));
    assert.deepEqual(a.size.sessions, 3);
    await a.close();
    const b = await open({ maxSessions: 3 });
    assert.deepEqual((await b.listSessions()).items.map((s) => s.id), ['s6', 's5', 's4']);
    await b.close();
  });

  it('writes made together are all durable once their promises resolve (group commit)', async () => {
    const a = await open();
    await Promise.all(Array.from({ length: 50 }, (_, n) => a.recordSession(session(n), result(n))));
    const read = readJournal(readFileSync(join(dir, 'journal.log')));
    assert.equal(read.records.length, 50);
    await a.close();
  });
});

describe('embedded store: listing', () => {
  it('sessions newest first, filtered, by pages with a cursor', async () => {
    const s = await open({ fsync: false });
    for (let n = 1; n <= 20; n++) await s.recordSession(session(n), result(n));
    const p1 = await s.listSessions({ user: 'carol', limit: 4 });
    assert.deepEqual(p1.items.map((x) => x.id), ['s19', 's17', 's15', 's13']);
    const p2 = await s.listSessions({ user: 'carol', limit: 4, cursor: p1.cursor! });
    assert.deepEqual(p2.items.map((x) => x.id), ['s11', 's9', 's7', 's5']);
    const p3 = await s.listSessions({ user: 'carol', limit: 4, cursor: p2.cursor! });
    assert.deepEqual(p3.items.map((x) => x.id), ['s3', 's1']);
    assert.equal(p3.cursor, undefined);
    assert.deepEqual((await s.listSessions({ recommendation: 'isolate', since: 8000 })).items.map((x) => x.id), ['s20', 's16', 's12', 's8']);
    assert.deepEqual((await s.listSessions({ device: 'dev-0', until: 7000 })).items.map((x) => x.id), ['s6', 's3']);
    await assert.rejects(s.listSessions({ cursor: 'nonsense' }), (e: unknown) => e instanceof StoreError && e.code === 'STORE_BAD_CURSOR');
    await assert.rejects(s.listSessions({ limit: 0 }), (e: unknown) => e instanceof StoreError && e.code === 'STORE_BAD_REQUEST');
    await s.close();
  });

  it('devices most recently seen first, by product and group, paged', async () => {
    const s = await open({ fsync: false });
    for (let n = 1; n <= 7; n++) await s.recordDevice({ id: `d${n}`, idKind: 'user', product: n % 2 ? 'Debian 12' : 'Ubuntu 24.04', at: n });
    await s.updateDevice('d3', { groups: ['Lab'] });
    const p1 = await s.listDevices({ product: 'debian', limit: 2 });
    assert.deepEqual(p1.items.map((d) => d.id), ['d7', 'd5']);
    assert.deepEqual((await s.listDevices({ product: 'debian', limit: 2, cursor: p1.cursor! })).items.map((d) => d.id), ['d3', 'd1']);
    assert.deepEqual((await s.listDevices({ group: 'Lab' })).items.map((d) => d.id), ['d3']);
    await s.close();
  });
});

describe('embedded store: journal records', () => {
  it('each line is checksum SP json LF; a changed byte breaks it', () => {
    const line = encodeRecord({ seq: 1 });
    assert.equal(line, `${checksum('{"seq":1}')} {"seq":1}\n`);
    assert.equal(readJournal(Buffer.from(line)).records.length, 1);
    assert.equal(readJournal(Buffer.from(line.replace('1}', '2}'))).records.length, 0);
  });

  it('property: any bytes after good records never throw and never lose the good records', () => {
    const good = [1, 2, 3].map((seq) => encodeRecord({ seq })).join('');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => {
        const r = readJournal(Buffer.concat([Buffer.from(good), tail]));
        assert.deepEqual(r.records.slice(0, 3).map((x) => x.seq), [1, 2, 3]);
        assert.ok(r.validLength >= good.length);
      }),
    );
  });
});

describe('remote store: the worker-thread proxy', () => {
  it('calls reach the owner and come back; errors keep their code; no owner -> STORE_TIMEOUT', async () => {
    const owner = await open({ fsync: false });
    const channel = newStoreChannelName();
    const server = serveStore(owner, channel);
    const a = new RemoteStore(channel);
    const b = new RemoteStore(channel);
    try {
      await a.recordSession(session(1), result(1));
      assert.deepEqual(await b.getPolicyResults('dev-1'), result(1), 'written through one proxy, read through another');
      assert.equal((await owner.getSession('s1'))?.id, 's1');
      await assert.rejects(b.listSessions({ cursor: 'bad' }), (e: unknown) => e instanceof StoreError && e.code === 'STORE_BAD_CURSOR');
      const lonely = new RemoteStore(newStoreChannelName(), { timeoutMs: 50 });
      await assert.rejects(lonely.getDevice('x'), (e: unknown) => e instanceof StoreError && e.code === 'STORE_TIMEOUT');
      await lonely.close();
    } finally {
      await a.close();
      await b.close();
      server.close();
      await owner.close();
    }
  });
});
