import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EapAuthenticator, type AuthStep, type EapEvent } from '../authenticator.js';
import { md5ChallengeMethod } from '../md5-challenge.js';
import type { EapMethodFactory } from '../method.js';
import { EapCode, EapType, decodeEapPacket, eapResponse, encodeEapPacket } from '../packet.js';
import { EapPeer } from '../peer/eap-peer.js';
import { md5ChallengePeer } from '../peer/md5-peer.js';
import { converse, credentialStore } from './harness.js';

const users = credentialStore({ alice: 'wonderland' });
const fixedRandom = (n: number) => Buffer.alloc(n, 0x11);

function md5Server(extra: { onEvent?: (e: EapEvent) => void; maxRounds?: number } = {}): EapAuthenticator {
  return new EapAuthenticator({ credentials: users, methods: [md5ChallengeMethod()], randomBytes: fixedRandom, ...extra });
}

const id = (step: AuthStep) => (step.kind === 'discard' ? -1 : step.eap[1]!);

/** A method that never finishes. */
const chatty: EapMethodFactory = {
  type: 250,
  name: 'chatty',
  create: () => ({
    type: 250,
    initiate: () => ({ kind: 'request', type: 250, data: Buffer.alloc(0) }),
    process: async () => ({ kind: 'request', type: 250, data: Buffer.alloc(0) }),
  }),
};

describe('EapAuthenticator', () => {
  it('takes the NAS-supplied identity and increments the Identifier per Request', async () => {
    const s = md5Server();
    const first = await s.start(eapResponse(41, EapType.Identity, Buffer.from('alice')));
    assert.equal(first.kind, 'challenge');
    assert.equal(id(first), 42);
    assert.equal(s.identity, 'alice');
    const p = decodeEapPacket(first.kind === 'challenge' ? first.eap : Buffer.alloc(0));
    assert.equal(p.type, EapType.MD5Challenge);
  });

  it('asks for the identity on EAP-Start (empty EAP-Message)', async () => {
    const s = md5Server();
    const first = await s.start(Buffer.alloc(0));
    assert.equal(first.kind, 'challenge');
    assert.deepEqual(first.kind === 'challenge' && first.eap, Buffer.from([1, 0x12, 0, 5, 1]));
    const next = await s.handle(eapResponse(0x12, EapType.Identity, Buffer.from('alice')));
    assert.equal(next.kind, 'challenge');
    assert.equal(id(next), 0x13);
  });

  it('silently discards wrong Identifiers, non-Responses, garbage and unexpected Types', async () => {
    const events: EapEvent[] = [];
    const s = md5Server({ onEvent: (e) => events.push(e) });
    await s.start(eapResponse(1, EapType.Identity, Buffer.from('alice')));
    assert.deepEqual(await s.handle(eapResponse(7, EapType.MD5Challenge, Buffer.from([1, 0]))), { kind: 'discard', reason: 'identifier-mismatch' });
    assert.deepEqual(await s.handle(Buffer.from([1, 2, 0, 5, 4])), { kind: 'discard', reason: 'not-a-response' });
    assert.deepEqual(await s.handle(Buffer.from([2, 2, 0])), { kind: 'discard', reason: 'eap-truncated' });
    assert.deepEqual(await s.handle(eapResponse(2, EapType.Notification, Buffer.alloc(0))), { kind: 'discard', reason: 'unexpected-type' });
    assert.equal(events.filter((e) => e.type === 'discard').length, 4);
    assert.equal(s.finished, false);
  });

  it('accepts a correct MD5 response and rejects a wrong one with Failure echoing the Identifier', async () => {
    const ok = await converse(md5Server(), new EapPeer({ identity: 'alice', methods: [md5ChallengePeer('wonderland')] }));
    assert.equal(ok.server.kind, 'accept');
    assert.equal(ok.peer?.kind, 'success');
    const bad = await converse(md5Server(), new EapPeer({ identity: 'alice', methods: [md5ChallengePeer('nope')] }));
    assert.equal(bad.server.kind, 'reject');
    assert.equal(bad.server.kind === 'reject' && bad.server.reason, 'md5-mismatch');
    assert.equal(bad.server.kind === 'reject' && bad.server.eap[1], bad.responses.at(-1)![1]);
    const unknown = await converse(md5Server(), new EapPeer({ identity: 'mallory', methods: [md5ChallengePeer('x')] }));
    assert.equal(unknown.server.kind === 'reject' && unknown.server.reason, 'unknown-user');
  });

  it('moves on a Nak to the next allowed type the peer asked for, otherwise fails', async () => {
    const s = new EapAuthenticator({ credentials: users, methods: [chatty, md5ChallengeMethod()] });
    const first = await s.start(eapResponse(1, EapType.Identity, Buffer.from('alice')));
    assert.equal(decodeEapPacket(first.kind === 'challenge' ? first.eap : Buffer.alloc(0)).type, 250);
    const next = await s.handle(eapResponse(2, EapType.Nak, Buffer.from([EapType.MD5Challenge])));
    assert.equal(decodeEapPacket(next.kind === 'challenge' ? next.eap : Buffer.alloc(0)).type, EapType.MD5Challenge);

    const none = new EapAuthenticator({ credentials: users, methods: [chatty, md5ChallengeMethod()] });
    await none.start(eapResponse(1, EapType.Identity, Buffer.from('alice')));
    const rejected = await none.handle(eapResponse(2, EapType.Nak, Buffer.from([0])));
    assert.deepEqual(rejected.kind === 'reject' && [rejected.reason, rejected.eap], ['no-acceptable-method', Buffer.from([4, 2, 0, 4])]);

    const expanded = new EapAuthenticator({ credentials: users, methods: [chatty, md5ChallengeMethod()] });
    await expanded.start(eapResponse(1, EapType.Identity, Buffer.from('alice')));
    const viaExpanded = await expanded.handle(
      encodeEapPacket({ code: EapCode.Response, identifier: 2, type: 254, expanded: { vendorId: 0, vendorType: 3 }, data: Buffer.from('fe00000000000004', 'hex') }),
    );
    assert.equal(viaExpanded.kind, 'challenge');
  });

  it('refuses a Nak once the method has started', async () => {
    const s = new EapAuthenticator({ credentials: users, methods: [chatty, md5ChallengeMethod()] });
    await s.start(eapResponse(1, EapType.Identity, Buffer.from('alice')));
    await s.handle(eapResponse(2, 250, Buffer.alloc(0)));
    const r = await s.handle(eapResponse(3, EapType.Nak, Buffer.from([4])));
    assert.equal(r.kind === 'reject' && r.reason, 'nak-after-method-start');
  });

  it('bounds the number of rounds', async () => {
    const s = new EapAuthenticator({ credentials: users, methods: [chatty], maxRounds: 5 });
    let step = await s.start(eapResponse(1, EapType.Identity, Buffer.from('alice')));
    let rounds = 1;
    while (step.kind === 'challenge') {
      step = await s.handle(eapResponse(step.eap[1]!, 250, Buffer.alloc(0)));
      rounds++;
    }
    assert.equal(step.kind === 'reject' && step.reason, 'max-rounds');
    assert.equal(rounds, 6);
    assert.deepEqual(await s.handle(eapResponse(6, 250, Buffer.alloc(0))), { kind: 'discard', reason: 'finished' });
  });

  it('runs stages in sequence', async () => {
    const events: EapEvent[] = [];
    const s = new EapAuthenticator({ credentials: users, stages: [[md5ChallengeMethod()], [md5ChallengeMethod()]], onEvent: (e) => events.push(e) });
    const t = await converse(s, new EapPeer({ identity: 'alice', methods: [md5ChallengePeer('wonderland')] }));
    assert.equal(t.server.kind, 'accept');
    assert.equal(events.filter((e) => e.type === 'method-success').length, 2);
  });

  it('rejects an over-long identity', async () => {
    const r = await md5Server().start(eapResponse(1, EapType.Identity, Buffer.alloc(300, 0x61)));
    assert.equal(r.kind === 'reject' && r.reason, 'identity-too-long');
  });
});

describe('EapPeer', () => {
  it('repeats its Response to a retransmitted Request and Naks unknown types', async () => {
    const p = new EapPeer({ identity: 'alice', methods: [md5ChallengePeer('pw')] });
    const req = Buffer.from([1, 5, 0, 22, 4, 16, ...Buffer.alloc(16, 1)]);
    const a = await p.receive(req);
    const b = await p.receive(req);
    assert.deepEqual(a, b);
    const q = new EapPeer({ identity: 'alice', methods: [md5ChallengePeer('pw')] });
    assert.deepEqual(await q.receive(Buffer.from([1, 9, 0, 6, 21, 0x20])), { kind: 'response', eap: Buffer.from([2, 9, 0, 6, 3, 4]) });
    const exp = await q.receive(Buffer.from('010a000cfe00000000000001', 'hex'));
    assert.deepEqual(exp.kind === 'response' && exp.eap, Buffer.from('020a0014fe00000000000003fe00000000000004', 'hex'));
  });

  it('refuses a premature EAP-Success', async () => {
    const p = new EapPeer({ identity: 'alice', methods: [md5ChallengePeer('pw')] });
    assert.deepEqual(await p.receive(Buffer.from([3, 1, 0, 4])), { kind: 'failure', reason: 'premature-success' });
  });
});
