/**
 * Full in-process runs: an EAP-TTLS peer with inner MD5-Challenge then PT-EAP (or EAP-TNC) running a
 * PbTncClientSession, against LocalEapService with a fake PostureSession, through the
 * AccessHandler: the RADIUS reply carries the group the posture decided. Also the worker-thread
 * path (the posture service built inside the worker from a module) and the eap.tnc configuration.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AttributeType, PacketCode, getAttribute, joinEapMessage, splitEapMessage, type RadiusAttribute } from '../../../radius/index.js';
import type { RadiusReply, RadiusRequest } from '../../../radius/server.js';
import { AccessRecommendation } from '../../../tnc/index.js';
import { AccessHandler, type ConversationFinished } from '../../access-handler.js';
import { ConfigError, buildConfig } from '../../config/load.js';
import type { PdpConfig } from '../../config/types.js';
import { createEapService } from '../../eap-service/create.js';
import type { EapService } from '../../eap-service/eap-service.js';
import { LocalEapService } from '../../eap-service/local-eap-service.js';
import { WorkerEapService } from '../../eap-service/worker-eap-service.js';
import { createLogger } from '../../logging.js';
import type { TlsIdentity } from '../../pki/demo-pki.js';
import { ConfigUserDirectory } from '../../users.js';
import { EapPeer, type PeerStep } from '../peer/eap-peer.js';
import { md5ChallengePeer } from '../peer/md5-peer.js';
import type { PeerMethodFactory } from '../peer/peer-method.js';
import { TncPeer, eapTncPeer, peerSequence, ptEapPeer, type TncPeerResult } from '../peer/pt-eap-peer.js';
import { ttlsPeerMethod } from '../peer/ttls-peer.js';
import { makeTestPki, type TestPki } from './certs.js';
import { fakePosture } from './fake-posture.js';

let pki: TestPki;
let identity: TlsIdentity;
before(async () => {
  pki = await makeTestPki();
  identity = { certificatePem: pki.certPem, privateKeyPem: pki.keyPem, caPem: pki.caPem, files: { certificate: '-', privateKey: '-' }, generated: true };
});

const USERS = [
  { name: 'carol', password: 'Ar3etTnp', group: 'allow' },
  { name: 'dave', password: 'W7R0g3do', group: 'isolate' },
];

function config(tnc?: object, extra: object = {}): PdpConfig {
  return buildConfig(
    { radius: { clients: [{ name: 'moon', address: '127.0.0.1', secret: 'gv6URkSs' }] }, users: USERS, eap: { ...(tnc ? { tnc } : {}) }, ...extra },
    'test',
    '/tmp',
  );
}

interface Run {
  readonly reply: RadiusReply;
  readonly peer: PeerStep | undefined;
  readonly finished: ConversationFinished | undefined;
  readonly result: TncPeerResult | undefined;
}

/** A NAS in-process: relays the peer's EAP through AccessHandler.access() until Accept/Reject. */
async function run(eap: EapService, cfg: PdpConfig, user: string, tnc: 'pt-eap' | 'eap-tnc' | 'none', phase2: 'eap' | 'pap' = 'eap'): Promise<Run> {
  const users = new ConfigUserDirectory(cfg.users);
  const handler = new AccessHandler({ eap, users });
  let finished: ConversationFinished | undefined;
  handler.on('finished', (f) => (finished = f));
  const password = USERS.find((u) => u.name === user)!.password;
  let tncPeer: TncPeer | undefined;
  const tncFactory = tnc === 'pt-eap' ? ptEapPeer() : eapTncPeer();
  const capture: PeerMethodFactory = {
    ...tncFactory,
    create: (ctx) => (tncPeer = tncFactory.create(ctx) as TncPeer),
  };
  const peer = new EapPeer({
    identity: 'anonymous',
    methods: [
      ttlsPeerMethod({
        tls: { ca: pki.caPem, serverName: pki.serverName },
        innerIdentity: user,
        password,
        phase2,
        innerMethods:
          tnc === 'none' ? [md5ChallengePeer(password)] : phase2 === 'eap' ? [peerSequence([md5ChallengePeer(password), capture])] : [capture],
        maxMessageLength: 4 * (16384 + 2048),
      }),
    ],
  });
  let eapMessage = peer.identityResponse(1);
  let state: Buffer | undefined;
  for (let id = 0; id < 200; id++) {
    const attributes: RadiusAttribute[] = [
      { type: AttributeType.UserName, value: Buffer.from('anonymous') },
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
  throw new Error('no end in 200 rounds');
}

const filterId = (reply: RadiusReply): string | undefined =>
  reply.attributes.find((a) => a.type === AttributeType.FilterId)?.value.toString('utf8');

describe('TTLS with inner MD5 then PT-EAP / EAP-TNC, through the RADIUS access handler', () => {
  for (const tnc of ['pt-eap', 'eap-tnc'] as const) {
    it(`${tnc}: the posture decides isolate -> Access-Accept, Filter-Id isolate (carol's own group is allow)`, async () => {
      const cfg = config({ method: tnc });
      const posture = fakePosture('isolate');
      const eap = new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0, posture });
      try {
        const r = await run(eap, cfg, 'carol', tnc);
        assert.equal(r.reply.code, PacketCode.AccessAccept);
        assert.equal(filterId(r.reply), 'isolate');
        assert.equal(r.peer?.kind, 'success');
        assert.equal(r.result?.accessRecommendation, AccessRecommendation.Quarantined);
        assert.deepEqual(posture.users, [`carol/${tnc}`]);
        assert.equal(r.finished?.outcome, 'accept');
        assert.equal(r.finished?.group, 'isolate');
        assert.equal(r.finished?.posture, 'isolate');
        assert.equal(r.finished?.method, `ttls/${tnc}`);
        // the MS-MPPE keys are still there (the gateway needs them)
        assert.equal(r.reply.attributes.filter((a) => a.type === AttributeType.VendorSpecific).length, 2);
      } finally {
        await eap.close();
      }
    });
  }

  it('allow replaces a configured isolate group', async () => {
    const cfg = config({ method: 'pt-eap' });
    const eap = new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0, posture: fakePosture('allow') });
    const r = await run(eap, cfg, 'dave', 'pt-eap');
    assert.equal(r.reply.code, PacketCode.AccessAccept);
    assert.equal(filterId(r.reply), 'allow');
    await eap.close();
  });

  it('no-access: the endpoint gets the RESULT, then Access-Reject with EAP-Failure', async () => {
    const cfg = config({ method: 'pt-eap' });
    const eap = new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0, posture: fakePosture('no-access') });
    const r = await run(eap, cfg, 'carol', 'pt-eap');
    assert.equal(r.reply.code, PacketCode.AccessReject);
    assert.equal(filterId(r.reply), undefined);
    assert.equal(joinEapMessage(r.reply.attributes)?.[0], 4);
    assert.equal(r.peer?.kind, 'failure');
    assert.equal(r.result?.accessRecommendation, AccessRecommendation.AccessDenied);
    assert.equal(r.finished?.outcome, 'reject');
    assert.equal(r.finished?.reason, 'posture: no-access');
    await eap.close();
  });

  it('inner PAP is followed by the assessment too (no way around it)', async () => {
    const cfg = config({ method: 'pt-eap' });
    const posture = fakePosture('isolate');
    const eap = new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0, posture });
    const r = await run(eap, cfg, 'carol', 'pt-eap', 'pap');
    assert.equal(r.reply.code, PacketCode.AccessAccept);
    assert.equal(filterId(r.reply), 'isolate');
    assert.deepEqual(posture.users, ['carol/pt-eap']);
    await eap.close();
  });

  it('without eap.tnc nothing changes: carol gets her configured group', async () => {
    const cfg = config();
    const eap = new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0, posture: fakePosture('isolate') });
    const r = await run(eap, cfg, 'carol', 'none');
    assert.equal(r.reply.code, PacketCode.AccessAccept);
    assert.equal(filterId(r.reply), 'allow');
    assert.equal(r.finished?.posture, undefined);
    assert.equal(r.finished?.method, 'ttls/md5-challenge');
    await eap.close();
  });
});

describe('posture in worker threads', () => {
  let svc: WorkerEapService | undefined;
  after(async () => svc?.close());

  it('each worker builds its posture service from the configuration through the posture module', async () => {
    const cfg = config({ method: 'pt-eap' }, { workers: 2 });
    const module = `data:text/javascript,${encodeURIComponent(`
      export function createPostureService(config) {
        const rec = config.users.length === 2 ? 'isolate' : 'allow';
        return { createSession() { let d; return {
          onClientBatch() { d = { recommendation: rec, imvs: [] }; return { action: 'decide', assessmentResult: 0, accessRecommendation: 3 }; },
          decision: () => d, close() {} }; } };
      }`)}`;
    svc = (await createEapService(cfg, identity, new ConfigUserDirectory(cfg.users), createLogger('silent'), {
      create: () => fakePosture('allow'),
      module,
    })) as WorkerEapService;
    assert.ok(svc instanceof WorkerEapService);
    const r = await run(svc, cfg, 'carol', 'pt-eap');
    assert.equal(r.reply.code, PacketCode.AccessAccept);
    assert.equal(filterId(r.reply), 'isolate');
  });
});

describe('eap.tnc configuration', () => {
  it('defaults: method pt-eap, maxRounds 1000; absent means no posture', () => {
    assert.deepEqual(config({}).eap.tnc, { method: 'pt-eap', maxRounds: 1000 });
    assert.deepEqual(config({ method: 'eap-tnc', maxRounds: 300 }).eap.tnc, { method: 'eap-tnc', maxRounds: 300 });
    assert.equal(config().eap.tnc, undefined);
  });

  it('rejects unknown methods and posture without TTLS', () => {
    assert.throws(() => config({ method: 'tnccs-1.1' }), ConfigError);
    assert.throws(() => config({ foo: 1 }), ConfigError);
    assert.throws(
      () => buildConfig({ radius: { clients: [{ name: 'm', address: '127.0.0.1', secret: 'x' }] }, users: USERS, eap: { methods: ['md5'], tnc: {} } }, 't', '/tmp'),
      /eap.tnc: posture runs inside TTLS/,
    );
  });

  it('eap.tnc without a posture service is a start-up error, not a silent skip', async () => {
    const cfg = config({ method: 'pt-eap' });
    assert.throws(() => new LocalEapService({ config: cfg, identity, users: new ConfigUserDirectory(cfg.users), shard: 0 }), /posture/);
    await assert.rejects(createEapService(cfg, identity, new ConfigUserDirectory(cfg.users), createLogger('silent')), /posture/);
    const two = config({ method: 'pt-eap' }, { workers: 2 });
    await assert.rejects(
      createEapService(two, identity, new ConfigUserDirectory(two.users), createLogger('silent'), { create: () => fakePosture('allow') }),
      /posture module/,
    );
  });
});
