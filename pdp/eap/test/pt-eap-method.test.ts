/**
 * The PT-EAP / EAP-TNC server method fed with the real client batches strongSwan 5.9.8 sent to its
 * PDP (shared/vectors/strongswan-5.9.8-pb-tnc/alice-c1-*-rx-*.hex), against a fake PostureSession;
 * and the method's failure paths.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AccessRecommendation, AssessmentResult, PbBatchType, readBatchHeader, type PbTncSessionEvent } from '../../../tnc/index.js';
import type { PostureContext, PostureDecision, PostureService, PostureSession, Recommendation } from '../../posture/posture-service.js';
import { EapAuthenticator, type AuthStep } from '../authenticator.js';
import { EapCode, decodeEapPacket, eapResponse } from '../packet.js';
import { tncMethodFactory, type TncServerOptions } from '../pt-eap/method.js';
import { postureOf } from '../pt-eap/result.js';
import { EAP_TNC, PT_EAP, type TncVariant } from '../pt-eap/variant.js';
import { credentialStore } from './harness.js';

const CAPTURES = new URL('../../../../shared/vectors/strongswan-5.9.8-pb-tnc/', import.meta.url);
const clientBatches = readdirSync(CAPTURES)
  .filter((f) => /^alice-c1-\d+-rx-\w+\.hex$/.test(f))
  .sort()
  .map((f) => Buffer.from(readFileSync(new URL(f, CAPTURES), 'utf8').replace(/\s+/g, ''), 'hex'));

const PB_REC: Record<Recommendation, AccessRecommendation | undefined> = {
  allow: AccessRecommendation.AccessAllowed,
  isolate: AccessRecommendation.Quarantined,
  'no-access': AccessRecommendation.AccessDenied,
  'no-recommendation': undefined,
};

/** A PostureService whose sessions ask for `rounds - 1` more CDATA batches, then decide. */
interface FakePosture extends PostureService {
  readonly contexts: PostureContext[];
  readonly closed: number;
  readonly batches: number[];
}

function fakePosture(recommendation: Recommendation, rounds = 2): FakePosture {
  const contexts: PostureContext[] = [];
  const batches: number[] = [];
  let closed = 0;
  return {
    contexts,
    batches,
    get closed() {
      return closed;
    },
    createSession(context: PostureContext): PostureSession {
      contexts.push(context);
      let decision: PostureDecision | undefined;
      return {
        onClientBatch(input) {
          batches.push(input.paMessages.length);
          if (input.roundTrip < rounds) return { action: 'continue' };
          decision = { recommendation, imvs: [{ imv: 'fake', recommendation, evaluation: 'compliant', reasons: [] }] };
          const accessRecommendation = PB_REC[recommendation];
          return {
            action: 'decide',
            assessmentResult: recommendation === 'allow' ? AssessmentResult.Compliant : AssessmentResult.MajorNonCompliance,
            ...(accessRecommendation !== undefined ? { accessRecommendation } : {}),
          };
        },
        decision: () => decision,
        close: () => {
          closed++;
        },
      };
    },
  };
}

function server(variant: TncVariant, options: TncServerOptions): EapAuthenticator {
  return new EapAuthenticator({ credentials: credentialStore({}), methods: [tncMethodFactory(variant, options)], maxRounds: 100 });
}

/** The Type-Data of the Request in `step`. */
function requestData(step: AuthStep): { id: number; data: Buffer } {
  assert.equal(step.kind, 'challenge', JSON.stringify(step));
  const p = decodeEapPacket(step.kind === 'challenge' ? step.eap : Buffer.alloc(0));
  assert.equal(p.code, EapCode.Request);
  return { id: p.identifier, data: p.data };
}

const batchType = (typeData: Buffer): number => readBatchHeader(typeData.subarray(1)).batchType;

for (const variant of [PT_EAP, EAP_TNC]) {
  describe(`${variant.name} server method with strongSwan's captured client batches`, () => {
    it('Start, CDATA -> SDATA, CDATA (19 KB) -> RESULT, CLOSE -> success with the decision in attributes.posture', async () => {
      assert.equal(clientBatches.length, 3);
      const posture = fakePosture('isolate');
      const events: PbTncSessionEvent[] = [];
      const auth = server(variant, { posture, onEvent: (e) => events.push(e) });
      let { id, data } = requestData(await auth.begin('carol@strongswan.org'));
      assert.deepEqual(data, Buffer.from([variant === PT_EAP ? 0x81 : 0x21]));
      const sent: number[] = [];
      let step: AuthStep | undefined;
      for (const batch of clientBatches) {
        step = await auth.handle(eapResponse(id, variant.type, Buffer.concat([Buffer.from([0x01]), batch])));
        if (step.kind !== 'challenge') break;
        ({ id, data } = requestData(step));
        assert.equal(data[0], 0x01);
        sent.push(batchType(data));
      }
      assert.deepEqual(sent, [PbBatchType.SDATA, PbBatchType.RESULT]);
      assert.equal(step?.kind, 'accept', JSON.stringify(step));
      if (step?.kind !== 'accept') return;
      assert.equal(step.eap[0], EapCode.Success);
      assert.equal(step.method, variant.name);
      assert.equal(postureOf(step.attributes)?.recommendation, 'isolate');
      assert.equal(step.attributes['postureTransport'], variant.name);
      assert.deepEqual(posture.contexts, [{ user: 'carol@strongswan.org', via: 'radius', transport: variant.transport }]);
      assert.equal(posture.closed, 1);
      // the IMV side saw the PA messages of both CDATA batches (OS, Firewall, Test ...)
      assert.ok(posture.batches[0]! >= 3 && posture.batches[1]! >= 2, JSON.stringify(posture.batches));
      assert.deepEqual(
        events.filter((e) => e.type === 'closed').map((e) => e.type === 'closed' && e.by),
        ['peer'],
      );
    });

    it('a CLOSE before RESULT fails the method', async () => {
      const posture = fakePosture('allow');
      const auth = server(variant, { posture });
      const { id } = requestData(await auth.begin('carol'));
      const step = await auth.handle(eapResponse(id, variant.type, Buffer.concat([Buffer.from([0x01]), clientBatches[2]!])));
      assert.equal(step.kind, 'reject');
      assert.equal(step.kind === 'reject' && step.reason, `${variant.transport}-closed-without-result`);
      assert.equal(posture.closed, 1);
    });

    it('version 0, S from the peer, or an empty answer to Start fail the method', async () => {
      for (const [flags, reason] of [
        [0x00, `${variant.transport}-unsupported-version-0`],
        [0x02, `${variant.transport}-unsupported-version-2`],
        [variant.startFlag | 1, `${variant.transport}-unexpected-start`],
      ] as const) {
        const auth = server(variant, { posture: fakePosture('allow') });
        const { id } = requestData(await auth.begin('carol'));
        const step = await auth.handle(eapResponse(id, variant.type, Buffer.concat([Buffer.from([flags]), clientBatches[0]!])));
        assert.equal(step.kind === 'reject' && step.reason, reason);
      }
      const auth = server(variant, { posture: fakePosture('allow') });
      const { id } = requestData(await auth.begin('carol'));
      const step = await auth.handle(eapResponse(id, variant.type, Buffer.from([0x01])));
      assert.equal(step.kind === 'reject' && step.reason, `${variant.transport}-peer-sent-nothing`);
    });

    it('a malformed batch gets a CLOSE with a PB-Error, and the next answer fails the method', async () => {
      const auth = server(variant, { posture: fakePosture('allow') });
      let { id, data } = requestData(await auth.begin('carol'));
      const step = await auth.handle(eapResponse(id, variant.type, Buffer.from([0x01, 0x02, 0x80, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07])));
      ({ id, data } = requestData(step));
      assert.equal(batchType(data), PbBatchType.CLOSE);
      const last = await auth.handle(eapResponse(id, variant.type, Buffer.from([0x00]))); // strongSwan's ACK
      assert.equal(last.kind, 'reject');
      assert.match(last.kind === 'reject' ? last.reason : '', /^pb-tnc-/);
    });
  });
}

describe('EAP-TNC fragments in both directions', () => {
  it('reassembles a fragmented CDATA and fragments its own batches', async () => {
    const { TncSender } = await import('../pt-eap/fragment.js');
    const posture = fakePosture('allow', 1);
    const auth = server(EAP_TNC, { posture, fragmentSize: 32 });
    let { id } = requestData(await auth.begin('carol'));
    const sender = new TncSender(EAP_TNC, clientBatches[0]!, 100);
    let step: AuthStep | undefined;
    while (sender.pending) {
      step = await auth.handle(eapResponse(id, EAP_TNC.type, sender.next()));
      const r = requestData(step);
      id = r.id;
      if (sender.pending) assert.deepEqual(r.data, Buffer.from([0x01]), 'ACK');
    }
    // our RESULT comes in 32-octet fragments, each acknowledged
    let fragments = 1;
    for (;;) {
      const r = requestData(step!);
      if ((r.data[0]! & 0x40) === 0) break;
      step = await auth.handle(eapResponse(r.id, EAP_TNC.type, Buffer.from([0x01])));
      fragments++;
    }
    assert.ok(fragments > 1);
    const r = requestData(step!);
    step = await auth.handle(eapResponse(r.id, EAP_TNC.type, Buffer.concat([Buffer.from([0x01]), clientBatches[2]!])));
    assert.equal(step.kind, 'accept');
  });
});
