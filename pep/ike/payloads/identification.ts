/**
 * Identification Payloads (IDi and IDr), RFC 7296 section 3.5.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   ID Type     |                 RESERVED                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                   Identification Data                         ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The AUTH computation (s2.15) signs the body of this payload without its generic header
 * ("RestOfInitIDPayload"): `encodeIdentification(p)` returns exactly that octet string.
 */
import { PayloadType } from '../constants.js';
import { checkRange, concat, Reader } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface IdentificationPayload {
  readonly type: typeof PayloadType.IDi | typeof PayloadType.IDr;
  readonly critical?: boolean;
  /** IdType (IPV4_ADDR, FQDN, RFC822_ADDR, IPV6_ADDR, DER_ASN1_DN, KEY_ID ...). */
  readonly idType: number;
  readonly data: Uint8Array;
}

export function decodeIdentification(body: Uint8Array, offset: number, type: number): IdentificationPayload {
  const r = new Reader(body, offset);
  const idType = r.u8('ID Type');
  r.skip(3, 'RESERVED');
  return { type: type === PayloadType.IDr ? PayloadType.IDr : PayloadType.IDi, idType, data: r.rest() };
}

/** The payload body: ID Type, three RESERVED octets and the data (the signed "RestOfInitIDPayload"). */
export function encodeIdentification(p: IdentificationPayload): Uint8Array {
  checkRange(p.idType, 8, 'ID Type');
  return concat([Buffer.from([p.idType, 0, 0, 0]), p.data]);
}

export const identificationCodec: PayloadCodec<IdentificationPayload> = {
  types: [PayloadType.IDi, PayloadType.IDr],
  decode: decodeIdentification,
  encode: encodeIdentification,
};
