import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { EapAuthenticator } from '../authenticator.js';
import { EapType, decodeEapPacket, eapResponse } from '../packet.js';
import { EapPeer } from '../peer/eap-peer.js';
import { ttlsPeerMethod } from '../peer/ttls-peer.js';
import { AvpCode, avp, decodeAvps, encodeAvps } from '../ttls/avp.js';
import { decodeTtlsFrame, encodeTtlsFrame } from '../ttls/flags.js';
import { TtlsPhase2, papAvps } from '../ttls/phase2.js';
import { TlsTunnel } from '../ttls/tls-tunnel.js';
import { ttlsMethod } from '../ttls/ttls-method.js';
import { makeTestPki, type TestPki } from './certs.js';
import { converse, credentialStore } from './harness.js';

const users = credentialStore({ alice: 'wonderland' });
let ecdsa: TestPki;
let rsa: TestPki;
before(async () => {
  [ecdsa, rsa] = await Promise.all([makeTestPki(), makeTestPki({ keyType: 'rsa' })]);
});

const ttlsBody = (eap: Buffer) => decodeTtlsFrame(decodeEapPacket(eap).data);

describe('EAP-TTLS edge cases', () => {
  it('fragments an RSA-2048 server flight at the default 1024 octets with L on the first fragment', async () => {
    const s = new EapAuthenticator({ credentials: users, methods: [ttlsMethod({ tls: { cert: rsa.certPem, key: rsa.keyPem } })] });
    const p = new EapPeer({ identity: 'anon', methods: [ttlsPeerMethod({ tls: { ca: rsa.caPem, serverName: rsa.serverName }, innerIdentity: 'alice', password: 'wonderland' })] });
    const t = await converse(s, p);
    assert.equal(t.server.kind, 'accept');
    const frames = t.requests.map(ttlsBody);
    const first = frames.findIndex((f) => f.moreFragments);
    assert.ok(first > 0, 'the server flight is fragmented');
    assert.ok(frames[first]!.lengthIncluded && frames[first]!.data.length === 1024);
    assert.ok(!frames[first + 1]!.lengthIncluded);
    assert.equal(ttlsBody(t.responses[first]!).data.length, 0, 'the peer ACKs with an empty Response');
  });

  it('TLS 1.3: serves a client that sends phase-2 AVPs together with its Finished', async () => {
    const s = new EapAuthenticator({
      credentials: users,
      methods: [ttlsMethod({ tls: { cert: ecdsa.certPem, key: ecdsa.keyPem, maxVersion: 'TLSv1.3' } })],
    });
    const client = TlsTunnel.client({ ca: ecdsa.caPem, serverName: ecdsa.serverName, maxVersion: 'TLSv1.3' });
    const wrap = (id: number, data: Buffer) => eapResponse(id, EapType.TTLS, encodeTtlsFrame({ moreFragments: false, start: false, version: 0, data }));
    let step = await s.start(eapResponse(1, EapType.Identity, Buffer.from('anon')));
    assert.equal(step.kind, 'challenge');
    step = await s.handle(wrap(step.kind === 'challenge' ? step.eap[1]! : 0, (await client.start()).output));
    assert.equal(step.kind, 'challenge');
    const flight = await client.feed(ttlsBody(step.kind === 'challenge' ? step.eap : Buffer.alloc(0)).data);
    assert.ok(flight.established);
    const avps = await client.send(papAvps('alice', 'wonderland'));
    step = await s.handle(wrap(step.kind === 'challenge' ? step.eap[1]! : 0, Buffer.concat([flight.output, avps.output])));
    assert.equal(step.kind, 'accept');
    client.close();
  });

  it('both sides can agree on the pre-RFC 9427 TLS 1.3 derivation (strongSwan 5.9 interop)', async () => {
    const s = new EapAuthenticator({
      credentials: users,
      methods: [ttlsMethod({ tls: { cert: ecdsa.certPem, key: ecdsa.keyPem, maxVersion: 'TLSv1.3' }, tls13KeyDerivation: 'legacy-tls13' })],
    });
    const p = new EapPeer({
      identity: 'anon',
      methods: [ttlsPeerMethod({ tls: { ca: ecdsa.caPem, serverName: ecdsa.serverName, maxVersion: 'TLSv1.3' }, innerIdentity: 'alice', password: 'wonderland', tls13KeyDerivation: 'legacy-tls13' })],
    });
    const t = await converse(s, p);
    assert.equal(t.server.kind, 'accept');
    assert.deepEqual(t.peer?.kind === 'success' && t.peer.keys?.msk, t.server.kind === 'accept' && t.server.msk);
  });
});

describe('TTLS phase 2 AVP handling', () => {
  const context = { outerIdentity: 'anon', tlsVersion: 'TLSv1.2', credentials: users, randomBytes: (n: number) => Buffer.alloc(n, 7), exportKeyingMaterial: (n: number) => Buffer.alloc(n) };

  it('fails on an unsupported mandatory AVP, ignores an optional one', async () => {
    const app = new TtlsPhase2(context, {});
    const out = await app.process(encodeAvps([avp(AvpCode.ChapPassword, Buffer.alloc(17))]));
    assert.deepEqual(out, { done: 'failure', reason: 'unsupported-mandatory-avp-0-3' });
    const ok = await new TtlsPhase2(context, {}).process(Buffer.concat([encodeAvps([avp(99, Buffer.from('x'), false)]), papAvps('alice', 'wonderland')]));
    assert.equal('done' in ok && ok.done, 'success');
  });

  it('a User-Name alone starts the inner EAP with that identity', async () => {
    const out = await new TtlsPhase2(context, {}).process(encodeAvps([avp(AvpCode.UserName, Buffer.from('alice'))]));
    assert.ok('send' in out);
    const eap = decodeAvps('send' in out ? out.send : Buffer.alloc(0))[0]!;
    assert.equal(eap.code, AvpCode.EapMessage);
    assert.equal(decodeEapPacket(eap.data).type, EapType.MD5Challenge);
  });

  it('honours allowPap=false and allowEap=false', async () => {
    assert.deepEqual(await new TtlsPhase2(context, { allowPap: false }).process(papAvps('alice', 'wonderland')), { done: 'failure', reason: 'pap-not-allowed' });
    const eapIdentity = encodeAvps([avp(AvpCode.EapMessage, eapResponse(0, EapType.Identity, Buffer.from('alice')))]);
    assert.deepEqual(await new TtlsPhase2(context, { allowEap: false }).process(eapIdentity), { done: 'failure', reason: 'inner-eap-not-allowed' });
  });
});

describe('TTLS phase 2 start without client data', () => {
  it('asks for the inner identity when the first phase-2 message is empty', async () => {
    const users2 = credentialStore({ alice: 'wonderland' });
    const context = { outerIdentity: 'anon', tlsVersion: 'TLSv1.3', credentials: users2, randomBytes: (n: number) => Buffer.alloc(n, 7), exportKeyingMaterial: (n: number) => Buffer.alloc(n) };
    const out = await new TtlsPhase2(context, {}).process(Buffer.alloc(0));
    assert.ok('send' in out);
    const eap = decodeEapPacket(decodeAvps('send' in out ? out.send : Buffer.alloc(0))[0]!.data);
    assert.deepEqual([eap.code, eap.type], [1, EapType.Identity]);
  });
});
