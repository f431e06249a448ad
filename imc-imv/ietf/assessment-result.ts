/**
 * IETF Assessment Result (type 9), RFC 5792 section 4.2.9: a Posture Validator's verdict.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Assessment Result                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 0 Compliant, 1 Not compliant (minor), 2 Not compliant (major), 3 Error, 4 Don't know. Other
 * values are kept as received; the policy decides what they mean.
 */
import { defineAttribute } from '../pa-tnc/attribute.js';
import { decodeUint32Value, encodeUint32Value } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export const AssessmentResultCode = {
  Compliant: 0,
  NonCompliantMinor: 1,
  NonCompliantMajor: 2,
  Error: 3,
  DontKnow: 4,
} as const;

export const assessmentResult = defineAttribute({
  vendorId: Pen.IETF,
  type: 9,
  name: 'assessment-result',
  title: 'Assessment Result',
  encode: (v: number): Uint8Array => encodeUint32Value(v, 'Assessment Result'),
  decode: (value: Uint8Array): number => decodeUint32Value(value, 'Assessment Result'),
});
