/** The `ifmap` config section: defaults, resolved paths, and errors that name the field. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildConfig, ConfigError } from '../config/load.js';

const base = { radius: { clients: [{ name: 'moon', address: '127.0.0.1', secret: 'testing123' }] }, users: [] };

test('ifmap: defaults and paths; absent = disabled', () => {
  assert.equal(buildConfig(base, 't', '/etc/pdp').ifmap, undefined);
  const c = buildConfig({ ...base, ifmap: { url: 'https://map:8443/', auth: { certificate: { cert: 'c.pem', key: 'k.pem' } }, ca: 'ca.pem' } }, 't', '/etc/pdp');
  assert.deepEqual(c.ifmap, {
    url: 'https://map:8443/', auth: { certificate: { cert: '/etc/pdp/c.pem', key: '/etc/pdp/k.pem' } }, ca: '/etc/pdp/ca.pem',
    renewSeconds: 150, queueLimit: 10000, deviceName: 'tnc-pdp.localhost', requestTimeoutSeconds: 10,
  });
});

test('ifmap: invalid sections are refused with the field named', () => {
  const problems = (ifmap: unknown): string => {
    try {
      buildConfig({ ...base, ifmap }, 't', '/');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.problems.join('\n');
    }
    return assert.fail('accepted');
  };
  assert.match(problems({ auth: { basic: { user: 'u', password: 'p' } } }), /ifmap: missing required field 'url'/);
  assert.match(problems({ url: 'http://map/', auth: { basic: { user: 'u', password: 'p' } } }), /ifmap\.url: must match pattern/);
  assert.match(problems({ url: 'https://map/', auth: { basic: { user: 'u' } } }), /ifmap\.auth\.basic: missing required field 'password'/);
  assert.match(problems({ url: 'https://map/', auth: { basic: { user: 'u', password: 'p' } }, queueLimit: 0 }), /ifmap\.queueLimit: must be >= 1/);
  assert.match(problems({ url: 'https://map/', auth: { basic: { user: 'u', password: 'p' } }, renew: 5 }), /ifmap: unknown field 'renew'/);
});
