/**
 * Key Exchange Payload, RFC 7296 section 3.4.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Diffie-Hellman Group Num    |           RESERVED            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                       Key Exchange Data                       ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "The length of the Diffie-Hellman public value for modular exponentiation group (MODP) groups
 * MUST be equal to the length of the prime modulus over which the exponentiation was performed":
 * the length depends on the group, so the responder (pep/crypto) checks it, not this codec.
 */
import { PayloadType } from '../constants.js';
import { checkRange, concat, Reader, u16 } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface KeyExchangePayload {
  readonly type: typeof PayloadType.KE;
  readonly critical?: boolean;
  /** DhGroup number. */
  readonly dhGroup: number;
  readonly data: Uint8Array;
}

export function decodeKeyExchange(body: Uint8Array, offset: number): KeyExchangePayload {
  const r = new Reader(body, offset);
  const dhGroup = r.u16('Diffie-Hellman Group Num');
  r.skip(2, 'RESERVED');
  return { type: PayloadType.KE, dhGroup, data: r.rest() };
}

export function encodeKeyExchange(p: KeyExchangePayload): Uint8Array {
  checkRange(p.dhGroup, 16, 'Diffie-Hellman Group Num');
  return concat([u16(p.dhGroup), u16(0), p.data]);
}

export const keyExchangeCodec: PayloadCodec<KeyExchangePayload> = {
  types: [PayloadType.KE],
  decode: (body, offset) => decodeKeyExchange(body, offset),
  encode: encodeKeyExchange,
};
