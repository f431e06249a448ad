/**
 * Vendor ID Payload, RFC 7296 section 3.12.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                        Vendor ID (VID)                        ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { PayloadType } from '../constants.js';
import { copyBytes } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface VendorIdPayload {
  readonly type: typeof PayloadType.VendorID;
  readonly critical?: boolean;
  readonly data: Uint8Array;
}

export function decodeVendorId(body: Uint8Array): VendorIdPayload {
  return { type: PayloadType.VendorID, data: copyBytes(body) };
}

export function encodeVendorId(p: VendorIdPayload): Uint8Array {
  return p.data;
}

export const vendorIdCodec: PayloadCodec<VendorIdPayload> = {
  types: [PayloadType.VendorID],
  decode: (body) => decodeVendorId(body),
  encode: encodeVendorId,
};
