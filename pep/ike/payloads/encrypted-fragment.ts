/**
 * Encrypted Fragment Payload (SKF), RFC 7383 section 2.5.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C|  RESERVED   |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |        Fragment Number        |        Total Fragments        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   Initialization Vector                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                      Encrypted content                        ~
 *   +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               |             Padding (0-255 octets)            |
 *   +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 *   |                                               |  Pad Length   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                    Integrity Checksum Data                    ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "Next Payload (1 octet) -- in the very first fragment (with Fragment Number equal to 1), this
 * field MUST be set to the payload type of the first inner payload ... In the other fragments,
 * this field MUST be set to zero" (the responder checks; kept as `firstPayload`).
 * "Fragment Number (2 octets, unsigned integer) -- current Fragment message number, starting
 * from 1. This field MUST be less than or equal to the next field (Total Fragments)."
 */
import { PayloadType } from '../constants.js';
import { IkeDecodeError } from '../errors.js';
import { checkRange, concat, Reader, u16 } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface EncryptedFragmentPayload {
  readonly type: typeof PayloadType.SKF;
  readonly critical?: boolean;
  /** The first inner payload type in fragment 1, zero in the others. */
  readonly firstPayload: number;
  readonly fragmentNumber: number;
  readonly totalFragments: number;
  /** IV || encrypted content || padding || pad length || ICV. */
  readonly body: Uint8Array;
}

export function decodeEncryptedFragment(body: Uint8Array, offset: number, firstPayload: number): EncryptedFragmentPayload {
  const r = new Reader(body, offset);
  const fragmentNumber = r.u16('Fragment Number');
  const totalFragments = r.u16('Total Fragments');
  // "starting from 1. This field MUST be less than or equal to the next field (Total Fragments)"
  if (fragmentNumber === 0 || fragmentNumber > totalFragments) {
    throw new IkeDecodeError('BAD_FRAGMENT', offset, `Fragment Number ${fragmentNumber} of ${totalFragments}`);
  }
  return { type: PayloadType.SKF, firstPayload, fragmentNumber, totalFragments, body: r.rest() };
}

export function encodeEncryptedFragment(p: EncryptedFragmentPayload): Uint8Array {
  checkRange(p.fragmentNumber, 16, 'Fragment Number');
  checkRange(p.totalFragments, 16, 'Total Fragments');
  return concat([u16(p.fragmentNumber), u16(p.totalFragments), p.body]);
}

export const encryptedFragmentCodec: PayloadCodec<EncryptedFragmentPayload> = {
  types: [PayloadType.SKF],
  decode: decodeEncryptedFragment,
  encode: encodeEncryptedFragment,
};
