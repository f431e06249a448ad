/**
 * Nonce Payload, RFC 7296 section 3.9.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                            Nonce Data                         ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { PayloadType } from '../constants.js';
import { IkeDecodeError } from '../errors.js';
import { checkLength, copyBytes } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

/** "The size of the Nonce Data MUST be between 16 and 256 octets, inclusive." (s3.9) */
export const NONCE_MIN_LENGTH = 16;
export const NONCE_MAX_LENGTH = 256;

export interface NoncePayload {
  readonly type: typeof PayloadType.Nonce;
  readonly critical?: boolean;
  readonly data: Uint8Array;
}

export function decodeNonce(body: Uint8Array, offset: number): NoncePayload {
  // "The size of the Nonce Data MUST be between 16 and 256 octets, inclusive." (s3.9)
  if (body.length < NONCE_MIN_LENGTH || body.length > NONCE_MAX_LENGTH) {
    throw new IkeDecodeError('BAD_NONCE_LENGTH', offset, `Nonce Data of ${body.length} octets, expected 16..256`);
  }
  return { type: PayloadType.Nonce, data: copyBytes(body) };
}

export function encodeNonce(p: NoncePayload): Uint8Array {
  checkLength(p.data, NONCE_MIN_LENGTH, NONCE_MAX_LENGTH, 'Nonce Data');
  return p.data;
}

export const nonceCodec: PayloadCodec<NoncePayload> = {
  types: [PayloadType.Nonce],
  decode: (body, offset) => decodeNonce(body, offset),
  encode: encodeNonce,
};
