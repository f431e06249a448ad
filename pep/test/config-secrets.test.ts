import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { PepConfigError } from '../config/config-error.js';
import { loadPrivateKeys } from '../config/credentials.js';
import { parseIdentity } from '../config/identity.js';
import { findSharedSecret, parseIpsecSecrets, readIpsecSecrets } from '../config/ipsec-secrets.js';
import { loadPepConfigFile } from '../config/pep-config.js';

const examples = fileURLToPath(new URL('../config/examples/', import.meta.url));

test('ipsec.secrets entries, selectors, encodings, includes; secrets never print', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pep-sec-'));
  mkdirSync(join(dir, 'ipsec.d', 'private'), { recursive: true });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'ipsec.d/private/moonKey.pem'), rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'ipsec.d/private/ecKey.pem'), ec.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'more.secrets'), 'carol@strongswan.org : EAP "Ar3etTnp"\n');
  writeFileSync(
    join(dir, 'ipsec.secrets'),
    '# comment\n: RSA moonKey.pem\n: ECDSA ecKey.pem\n192.168.0.1 %any : PSK "v+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL"\nmoon sun : PSK 0x6b6579\n: PSK 0sc2VjcmV0\ninclude more*.secrets\n: P12 x.p12\n',
  );
  const s = readIpsecSecrets(join(dir, 'ipsec.secrets'));
  assert.deepEqual(s.entries.map((e) => e.type), ['RSA', 'ECDSA', 'PSK', 'PSK', 'PSK', 'EAP']);
  assert.equal(s.warnings.length, 1);
  const keys = loadPrivateKeys(s);
  assert.deepEqual(keys.map((k) => k.key.asymmetricKeyType), ['rsa', 'ec']);
  const psk = findSharedSecret(s, 'PSK', parseIdentity('moon'), parseIdentity('sun'));
  assert.equal(psk?.reveal().toString(), 'key');
  assert.equal(findSharedSecret(s, 'PSK', parseIdentity('192.168.0.1'), parseIdentity('192.168.0.100'))?.reveal().toString(), 'v+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL');
  assert.equal(findSharedSecret(s, 'EAP', undefined, parseIdentity('carol@strongswan.org'))?.reveal().toString(), 'Ar3etTnp');
  const dump = `${JSON.stringify(s.entries)} ${inspect(s.entries, { depth: 5 })} ${String(psk)}`;
  for (const secret of ['v+NkxY9LL', 'Ar3etTnp']) assert.ok(!dump.includes(`"${secret}`) && !dump.includes(`'${secret}`), secret);
  assert.match(dump, /<secret>/);
  // A key of the wrong type names the file and line.
  writeFileSync(join(dir, 'bad.secrets'), '\n: ECDSA moonKey.pem\n');
  assert.throws(() => loadPrivateKeys(readIpsecSecrets(join(dir, 'bad.secrets'))), (e: unknown) => e instanceof PepConfigError && e.line === 2 && /not ECDSA/.test(e.message));
});

test('ipsec.secrets errors name file and line, never the secret', () => {
  const cases: [string, number, RegExp][] = [
    ['carol : EAP 0xZZsecretZZ\n', 1, /not valid hexadecimal/],
    ['\n\ncarol: PSK "hunter2"\n', 3, /surrounded by white space/],
    [': FOO "hunter2"\n', 1, /unknown secret type/],
    [': PSK "hunter2\n', 1, /unterminated/],
    [': PSK "hunter2" extra\n', 1, /unexpected text/],
    [': RSA key.pem %prompt\n', 1, /%prompt/],
  ];
  for (const [text, line, re] of cases) {
    assert.throws(() => parseIpsecSecrets(text, 'ipsec.secrets'), (e: unknown) => {
      assert.ok(e instanceof PepConfigError);
      assert.equal(e.line, line);
      assert.match(e.message, re);
      assert.ok(!e.message.includes('hunter2') && !e.message.includes('ZZsecret'), e.message);
      assert.ok(e.message.startsWith(`ipsec.secrets:${line}: `));
      return true;
    });
  }
});

test('pep.yaml example loads; errors name the field', () => {
  const c = loadPepConfigFile(join(examples, 'pep.yaml'));
  assert.equal(c.ipsecConf, join(examples, 'ipsec.conf'));
  assert.equal(c.ipsecDir, join(examples, 'ipsec.d'));
  assert.equal(c.radius.servers[0]!.address, '10.1.0.10');
  assert.equal(String(c.radius.servers[0]!.secret), '<secret>');
  assert.equal(c.radius.servers[0]!.secret.reveal().toString(), 'gv6URkSs');
  assert.equal(c.pools[0]!.name, 'bigpool');
  assert.equal(c.kernel, 'auto');
  assert.deepEqual(c.listen, [{ address: '192.168.0.1', ports: [500, 4500] }]);
  const dir = mkdtempSync(join(tmpdir(), 'pep-yaml-'));
  const bad = (yaml: string, re: RegExp) => {
    writeFileSync(join(dir, 'pep.yaml'), yaml);
    assert.throws(() => loadPepConfigFile(join(dir, 'pep.yaml')), (e: unknown) => e instanceof PepConfigError && re.test(e.message) && !e.message.includes('s3cr3t'));
  };
  bad('ipsecConf: x\nradius: {servers: [{name: a, address: 10.0.0.1, secret: s3cr3t, port: 70000}]}\n', /radius\.servers\.0\.port/);
  bad('ipsecConf: x\nradius: {servers: [{name: a, address: nowhere, secret: s3cr3t}]}\n', /radius\.servers\.0\.address: 'nowhere' is not an IP address/);
  bad('ipsecConf: x\nradius: {servers: [{name: a, address: 10.0.0.1, secret: s3cr3t}]}\nkernal: xfrm\n', /unknown field 'kernal'/);
  bad('ipsecConf: x\nradius: {servers: [{name: a, address: 10.0.0.1, secret: s3cr3t}]}\npools: [{name: p, cidr: 10.0.0.0/33}]\n', /pools\.0\.cidr/);
  bad('ipsecConf: x\nradius: {servers: [{name: a, address: 10.0.0.1, secret: s3cr3t}]}\nkernel: bsd\n', /kernel: must be one of/);
  bad('ipsecConf: x\nradius: {servers: [{name: a, address: 10.0.0.1, secret: "s3cr3t}]}\n', /not valid YAML/);
});
