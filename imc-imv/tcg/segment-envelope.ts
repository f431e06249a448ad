/**
 * TCG Segment Envelope (type 0x23), TCG IF-M Segmentation Specification Version 1.0 Revision 5
 * (strongSwan src/libimcv/tcg/seg/tcg_seg_attr_seg_env.c, seg/seg_env.h): one segment of a
 * PA-TNC attribute too large for the segmentation contract.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |M|S| Reserved  |               Base Message ID                 |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Segment Value (Variable Length)               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * M (0x80) "more": further segments follow; S (0x40) "start": the first segment, whose Segment
 * Value begins with the base attribute's 12-octet header (its Length is the whole attribute).
 * The Base Message ID (24 bits) ties the segments together. The Flags octet is kept whole.
 */
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export const SEGMENT_ENVELOPE_HEADER_LENGTH = 4;

export const SegmentFlag = {
  NONE: 0x00,
  MORE: 0x80,
  START: 0x40,
} as const;

export interface SegmentEnvelope {
  /** The whole Flags octet (M = 0x80, S = 0x40, the rest reserved). */
  readonly flags: number;
  readonly baseMessageId: number;
  readonly segment: Uint8Array;
}

export function isFirstSegment(e: SegmentEnvelope): boolean {
  return (e.flags & SegmentFlag.START) !== 0;
}

export function hasMoreSegments(e: SegmentEnvelope): boolean {
  return (e.flags & SegmentFlag.MORE) !== 0;
}

export const segmentEnvelope = defineAttribute({
  vendorId: Pen.TCG,
  type: 0x23,
  name: 'tcg-segment-envelope',
  title: 'Segment Envelope',
  encode(v: SegmentEnvelope): Uint8Array {
    return new FieldWriter(SEGMENT_ENVELOPE_HEADER_LENGTH + v.segment.length)
      .u8(v.flags, 'Flags')
      .u24(v.baseMessageId, 'Base Message ID')
      .bytes(v.segment)
      .finish();
  },
  decode(value: Uint8Array): SegmentEnvelope {
    const r = new FieldReader(value);
    return { flags: r.u8('Flags'), baseMessageId: r.u24('Base Message ID'), segment: r.rest() };
  },
});
