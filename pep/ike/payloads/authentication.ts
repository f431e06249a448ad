/**
 * Authentication Payload, RFC 7296 section 3.8.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Auth Method   |                RESERVED                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                      Authentication Data                      ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * With DIGITAL_SIGNATURE (14, RFC 7427 section 3) the data starts with a one-octet ASN.1 length
 * and an AlgorithmIdentifier before the signature; the codec keeps the data whole.
 */
import { PayloadType } from '../constants.js';
import { checkRange, concat, Reader } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface AuthenticationPayload {
  readonly type: typeof PayloadType.AUTH;
  readonly critical?: boolean;
  /** AuthMethod. */
  readonly method: number;
  readonly data: Uint8Array;
}

export function decodeAuthentication(body: Uint8Array, offset: number): AuthenticationPayload {
  const r = new Reader(body, offset);
  const method = r.u8('Auth Method');
  r.skip(3, 'RESERVED');
  return { type: PayloadType.AUTH, method, data: r.rest() };
}

export function encodeAuthentication(p: AuthenticationPayload): Uint8Array {
  checkRange(p.method, 8, 'Auth Method');
  return concat([Buffer.from([p.method, 0, 0, 0]), p.data]);
}

export const authenticationCodec: PayloadCodec<AuthenticationPayload> = {
  types: [PayloadType.AUTH],
  decode: (body, offset) => decodeAuthentication(body, offset),
  encode: encodeAuthentication,
};
