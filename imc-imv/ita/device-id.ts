/**
 * ITA Device ID (strongSwan PEN 0x00902a, type 8): a string that identifies the endpoint
 * across sessions (the OS IMC's `libimcv.plugins.imc-os.device_id`, else the machine id). The
 * whole value is the string; strongSwan decodes it as a generic string attribute
 * (src/libimcv/ita/ita_attr.c, generic/generic_attr_string.c).
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   Device ID (Variable Length)                 |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { defineAttribute } from '../pa-tnc/attribute.js';
import { decodeUtf8, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export const deviceId = defineAttribute({
  vendorId: Pen.ITA,
  type: 8,
  name: 'ita-device-id',
  title: 'Device ID',
  encode: (v: string): Uint8Array => new FieldWriter(v.length).utf8(v, 'Device ID').finish(),
  decode: (value: Uint8Array): string => decodeUtf8(value, 0, 'Device ID'),
});
