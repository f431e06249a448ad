/**
 * The Redis store against real redis-server processes:
 *   - the store conformance suite (pdp/test/store-conformance-suite.ts) on a standalone server and
 *     on a 3-master Redis Cluster (every key shares one hash tag, so the Lua steps run there too);
 *   - Redis killed mid-run: calls fail with STORE_UNAVAILABLE within a bounded time, nothing hangs
 *     or crashes, finished assessments wait in the outbox and are written once Redis is back, and
 *     everything Redis acknowledged before the kill is there (the server is restarted with the
 *     same data dir... without persistence the data is gone, so the test writes through the store,
 *     snapshots with SAVE before the kill and restarts from that dump);
 *   - a Redis that refuses connections: open fails with STORE_UNAVAILABLE naming the address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { RedisStore, type RedisStoreEvent } from '../pdp/store/redis-store.js';
import { StoreError } from '../pdp/store/store.js';
import { RedisLeaseStore } from '../pep/pool/redis-lease-store.js';
import { result, session, storeConformance } from '../pdp/test/store-conformance-suite.js';
import { Scope } from './lib/proc.js';
import { makeTempDir } from './lib/tmp.js';
import { REDIS_CLI, freeTcpPort, startRedis, startRedisCluster, type RedisServer } from './store-redis-servers.js';

const scope = new Scope();
after(() => scope.close());

describe('redis store: standalone', () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedis(scope, makeTempDir(scope, 'store-redis'));
  });
  storeConformance('redis standalone', {
    async open() {
      const keyPrefix = `t-${randomUUID()}`;
      const o = { host: '127.0.0.1', port: server.port, keyPrefix };
      return { store: await RedisStore.open(o), reopen: () => RedisStore.open(o) };
    },
  });
});

describe('redis store: the PEP\'s leases (pep/pool/redis-lease-store.ts) in the same keys', () => {
  it('the PEP saves a pool, the PDP store lists it; load round-trips; Redis gone: POOL_STORE', async () => {
    const server = await startRedis(scope, makeTempDir(scope, 'store-redis-lease'));
    const keyPrefix = 'lease-test';
    const pep = await RedisLeaseStore.open({ host: '127.0.0.1', port: server.port, keyPrefix, commandTimeoutMs: 500 });
    const pdp = await RedisStore.open({ host: '127.0.0.1', port: server.port, keyPrefix });
    try {
      const leases = [
        { address: '10.3.0.1', identity: 'carol', acquired: 1, released: 0 },
        { address: '10.3.0.2', identity: 'dave', acquired: 2, released: 3 },
      ];
      await pep.save('rw', leases);
      assert.deepEqual([...(await pep.load('rw'))].sort((a, b) => a.address.localeCompare(b.address)), leases);
      assert.deepEqual((await pdp.listLeases({ online: true })).items, [{ pool: 'rw', address: '10.3.0.1', identity: 'carol', acquired: 1, released: 0 }]);
      await pep.save('rw', [leases[1]!]);
      assert.deepEqual((await pdp.listLeases()).items.map((l) => l.address), ['10.3.0.2']);
      await server.kill();
      await assert.rejects(pep.save('rw', leases), (e: unknown) => (e as { code?: string }).code === 'POOL_STORE');
    } finally {
      await pep.close();
      await pdp.close();
    }
  });
});

describe('redis store: cluster', () => {
  let nodes: RedisServer[];
  before(async () => {
    nodes = await startRedisCluster(scope, makeTempDir(scope, 'store-redis-cluster'));
  });
  storeConformance('redis cluster (3 masters)', {
    async open() {
      const o = { cluster: nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), keyPrefix: `t-${randomUUID()}` };
      return { store: await RedisStore.open(o), reopen: () => RedisStore.open(o) };
    },
  });
});

describe('redis store: outages', () => {
  it('refused connection: open fails fast with STORE_UNAVAILABLE naming the address', async () => {
    const port = await freeTcpPort();
    const t0 = Date.now();
    await assert.rejects(RedisStore.open({ host: '127.0.0.1', port, connectTimeoutMs: 1500 }), (e: unknown) => e instanceof StoreError && e.code === 'STORE_UNAVAILABLE' && e.message.includes(`127.0.0.1:${port}`));
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  });

  it('a Redis that answers slowly: STORE_UNAVAILABLE after commandTimeoutMs, then back to normal', { timeout: 30_000 }, async () => {
    const server = await startRedis(scope, makeTempDir(scope, 'store-redis-slow'), undefined, ['--enable-debug-command', 'local']);
    const store = await RedisStore.open({ host: '127.0.0.1', port: server.port, keyPrefix: 'slow', commandTimeoutMs: 300 });
    try {
      await store.recordSession(session(1), result(1));
      const sleeper = spawn(REDIS_CLI, ['-p', String(server.port), 'DEBUG', 'SLEEP', '1.5'], { stdio: 'ignore' });
      const slept = new Promise((r) => sleeper.on('exit', r));
      await new Promise((r) => setTimeout(r, 150));
      const t0 = Date.now();
      await assert.rejects(store.getSession('s1'), (e: unknown) => e instanceof StoreError && e.code === 'STORE_UNAVAILABLE' && /timed out/i.test(e.message));
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
      await slept;
      assert.deepEqual(await store.getSession('s1'), session(1));
    } finally {
      await store.close();
    }
  });

  it('redis killed mid-run: STORE_UNAVAILABLE quickly, outbox flushed after restart, nothing acknowledged lost', { timeout: 60_000 }, async () => {
    const dir = makeTempDir(scope, 'store-redis-kill');
    const server = await startRedis(scope, dir);
    const events: RedisStoreEvent[] = [];
    const store = await RedisStore.open({ host: '127.0.0.1', port: server.port, keyPrefix: 'kill', commandTimeoutMs: 500, onEvent: (e) => events.push(e) });
    try {
      // Acknowledged writes, then a dump the restarted server loads (--save '' means only SAVE persists).
      for (let n = 1; n <= 20; n++) await store.recordSession(session(n), result(n));
      await store.create('policy', { name: 'p', type: 'test-command' }, { actor: 'alice' });
      assert.equal(spawnSync(REDIS_CLI, ['-p', String(server.port), 'save'], { encoding: 'utf8' }).stdout.trim(), 'OK');
      await server.kill();

      const t0 = Date.now();
      await assert.rejects(store.getSession('s1'), (e: unknown) => e instanceof StoreError && e.code === 'STORE_UNAVAILABLE');
      await assert.rejects(store.create('policy', { name: 'q', type: 'test-command' }, { actor: 'alice' }), (e: unknown) => e instanceof StoreError && e.code === 'STORE_UNAVAILABLE');
      await assert.rejects(store.recordAccounting({ client: 'moon', status: 'start', receivedAt: 1 }), (e: unknown) => e instanceof StoreError && e.code === 'STORE_UNAVAILABLE');
      const elapsed = Date.now() - t0;
      assert.ok(elapsed < 3000, `three failing calls took ${elapsed} ms`);
      assert.ok(events.some((e) => e.type === 'store.unavailable'));

      // Finished assessments while Redis is down: queued, the calls resolve.
      for (let n = 21; n <= 30; n++) await store.recordSession(session(n), result(n));
      assert.equal(store.outboxLength, 10);

      await server.restart();
      const end = Date.now() + 15_000;
      while (store.outboxLength > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      assert.equal(store.outboxLength, 0, 'outbox flushed after Redis came back');
      assert.ok(events.some((e) => e.type === 'store.available'));
      assert.ok(events.some((e) => e.type === 'store.outbox-flushed'));
      for (let n = 1; n <= 30; n++) assert.deepEqual(await store.getSession(`s${n}`), session(n), `session ${n}`);
      assert.equal((await store.get('policy', 'p'))?.name, 'p');
      assert.equal(await store.get('policy', 'q'), undefined, 'the failed create left nothing behind');
      assert.deepEqual(await store.getPolicyResults('dev-0'), result(30));
    } finally {
      await store.close();
    }
  });
});
