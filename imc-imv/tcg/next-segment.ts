/**
 * TCG Next Segment (type 0x24), TCG IF-M Segmentation Specification Version 1.0 Revision 5
 * (strongSwan src/libimcv/tcg/seg/tcg_seg_attr_next_seg.c): the receiver of a segmented
 * attribute asks for the next segment, or cancels the exchange with the C flag.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |C|   Reserved  |               Base Message ID                 |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Cancelling (cancel-segmentation): the diagram puts C in the top bit (0x80), but strongSwan
 * writes and tests 0x01 (NEXT_SEG_FLAG_CANCEL = 1). So `isCancel` accepts either bit and
 * `cancelSegmentation` sets both: strongSwan sees its 0x01, a peer following the diagram sees
 * 0x80, and each ignores the other bit as reserved. Always 4 octets. The TCG "Cancel" type
 * 0x25 has no codec in strongSwan 5.9.8 and none here (it decodes as 'unknown').
 */
import { PaTncError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

const LENGTH = 4;

export const NextSegmentFlag = {
  NONE: 0x00,
  /** C as drawn in the specification's diagram. */
  CANCEL: 0x80,
  /** C as strongSwan 5.9.8 encodes it. */
  CANCEL_STRONGSWAN: 0x01,
} as const;

export interface NextSegment {
  /** The whole Flags octet. */
  readonly flags: number;
  readonly baseMessageId: number;
}

export function isCancel(v: NextSegment): boolean {
  return (v.flags & (NextSegmentFlag.CANCEL | NextSegmentFlag.CANCEL_STRONGSWAN)) !== 0;
}

/** Asks for the next segment of `baseMessageId`. */
export function requestNextSegment(baseMessageId: number): NextSegment {
  return { flags: NextSegmentFlag.NONE, baseMessageId };
}

/** Cancels the segmented exchange `baseMessageId` (both C encodings, see above). */
export function cancelSegmentation(baseMessageId: number): NextSegment {
  return { flags: NextSegmentFlag.CANCEL | NextSegmentFlag.CANCEL_STRONGSWAN, baseMessageId };
}

export const nextSegment = defineAttribute({
  vendorId: Pen.TCG,
  type: 0x24,
  name: 'tcg-next-segment',
  title: 'Next Segment',
  encode(v: NextSegment): Uint8Array {
    return new FieldWriter(LENGTH).u8(v.flags, 'Flags').u24(v.baseMessageId, 'Base Message ID').finish();
  },
  decode(value: Uint8Array): NextSegment {
    if (value.length !== LENGTH) throw new PaTncError('PA_TNC_VALUE_LENGTH', 0, `Next Segment is ${value.length} octets, not 4`);
    const r = new FieldReader(value);
    return { flags: r.u8('Flags'), baseMessageId: r.u24('Base Message ID') };
  },
});
