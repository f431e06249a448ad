/**
 * IETF Forwarding Enabled (type 11), RFC 5792 section 4.2.11: whether the endpoint forwards
 * traffic between its interfaces (strongSwan's OS IMC reads net.ipv4.ip_forward).
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       Forwarding Enabled                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 0 Disabled, 1 Enabled, 2 Unknown; other values are kept as received.
 */
import { defineAttribute } from '../pa-tnc/attribute.js';
import { decodeUint32Value, encodeUint32Value } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export const ForwardingStatus = {
  Disabled: 0,
  Enabled: 1,
  Unknown: 2,
} as const;

export const forwardingEnabled = defineAttribute({
  vendorId: Pen.IETF,
  type: 11,
  name: 'forwarding-enabled',
  title: 'Forwarding Enabled',
  encode: (v: number): Uint8Array => encodeUint32Value(v, 'Forwarding Enabled'),
  decode: (value: Uint8Array): number => decodeUint32Value(value, 'Forwarding Enabled'),
});
