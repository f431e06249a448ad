/**
 * Nak, RFC 3748 section 5.3. Sent by the peer "in reply to a Request where the desired
 * authentication Type is unacceptable".
 *
 * Legacy Nak (section 5.3.1), Type 3, Type-Data = one or more desired Types:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 * |  Type = 3     | Desired Auth Type(s) ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 * A desired Type of 0 means "no viable alternative".
 *
 * Expanded Nak (section 5.3.2), Type 254 with Vendor-Id 0 and Vendor-Type 3, followed by 8-octet
 * entries | 254 | Vendor-Id (24) | Vendor-Type (32) |. It "is only sent when the Request contains
 * an expanded type (254)". Entry Vendor-Id 0 / Vendor-Type 0 means "no viable alternative".
 */
import { EapDecodeError } from './errors.js';
import { EapType, type EapExpandedType } from './packet.js';

/** A desired method: a legacy Type, or an expanded (vendor) type. */
export type DesiredType = { readonly type: number } | { readonly expanded: EapExpandedType };

export const MAX_NAK_ENTRIES = 255;
const EXPANDED_NAK: EapExpandedType = Object.freeze({ vendorId: 0, vendorType: EapType.Nak });

/** Decodes legacy Nak Type-Data into the desired Types (0 = no alternative). */
export function decodeNak(data: Uint8Array): readonly number[] {
  if (data.length === 0) throw new EapDecodeError('nak-empty', 0, 'Nak without a desired Type');
  if (data.length > MAX_NAK_ENTRIES) throw new EapDecodeError('nak-bad-length', 0, `Nak lists ${data.length} types`);
  return Object.freeze(Array.from(data));
}

export function encodeNak(types: readonly number[]): Buffer {
  if (types.length === 0 || types.length > MAX_NAK_ENTRIES) throw new RangeError('Nak lists 1..255 types');
  for (const t of types) if (!Number.isInteger(t) || t < 0 || t > 0xff) throw new RangeError(`bad Nak type ${t}`);
  return Buffer.from(types);
}

export function isExpandedNak(expanded: EapExpandedType | undefined): boolean {
  return expanded !== undefined && expanded.vendorId === 0 && expanded.vendorType === EapType.Nak;
}

/** Decodes the entries that follow an Expanded Nak header (the packet decoder strips that header). */
export function decodeExpandedNak(data: Uint8Array): readonly DesiredType[] {
  if (data.length === 0) throw new EapDecodeError('nak-empty', 0, 'Expanded Nak without entries');
  if (data.length % 8 !== 0) throw new EapDecodeError('nak-bad-length', 0, `${data.length} octets is not a multiple of 8`);
  if (data.length / 8 > MAX_NAK_ENTRIES) throw new EapDecodeError('nak-bad-length', 0, 'too many Expanded Nak entries');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: DesiredType[] = [];
  for (let off = 0; off < data.length; off += 8) {
    if (data[off] !== EapType.Expanded) {
      throw new EapDecodeError('nak-bad-length', off, 'Expanded Nak entry does not start with 254');
    }
    const vendorId = (view.getUint8(off + 1) << 16) | view.getUint16(off + 2);
    const vendorType = view.getUint32(off + 4);
    // IETF (Vendor-Id 0) types are the legacy Types written in expanded form.
    out.push(Object.freeze(vendorId === 0 ? { type: vendorType } : { expanded: Object.freeze({ vendorId, vendorType }) }));
  }
  return Object.freeze(out);
}

/** Builds the Type-Data of an Expanded Nak (header fields go in the packet's `expanded`). */
export function encodeExpandedNak(desired: readonly DesiredType[]): { expanded: EapExpandedType; data: Buffer } {
  if (desired.length === 0 || desired.length > MAX_NAK_ENTRIES) throw new RangeError('Expanded Nak lists 1..255 entries');
  const data = Buffer.alloc(desired.length * 8);
  desired.forEach((d, i) => {
    const off = i * 8;
    const vendorId = 'type' in d ? 0 : d.expanded.vendorId;
    const vendorType = 'type' in d ? d.type : d.expanded.vendorType;
    data[off] = EapType.Expanded;
    data.writeUIntBE(vendorId, off + 1, 3);
    data.writeUInt32BE(vendorType, off + 4);
  });
  return { expanded: EXPANDED_NAK, data };
}

/** The legacy Types a Nak (either form) asks for, dropping "no alternative" and vendor types. */
export function desiredLegacyTypes(desired: readonly DesiredType[] | readonly number[]): number[] {
  const out: number[] = [];
  for (const d of desired) {
    const t = typeof d === 'number' ? d : 'type' in d ? d.type : undefined;
    if (t !== undefined && t !== 0 && t <= 0xff && !out.includes(t)) out.push(t);
  }
  return out;
}
