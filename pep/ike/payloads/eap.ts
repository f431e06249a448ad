/**
 * EAP Payload, RFC 7296 section 3.16.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                       EAP Message                             ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The EAP Message is one whole EAP packet (RFC 3748 section 4: Code, Identifier, Length, Type,
 * Data); the codec keeps its octets and the EAP layer decodes them.
 */
import { PayloadType } from '../constants.js';
import { copyBytes } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface EapPayload {
  readonly type: typeof PayloadType.EAP;
  readonly critical?: boolean;
  /** The raw EAP packet. */
  readonly message: Uint8Array;
}

export function decodeEap(body: Uint8Array): EapPayload {
  return { type: PayloadType.EAP, message: copyBytes(body) };
}

export function encodeEap(p: EapPayload): Uint8Array {
  return p.message;
}

export const eapCodec: PayloadCodec<EapPayload> = {
  types: [PayloadType.EAP],
  decode: (body) => decodeEap(body),
  encode: encodeEap,
};
