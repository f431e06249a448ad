/**
 * The pdpReferral option of the PT-EAP / EAP-TNC server method: strongSwan's PDP, with its PT-TLS
 * server on, puts a TCG PB-PDP-Referral first in its first SDATA over PT-EAP (the capture
 * shared/vectors/strongswan-5.9.8-pb-tnc/alice-c1-02-tx-SDATA.hex). Fed strongSwan's captured
 * first CDATA, our method's first SDATA carries the same referral octets at the same place; only
 * PT-EAP/EAP-TNC framing surrounds the batch.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AccessRecommendation, AssessmentResult, decodeBatch, PbBatchType } from '../../../tnc/index.js';
import type { PostureService } from '../../posture/posture-service.js';
import { EapAuthenticator } from '../authenticator.js';
import { decodeEapPacket, eapResponse } from '../packet.js';
import { tncMethodFactory } from '../pt-eap/method.js';
import { EAP_TNC, PT_EAP } from '../pt-eap/variant.js';
import { credentialStore } from './harness.js';

const CAPTURES = new URL('../../../../shared/vectors/strongswan-5.9.8-pb-tnc/', import.meta.url);
const hex = (f: string) => readFileSync(new URL(f, CAPTURES), 'utf8').replace(/\s+/g, '');
const CDATA = Buffer.from(hex('alice-c1-01-rx-CDATA.hex'), 'hex');
const SDATA_HEX = hex('alice-c1-02-tx-SDATA.hex');
/** The captured referral message: header (12) + value (33) = 45 octets right after the batch header. */
const REFERRAL_HEX = SDATA_HEX.slice(16, 16 + 2 * 45);

const posture: PostureService = {
  createSession: () => ({
    onClientBatch: (input) =>
      input.roundTrip < 2 ? { action: 'continue' } : { action: 'decide', assessmentResult: AssessmentResult.Compliant, accessRecommendation: AccessRecommendation.AccessAllowed },
    decision: () => undefined,
    close: () => undefined,
  }),
};

for (const variant of [PT_EAP, EAP_TNC]) {
  describe(`${variant.name}: pdpReferral`, () => {
    const firstServerBatch = async (withReferral: boolean) => {
      const auth = new EapAuthenticator({
        credentials: credentialStore({}),
        maxRounds: 10,
        methods: [tncMethodFactory(variant, { posture, ...(withReferral ? { pdpReferral: { fqdn: 'radius.strongswan.org', port: 271 } } : {}) })],
      });
      const start = await auth.begin('carol');
      assert.equal(start.kind, 'challenge');
      const id = decodeEapPacket(start.kind === 'challenge' ? start.eap : Buffer.alloc(0)).identifier;
      const step = await auth.handle(eapResponse(id, variant.type, Buffer.concat([Buffer.from([0x01]), CDATA])));
      assert.equal(step.kind, 'challenge');
      return decodeEapPacket(step.kind === 'challenge' ? step.eap : Buffer.alloc(0)).data.subarray(1); // after Flags/Version
    };

    it("puts strongSwan's referral octets first in the first SDATA", async () => {
      const batch = await firstServerBatch(true);
      assert.equal(decodeBatch(batch).batchType, PbBatchType.SDATA);
      assert.equal(batch.subarray(8, 8 + 45).toString('hex'), REFERRAL_HEX);
      assert.deepEqual(decodeBatch(batch).messages[0], {
        kind: 'pdp-referral',
        identifier: { type: 'fqdn', protocol: 0, port: 271, fqdn: 'radius.strongswan.org' },
      });
    });

    it('sends no referral without the option', async () => {
      const batch = await firstServerBatch(false);
      assert.equal(decodeBatch(batch).messages.length, 0);
    });
  });
}
