/**
 * PB-Access-Recommendation, IETF message type 3 (RFC 5793 section 4.7): the access the Posture
 * Broker Server recommends, sent only in a RESULT batch (registry.ts), without NOSKIP.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |          Reserved             |   Access Recommendation Code  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Reserved: sent as 0, ignored on receipt.
 */
import { invalidParameter } from '../../errors.js';
import { WireWriter, readUint16 } from '../wire.js';
import type { PbTncMessageCodec } from './codec.js';

export const AccessRecommendation = {
  AccessAllowed: 1,
  AccessDenied: 2,
  Quarantined: 3,
} as const;
export type AccessRecommendation = (typeof AccessRecommendation)[keyof typeof AccessRecommendation];

export function isAccessRecommendation(value: number): value is AccessRecommendation {
  return Number.isInteger(value) && value >= 1 && value <= 3;
}

export interface PbAccessRecommendationMessage {
  readonly kind: 'access-recommendation';
  readonly recommendation: AccessRecommendation;
}

export const accessRecommendationCodec: PbTncMessageCodec<PbAccessRecommendationMessage> = {
  kind: 'access-recommendation',
  name: 'PB-Access-Recommendation',
  vendorId: 0,
  type: 3,
  encode: (m) =>
    new WireWriter().uint16(0, 'Reserved').uint16(m.recommendation, 'Access Recommendation Code').finish(),
  decode(value) {
    const recommendation = readUint16(value, 2, 'Access Recommendation Code');
    // strongSwan rejects codes outside 1..3 with Invalid Parameter at this field.
    if (!isAccessRecommendation(recommendation)) {
      throw invalidParameter('PB_VALUE_INVALID', 2, `Access Recommendation Code ${recommendation} is not 1..3`);
    }
    return { kind: 'access-recommendation', recommendation };
  },
};
