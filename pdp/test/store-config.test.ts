/**
 * The store section of the configuration (backend embedded | redis, store.redis with field-named
 * errors), seeding a store from the configuration (once), and the posture model read from the
 * store (pdp/posture/store-model.ts): an admin change applies to the next assessment's model.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { buildConfig, ConfigError, embeddedDefault } from '../config/load.js';
import { StoreModelSource, type StoreModelEvent } from '../posture/store-model.js';
import { resolvePosturePolicy } from '../posture/policy.js';
import { EmbeddedStore } from '../store/embedded-store.js';
import { openConfiguredStore, seedData } from '../store/open-store.js';
import { resolveDeviceGroups, selectEnforcements } from '../posture/device-policy.js';
import { StoreUserDirectory } from '../store/store-user-directory.js';

const minimal = { radius: { clients: [{ name: 'moon', address: '10.1.0.1', secret: 'x' }] }, users: [] };
function problems(doc: unknown): string[] {
  try {
    buildConfig(doc, 'test', '/tmp');
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

describe('config: store section', () => {
  it('redis: url, host/port or cluster; keyPrefix, password, tls, timeouts', () => {
    const c = buildConfig({ ...minimal, store: { backend: 'redis', redis: { host: 'redis.example', port: 6380, keyPrefix: 'site-a', password: 'pw', tls: { ca: 'ca.pem' }, commandTimeoutMs: 500 } } }, 'test', '/etc/tnc');
    assert.equal(c.store.backend, 'redis');
    assert.deepEqual(c.store.redis, { host: 'redis.example', port: 6380, keyPrefix: 'site-a', password: 'pw', tls: { ca: '/etc/tnc/ca.pem' }, commandTimeoutMs: 500 });
    assert.equal(buildConfig({ ...minimal, store: { backend: 'redis', redis: { cluster: [{ host: 'a', port: 7000 }, { host: 'b', port: 7001 }] } } }, 'test', '/tmp').store.redis?.cluster?.length, 2);
    assert.equal(buildConfig({ ...minimal, store: { backend: 'redis', redis: { url: 'rediss://u:p@r:6379/2' } } }, 'test', '/tmp').store.redis?.url, 'rediss://u:p@r:6379/2');
  });

  it('errors name the field', () => {
    assert.deepEqual(problems({ ...minimal, store: { backend: 'mongodb' } }), ['store.backend: must be one of ["embedded","redis"]']);
    assert.deepEqual(problems({ ...minimal, store: { backend: 'redis' } }), ['store.redis: missing: backend redis needs store.redis with url, host or cluster']);
    assert.deepEqual(problems({ ...minimal, store: { redis: { host: 'r' } } }), ["store.redis: only used with store.backend 'redis'"]);
    assert.deepEqual(problems({ ...minimal, store: { backend: 'redis', redis: { host: 'r', cluster: [{ host: 'a', port: 1 }] } } }), ['store.redis: give exactly one of url, host (with port) or cluster']);
    assert.deepEqual(problems({ ...minimal, store: { backend: 'redis', redis: { url: 'http://x' } } }), ['store.redis.url: must match pattern "^rediss?://"']);
    assert.deepEqual(problems({ ...minimal, store: { backend: 'redis', redis: { host: 'r', port: 70000 } } }), ['store.redis.port: must be <= 65535']);
    assert.deepEqual(problems({ ...minimal, store: { backend: 'redis', redis: { host: 'r', keyPrefix: 'a{b}' } } }), ['store.redis.keyPrefix: must match pattern "^[^{}\\s]{1,64}$"']);
    assert.deepEqual(problems({ ...minimal, store: { backend: 'redis', redis: { host: 'r', cluster: [{ host: 'a' }] } } }).slice(0, 1), ['store.redis.cluster.0: missing required field \'port\'']);
    assert.deepEqual(problems({ ...minimal, store: { backend: 'redis', redis: { host: 'r', colour: 'red' } } }), ["store.redis: unknown field 'colour'"]);
  });
});

describe('store seeded from the configuration; the model read from the store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'store-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('npm start (the embedded demo): the embedded store, seeded once with the model, users and clients', async () => {
    const config = { ...embeddedDefault(dir), stateDir: dir };
    const log = { lines: [] as string[], info(o: object) { this.lines.push(JSON.stringify(o)); }, warn(o: object) { this.lines.push(JSON.stringify(o)); }, debug() {} };
    const a = await openConfiguredStore(config, log);
    assert.ok(log.lines.some((l) => l.includes('store.seeded')));
    assert.deepEqual((await a.list('policy')).items.map((p) => p.name), ['no-telnet-server', 'no-telnet-port']);
    assert.deepEqual((await a.list('user')).items.map((u) => [u.name, u.group]), [['carol', 'allow'], ['dave', 'isolate']]);
    assert.equal(await a.getCredential('radius-client', 'localhost'), 'testing123');
    await a.update('enforcement', 'no-telnet-server@Linux', { maxAge: 3600 }, { actor: 'alice' });
    await a.close();
    log.lines.length = 0;
    const b = await openConfiguredStore(config, log);
    assert.ok(!log.lines.some((l) => l.includes('store.seeded')), 'seeded once');
    assert.equal((await b.get('enforcement', 'no-telnet-server@Linux'))?.maxAge, 3600, 'the store is authoritative after the first start');
    await b.close();
  });

  it('an admin change applies to the next model; an invalid one keeps the last good model', async () => {
    const config = embeddedDefault(dir);
    const policy = resolvePosturePolicy(config.posture);
    const store = await EmbeddedStore.open({ dir, fsync: false });
    const events: StoreModelEvent[] = [];
    const source = new StoreModelSource(store, config.posture, (e) => events.push(e));
    assert.equal(await source.model(policy.model), policy.model, 'never seeded: the configuration model');
    await store.seed(seedData(config), { actor: 'config-seed' });
    const m1 = await source.model(policy.model);
    assert.notEqual(m1, policy.model);
    const debian = resolveDeviceGroups(m1, 'dev-1', 'Debian 12 x86_64');
    assert.deepEqual(debian.groups, ['Debian', 'Linux']);
    assert.deepEqual(selectEnforcements(m1, debian.groups).map((e) => [e.policy.name, e.maxAge]), [['test', 0], ['no-telnet-server', 86400], ['no-telnet-port', 0]]);
    assert.equal(await source.model(policy.model), m1, 'cached while the version stands');

    await store.update('enforcement', 'no-telnet-server@Linux', { maxAge: 60 }, { actor: 'alice' });
    await store.create('group', { name: 'Lab', parent: 'Debian' }, { actor: 'alice' });
    await store.moveDevice('dev-1', ['Lab'], { actor: 'alice' });
    const m2 = await source.model(policy.model);
    const lab = resolveDeviceGroups(m2, 'dev-1', 'Debian 12 x86_64', (await store.getDevice('dev-1'))?.groups);
    assert.deepEqual(lab, { groups: ['Lab', 'Debian', 'Linux'], how: 'explicit' });
    assert.equal(selectEnforcements(m2, lab.groups).find((e) => e.policy.name === 'no-telnet-server')?.maxAge, 60);

    await store.remove('policy', 'no-telnet-port', { actor: 'alice' }); // its enforcement now dangles
    assert.equal(await source.model(policy.model), m2, 'last good model kept');
    assert.ok(events.some((e) => e.type === 'posture.model-invalid' && e.problems.some((p) => p.includes("unknown policy 'no-telnet-port'"))));
    await store.remove('enforcement', 'no-telnet-port@Linux', { actor: 'alice' });
    const m3 = await source.model(policy.model);
    assert.deepEqual(selectEnforcements(m3, ['Linux']).map((e) => e.policy.name), ['test', 'no-telnet-server']);
    await store.close();
  });
});

describe('the store\'s users as the authenticators\' directory', () => {
  it('loaded at start, kept current by change notifications', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-users-'));
    const store = await EmbeddedStore.open({ dir, fsync: false });
    try {
      await store.seed({ ...seedData(embeddedDefault(dir)) }, { actor: 'config-seed' });
      const users = await StoreUserDirectory.load(store);
      assert.deepEqual(users.get('carol'), { name: 'carol', group: 'allow', password: 'Ar3etTnp' });
      assert.ok(users.verifyPassword(users.get('carol')!, Buffer.from('Ar3etTnp')));
      await store.update('user', 'carol', { password: 'N3w', group: 'isolate' }, { actor: 'alice' });
      await store.create('user', { name: 'erin', password: 'pw', group: 'allow' }, { actor: 'alice' });
      await store.remove('user', 'dave', { actor: 'alice' });
      const end = Date.now() + 2000;
      while ((users.get('carol')?.password !== 'N3w' || !users.get('erin') || users.get('dave')) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
      assert.deepEqual(users.get('carol'), { name: 'carol', group: 'isolate', password: 'N3w' });
      assert.equal(users.get('erin')?.group, 'allow');
      assert.equal(users.get('dave'), undefined);
      users.close();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
