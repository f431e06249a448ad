/**
 * Two of our PDP processes share one real redis-server (store.backend redis): posture results,
 * the posture model and sessions live in Redis, so
 *   1. an assessment through PDP A (our tnc-client over PT-TLS, this host's OS IMC) records the
 *      session and the device's policy results;
 *   2. PDP B's next assessment of the same device reads them: the policy A checked, enforced with
 *      maxAge 1 day, is skipped by B (its posture.device event: skipped) - B read A's result;
 *   3. a policy change made in the shared store (as A's admin API would: RedisStore.update/create)
 *      applies to B's next assessment without a restart: maxAge 0 makes B check again, and a new
 *      enforced policy is checked too.
 * The test also reads the sessions of both PDPs back from Redis.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { RedisStore } from '../pdp/store/redis-store.js';
import { startOurPdp, REPO_ROOT } from './lib/pdp.js';
import type { PdpConfig } from './lib/pdp-config.js';
import { freeUdpPorts } from './lib/ports.js';
import { run, Scope } from './lib/proc.js';
import type { RadiusServer as ServerUnderTest } from './lib/radius-server.js';
import { makeTempDir } from './lib/tmp.js';
import { REDIS_CLI, freeTcpPort, startRedis, type RedisServer } from './store-redis-servers.js';

const DEVICE = 'two-pdps-device-0001';
const KEY_PREFIX = 'two-pdps';

describe('two PDPs on one Redis share results and policies', () => {
  const scope = new Scope();
  let redis: RedisServer;
  let a: ServerUnderTest & { ptTlsPort: number };
  let b: ServerUnderTest & { ptTlsPort: number };
  let store: RedisStore;

  async function startPdp(name: string): Promise<ServerUnderTest & { ptTlsPort: number }> {
    const dir = makeTempDir(scope, `store-two-pdps-${name}`);
    const [auth, acct] = await freeUdpPorts(2);
    const ptTlsPort = await freeTcpPort();
    const config = {
      stateDir: join(dir, 'var'),
      radius: { auth: { address: '127.0.0.1', port: auth! }, accounting: { address: '127.0.0.1', port: acct! }, clients: [{ name: 'localhost', address: '127.0.0.1', secret: 'testing123' }] },
      pki: { serverName: 'pdp.store-two-pdps.test' },
      users: [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }],
      ptTls: { address: '127.0.0.1', port: ptTlsPort, clientAuth: 'sasl-plain' },
      posture: {
        imvs: {},
        policies: [{ name: 'no-telnet-server', type: 'packages-blacklist', argument: ['telnetd-that-is-not-installed'] }],
        enforcements: [{ policy: 'no-telnet-server', group: 'Default', maxAge: 86400 }],
      },
      store: { backend: 'redis', redis: { host: '127.0.0.1', port: redis.port, keyPrefix: KEY_PREFIX } },
      log: { level: 'debug' },
    } as unknown as PdpConfig;
    const pdp = await startOurPdp(scope, config, { readyTimeoutMs: 30_000 });
    return Object.assign(pdp, { ptTlsPort });
  }

  /** One assessment of DEVICE through `pdp`; returns that PDP's posture.device event for it. */
  async function assess(pdp: ServerUnderTest & { ptTlsPort: number }): Promise<{ checked: string[]; skipped: string[]; recommendation: string }> {
    const since = pdp.mark();
    const r = await run(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'pdp', 'tnc-client', 'cli.ts'), '--pt-tls', `127.0.0.1:${pdp.ptTlsPort}`, '--user', 'carol', '--password', 'Ar3etTnp', '--ca', pdp.caCertPath, '--server-name', 'pdp.store-two-pdps.test', '--device-id', DEVICE, '--quiet'],
      { timeoutMs: 60_000, check: false, cwd: REPO_ROOT },
    );
    assert.ok(!r.timedOut, 'tnc-client timed out');
    const ev = await pdp.proc.waitForJson((o) => o['event'] === 'posture.device' && o['device'] === DEVICE, { since, timeoutMs: 10_000, what: 'posture.device' });
    return { checked: ev['checked'] as string[], skipped: ev['skipped'] as string[], recommendation: `${r.stdout}`.trim() };
  }

  before(async () => {
    redis = await startRedis(scope, makeTempDir(scope, 'store-two-pdps-redis'));
    a = await startPdp('a');
    b = await startPdp('b');
    store = await RedisStore.open({ host: '127.0.0.1', port: redis.port, keyPrefix: KEY_PREFIX });
    scope.defer('close the test store', () => store.close());
  });
  after(() => scope.close());

  it('A records a result, B reads it; a policy change in the shared store applies to B without a restart', { timeout: 180_000 }, async () => {
    // Seeded once, by whichever PDP started first.
    assert.deepEqual((await store.list('policy')).items.map((p) => p.name), ['no-telnet-server']);
    assert.equal((await store.listAudit({ kind: 'policy' })).items.filter((x) => x.action === 'seed').length, 1);

    const first = await assess(a);
    assert.deepEqual(first.checked, ['no-telnet-server']);
    assert.deepEqual(first.skipped, []);
    const results = await store.getPolicyResults(DEVICE);
    assert.deepEqual(results.map((r) => [r.policy, r.outcome]), [['no-telnet-server', 'pass']]);

    // B: the pass A recorded is younger than maxAge: B does not check it again.
    const second = await assess(b);
    assert.deepEqual(second.skipped, ['no-telnet-server'], 'B read the result A recorded');
    assert.deepEqual(second.checked, []);

    // A change in the shared store: maxAge 0 and a new enforced policy, no restart.
    await store.update('enforcement', 'no-telnet-server@Default', { maxAge: 0 }, { actor: 'integration-test' });
    await store.create('policy', { name: 'no-rsh-server', type: 'packages-blacklist', argument: ['rsh-server-that-is-not-installed'] }, { actor: 'integration-test' });
    await store.create('enforcement', { policy: 'no-rsh-server', group: 'Default' }, { actor: 'integration-test' });
    const third = await assess(b);
    assert.deepEqual(third.checked, ['no-telnet-server', 'no-rsh-server']);
    assert.deepEqual(third.skipped, []);

    const sessions = (await store.listSessions({ device: DEVICE })).items;
    assert.equal(sessions.length, 3);
    assert.ok(sessions.every((s) => s.via === 'pt-tls' && s.user === 'carol' && s.recommendation === 'allow'));
    assert.deepEqual(sessions[0]!.policies.map((p) => p.policy), ['no-telnet-server', 'no-rsh-server']);
    assert.equal((await store.getDevice(DEVICE))?.idKind, 'device-id');
  });

  it('Redis killed mid-run: A still decides (no history), queues the session, writes it when Redis is back', { timeout: 120_000 }, async () => {
    assert.equal(spawnSync(REDIS_CLI, ['-p', String(redis.port), 'save'], { encoding: 'utf8' }).stdout.trim(), 'OK');
    const since = a.mark();
    await redis.kill();
    const t0 = Date.now();
    const down = await assess(a);
    const took = Date.now() - t0;
    assert.match(down.recommendation, /allow/i, 'the assessment still completes');
    assert.ok(took < 30_000, `assessment with Redis down took ${took} ms`);
    await a.proc.waitForJson((o) => o['event'] === 'store.unavailable', { since, timeoutMs: 5000, what: 'store.unavailable' });
    await a.proc.waitForJson((o) => o['event'] === 'store.outbox-queued', { since, timeoutMs: 5000, what: 'store.outbox-queued' });
    await redis.restart();
    await a.proc.waitForJson((o) => o['event'] === 'store.outbox-flushed', { since, timeoutMs: 20_000, what: 'store.outbox-flushed' });
    const end = Date.now() + 10_000;
    let sessions = 0;
    while (Date.now() < end) {
      sessions = await store.listSessions({ device: DEVICE }).then((p) => p.items.length, () => 0);
      if (sessions === 4) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(sessions, 4, 'the three acknowledged sessions (from the dump) and the queued one');
    // And the PDP goes on with Redis: B's next assessment is recorded directly.
    await assess(b);
    assert.equal((await store.listSessions({ device: DEVICE })).items.length, 5);
  });
});
