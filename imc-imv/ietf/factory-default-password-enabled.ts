/**
 * IETF Factory Default Password Enabled (type 12), RFC 5792 section 4.2.12: whether the
 * product still accepts a factory default password.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |               Factory Default Password Enabled                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 0 Disabled, 1 Enabled; other values are kept as received.
 */
import { defineAttribute } from '../pa-tnc/attribute.js';
import { decodeUint32Value, encodeUint32Value } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export const FactoryDefaultPassword = {
  Disabled: 0,
  Enabled: 1,
} as const;

export const factoryDefaultPasswordEnabled = defineAttribute({
  vendorId: Pen.IETF,
  type: 12,
  name: 'factory-default-password-enabled',
  title: 'Factory Default Password Enabled',
  encode: (v: number): Uint8Array => encodeUint32Value(v, 'Factory Default Password Enabled'),
  decode: (value: Uint8Array): number => decodeUint32Value(value, 'Factory Default Password Enabled'),
});
