/**
 * PB-Experimental, IETF message type 0 (RFC 5793 section 4.4).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |              Experimental Value (Variable Length)             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * For experiments only; its value has no defined format and is kept as bytes. We support no
 * experiment, so one received with NOSKIP set is an Unsupported Mandatory Message (batch.ts, as
 * strongSwan's pb_tnc_batch.c does); without NOSKIP it is decoded and ignored.
 */
import { copyOf } from '../wire.js';
import type { PbTncMessageCodec } from './codec.js';

export interface PbExperimentalMessage {
  readonly kind: 'experimental';
  readonly value: Uint8Array;
  /** Sent with NOSKIP (only for tests: a receiver without the experiment must reject it). */
  readonly noskip?: boolean;
}

export const experimentalCodec: PbTncMessageCodec<PbExperimentalMessage> = {
  kind: 'experimental',
  name: 'PB-Experimental',
  vendorId: 0,
  type: 0,
  encode: (message) => copyOf(message.value),
  decode: (value) => ({ kind: 'experimental', value: copyOf(value) }),
};
