/**
 * EAP-TTLS against the server under test with wpa_supplicant's eapol_test as the peer, straight
 * over RADIUS on loopback (no gateway): REFERENCE-SCENARIO step 2 (EAP in Access-Request /
 * Access-Challenge with Message-Authenticator and State), step 3 (EAP-TTLS with inner EAP-MD5 or
 * PAP, TLS 1.2 and 1.3, fragmentation) and step 6 (Access-Accept with MS-MPPE keys matching the
 * MSK; Access-Reject for a wrong password).
 *
 * PDP_UNDER_TEST=ours|freeradius selects the server (default ours).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeEapol, runEapolTest, writeEapolConfig, type InnerMethod, type TlsChoice } from './lib/eapol-test.js';
import { makePdpConfig, REFERENCE_USERS, SERVER_NAME, type PdpConfig } from './lib/pdp-config.js';
import { freeUdpPorts } from './lib/ports.js';
import { Scope } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import type { RadiusServer } from './lib/radius-server.js';
import { startServerUnderTest } from './lib/server-under-test.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'eapol-Secret-4711';
const LOOPBACK = '127.0.0.1';
const [carol, dave] = REFERENCE_USERS as [(typeof REFERENCE_USERS)[0], (typeof REFERENCE_USERS)[0]];

async function loopbackConfig(stateDir: string, fragmentSize?: number): Promise<PdpConfig> {
  const [auth, acct] = (await freeUdpPorts(2, LOOPBACK)) as [number, number];
  return makePdpConfig({
    stateDir,
    auth: { address: LOOPBACK, port: auth },
    accounting: { address: LOOPBACK, port: acct },
    clients: [{ name: 'eapol-test', address: '127.0.0.1/32', secret: SECRET, requireMessageAuthenticator: true }],
    ...(fragmentSize === undefined ? {} : { fragmentSize }),
  });
}

describe('eapol_test EAP-TTLS peer (REFERENCE-SCENARIO steps 2, 3, 6)', { timeout: 120_000 }, () => {
  const scope = new Scope();
  let dir = '';
  let server: RadiusServer;

  before(async () => {
    assertPeers();
    dir = makeTempDir(scope, 'eapol');
    server = await startServerUnderTest(scope, await loopbackConfig(`${dir}/state`));
  });
  after(() => scope.close());

  const cases: [InnerMethod, TlsChoice][] = [
    ['md5', '1.2'],
    ['pap', '1.2'],
    ['md5', '1.3'],
    ['pap', '1.3'],
  ];
  for (const [inner, tls] of cases) {
    it(`EAP-TTLS/${inner.toUpperCase()} over TLS ${tls}: Access-Accept with MS-MPPE keys = MSK (steps 3, 6)`, { timeout: 30_000 }, async () => {
      const conf = writeEapolConfig(dir, `carol-${inner}-${tls}`, {
        identity: carol.name,
        password: carol.password,
        inner,
        tls,
        caCertPath: server.caCertPath,
        serverName: SERVER_NAME,
      });
      const since = server.mark();
      const r = await runEapolTest(conf, { server: server.auth, secret: SECRET, timeoutSec: 10 });
      assert.ok(r.success, describeEapol(r));
      assert.ok(r.mppeOk, `MS-MPPE keys must match the MSK: ${describeEapol(r)}`);
      assert.equal(r.tlsVersion, `TLSv${tls}`, describeEapol(r));
      assert.equal(r.lastRadiusCode, 'Access-Accept');
      const c = await server.waitForConversation((x) => x.user === carol.name, since, 5000);
      if (server.kind === 'ours') {
        assert.ok(c, 'conversation.finished event');
        assert.equal(c.outcome, 'accept');
        assert.equal(c.group, carol.group);
      }
    });
  }

  it('dave over EAP-TTLS/MD5 is accepted too: the group is a matter for the gateway (step 6)', { timeout: 30_000 }, async () => {
    const conf = writeEapolConfig(dir, 'dave-md5', {
      identity: dave.name,
      password: dave.password,
      inner: 'md5',
      tls: 'any',
      caCertPath: server.caCertPath,
    });
    const since = server.mark();
    const r = await runEapolTest(conf, { server: server.auth, secret: SECRET, timeoutSec: 10 });
    assert.ok(r.success && r.mppeOk, describeEapol(r));
    const c = await server.waitForConversation((x) => x.user === dave.name, since, 5000);
    if (server.kind === 'ours') assert.equal(c?.group, dave.group);
  });

  for (const inner of ['md5', 'pap'] as const) {
    it(`wrong password with inner ${inner.toUpperCase()} gets Access-Reject (step 6)`, { timeout: 30_000 }, async () => {
      const conf = writeEapolConfig(dir, `carol-bad-${inner}`, {
        identity: carol.name,
        password: 'not-the-password',
        inner,
        tls: 'any',
        caCertPath: server.caCertPath,
      });
      const since = server.mark();
      const r = await runEapolTest(conf, { server: server.auth, secret: SECRET, timeoutSec: 10 });
      assert.equal(r.success, false, describeEapol(r));
      assert.equal(r.timedOut, false, `a reject must be answered, not dropped: ${describeEapol(r)}`);
      assert.equal(r.lastRadiusCode, 'Access-Reject', describeEapol(r));
      const c = await server.waitForConversation((x) => x.user === carol.name, since, 5000);
      if (server.kind === 'ours') assert.equal(c?.outcome, 'reject');
    });
  }

  it('wrong shared secret: no answer at all, and the server reports the drop (step 2)', { timeout: 30_000 }, async () => {
    const conf = writeEapolConfig(dir, 'carol-wrong-secret', {
      identity: carol.name,
      password: carol.password,
      inner: 'md5',
      tls: 'any',
      caCertPath: server.caCertPath,
    });
    const since = server.mark();
    const r = await runEapolTest(conf, { server: server.auth, secret: 'wrong-secret', timeoutSec: 3 });
    assert.equal(r.success, false);
    assert.ok(r.timedOut, `expected silence (timeout), got: ${describeEapol(r)}`);
    assert.equal(r.lastRadiusCode, undefined, 'no RADIUS reply may arrive');
    const line = await server.waitForDropped(since, 5000);
    assert.ok(line.length > 0);
  });
});

describe('EAP-TTLS fragmentation with fragment size 200 on both sides (REFERENCE-SCENARIO step 3)', { timeout: 120_000 }, () => {
  const scope = new Scope();
  let dir = '';
  let server: RadiusServer;
  const FRAGMENT = 200;

  before(async () => {
    assertPeers();
    dir = makeTempDir(scope, 'eapol-frag');
    server = await startServerUnderTest(scope, await loopbackConfig(`${dir}/state`, FRAGMENT));
  });
  after(() => scope.close());

  for (const tls of ['1.2', '1.3'] as const) {
    it(`EAP-TTLS/MD5 over TLS ${tls} in fragments of at most ${FRAGMENT} bytes`, { timeout: 30_000 }, async () => {
      const conf = writeEapolConfig(dir, `carol-frag-${tls}`, {
        identity: carol.name,
        password: carol.password,
        inner: 'md5',
        tls,
        caCertPath: server.caCertPath,
        fragmentSize: FRAGMENT,
      });
      const r = await runEapolTest(conf, { server: server.auth, secret: SECRET, timeoutSec: 15 });
      assert.ok(r.success && r.mppeOk, describeEapol(r));
      assert.equal(r.tlsVersion, `TLSv${tls}`);
      const moreFragments = r.received.filter((p) => (p.flags & 0x40) !== 0);
      assert.ok(moreFragments.length >= 2, `server certificate flight must arrive in several fragments: ${JSON.stringify(r.received)}`);
      const largest = Math.max(...r.received.map((p) => p.len));
      assert.ok(largest <= FRAGMENT + 10, `largest EAP-TTLS packet ${largest} exceeds fragment size ${FRAGMENT}`);
      assert.ok(r.accessRequests >= 8, `expected many round trips, got ${r.accessRequests}`);
    });
  }
});
