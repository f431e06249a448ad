import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { EapAuthenticator, type EapEvent } from '../authenticator.js';
import { md5ChallengeMethod } from '../md5-challenge.js';
import { EapType } from '../packet.js';
import { EapPeer } from '../peer/eap-peer.js';
import { md5ChallengePeer } from '../peer/md5-peer.js';
import { ttlsPeerMethod, type TtlsPeerOptions } from '../peer/ttls-peer.js';
import { defaultServerMethods } from '../server-methods.js';
import type { TlsVersion } from '../ttls/tls-tunnel.js';
import { ttlsMethod, type TtlsServerOptions } from '../ttls/ttls-method.js';
import { makeTestPki, type TestPki } from './certs.js';
import { converse, credentialStore } from './harness.js';

const users = credentialStore({ alice: 'wonderland', bob: 'builder' });
let pki: TestPki;

before(async () => {
  pki = await makeTestPki();
});

function server(version: TlsVersion, extra: Partial<TtlsServerOptions> = {}, events?: EapEvent[]): EapAuthenticator {
  const ttls: TtlsServerOptions = { tls: { cert: pki.certPem, key: pki.keyPem, minVersion: 'TLSv1.2', maxVersion: version }, ...extra };
  return new EapAuthenticator({
    credentials: users,
    methods: defaultServerMethods(ttls),
    ...(events ? { onEvent: (e) => events.push(e) } : {}),
  });
}

function peer(version: TlsVersion, extra: Partial<TtlsPeerOptions> & { password: string }, identity = 'anonymous@example.org'): EapPeer {
  return new EapPeer({
    identity,
    methods: [ttlsPeerMethod({ tls: { ca: pki.caPem, serverName: pki.serverName, maxVersion: version }, innerIdentity: 'alice', ...extra })],
  });
}

for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
  describe(`EAP-TTLS over ${version}`, () => {
    for (const phase2 of ['eap', 'pap'] as const) {
      it(`inner ${phase2 === 'eap' ? 'EAP-MD5' : 'PAP'} succeeds and both sides derive the same MSK/EMSK`, async () => {
        const events: EapEvent[] = [];
        const t = await converse(server(version, {}, events), peer(version, { password: 'wonderland', phase2 }));
        assert.equal(t.server.kind, 'accept', JSON.stringify(t.server.kind === 'reject' ? t.server.reason : t.server));
        assert.equal(t.peer?.kind, 'success');
        if (t.server.kind !== 'accept' || t.peer?.kind !== 'success') return;
        assert.equal(t.server.identity, 'anonymous@example.org');
        assert.equal(t.server.innerIdentity, 'alice');
        assert.equal(t.server.method, 'TTLS');
        assert.equal(t.server.attributes['tlsVersion'], version);
        assert.equal(t.server.attributes['innerMethod'], phase2 === 'eap' ? 'MD5-Challenge' : 'PAP');
        assert.equal(t.server.msk?.length, 64);
        assert.equal(t.server.emsk?.length, 64);
        assert.deepEqual(t.peer.keys?.msk, t.server.msk);
        assert.deepEqual(t.peer.keys?.emsk, t.server.emsk);
        assert.notDeepEqual(t.server.msk, t.server.emsk);
        assert.deepEqual(events.filter((e) => e.type === 'method-start').map((e) => e.type === 'method-start' && e.method), ['TTLS']);
      });
    }

    it('a wrong inner password ends in EAP-Failure on both sides', async () => {
      for (const phase2 of ['eap', 'pap'] as const) {
        const t = await converse(server(version), peer(version, { password: 'wrong', phase2 }));
        assert.equal(t.server.kind, 'reject');
        assert.equal(t.server.kind === 'reject' && t.server.eap[0], 4);
        assert.equal(t.peer?.kind, 'failure');
      }
    });

    it('works with 100-octet fragments in both directions', async () => {
      const t = await converse(server(version, { fragmentSize: 100 }), peer(version, { password: 'wonderland', fragmentSize: 100 }));
      assert.equal(t.server.kind, 'accept');
      assert.ok(t.rounds > 10, `only ${t.rounds} rounds`);
      for (const r of t.requests) assert.ok(r.length <= 4 + 1 + 1 + 4 + 100);
      for (const r of t.responses) assert.ok(r.length <= 4 + 1 + 1 + 4 + 100);
    });
  });
}

describe('EAP-TTLS failures', () => {
  it('a garbage TLS record ends in a clean EAP-Failure', async () => {
    const s = server('TLSv1.2');
    const start = await s.start(Buffer.from([2, 1, 0, 10, 1, ...Buffer.from('alice')]));
    assert.equal(start.kind, 'challenge');
    const id = start.kind === 'challenge' ? start.eap[1]! : 0;
    const garbage = Buffer.concat([Buffer.from([2, id, 0, 0, EapType.TTLS, 0]), Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    garbage.writeUInt16BE(garbage.length, 2);
    const step = await s.handle(garbage);
    assert.equal(step.kind, 'reject');
    assert.match(step.kind === 'reject' ? step.reason : '', /^tls-/);
  });

  it('the peer refuses a server certificate for another name', async () => {
    const p = new EapPeer({
      identity: 'alice',
      methods: [ttlsPeerMethod({ tls: { ca: pki.caPem, serverName: 'other.example' }, password: 'wonderland' })],
    });
    const t = await converse(server('TLSv1.2'), p);
    assert.equal(t.peer?.kind, 'failure');
  });

  it('a peer without TTLS Naks to MD5', async () => {
    const events: EapEvent[] = [];
    const p = new EapPeer({ identity: 'bob', methods: [md5ChallengePeer('builder')] });
    const t = await converse(server('TLSv1.2', {}, events), p);
    assert.equal(t.server.kind, 'accept');
    assert.equal(t.server.kind === 'accept' && t.server.method, 'MD5-Challenge');
    assert.equal(t.server.kind === 'accept' && t.server.msk, undefined);
    assert.equal(t.peer?.kind, 'success');
    assert.deepEqual(events.find((e) => e.type === 'nak'), { type: 'nak', method: 'TTLS', desired: [EapType.MD5Challenge] });
  });

  it('inner EAP runs a sequence of stages (MD5 then MD5 again, as PT-EAP will follow MD5)', async () => {
    const ttls: TtlsServerOptions = {
      tls: { cert: pki.certPem, key: pki.keyPem },
      phase2: { allowPap: false, innerStages: () => [[md5ChallengeMethod()], [md5ChallengeMethod({ name: 'second' })]] },
    };
    const s = new EapAuthenticator({ credentials: users, methods: [ttlsMethod(ttls)] });
    const t = await converse(s, peer('TLSv1.2', { password: 'wonderland' }));
    assert.equal(t.server.kind, 'accept');
    const pap = await converse(new EapAuthenticator({ credentials: users, methods: [ttlsMethod(ttls)] }), peer('TLSv1.2', { password: 'wonderland', phase2: 'pap' }));
    assert.equal(pap.server.kind, 'reject');
  });
});
