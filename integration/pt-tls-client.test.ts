/**
 * strongSwan 5.9.8's real `pt-tls-client` (with its Test and OS IMCs, configured through a
 * tnc_config file and STRONGSWAN_CONF, as strongSwan's own testing/tests/tnc/tnccs-20-pdp-pt-tls
 * scenario does) against our PT-TLS server (pdp/pt-tls) on a loopback port, with a fake
 * PostureSession deciding allow. Builds strongSwan with TNC first when it is not cached
 * (integration/lib/strongswan-tnc.ts, /var/cache/tnc-nea/strongswan-5.9.8-tnc); `pt-tls-client`
 * exits with 1 even after "Access Allowed" (PEERS.md), so it is judged by its output.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PtTlsServer, type ClientAuth, type PtTlsServerEvents } from '../pdp/pt-tls/index.js';
import { fakePostureService, makePtTlsPki, testUsers, type FakePostureService, type PtTlsTestPki } from '../pdp/pt-tls/test/helpers.js';
import { run, Scope } from './lib/proc.js';
import { ensureStrongswanTnc, type StrongswanTnc } from './lib/strongswan-tnc.js';
import { makeTempDir } from './lib/tmp.js';

describe('strongSwan pt-tls-client against our PT-TLS server', () => {
  const scope = new Scope();
  let ss: StrongswanTnc;
  let pki: PtTlsTestPki;
  let dir: string;

  before(async () => {
    ss = await ensureStrongswanTnc();
    pki = await makePtTlsPki();
    dir = makeTempDir(scope, 'pt-tls');
    writeFileSync(join(dir, 'ca.pem'), pki.caPem);
    writeFileSync(join(dir, 'client.pem'), pki.clientCertPem);
    writeFileSync(join(dir, 'client.key'), pki.clientKeyPem);
    writeFileSync(join(dir, 'tnc_config'), [`IMC "OS" ${join(ss.imcDir, 'imc-os.so')}`, `IMC "Test" ${join(ss.imcDir, 'imc-test.so')}`, ''].join('\n'));
    const conf = `pt-tls-client {
  load = pem openssl nonce tnc-tnccs tnc-imc tnccs-20
  tnc {
    tnc_config = ${join(dir, 'tnc_config')}
  }
}
libimcv {
  plugins {
    imc-test {
      command = allow
    }
    imc-os {
      device_id = pt-tls-it-device
    }
  }
}
`;
    writeFileSync(join(dir, 'strongswan.conf'), conf);
    // strongSwan's own PT-TLS scenario (tnccs-20-pdp-pt-tls) runs TLS 1.3.
    writeFileSync(join(dir, 'strongswan-tls13.conf'), `${conf}libtls {\n  version_max = 1.3\n}\n`);
  });
  after(() => scope.close());

  async function serve(clientAuth: ClientAuth): Promise<{ server: PtTlsServer; port: number; posture: FakePostureService; events: { name: string; ev: unknown }[] }> {
    const posture = fakePostureService('allow');
    const server = new PtTlsServer({
      address: '127.0.0.1',
      port: 0,
      identity: { certificatePem: pki.serverCertPem, privateKeyPem: pki.serverKeyPem, caPem: pki.caPem },
      clientAuth,
      users: testUsers(),
      postureService: posture,
    });
    const events: { name: string; ev: unknown }[] = [];
    for (const name of ['authenticated', 'auth-failed', 'decision', 'error', 'closed'] as const) server.on(name, (ev: unknown) => events.push({ name, ev }));
    const { port } = await server.listen();
    scope.defer('close PT-TLS server', () => server.close());
    return { server, port, posture, events };
  }

  async function ptTlsClient(port: number, args: string[], confFile = 'strongswan.conf'): Promise<string> {
    const r = await run(ss.ptTlsClient, ['--connect', '127.0.0.1', '--port', String(port), '--cert', join(dir, 'ca.pem'), '--debug', '2', ...args], {
      timeoutMs: 30_000,
      check: false,
      env: { ...process.env, STRONGSWAN_CONF: join(dir, confFile) },
    });
    assert.ok(!r.timedOut, 'pt-tls-client timed out');
    const out = r.stdout + r.stderr;
    if (process.env['INTEGRATION_VERBOSE'] === '1') process.stderr.write(out);
    return out;
  }

  const decision = (events: { name: string; ev: unknown }[]): PtTlsServerEvents['decision'][0] | undefined =>
    events.find((e) => e.name === 'decision')?.ev as PtTlsServerEvents['decision'][0] | undefined;

  it('SASL PLAIN as carol: "received SASL Success result", then "Access Allowed"', async () => {
    const s = await serve('sasl-plain');
    const out = await ptTlsClient(s.port, ['--client', 'carol', '--secret', 'Ar3etTnp']);
    assert.match(out, /negotiated TLS 1\.2/, out);
    assert.match(out, /received SASL Success result/, out);
    assert.match(out, /PB-TNC assessment result is 'compliant'/, out);
    assert.match(out, /PB-TNC access recommendation is 'Access Allowed'/, out);
    assert.equal(s.posture.contexts[0]?.user, 'carol');
    assert.equal(decision(s.events)?.decision?.recommendation, 'allow');
    assert.ok(!s.events.some((e) => e.name === 'error'), JSON.stringify(s.events));
  });

  it('SASL PLAIN over TLS 1.3 (libtls.version_max = 1.3): "Access Allowed"', async () => {
    const s = await serve('sasl-plain');
    const out = await ptTlsClient(s.port, ['--client', 'carol', '--secret', 'Ar3etTnp'], 'strongswan-tls13.conf');
    assert.match(out, /negotiated TLS 1\.3/, out);
    assert.match(out, /PB-TNC access recommendation is 'Access Allowed'/, out);
    assert.equal(decision(s.events)?.decision?.recommendation, 'allow');
  });

  it('no client authentication: the empty SASL Mechanisms list, then "Access Allowed"', async () => {
    const s = await serve('none');
    const out = await ptTlsClient(s.port, []);
    assert.match(out, /PT-TLS authentication complete/, out);
    assert.match(out, /PB-TNC access recommendation is 'Access Allowed'/, out);
    assert.equal(decision(s.events)?.user, 'anonymous');
  });

  it('TLS client certificate: the certificate CN is the user, then "Access Allowed"', async () => {
    const s = await serve('certificate');
    const out = await ptTlsClient(s.port, ['--client', 'C=CH, O=tnc-nea test, CN=carol@pt-tls.test', '--cert', join(dir, 'client.pem'), '--key', join(dir, 'client.key'), '--key-type', 'ecdsa']);
    assert.match(out, /PB-TNC access recommendation is 'Access Allowed'/, out);
    assert.equal(s.posture.contexts[0]?.user, 'carol@pt-tls.test');
  });

  it('SASL PLAIN with a wrong password: no assessment, our server reports auth-failed', async () => {
    const s = await serve('sasl-plain');
    const out = await ptTlsClient(s.port, ['--client', 'carol', '--secret', 'not-the-password']);
    assert.doesNotMatch(out, /access recommendation/, out);
    assert.equal(s.posture.contexts.length, 0);
    assert.ok(s.events.some((e) => e.name === 'auth-failed'));
  });
});
