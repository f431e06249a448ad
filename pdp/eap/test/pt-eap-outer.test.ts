/**
 * PT-EAP (type 54) and EAP-TNC (type 38) as OUTER methods (eap.methods ['pt-eap'] / ['eap-tnc']),
 * in-process: an EapPeer whose only method is the TNC peer, against LocalEapService with a fake
 * PostureService, through the AccessHandler. The posture context user is the outer EAP identity;
 * the method derives no MSK, so the Access-Accept carries no MS-MPPE attributes; the decision maps
 * as for the inner case (allow/isolate -> Filter-Id, no-access -> Access-Reject + EAP-Failure).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { AttributeType, PacketCode, getAttribute, joinEapMessage, splitEapMessage, type RadiusAttribute } from '../../../radius/index.js';
import type { RadiusReply, RadiusRequest } from '../../../radius/server.js';
import { AccessRecommendation } from '../../../tnc/index.js';
import { AccessHandler, type ConversationFinished } from '../../access-handler.js';
import { ConfigError, buildConfig } from '../../config/load.js';
import type { PdpConfig } from '../../config/types.js';
import { LocalEapService } from '../../eap-service/local-eap-service.js';
import type { TlsIdentity } from '../../pki/demo-pki.js';
import { ConfigUserDirectory } from '../../users.js';
import { EapPeer, type PeerStep } from '../peer/eap-peer.js';
import { md5ChallengePeer } from '../peer/md5-peer.js';
import { TncPeer, eapTncPeer, ptEapPeer, type TncPeerResult } from '../peer/pt-eap-peer.js';
import { makeTestPki } from './certs.js';
import { fakePosture } from './fake-posture.js';

let identity: TlsIdentity;
before(async () => {
  const pki = await makeTestPki();
  identity = { certificatePem: pki.certPem, privateKeyPem: pki.keyPem, caPem: pki.caPem, files: { certificate: '-', privateKey: '-' }, generated: true };
});

const USERS = [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }];
const CLIENTS = [{ name: 'moon', address: '127.0.0.1', secret: 'gv6URkSs' }];

function config(eap: object): PdpConfig {
  return buildConfig({ radius: { clients: CLIENTS }, users: USERS, eap }, 'test', '/tmp');
}

interface Run {
  readonly reply: RadiusReply;
  readonly peer: PeerStep | undefined;
  readonly finished: ConversationFinished | undefined;
  readonly result: TncPeerResult | undefined;
}

/** A NAS in-process: relays the outer TNC peer's EAP through AccessHandler.access(). */
async function run(eap: LocalEapService, cfg: PdpConfig, outerIdentity: string, method: 'pt-eap' | 'eap-tnc' | 'md5'): Promise<Run> {
  const handler = new AccessHandler({ eap, users: new ConfigUserDirectory(cfg.users) });
  let finished: ConversationFinished | undefined;
  handler.on('finished', (f) => (finished = f));
  let tncPeer: TncPeer | undefined;
  const factory = method === 'md5' ? md5ChallengePeer(USERS[0]!.password) : method === 'pt-eap' ? ptEapPeer() : eapTncPeer();
  const peer = new EapPeer({
    identity: outerIdentity,
    methods: [
      {
        ...factory,
        create: (ctx) => {
          const m = factory.create(ctx);
          if (m instanceof TncPeer) tncPeer = m;
          return m;
        },
      },
    ],
  });
  let eapMessage = peer.identityResponse(1);
  let state: Buffer | undefined;
  for (let id = 0; id < 50; id++) {
    const attributes: RadiusAttribute[] = [
      { type: AttributeType.UserName, value: Buffer.from(outerIdentity) },
      ...splitEapMessage(eapMessage),
      ...(state ? [{ type: AttributeType.State, value: state }] : []),
    ];
    const request: RadiusRequest = {
      service: 'auth',
      client: cfg.radius.clients[0]!,
      address: '127.0.0.1',
      port: 40000,
      packet: { code: PacketCode.AccessRequest, identifier: id & 0xff, authenticator: randomBytes(16), attributes },
    };
    const reply = await handler.access(request);
    assert.ok(reply, 'dropped');
    const eapReply = joinEapMessage(reply.attributes);
    if (reply.code !== PacketCode.AccessChallenge) {
      const step = eapReply ? await peer.receive(eapReply) : undefined;
      return { reply, peer: step, finished, result: tncPeer?.result };
    }
    state = getAttribute({ code: reply.code, identifier: 0, authenticator: Buffer.alloc(16), attributes: reply.attributes }, AttributeType.State);
    const step = await peer.receive(eapReply!);
    if (step.kind !== 'response') throw new Error(`peer stopped: ${JSON.stringify(step)}`);
    eapMessage = step.eap;
  }
  throw new Error('no end in 50 rounds');
}

const filterId = (reply: RadiusReply): string | undefined =>
  reply.attributes.find((a) => a.type === AttributeType.FilterId)?.value.toString('utf8');
const mppe = (reply: RadiusReply): number => reply.attributes.filter((a) => a.type === AttributeType.VendorSpecific).length;

describe('PT-EAP / EAP-TNC as the outer EAP method, through the RADIUS access handler', () => {
  for (const method of ['pt-eap', 'eap-tnc'] as const) {
    it(`${method}: isolate -> Access-Accept, Filter-Id isolate, no MS-MPPE keys; posture user = outer identity`, async () => {
      const cfg = config({ methods: [method], tnc: {} });
      const posture = fakePosture('isolate');
      const eap = new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0, posture });
      try {
        const r = await run(eap, cfg, 'endpoint-17', method);
        assert.equal(r.reply.code, PacketCode.AccessAccept);
        assert.equal(filterId(r.reply), 'isolate');
        assert.equal(mppe(r.reply), 0);
        assert.equal(r.peer?.kind, 'success');
        assert.equal(r.result?.accessRecommendation, AccessRecommendation.Quarantined);
        assert.deepEqual(posture.users, [`endpoint-17/${method}`]);
        assert.equal(r.finished?.outcome, 'accept');
        assert.equal(r.finished?.group, 'isolate');
        assert.equal(r.finished?.posture, 'isolate');
        assert.equal(r.finished?.method, method);
        assert.equal(eap.size, 0);
      } finally {
        await eap.close();
      }
    });

    it(`${method}: no-access -> Access-Reject with EAP-Failure`, async () => {
      const cfg = config({ methods: [method], tnc: {} });
      const eap = new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0, posture: fakePosture('no-access') });
      try {
        const r = await run(eap, cfg, 'endpoint-17', method);
        assert.equal(r.reply.code, PacketCode.AccessReject);
        assert.equal(filterId(r.reply), undefined);
        assert.equal(mppe(r.reply), 0);
        assert.equal(joinEapMessage(r.reply.attributes)?.[0], 4);
        assert.equal(r.peer?.kind, 'failure');
        assert.equal(r.result?.accessRecommendation, AccessRecommendation.AccessDenied);
        assert.equal(r.finished?.outcome, 'reject');
        assert.equal(r.finished?.reason, 'posture: no-access');
      } finally {
        await eap.close();
      }
    });
  }

  it('allow -> Filter-Id allow, whatever the outer identity', async () => {
    const cfg = config({ methods: ['pt-eap'], tnc: {} });
    const eap = new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0, posture: fakePosture('allow') });
    try {
      const r = await run(eap, cfg, 'somebody', 'pt-eap');
      assert.equal(r.reply.code, PacketCode.AccessAccept);
      assert.equal(filterId(r.reply), 'allow');
      assert.equal(mppe(r.reply), 0);
    } finally {
      await eap.close();
    }
  });

  it('plain outer MD5 still derives no MSK and is rejected', async () => {
    const cfg = config({ methods: ['md5', 'pt-eap'], tnc: {} });
    const eap = new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0, posture: fakePosture('allow') });
    try {
      const r = await run(eap, cfg, 'carol', 'md5');
      assert.equal(r.reply.code, PacketCode.AccessReject);
      assert.equal(r.finished?.reason, 'MD5-Challenge derives no MSK');
    } finally {
      await eap.close();
    }
  });
});

describe('outer pt-eap / eap-tnc configuration', () => {
  it('needs eap.tnc (the posture service), and eap.tnc no longer needs ttls then', () => {
    assert.throws(() => config({ methods: ['pt-eap'] }), /eap.methods: pt-eap needs eap.tnc/);
    assert.throws(() => config({ methods: ['ttls', 'eap-tnc'] }), ConfigError);
    assert.deepEqual(config({ methods: ['eap-tnc'], tnc: {} }).eap.methods, ['eap-tnc']);
    assert.throws(() => config({ methods: ['md5'], tnc: {} }), /eap.tnc: posture runs inside TTLS/);
  });

  it('without a posture service LocalEapService refuses to start', () => {
    const cfg = config({ methods: ['pt-eap'], tnc: {} });
    assert.throws(() => new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0 }), /posture/);
  });
});
