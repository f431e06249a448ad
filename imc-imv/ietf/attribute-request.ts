/**
 * IETF Attribute Request (type 1), RFC 5792 section 4.2.1: the attribute types a Posture
 * Validator asks a Posture Collector to send; one 8-octet entry per requested type.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Reserved    |           PA-TNC Attribute Vendor ID          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      PA-TNC Attribute Type                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Reserved    |           PA-TNC Attribute Vendor ID          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      PA-TNC Attribute Type                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { PaTncError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

const ENTRY_LENGTH = 8;

export interface RequestedAttribute {
  /** The Reserved octet; 0 when omitted, as received when decoded. */
  readonly reserved?: number;
  readonly vendorId: number;
  readonly type: number;
}

export const attributeRequest = defineAttribute({
  vendorId: Pen.IETF,
  type: 1,
  name: 'attribute-request',
  title: 'Attribute Request',
  encode(v: readonly RequestedAttribute[]): Uint8Array {
    const w = new FieldWriter(v.length * ENTRY_LENGTH);
    for (const e of v) w.u8(e.reserved ?? 0, 'Reserved').u24(e.vendorId, 'Attribute Vendor ID').u32(e.type, 'Attribute Type');
    return w.finish();
  },
  decode(value: Uint8Array): readonly RequestedAttribute[] {
    if (value.length % ENTRY_LENGTH !== 0) {
      throw new PaTncError('PA_TNC_VALUE_LENGTH', value.length - (value.length % ENTRY_LENGTH), `${value.length} octets is not a multiple of 8`);
    }
    const r = new FieldReader(value);
    const entries: RequestedAttribute[] = [];
    while (r.remaining > 0) {
      entries.push({ reserved: r.u8('Reserved'), vendorId: r.u24('Attribute Vendor ID'), type: r.u32('Attribute Type') });
    }
    return entries;
  },
});
