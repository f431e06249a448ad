/**
 * pep.yaml `leases`: where persistent pools keep their leases (file under stateDir, or Redis shared
 * with the PDP's store). Errors name the field; the Redis password never shows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { buildPepConfig } from '../config/pep-config.js';
import { PepConfigError } from '../config/config-error.js';

const base = {
  ipsecConf: 'ipsec.conf',
  radius: { servers: [{ name: 'alice', address: '10.1.0.10', secret: 'gv6URkSs' }] },
};

function problems(doc: unknown): string {
  try {
    buildPepConfig(doc, 'pep.yaml', '/etc/tnc-pep');
  } catch (e) {
    assert.ok(e instanceof PepConfigError || e instanceof Error);
    return (e as Error).message;
  }
  assert.fail('expected a configuration error');
}

describe('pep.yaml leases', () => {
  it('defaults to the file store', () => {
    assert.deepEqual(buildPepConfig(base, 'pep.yaml', '/etc/tnc-pep').leases, { backend: 'file' });
  });

  it('redis with a URL, password kept out of every rendering', () => {
    const c = buildPepConfig({ ...base, leases: { backend: 'redis', redis: { url: 'redis://10.1.0.5:6379', keyPrefix: 'tnc', password: 'Sup3rSecret' } } }, 'pep.yaml', '/etc/tnc-pep');
    assert.equal(c.leases.backend, 'redis');
    if (c.leases.backend !== 'redis') return;
    assert.equal(c.leases.redis.url, 'redis://10.1.0.5:6379');
    assert.equal(c.leases.redis.password?.reveal().toString('utf8'), 'Sup3rSecret');
    assert.ok(!JSON.stringify(c).includes('Sup3rSecret'));
    assert.ok(!inspect(c, { depth: 10 }).includes('Sup3rSecret'));
  });

  it('errors name the field', () => {
    assert.match(problems({ ...base, leases: { backend: 'redis' } }), /leases\.redis: missing: backend redis needs leases\.redis with url, host or cluster/);
    assert.match(problems({ ...base, leases: { backend: 'sqlite' } }), /leases\.backend/);
    assert.match(problems({ ...base, leases: { backend: 'redis', redis: { url: 'http://x' } } }), /leases\.redis\.url/);
  });
});
