/**
 * Vendor-Specific attribute, RFC 2865 section 5.26.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |  Length       |            Vendor-Id
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *        Vendor-Id (cont)           |  String...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The String holds one or more vendor attributes in the format RFC 2865 recommends ("It SHOULD
 * be encoded as a sequence of vendor type / vendor length / value fields"):
 *
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Vendor type  | Vendor length |    Attribute-Specific...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Vendor-Id: "The high-order octet is 0 and the low-order 3 octets are the SMI Network Management
 * Private Enterprise Code of the Vendor in network byte order". The codec works on the attribute
 * value (everything after Type and Length); vendor values are views into it, not copies.
 */
import { RadiusDecodeError, RadiusEncodeError } from './errors.js';
import { asBuffer, MAX_ATTRIBUTE_VALUE_LENGTH, type RadiusAttribute, type RadiusPacket } from './packet.js';
import { AttributeType } from './attribute-types.js';

const VENDOR_ID_LENGTH = 4;
const SUB_HEADER_LENGTH = 2;
const MAX_VENDOR_ID = 0xffffff;

export interface VendorAttribute {
  readonly type: number;
  readonly value: Buffer;
}

export interface VendorSpecific {
  readonly vendorId: number;
  readonly attributes: readonly VendorAttribute[];
}

/**
 * Decodes a Vendor-Specific value. `offset` is where the value starts in the caller's buffer
 * (22 for a first attribute in a packet), used only for error offsets.
 */
export function decodeVendorSpecific(value: Uint8Array, offset = 0): VendorSpecific {
  const buf = asBuffer(value);
  // Length ">= 7" (RFC 2865 section 5.26): the Vendor-Id and a String of at least one octet.
  if (buf.length < VENDOR_ID_LENGTH + 1) {
    throw new RadiusDecodeError('RADIUS_VSA_MALFORMED', offset, `Vendor-Specific value of ${buf.length} octets`);
  }
  const vendorId = buf.readUInt32BE(0);
  if (vendorId > MAX_VENDOR_ID) {
    throw new RadiusDecodeError('RADIUS_VSA_MALFORMED', offset, 'Vendor-Id high-order octet is not 0');
  }
  const attributes: VendorAttribute[] = [];
  let at = VENDOR_ID_LENGTH;
  while (at < buf.length) {
    if (at + SUB_HEADER_LENGTH > buf.length) {
      throw new RadiusDecodeError('RADIUS_VSA_MALFORMED', offset + at, 'vendor attribute header past the end');
    }
    const length = buf.readUInt8(at + 1);
    if (length < SUB_HEADER_LENGTH || at + length > buf.length) {
      throw new RadiusDecodeError('RADIUS_VSA_MALFORMED', offset + at + 1, `vendor attribute length ${length}`);
    }
    attributes.push({ type: buf.readUInt8(at), value: buf.subarray(at + SUB_HEADER_LENGTH, at + length) });
    at += length;
  }
  return { vendorId, attributes };
}

/** Encodes a Vendor-Specific value (Vendor-Id and vendor attributes; no Type/Length). */
export function encodeVendorSpecific(vs: VendorSpecific): Buffer {
  if (!Number.isInteger(vs.vendorId) || vs.vendorId < 0 || vs.vendorId > MAX_VENDOR_ID) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `vendor id ${vs.vendorId} is not a 24-bit enterprise code`);
  }
  if (vs.attributes.length === 0) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', 'a Vendor-Specific attribute needs at least one vendor attribute');
  }
  let length = VENDOR_ID_LENGTH;
  for (const a of vs.attributes) {
    if (!Number.isInteger(a.type) || a.type < 0 || a.type > 255) {
      throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `vendor type ${a.type} is not an octet`);
    }
    length += SUB_HEADER_LENGTH + a.value.length;
  }
  if (length > MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new RadiusEncodeError('RADIUS_ATTRIBUTE_TOO_LONG', `Vendor-Specific value would be ${length} octets, max 253`);
  }
  const out = Buffer.allocUnsafe(length);
  out.writeUInt32BE(vs.vendorId, 0);
  let at = VENDOR_ID_LENGTH;
  for (const a of vs.attributes) {
    out.writeUInt8(a.type, at);
    out.writeUInt8(SUB_HEADER_LENGTH + a.value.length, at + 1);
    out.set(a.value, at + SUB_HEADER_LENGTH);
    at += SUB_HEADER_LENGTH + a.value.length;
  }
  return out;
}

/** A Vendor-Specific (26) attribute carrying these vendor attributes. */
export function vendorSpecificAttribute(vendorId: number, attributes: readonly VendorAttribute[]): RadiusAttribute {
  return { type: AttributeType.VendorSpecific, value: encodeVendorSpecific({ vendorId, attributes }) };
}

/**
 * Every vendor attribute of `vendorId` in the packet, in wire order. Vendor-Specific attributes
 * of other vendors are skipped without being parsed (they may use another sub-format); one of
 * this vendor that does not parse throws RadiusDecodeError.
 */
export function getVendorAttributes(p: RadiusPacket, vendorId: number): VendorAttribute[] {
  const found: VendorAttribute[] = [];
  for (const a of p.attributes) {
    if (a.type !== AttributeType.VendorSpecific || a.value.length < VENDOR_ID_LENGTH) continue;
    if (a.value.readUInt32BE(0) !== vendorId) continue;
    found.push(...decodeVendorSpecific(a.value).attributes);
  }
  return found;
}
