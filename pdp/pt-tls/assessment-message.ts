/**
 * PT-TLS PB-TNC Batch message, the Assessment Message of the data transport phase (RFC 6876
 * section 3.7): the Message Value is exactly one PB-TNC batch (RFC 5793), which the PB-TNC
 * session (tnc/pb/session.ts) parses. The PT-TLS layer only bounds its size: the largest batch is
 * PT_TLS_LIMITS.maxBatchSize (strongSwan's 128 * 16384 - 16 octets), so the largest PT-TLS
 * message is that plus the 16-octet header.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 PB-TNC Batch (Variable Length) . . .          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { PT_TLS_LIMITS } from '../../tnc/index.js';
import type { PtTlsValueCodec } from './codec.js';
import { PtTlsMessageType } from './message-type.js';
import { copyOf } from './wire.js';

export interface AssessmentMessage {
  readonly kind: 'pb-tnc-batch';
  readonly batch: Uint8Array;
}

export const assessmentMessageCodec: PtTlsValueCodec<AssessmentMessage> = {
  kind: 'pb-tnc-batch',
  vendorId: 0,
  messageType: PtTlsMessageType.PbTncBatch,
  maxValueLength: PT_TLS_LIMITS.maxBatchSize,
  encode: (value) => copyOf(value.batch),
  decode: (bytes) => ({ kind: 'pb-tnc-batch', batch: copyOf(bytes) }),
};
