/**
 * ITA Dummy (strongSwan PEN 0x00902a, type 2): padding of a chosen size that the Test IMC sends
 * to exercise large messages and segmentation (src/libimcv/ita/ita_attr_dummy.c). strongSwan
 * fills it with zeros and reads only its size; the octets are kept here as received.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    Padding (Variable Length)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { defineAttribute } from '../pa-tnc/attribute.js';
import { Pen } from '../pa-tnc/vendors.js';

export const dummy = defineAttribute({
  vendorId: Pen.ITA,
  type: 2,
  name: 'ita-dummy',
  title: 'Dummy',
  encode: (v: Uint8Array): Uint8Array => v,
  decode: (value: Uint8Array): Uint8Array => value,
});

/** A Dummy value of `size` zero octets, as strongSwan builds it. */
export function dummyOfSize(size: number): Uint8Array {
  return new Uint8Array(size);
}
