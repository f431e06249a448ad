/**
 * The policy model in the configuration: the schema accepts it, cross-references are checked with
 * errors that name the field, the flat imvs section alone still loads unchanged, the store
 * section's defaults, and the embedded demo shows the model.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, buildConfig, embeddedDefault } from '../config/load.js';
import { resolvePosturePolicy } from '../posture/policy.js';

const minimal = { radius: { clients: [{ name: 'moon', address: '10.1.0.1', secret: 'x' }] }, users: [] };

function problems(doc: unknown): string[] {
  try {
    buildConfig(doc, 'test', '/tmp');
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return [...e.problems];
  }
  assert.fail('expected a ConfigError');
}

const model = {
  imvs: { test: {} },
  deviceGroups: [{ name: 'Debian', defaultFor: ['Debian 12*'] }, { name: 'Lab', parent: 'Debian' }],
  devices: [{ id: 'dev-1', groups: ['Lab'], description: 'bench' }],
  policies: [
    { name: 'no-telnet', type: 'packages-blacklist', argument: ['telnetd'], onFail: 'isolate', onNoResult: 'allow' },
    { name: 'debian-12', type: 'os-product', argument: [{ name: 'Debian', minVersion: '12' }] },
    { name: 'no-ssh', type: 'tcp-ports-blocked', argument: [22, '2222-2230'] },
  ],
  enforcements: [
    { policy: 'no-telnet', group: 'Debian', maxAge: 86400 },
    { policy: 'debian-12', group: 'Debian' },
    { policy: 'test', group: 'Lab', onFail: 'no-access' },
  ],
};

describe('config: the posture policy model', () => {
  it('loads, and resolves with the flat imvs as implicit policies', () => {
    const c = buildConfig({ ...minimal, posture: model }, 'test', '/tmp');
    const r = resolvePosturePolicy(c.posture);
    assert.deepEqual([...r.model.groups.keys()], ['Default', 'Debian', 'Lab']);
    assert.deepEqual(r.model.enforcements.map((e) => [e.policy.name, e.group, e.maxAge]), [
      ['test', 'Default', 0],
      ['no-telnet', 'Debian', 86400],
      ['debian-12', 'Debian', 0],
      ['test', 'Lab', 0],
    ]);
    assert.deepEqual(r.model.policies.get('no-ssh')?.item, { policy: 'no-ssh', type: 'tcp-ports-blocked', argument: ['22', '2222-2230'] });
  });

  it('errors name the field', () => {
    const bad = {
      ...model,
      devices: [{ id: 'dev-1', groups: ['Lba'] }],
      policies: [...model.policies, { name: 'x', type: 'min-package-versions', argument: ['openssl'] }],
      enforcements: [...model.enforcements.slice(0, 2), { policy: 'no-telnt', group: 'Debian' }, { policy: 'x', group: 'Nowhere' }],
    };
    assert.deepEqual(problems({ ...minimal, posture: bad }), [
      "posture.devices.0.groups.0: unknown group 'Lba'",
      'posture.policies.3.argument: min-package-versions needs a map of package name to minimum version',
      "posture.enforcements.2.policy: unknown policy 'no-telnt'",
      "posture.enforcements.3.policy: unknown policy 'x'",
      "posture.enforcements.3.group: unknown group 'Nowhere'",
    ]);
    assert.deepEqual(problems({ ...minimal, posture: { ...model, policies: [{ name: 'p', type: 'no-telnet' }] } }).slice(0, 1), ['posture.policies.0.type: must be one of ["os-product","packages-blacklist","min-package-versions","forwarding-disabled","no-default-password","tcp-ports-blocked","tcp-ports-allowed","udp-ports-blocked","udp-ports-allowed","test-command"]']);
    assert.deepEqual(problems({ ...minimal, posture: { ...model, enforcements: [{ policy: 'no-telnet', group: 'Debian', maxAge: -1 }] } }), ['posture.enforcements.0.maxAge: must be >= 0']);
  });

  it('the flat imvs section alone loads as before; the store section has defaults', () => {
    const c = buildConfig({ ...minimal, posture: { imvs: { os: { blacklistedPackages: ['telnetd'] } } } }, 'test', '/tmp');
    assert.deepEqual(c.posture, { imvs: { os: { blacklistedPackages: ['telnetd'] } } });
    assert.deepEqual(c.store, { backend: 'embedded', maxSessions: 10_000, maxDevices: 1_000_000, snapshotEvery: 1000 });
    assert.equal(buildConfig({ ...minimal, store: { maxSessions: 5 } }, 'test', '/tmp').store.maxSessions, 5);
    assert.deepEqual(problems({ ...minimal, store: { backend: 'redis' } }), ['store.redis: missing: backend redis needs store.redis with url, host or cluster']);
    assert.deepEqual(problems({ ...minimal, store: { backend: 'sqlite' } }), ['store.backend: must be one of ["embedded","redis"]']);
  });

  it('the embedded demo shows the model', () => {
    const r = resolvePosturePolicy(embeddedDefault('/tmp').posture);
    assert.deepEqual([...r.model.groups.keys()], ['Default', 'Linux', 'Debian', 'Ubuntu']);
    assert.ok(r.model.enforcements.some((e) => e.policy.name === 'no-telnet-server' && e.maxAge === 86400));
  });
});
