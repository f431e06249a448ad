/**
 * The behaviour every Store backend must have (pdp/store/store.ts), as one suite run against each:
 * pdp/test/store-conformance.test.ts (embedded), integration/store-redis.test.ts (Redis standalone
 * and a 3-node Cluster). `open` gives a fresh, empty store; `reopen`, when given, opens the same
 * data again (durability).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { StoreError, type SessionRecord, type Store, type StoreChange } from '../store/store.js';

export interface ConformanceTarget {
  /** A fresh, empty store; `reopen` opens the same data again after close. */
  open(): Promise<{ readonly store: Store; readonly reopen?: () => Promise<Store> }>;
}

export function session(n: number, o: Partial<SessionRecord> = {}): SessionRecord {
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
    imvs: [{ imv: 'os', recommendation: 'allow', evaluation: 'compliant', reasons: ['ok'] }],
    recommendation: n % 4 === 0 ? 'isolate' : 'allow',
    evaluation: 'compliant',
    enforced: n % 4 === 0 ? 'isolate' : 'allow',
    group: n % 4 === 0 ? 'isolate' : 'allow',
    ...o,
  };
}

export const result = (n: number, policy = 'no-telnet') => [{ policy, outcome: 'pass' as const, recommendation: 'allow' as const, at: 1000 * n + 500, session: `s${n}` }];

const code = (c: StoreError['code']) => (e: unknown) => e instanceof StoreError && e.code === c;
const admin = { actor: 'alice' };

async function until<T>(f: () => T | undefined, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function storeConformance(name: string, target: ConformanceTarget): void {
  describe(`store conformance: ${name}`, () => {
    it('devices: sightings, versions, move to a group (audited), list by group/product with a cursor, delete', async () => {
      const { store } = await target.open();
      try {
        const d = await store.recordDevice({ id: 'd1', idKind: 'device-id', product: 'Debian 12 x86_64', user: 'carol', at: 5 });
        assert.deepEqual(d, { id: 'd1', idKind: 'device-id', firstSeen: 5, lastSeen: 5, product: 'Debian 12 x86_64', lastUser: 'carol', version: 1 });
        for (let n = 2; n <= 7; n++) await store.recordDevice({ id: `d${n}`, idKind: 'user', product: n % 2 ? 'Debian 12' : 'Ubuntu 24.04', at: n * 10 });
        const again = await store.recordDevice({ id: 'd1', idKind: 'device-id', at: 9 });
        assert.equal(again.version, 2);
        assert.equal(again.firstSeen, 5);
        const moved = await store.moveDevice('d3', ['Lab'], admin);
        assert.deepEqual(moved.groups, ['Lab']);
        await assert.rejects(store.moveDevice('d3', ['X'], { actor: 'bob', expectedVersion: 1 }), code('STORE_CONFLICT'));
        await store.moveDevice('d5', ['Lab', 'Servers'], { actor: 'bob', expectedVersion: 1 });
        assert.deepEqual((await store.listDevices({ group: 'Lab' })).items.map((x) => x.id), ['d5', 'd3']);
        const p1 = await store.listDevices({ product: 'debian', limit: 2 });
        assert.deepEqual(p1.items.map((x) => x.id), ['d7', 'd5']);
        const p2 = await store.listDevices({ product: 'debian', limit: 2, cursor: p1.cursor! });
        assert.deepEqual(p2.items.map((x) => x.id), ['d3', 'd1']);
        assert.equal(p2.cursor, undefined);
        const all = await store.listDevices({ limit: 3 });
        assert.equal(all.items.length, 3);
        if (all.total !== undefined) assert.equal(all.total, 7);
        assert.deepEqual((await store.updateDevice('d1', { description: 'lab box' }))?.description, 'lab box');
        assert.equal(await store.updateDevice('nope', { description: 'x' }), undefined);
        await store.recordSession(session(1, { device: 'd7' }), result(1));
        assert.equal(await store.deleteDevice('d7', admin), true);
        assert.equal(await store.getDevice('d7'), undefined);
        assert.deepEqual(await store.getPolicyResults('d7'), []);
        assert.equal(await store.deleteDevice('d7', admin), false);
        const audit = await store.listAudit({ kind: 'device' });
        assert.deepEqual(audit.items.map((a) => [a.action, a.key, a.actor]), [['delete', 'd7', 'alice'], ['move', 'd5', 'bob'], ['move', 'd3', 'alice']]);
      } finally {
        await store.close();
      }
    });

    it('device override (manual quarantine): set and lifted by updateDevice, audited, kept by sightings, announced', async () => {
      const { store } = await target.open();
      const changes: StoreChange[] = [];
      const unwatch = store.watch((c) => changes.push(c));
      try {
        await store.recordDevice({ id: 'q1', idKind: 'device-id', product: 'Debian 12', at: 5 });
        const override = { enforce: 'isolate' as const, actor: 'alice', at: 7 };
        const set = await store.updateDevice('q1', { override }, { actor: 'alice', at: 7, expectedVersion: 1 });
        assert.deepEqual(set?.override, override);
        assert.equal(set?.version, 2);
        // A sighting (the next assessment) keeps what the administrator set.
        const seen = await store.recordDevice({ id: 'q1', idKind: 'device-id', product: 'Debian 12.5', at: 9 });
        assert.deepEqual(seen.override, override);
        assert.deepEqual((await store.getDevice('q1'))?.override, override);
        await assert.rejects(store.updateDevice('q1', { override: null }, { actor: 'bob', expectedVersion: 2 }), code('STORE_CONFLICT'));
        const stricter = await store.updateDevice('q1', { override: { enforce: 'no-access', actor: 'bob', at: 10 }, description: 'stolen' }, { actor: 'bob', at: 10 });
        assert.deepEqual([stricter?.override?.enforce, stricter?.description], ['no-access', 'stolen']);
        const lifted = await store.updateDevice('q1', { override: null }, { actor: 'carol', at: 11 });
        assert.equal(lifted?.override, undefined);
        assert.ok(!('override' in (await store.getDevice('q1'))!));
        // Untouched when the change does not name it.
        await store.updateDevice('q1', { override: override }, { actor: 'alice', at: 12 });
        assert.deepEqual((await store.updateDevice('q1', { description: 'found' }))?.override, override);
        const audit = (await store.listAudit({ kind: 'device', key: 'q1' })).items;
        assert.deepEqual(audit.map((a) => [a.action, a.actor]), [['update', 'alice'], ['update', 'carol'], ['update', 'bob'], ['update', 'alice']]);
        assert.deepEqual((audit[1]!.after as { override?: unknown }).override, undefined);
        assert.deepEqual((audit[1]!.before as { override?: unknown }).override, { enforce: 'no-access', actor: 'bob', at: 10 });
        await until(() => (changes.filter((c) => c.kind === 'device' && c.key === 'q1').length >= 7 ? true : undefined));
      } finally {
        unwatch();
        await store.close();
      }
    });

    it('sessions and per-device results: one step, newest first, filters, cursor, bad cursor/limit', async () => {
      const { store } = await target.open();
      try {
        for (let n = 1; n <= 20; n++) await store.recordSession(session(n), result(n));
        assert.deepEqual(await store.getSession('s7'), session(7));
        assert.deepEqual(await store.getPolicyResults('dev-1'), result(19));
        await store.recordSession(session(21, { device: 'dev-1' }), result(21, 'other'));
        assert.deepEqual(new Set((await store.getPolicyResults('dev-1')).map((r) => r.policy)), new Set(['no-telnet', 'other']));
        const p1 = await store.listSessions({ user: 'carol', limit: 4 });
        assert.deepEqual(p1.items.map((x) => x.id), ['s21', 's19', 's17', 's15']);
        const p2 = await store.listSessions({ user: 'carol', limit: 4, cursor: p1.cursor! });
        assert.deepEqual(p2.items.map((x) => x.id), ['s13', 's11', 's9', 's7']);
        const p3 = await store.listSessions({ user: 'carol', limit: 4, cursor: p2.cursor! });
        assert.deepEqual(p3.items.map((x) => x.id), ['s5', 's3', 's1']);
        assert.equal(p3.cursor, undefined);
        assert.deepEqual((await store.listSessions({ recommendation: 'isolate', since: 8000 })).items.map((x) => x.id), ['s20', 's16', 's12', 's8']);
        assert.deepEqual((await store.listSessions({ device: 'dev-0', until: 7000 })).items.map((x) => x.id), ['s6', 's3']);
        const whole = await store.listSessions({ limit: 5 });
        if (whole.total !== undefined) assert.equal(whole.total, 21);
        await assert.rejects(store.listSessions({ cursor: 'nonsense' }), code('STORE_BAD_CURSOR'));
        await assert.rejects(store.listSessions({ limit: 0 }), code('STORE_BAD_REQUEST'));
        assert.equal(await store.getSession('nope'), undefined);
      } finally {
        await store.close();
      }
    });

    it('admin entities: create, list in creation order, filters, versions, conflicts, null removes, delete, audit', async () => {
      const { store } = await target.open();
      try {
        const g = await store.create('group', { name: 'Linux', description: 'all' }, admin);
        assert.equal(g.version, 1);
        await store.create('group', { name: 'Debian', parent: 'Linux', defaultFor: ['Debian*'] }, admin);
        await store.create('group', { name: 'Ubuntu', parent: 'Linux' }, admin);
        await assert.rejects(store.create('group', { name: 'Linux' }, admin), code('STORE_EXISTS'));
        assert.deepEqual((await store.list('group')).items.map((x) => x.name), ['Linux', 'Debian', 'Ubuntu']);
        assert.deepEqual((await store.list('group', { parent: 'Linux' })).items.map((x) => x.name), ['Debian', 'Ubuntu']);
        const page = await store.list('group', { limit: 2 });
        assert.deepEqual(page.items.map((x) => x.name), ['Linux', 'Debian']);
        assert.deepEqual((await store.list('group', { limit: 2, cursor: page.cursor! })).items.map((x) => x.name), ['Ubuntu']);
        const p = await store.create('policy', { name: 'no-telnet', type: 'packages-blacklist', argument: ['telnetd'], onFail: 'isolate' }, admin);
        assert.deepEqual(p.argument, ['telnetd']);
        const e = await store.create('enforcement', { policy: 'no-telnet', group: 'Debian', maxAge: 60 }, admin);
        assert.equal(e.id, 'no-telnet@Debian');
        await store.create('enforcement', { policy: 'no-telnet', group: 'Ubuntu' }, admin);
        assert.deepEqual((await store.list('enforcement', { group: 'Ubuntu' })).items.map((x) => x.id), ['no-telnet@Ubuntu']);
        const e2 = await store.update('enforcement', 'no-telnet@Debian', { maxAge: 120 }, { actor: 'bob', expectedVersion: 1 });
        assert.equal(e2.maxAge, 120);
        assert.equal(e2.version, 2);
        await assert.rejects(store.update('enforcement', 'no-telnet@Debian', { maxAge: 5 }, { actor: 'bob', expectedVersion: 1 }), code('STORE_CONFLICT'));
        await assert.rejects(store.update('policy', 'missing', { remediation: 'x' }, admin), code('STORE_NOT_FOUND'));
        const noDesc = await store.update('group', 'Linux', { description: null }, admin);
        assert.equal('description' in noDesc, false);
        await assert.rejects(store.update('group', 'Linux', { name: 'Other' } as never, admin), code('STORE_BAD_REQUEST'));
        await assert.rejects(store.remove('group', 'Ubuntu', { actor: 'bob', expectedVersion: 9 }), code('STORE_CONFLICT'));
        assert.equal(await store.remove('group', 'Ubuntu', admin), true);
        assert.equal(await store.remove('group', 'Ubuntu', admin), false);
        assert.equal(await store.get('group', 'Ubuntu'), undefined);
        assert.deepEqual((await store.get('policy', 'no-telnet'))?.onFail, 'isolate');
        const audit = await store.listAudit({ limit: 3 });
        assert.deepEqual(audit.items.map((a) => [a.action, a.kind, a.key]), [['delete', 'group', 'Ubuntu'], ['update', 'group', 'Linux'], ['update', 'enforcement', 'no-telnet@Debian']]);
        assert.deepEqual((audit.items[2]!.before as { maxAge: number }).maxAge, 60);
        assert.deepEqual((audit.items[2]!.after as { maxAge: number }).maxAge, 120);
        const next = await store.listAudit({ limit: 3, cursor: audit.cursor! });
        assert.equal(next.items.length, 3);
        assert.deepEqual((await store.listAudit({ actor: 'bob' })).items.length, 1);
      } finally {
        await store.close();
      }
    });

    it('users and RADIUS clients: passwords and secrets are write-only, never in records or the audit log', async () => {
      const { store } = await target.open();
      try {
        const u = await store.create('user', { name: 'carol', password: 'Ar3etTnp', group: 'allow' }, admin);
        assert.deepEqual({ ...u, created: 0, updated: 0 }, { name: 'carol', group: 'allow', hasPassword: true, version: 1, created: 0, updated: 0 });
        const c = await store.create('radius-client', { name: 'moon', address: '10.1.0.0/16', secret: 'Sup3rS3cr3t' }, admin);
        assert.equal(c.requireMessageAuthenticator, true);
        assert.equal(c.hasSecret, true);
        assert.equal(await store.getCredential('user', 'carol'), 'Ar3etTnp');
        assert.equal(await store.getCredential('radius-client', 'moon'), 'Sup3rS3cr3t');
        await store.update('user', 'carol', { password: 'N3wPassw0rd' }, admin);
        assert.equal(await store.getCredential('user', 'carol'), 'N3wPassw0rd');
        await assert.rejects(store.create('user', { name: 'x', password: '', group: 'allow' }, admin), code('STORE_BAD_REQUEST'));
        const listed = JSON.stringify([(await store.list('user')).items, (await store.list('radius-client')).items, (await store.listAudit()).items]);
        for (const secret of ['Ar3etTnp', 'N3wPassw0rd', 'Sup3rS3cr3t']) assert.ok(!listed.includes(secret), `${secret} leaked`);
        assert.deepEqual((await store.list('user', { group: 'allow' })).items.map((x) => x.name), ['carol']);
        assert.equal(await store.getCredential('user', 'nobody'), undefined);
      } finally {
        await store.close();
      }
    });

    it('seed: once (the store is authoritative after); model version and change notifications', async () => {
      const { store } = await target.open();
      try {
        const changes: StoreChange[] = [];
        const unwatch = store.watch((c) => changes.push(c));
        const v0 = await store.modelVersion();
        const data = {
          groups: [{ name: 'Linux' }, { name: 'Debian', parent: 'Linux', defaultFor: ['Debian*'] }],
          policies: [{ name: 'p1', type: 'test-command' }, { name: 'p2', type: 'packages-blacklist', argument: ['telnetd'] }],
          enforcements: [{ policy: 'p1', group: 'Linux' }, { policy: 'p2', group: 'Debian', maxAge: 86400 }, { policy: 'p2', group: 'Debian', maxAge: 1 }],
          devices: [{ id: 'dev-lab', groups: ['Debian'] }],
          users: [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }],
          radiusClients: [{ name: 'moon', address: '127.0.0.1', secret: 'testing123' }],
        };
        assert.equal(await store.seed(data, { actor: 'config-seed' }), true);
        assert.equal(await store.seed({ ...data, policies: [{ name: 'p3', type: 'test-command' }] }, { actor: 'config-seed' }), false);
        assert.deepEqual((await store.list('policy')).items.map((p) => p.name), ['p1', 'p2']);
        assert.deepEqual((await store.list('enforcement')).items.map((e) => [e.id, e.maxAge]), [['p1@Linux', undefined], ['p2@Debian', 86400]]);
        assert.deepEqual((await store.getDevice('dev-lab'))?.groups, ['Debian']);
        assert.equal(await store.getCredential('radius-client', 'moon'), 'testing123');
        const v1 = await store.modelVersion();
        assert.ok(v1 > v0);
        await store.update('policy', 'p2', { argument: ['telnetd', 'rsh-server'] }, admin);
        const v2 = await store.modelVersion();
        assert.ok(v2 > v1);
        await store.update('user', 'carol', { group: 'isolate' }, admin);
        assert.equal(await store.modelVersion(), v2, 'users are not the posture model');
        await until(() => changes.find((c) => c.kind === 'policy' && c.key === 'p2' && c.action === 'update'));
        const seen = await until(() => changes.find((c) => c.kind === 'user' && c.key === 'carol'));
        assert.equal(seen.modelVersion, v2);
        unwatch();
      } finally {
        await store.close();
      }
    });

    it('active sessions: opened on Access-Accept, made active and closed by accounting in one step', async () => {
      const { store } = await target.open();
      try {
        const base = { user: 'carol', nas: 'moon', nasAddress: '127.0.0.1', nasIdentifier: 'moon-gw', group: 'allow' };
        await store.openActiveSession({ ...base, id: 'a1', class: 'aa01', device: 'dev-1', assessment: 's1', start: 100, callingStationId: '10.0.0.5' });
        await store.openActiveSession({ ...base, id: 'a2', user: 'dave', start: 200 });
        const start = await store.recordAccounting({ client: 'moon', status: 'start', sessionId: 'X1', userName: 'carol', framedIp: '10.3.0.1', class: 'aa01', receivedAt: 300 });
        assert.equal(start?.id, 'a1');
        assert.equal(start?.state, 'active');
        assert.equal(start?.framedIp, '10.3.0.1');
        // No Class: NAS + Acct-Session-Id, else the open one of NAS + user.
        const interim = await store.recordAccounting({ client: 'moon', status: 'interim-update', sessionId: 'X1', inputOctets: 1000, receivedAt: 400 });
        assert.equal(interim?.id, 'a1');
        assert.equal(interim?.inputOctets, 1000);
        const dave = await store.recordAccounting({ client: 'moon', status: 'start', sessionId: 'X2', userName: 'dave', framedIp: '10.3.0.2', receivedAt: 450 });
        assert.equal(dave?.id, 'a2');
        assert.equal(await store.recordAccounting({ client: 'sun', status: 'start', sessionId: 'X9', userName: 'eve', receivedAt: 460 }), undefined);
        assert.deepEqual((await store.listActiveSessions()).items.map((s) => s.id), ['a2', 'a1']);
        assert.deepEqual((await store.listActiveSessions({ framedIp: '10.3.0.1' })).items.map((s) => s.id), ['a1']);
        const stop = await store.recordAccounting({ client: 'moon', status: 'stop', sessionId: 'X1', terminateCause: 'User-Request', receivedAt: 500 });
        assert.equal(stop?.state, 'closed');
        assert.equal(stop?.end, 500);
        assert.deepEqual((await store.listActiveSessions()).items.map((s) => s.id), ['a2']);
        assert.deepEqual((await store.listActiveSessions({ state: 'all', user: 'carol' })).items.map((s) => s.id), ['a1']);
        assert.equal((await store.getActiveSession('a1'))?.terminateCause, 'User-Request');
        const acct = await store.listAccounting({ limit: 2 });
        assert.deepEqual(acct.items.map((a) => a.status), ['stop', 'start']);
        assert.equal((await store.listAccounting({ cursor: acct.cursor! })).items.length, 3);
        assert.deepEqual((await store.listAccounting({ sessionId: 'X1' })).items.map((a) => a.status), ['stop', 'interim-update', 'start']);
      } finally {
        await store.close();
      }
    });

    it('virtual IP leases: a pool replaced as a whole, listed by pool and address with filters', async () => {
      const { store } = await target.open();
      try {
        await store.saveLeases('rw', [
          { address: '10.3.0.2', identity: 'dave', acquired: 2, released: 0 },
          { address: '10.3.0.1', identity: 'carol', acquired: 1, released: 5 },
        ]);
        await store.saveLeases('isolate', [{ address: '10.4.0.1', identity: 'eve', acquired: 3, released: 0 }]);
        assert.deepEqual((await store.listLeases()).items.map((l) => `${l.pool}/${l.address}`), ['isolate/10.4.0.1', 'rw/10.3.0.1', 'rw/10.3.0.2']);
        assert.deepEqual((await store.listLeases({ online: true, pool: 'rw' })).items.map((l) => l.identity), ['dave']);
        await store.saveLeases('rw', [{ address: '10.3.0.9', identity: 'carol', acquired: 9, released: 0 }]);
        const page = await store.listLeases({ limit: 1 });
        assert.equal(page.items.length, 1);
        assert.deepEqual((await store.listLeases({ cursor: page.cursor! })).items.map((l) => l.address), ['10.3.0.9']);
      } finally {
        await store.close();
      }
    });

    it('any cursor or limit from a caller: a page or STORE_BAD_CURSOR / STORE_BAD_REQUEST, nothing else', async () => {
      const { store } = await target.open();
      try {
        for (let n = 1; n <= 5; n++) await store.recordSession(session(n), result(n));
        await store.create('group', { name: 'g' }, admin);
        const cursor = fc.oneof(fc.string(), fc.base64String(), fc.array(fc.string(), { maxLength: 3 }).map((a) => Buffer.from(JSON.stringify(a)).toString('base64url')));
        await fc.assert(
          fc.asyncProperty(cursor, fc.option(fc.integer({ min: -5, max: 5000 }), { nil: undefined }), async (c, limit) => {
            for (const call of [() => store.listSessions({ cursor: c, ...(limit !== undefined ? { limit } : {}) }), () => store.list('group', { cursor: c }), () => store.listAudit({ cursor: c }), () => store.listDevices({ cursor: c })]) {
              try {
                const page = await call();
                assert.ok(Array.isArray(page.items) && page.items.length <= 1000);
              } catch (e) {
                assert.ok(e instanceof StoreError && (e.code === 'STORE_BAD_CURSOR' || e.code === 'STORE_BAD_REQUEST'), String(e));
              }
            }
          }),
          { numRuns: 60 },
        );
      } finally {
        await store.close();
      }
    });

    it('durable: everything written is there after a reopen', async () => {
      const { store, reopen } = await target.open();
      await store.recordDevice({ id: 'd1', idKind: 'device-id', at: 1 });
      await store.recordSession(session(1, { device: 'd1' }), result(1));
      await store.create('policy', { name: 'p', type: 'test-command' }, admin);
      await store.create('user', { name: 'carol', password: 'pw', group: 'allow' }, admin);
      await store.openActiveSession({ id: 'a1', user: 'carol', nas: 'moon', nasAddress: '127.0.0.1', group: 'allow', start: 1 });
      await store.recordAccounting({ client: 'moon', status: 'start', userName: 'carol', receivedAt: 2 });
      await store.saveLeases('rw', [{ address: '10.3.0.1', identity: 'carol', acquired: 1, released: 0 }]);
      const version = await store.modelVersion();
      await store.close();
      await assert.rejects(store.recordSession(session(2), []), code('STORE_CLOSED'));
      if (!reopen) return;
      const again = await reopen();
      try {
        assert.deepEqual(await again.getSession('s1'), session(1, { device: 'd1' }));
        assert.deepEqual(await again.getPolicyResults('d1'), result(1));
        assert.equal((await again.get('policy', 'p'))?.type, 'test-command');
        assert.equal(await again.getCredential('user', 'carol'), 'pw');
        assert.equal((await again.getActiveSession('a1'))?.state, 'active');
        assert.equal((await again.listLeases()).items.length, 1);
        assert.equal((await again.listAudit()).items.length, 2);
        assert.equal(await again.modelVersion(), version);
      } finally {
        await again.close();
      }
    });
  });
}
