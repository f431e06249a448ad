/**
 * PB-Assessment-Result, IETF message type 2 (RFC 5793 section 4.6): the Posture Broker Server's
 * overall assessment, sent only in a RESULT batch (registry.ts), always with NOSKIP.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Assessment Result                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The values are those of the PA-TNC Assessment Result attribute (RFC 5792 section 4.2.6).
 */
import { invalidParameter } from '../../errors.js';
import { WireWriter, readUint32 } from '../wire.js';
import type { PbTncMessageCodec } from './codec.js';

export const AssessmentResult = {
  Compliant: 0,
  MinorNonCompliance: 1,
  MajorNonCompliance: 2,
  Error: 3,
  DontKnow: 4,
} as const;
export type AssessmentResult = (typeof AssessmentResult)[keyof typeof AssessmentResult];

export function isAssessmentResult(value: number): value is AssessmentResult {
  return Number.isInteger(value) && value >= 0 && value <= 4;
}

export interface PbAssessmentResultMessage {
  readonly kind: 'assessment-result';
  readonly result: AssessmentResult;
}

export const assessmentResultCodec: PbTncMessageCodec<PbAssessmentResultMessage> = {
  kind: 'assessment-result',
  name: 'PB-Assessment-Result',
  vendorId: 0,
  type: 2,
  encode: (m) => new WireWriter().uint32(m.result, 'Assessment Result').finish(),
  decode(value) {
    const result = readUint32(value, 0, 'Assessment Result');
    // strongSwan rejects values outside 0..4 with Invalid Parameter (pb_assessment_result_msg.c).
    if (!isAssessmentResult(result)) {
      throw invalidParameter('PB_VALUE_INVALID', 0, `Assessment Result ${result} is not 0..4`);
    }
    return { kind: 'assessment-result', result };
  },
};
