/**
 * Tagged attributes, RFC 2868 section 3 (Tunnel-Type, Tunnel-Medium-Type, Tunnel-Preference,
 * Tunnel-Private-Group-Id, Tunnel-Client-Endpoint ...). Tunnel-Password is in salt-encryption.ts.
 *
 * Integer attributes (e.g. Tunnel-Type, section 3.1): the Tag replaces the high octet of the
 * four-octet value, which leaves 24 bits for the value.
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Type     |    Length     |     Tag       |     Value
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                   Value (cont)    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * String attributes (e.g. Tunnel-Private-Group-Id, section 3.6): an optional Tag octet.
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Type     |    Length     |     Tag       |    String ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "If the value of the Tag field is greater than 0x00 and less than or equal to 0x1F, it SHOULD
 * be interpreted as indicating which tunnel (of several alternatives) this attribute pertains.
 * If the Tag field is greater than 0x1F, it SHOULD be interpreted as the first byte of the
 * following String field." Tag 0 here means "no tag".
 */
import { RadiusDecodeError, RadiusEncodeError } from './errors.js';
import { asBuffer, MAX_ATTRIBUTE_VALUE_LENGTH } from './packet.js';

export const MAX_TAG = 0x1f;
const MAX_TAGGED_INTEGER = 0xffffff;

export interface Tagged<T> {
  /** 0x01..0x1F, or 0 when the attribute has no tag. */
  readonly tag: number;
  readonly value: T;
}

function checkTag(tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > MAX_TAG) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `tag ${tag} is not 0x00..0x1F`);
  }
}

export function encodeTaggedInteger(tag: number, value: number): Buffer {
  checkTag(tag);
  if (!Number.isInteger(value) || value < 0 || value > MAX_TAGGED_INTEGER) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `tagged integer ${value} does not fit 24 bits`);
  }
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value, 0);
  out.writeUInt8(tag, 0);
  return out;
}

export function decodeTaggedInteger(value: Uint8Array): Tagged<number> {
  if (value.byteLength !== 4) {
    throw new RadiusDecodeError('RADIUS_TAGGED_MALFORMED', 0, `tagged integer of ${value.byteLength} octets, not 4`);
  }
  const tag = value[0] ?? 0;
  if (tag > MAX_TAG) {
    throw new RadiusDecodeError('RADIUS_TAGGED_MALFORMED', 0, `tag ${tag} is above 0x1F`);
  }
  return { tag, value: ((value[1] ?? 0) << 16) | ((value[2] ?? 0) << 8) | (value[3] ?? 0) };
}

/**
 * Tag octet and string. Without a tag the octet is left out, unless the string would then start
 * with an octet that reads as a tag (0x00..0x1F) or is empty: then a 0x00 tag keeps it unambiguous.
 */
export function encodeTaggedString(tag: number, value: Uint8Array | string): Buffer {
  checkTag(tag);
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const first = bytes[0];
  const withTag = tag !== 0 || first === undefined || first <= MAX_TAG;
  const length = bytes.byteLength + (withTag ? 1 : 0);
  if (length > MAX_ATTRIBUTE_VALUE_LENGTH) {
    throw new RadiusEncodeError('RADIUS_ATTRIBUTE_TOO_LONG', `tagged string of ${length} octets, max 253`);
  }
  const out = Buffer.allocUnsafe(length);
  if (withTag) out.writeUInt8(tag, 0);
  out.set(bytes, withTag ? 1 : 0);
  return out;
}

/** Splits the optional tag off a tagged string value. The string is a view, not a copy. */
export function decodeTaggedString(value: Uint8Array): Tagged<Buffer> {
  const buf = asBuffer(value);
  const first = buf[0];
  if (first !== undefined && first <= MAX_TAG) return { tag: first, value: buf.subarray(1) };
  return { tag: 0, value: buf };
}
