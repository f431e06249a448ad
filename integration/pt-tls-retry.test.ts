/**
 * What strongSwan 5.9.8's real `pt-tls-client` does when our PT-TLS server sends a PB-TNC SRETRY
 * right after its RESULT (PtTlsServer.reassess() on the 'decision' event). strongSwan's client
 * answers the RESULT at once with an empty CLOSE batch (tnccs_20_client.c: "in the DECIDED state
 * and if no CRETRY is under way, a PB-TNC client replies with an empty CLOSE batch") and then
 * closes, so it never re-assesses. Measured: our SRETRY crosses its CLOSE and reaches it in End:
 * "processing PB-TNC SRETRY batch", "unexpected PB-TNC batch type: SRETRY", "a fatal PB-TNC error
 * occurred, terminating connection"; the reassessment fails on our side (the connection closed),
 * and the client has already printed its first recommendation. Setup as in pt-tls-client.test.ts.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PtTlsServer, type PtTlsReassessment } from '../pdp/pt-tls/index.js';
import { fakePostureService, makePtTlsPki, testUsers, type PtTlsTestPki } from '../pdp/pt-tls/test/helpers.js';
import { run, Scope } from './lib/proc.js';
import { ensureStrongswanTnc, type StrongswanTnc } from './lib/strongswan-tnc.js';
import { makeTempDir } from './lib/tmp.js';

describe('strongSwan pt-tls-client and a server-initiated retry (SRETRY after RESULT)', () => {
  const scope = new Scope();
  let ss: StrongswanTnc;
  let pki: PtTlsTestPki;
  let dir: string;

  before(async () => {
    ss = await ensureStrongswanTnc();
    pki = await makePtTlsPki();
    dir = makeTempDir(scope, 'pt-tls-retry');
    writeFileSync(join(dir, 'ca.pem'), pki.caPem);
    writeFileSync(join(dir, 'tnc_config'), `IMC "Test" ${join(ss.imcDir, 'imc-test.so')}\n`);
    writeFileSync(
      join(dir, 'strongswan.conf'),
      `pt-tls-client {\n  load = pem openssl nonce tnc-tnccs tnc-imc tnccs-20\n  tnc {\n    tnc_config = ${join(dir, 'tnc_config')}\n  }\n}\nlibimcv {\n  plugins {\n    imc-test {\n      command = allow\n    }\n  }\n}\n`,
    );
  });
  after(() => scope.close());

  it('the client CLOSEs after the RESULT and disconnects: no second assessment', async () => {
    const server = new PtTlsServer({
      address: '127.0.0.1',
      port: 0,
      identity: { certificatePem: pki.serverCertPem, privateKeyPem: pki.serverKeyPem, caPem: pki.caPem },
      clientAuth: 'sasl-plain',
      users: testUsers(),
      postureService: fakePostureService('allow'),
    });
    const { port } = await server.listen();
    scope.defer('close PT-TLS server', () => server.close());
    const decisions: number[] = [];
    let reassessment: Promise<PtTlsReassessment[]> | undefined;
    server.on('decision', (ev) => {
      decisions.push(ev.id);
      reassessment ??= server.reassess(ev.id, { timeoutMs: 10_000 });
    });
    const r = await run(ss.ptTlsClient, ['--connect', '127.0.0.1', '--port', String(port), '--cert', join(dir, 'ca.pem'), '--debug', '2', '--client', 'carol', '--secret', 'Ar3etTnp'], {
      timeoutMs: 30_000,
      check: false,
      env: { ...process.env, STRONGSWAN_CONF: join(dir, 'strongswan.conf') },
    });
    const out = r.stdout + r.stderr;
    if (process.env['INTEGRATION_VERBOSE'] === '1') process.stderr.write(out);
    assert.ok(!r.timedOut, 'pt-tls-client timed out');
    assert.match(out, /Access Allowed/);
    assert.match(out, /sending PB-TNC CLOSE batch/);
    assert.ok(reassessment, 'the server tried to reassess');
    const [result] = await reassessment;
    assert.equal(result?.ok, false, JSON.stringify(result));
    assert.deepEqual(decisions.length, 1, 'one assessment only');
    // Our SRETRY crosses its CLOSE: it arrives in End, where strongSwan refuses it and quits.
    assert.match(out, /processing PB-TNC SRETRY batch/);
    assert.match(out, /unexpected PB-TNC batch type: SRETRY/);
    assert.match(out, /a fatal PB-TNC error occurred, terminating connection/);
  });
});
