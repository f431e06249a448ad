/**
 * TCG Segmentation Contract Request (type 0x21) and Response (type 0x22), TCG IF-M Segmentation
 * Specification Version 1.0 Revision 5 (strongSwan src/libimcv/tcg/seg/tcg_seg_attr_seg_contract.c;
 * before 2022 strongSwan named them "Max Attribute Size Request/Response", same format).
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        Max Message Size                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        Max Segment Size                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The issuer (an IMV asking for Installed Packages, in the captures) states what it accepts:
 * 0xffffffff as Max Message Size is "no limit", as Max Segment Size "no segmentation"; both at
 * 0xffffffff is the null contract. strongSwan 5.9.8 sends 0xffffffff / 65466 both ways.
 * Always 8 octets (strongSwan ignores extra octets; they are an error here).
 */
import { PaTncError } from '../errors.js';
import { defineAttribute, type AttributeCodec } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

const LENGTH = 8;

export interface SegmentationContractValue {
  readonly maxMessageSize: number;
  readonly maxSegmentSize: number;
}

function contractCodec<const N extends string>(type: number, name: N, title: string): AttributeCodec<N, SegmentationContractValue> {
  return defineAttribute({
    vendorId: Pen.TCG,
    type,
    name,
    title,
    encode(v: SegmentationContractValue): Uint8Array {
      return new FieldWriter(LENGTH).u32(v.maxMessageSize, 'Max Message Size').u32(v.maxSegmentSize, 'Max Segment Size').finish();
    },
    decode(value: Uint8Array): SegmentationContractValue {
      if (value.length !== LENGTH) throw new PaTncError('PA_TNC_VALUE_LENGTH', 0, `${title} is ${value.length} octets, not 8`);
      const r = new FieldReader(value);
      return { maxMessageSize: r.u32('Max Message Size'), maxSegmentSize: r.u32('Max Segment Size') };
    },
  });
}

export const segmentationContractRequest = contractCodec(0x21, 'tcg-segmentation-contract-request', 'Segmentation Contract Request');
export const segmentationContractResponse = contractCodec(0x22, 'tcg-segmentation-contract-response', 'Segmentation Contract Response');
