/**
 * IETF Testing attribute (type 0), RFC 5792 section 7.2 (IANA "PA-TNC Attribute Types"):
 * reserved for specification examples, experimentation and testing. Its value has no defined
 * format and is kept as octets.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Test Data (Variable Length)                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { defineAttribute } from '../pa-tnc/attribute.js';
import { Pen } from '../pa-tnc/vendors.js';

export const testing = defineAttribute({
  vendorId: Pen.IETF,
  type: 0,
  name: 'testing',
  title: 'Testing',
  encode: (v: Uint8Array): Uint8Array => v,
  decode: (value: Uint8Array): Uint8Array => value,
});
