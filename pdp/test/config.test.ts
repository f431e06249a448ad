import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, buildConfig, embeddedDefault, loadConfigFile } from '../config/load.js';

const minimal = { radius: { clients: [{ name: 'moon', address: '10.1.0.1', secret: 'x' }] }, users: [] };

function problems(doc: unknown): string[] {
  try {
    buildConfig(doc, 'test.yaml', '/tmp');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    return [...e.problems];
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('fills defaults: loopback listeners, Message-Authenticator required, TLS 1.2, fragment 1024', () => {
    const c = buildConfig(minimal, 'test', '/etc/tnc');
    assert.deepEqual(c.radius.auth, { address: '127.0.0.1', port: 1812 });
    assert.equal(c.radius.clients[0]?.requireMessageAuthenticator, true);
    assert.equal(c.eap.ttls.maxVersion, 'TLSv1.2');
    assert.equal(c.eap.ttls.fragmentSize, 1024);
    assert.equal(c.stateDir, '/etc/tnc/var');
  });
  it('errors name the field and say what is wrong', () => {
    assert.deepEqual(problems({ ...minimal, radius: { clients: [{ name: 'moon', address: '10.1.0.1', secret: '' }] } }), ['radius.clients.0.secret: must NOT have fewer than 1 characters']);
    assert.deepEqual(problems({ ...minimal, radius: { ...minimal.radius, port: 1812 } }), ["radius: unknown field 'port'"]);
    assert.deepEqual(problems({ users: [] }), ["(top level): missing required field 'radius'"]);
    assert.deepEqual(problems({ ...minimal, eap: { ttls: { maxVersion: 'TLSv1.1' } } }), ['eap.ttls.maxVersion: must be one of ["TLSv1.2","TLSv1.3"]']);
    assert.deepEqual(problems({ ...minimal, users: [{ name: 'a', password: 'p', group: 'allow' }, { name: 'a', password: 'q', group: 'allow' }] }), ["users.1.name: duplicate user 'a'"]);
    assert.deepEqual(problems({ ...minimal, eap: { ttls: { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' } } }), ['eap.ttls: minVersion TLSv1.3 is above maxVersion TLSv1.2']);
  });
  it('a secret never appears in an error message', () => {
    const p = problems({ radius: { clients: [{ name: 'm', address: 'nope!', secret: 'TOPSECRET' }] }, users: [] });
    assert.ok(p.length > 0);
    assert.ok(!p.join('\n').includes('TOPSECRET'));
  });
  it('reads YAML files and reports YAML syntax errors and missing files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const good = join(dir, 'pdp.yaml');
    writeFileSync(good, 'radius:\n  clients:\n    - { name: moon, address: 10.1.0.1/32, secret: s3cret }\nusers:\n  - { name: carol, password: pw, group: allow }\n');
    assert.equal(loadConfigFile(good).users[0]?.group, 'allow');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'radius: [\n');
    assert.throws(() => loadConfigFile(bad), (e: unknown) => e instanceof ConfigError && /not valid YAML/.test(e.message));
    assert.throws(() => loadConfigFile(join(dir, 'missing.yaml')), (e: unknown) => e instanceof ConfigError && /ENOENT/.test(e.message));
  });
  it('the embedded demo binds loopback only', () => {
    const c = embeddedDefault('/tmp');
    assert.equal(c.demo, true);
    assert.equal(c.radius.auth.address, '127.0.0.1');
    assert.ok(c.radius.accounting && c.radius.accounting.address === '127.0.0.1');
    assert.deepEqual(c.radius.clients.map((x) => x.address), ['127.0.0.1']);
  });
});
