/**
 * Plain RADIUS against the server under test, with radclient and with hand-made datagrams:
 * REFERENCE-SCENARIO step 2 (moon's RADIUS transport: Message-Authenticator required,
 * retransmissions answered from the duplicate cache, Status-Server) and step 6 (Access-Accept with
 * Filter-Id = group and Tunnel-Type = ESP, Access-Reject otherwise), plus the accounting moon sends
 * once a road warrior is up (RFC 2866 Start/Stop).
 *
 * PDP_UNDER_TEST=ours|freeradius selects the server (default ours).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { makePdpConfig, REFERENCE_USERS } from './lib/pdp-config.js';
import { freeUdpPorts } from './lib/ports.js';
import { Scope } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import { attr, MESSAGE_AUTHENTICATOR, radclient, type RadclientResult, type RequestPairs } from './lib/radclient.js';
import type { RadiusServer } from './lib/radius-server.js';
import { ATTR, CODE, decodePacket, encodeAccessRequest, responseAuthenticatorValid, sendFromOnePort } from './lib/radius-wire.js';
import { startServerUnderTest } from './lib/server-under-test.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'radclient-Secret-0815';
const LOOPBACK = '127.0.0.1';
const [carol, dave] = REFERENCE_USERS as [(typeof REFERENCE_USERS)[0], (typeof REFERENCE_USERS)[0]];

function pap(user: string, password: string, withMessageAuthenticator = true): RequestPairs {
  return [
    ['User-Name', user],
    ['User-Password', password],
    ['NAS-IP-Address', { raw: '10.1.0.1' }],
    ['NAS-Port', 1],
    ...(withMessageAuthenticator ? [MESSAGE_AUTHENTICATOR] : []),
  ];
}

function show(r: RadclientResult): string {
  return `exit=${r.exitCode} noReply=${r.noReply}\n${r.stdout}\n${r.stderr}`;
}

describe('radclient and raw RADIUS (REFERENCE-SCENARIO steps 2 and 6)', { timeout: 90_000 }, () => {
  const scope = new Scope();
  let dir = '';
  let server: RadiusServer;

  before(async () => {
    assertPeers();
    dir = makeTempDir(scope, 'radclient');
    const [auth, acct] = (await freeUdpPorts(2, LOOPBACK)) as [number, number];
    const config = makePdpConfig({
      stateDir: `${dir}/state`,
      auth: { address: LOOPBACK, port: auth },
      accounting: { address: LOOPBACK, port: acct },
      clients: [{ name: 'moon', address: '127.0.0.1/32', secret: SECRET, requireMessageAuthenticator: true }],
    });
    server = await startServerUnderTest(scope, config);
  });
  after(() => scope.close());

  it('PAP: carol gets Access-Accept with Filter-Id allow and Tunnel-Type ESP (step 6)', { timeout: 20_000 }, async () => {
    const r = await radclient({ server: server.auth, command: 'auth', secret: SECRET, dir, requests: [pap(carol.name, carol.password)] });
    const reply = r.replies[0];
    assert.ok(reply, show(r));
    assert.equal(reply.code, 'Access-Accept', show(r));
    assert.equal(attr(reply, 'Filter-Id'), 'allow');
    assert.equal(attr(reply, 'Tunnel-Type'), 'ESP');
  });

  it('PAP: dave gets Filter-Id isolate (step 6)', { timeout: 20_000 }, async () => {
    const r = await radclient({ server: server.auth, command: 'auth', secret: SECRET, dir, requests: [pap(dave.name, dave.password)] });
    assert.equal(r.replies[0]?.code, 'Access-Accept', show(r));
    assert.equal(attr(r.replies[0]!, 'Filter-Id'), 'isolate');
  });

  it('PAP: wrong password and unknown user get Access-Reject (step 6)', { timeout: 20_000 }, async () => {
    const r = await radclient({
      server: server.auth,
      command: 'auth',
      secret: SECRET,
      dir,
      requests: [pap(carol.name, 'wrong-password'), pap('mallory@strongswan.org', 'whatever')],
    });
    assert.equal(r.replies.length, 2, show(r));
    for (const reply of r.replies) {
      assert.equal(reply.code, 'Access-Reject', show(r));
      assert.equal(attr(reply, 'Filter-Id'), undefined, 'a reject carries no group');
    }
  });

  it('Access-Request without Message-Authenticator is dropped when the client requires it (step 2)', { timeout: 20_000 }, async () => {
    const since = server.mark();
    const r = await radclient({
      server: server.auth,
      command: 'auth',
      secret: SECRET,
      dir,
      timeoutSec: 1,
      requests: [pap(carol.name, carol.password, false)],
    });
    assert.equal(r.replies.length, 0, show(r));
    assert.ok(r.noReply, show(r));
    // FreeRADIUS reports this drop only in -X mode ("Packet does not contain required
    // Message-Authenticator"); our PDP must log radius.dropped for every dropped packet.
    if (server.kind === 'ours') await server.waitForDropped(since, 5000);
  });

  it('Status-Server on the auth port is answered (RFC 5997, step 2)', { timeout: 20_000 }, async () => {
    const r = await radclient({ server: server.auth, command: 'status', secret: SECRET, dir, requests: [[MESSAGE_AUTHENTICATOR]] });
    assert.equal(r.replies[0]?.code, 'Access-Accept', show(r));
  });

  it('the same datagram sent twice gets byte-identical replies, from the duplicate cache (step 2)', { timeout: 20_000 }, async () => {
    const authenticator = randomBytes(16);
    const request = encodeAccessRequest({
      id: 77,
      secret: SECRET,
      userName: carol.name,
      password: carol.password,
      authenticator,
      extra: [[ATTR.NasPort, Buffer.from([0, 0, 0, 7])]],
    });
    const since = server.mark();
    const replies = await sendFromOnePort(server.auth, [request, request], 3000, 200);
    assert.equal(replies.length, 2, `two replies expected, got ${replies.length}`);
    const [first, second] = replies as [Buffer, Buffer];
    assert.ok(first.equals(second), `replies differ:\n${first.toString('hex')}\n${second.toString('hex')}`);
    const decoded = decodePacket(first);
    assert.equal(decoded.code, CODE.AccessAccept);
    assert.equal(decoded.id, 77);
    assert.ok(responseAuthenticatorValid(first, authenticator, SECRET), 'Response Authenticator');
    const filterId = decoded.attributes.find(([t]) => t === ATTR.FilterId)?.[1].toString('utf8');
    assert.equal(filterId, 'allow');
    if (server.kind === 'ours') {
      // One decision, not two: the retransmission is answered from the cache.
      await server.waitForConversation((c) => c.user === carol.name, since, 3000);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(server.conversations(since)?.filter((c) => c.user === carol.name).length, 1);
    }
  });

  it('Accounting-Request Start and Stop get Accounting-Response (RFC 2866)', { timeout: 20_000 }, async () => {
    const session = `it-${randomBytes(4).toString('hex')}`;
    const common: RequestPairs = [
      ['User-Name', carol.name],
      ['Acct-Session-Id', session],
      ['NAS-IP-Address', { raw: '10.1.0.1' }],
      ['Framed-IP-Address', { raw: '10.3.0.1' }],
    ];
    const r = await radclient({
      server: server.accounting,
      command: 'acct',
      secret: SECRET,
      dir,
      requests: [
        [['Acct-Status-Type', { raw: 'Start' }], ...common],
        [['Acct-Status-Type', { raw: 'Stop' }], ...common, ['Acct-Session-Time', 42], ['Acct-Terminate-Cause', { raw: 'User-Request' }]],
      ],
    });
    assert.equal(r.replies.length, 2, show(r));
    for (const reply of r.replies) assert.equal(reply.code, 'Accounting-Response', show(r));
  });
});
