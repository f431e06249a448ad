/**
 * RADIUS packet format, RFC 2865 section 3, and the attribute TLV of RFC 2865 section 5.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Code      |  Identifier   |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                                                               |
 *   |                         Authenticator                         |
 *   |                                                               |
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Attributes ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-
 *
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 *   |     Type      |    Length     |  Value ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 *
 * The decoder does not copy: the authenticator and every attribute value are views into the
 * buffer it was given, which the caller must not modify afterwards. It keeps any Code (the
 * server decides what to drop, see codes.ts) and attributes in wire order, unknown types included.
 */
import { RadiusDecodeError, RadiusEncodeError } from './errors.js';

export const HEADER_LENGTH = 20;
export const AUTHENTICATOR_LENGTH = 16;
export const MIN_PACKET_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
export const ATTRIBUTE_HEADER_LENGTH = 2;
/** 255 (the one-octet Length) minus the Type and Length octets. */
export const MAX_ATTRIBUTE_VALUE_LENGTH = 253;

export interface RadiusAttribute {
  readonly type: number;
  readonly value: Buffer;
}

export interface RadiusPacket {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  readonly attributes: readonly RadiusAttribute[];
}

/** A Buffer over the same memory as `bytes` (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Checks the header of a received datagram and returns the view of its first Length octets.
 * Shared by the decoder and the authenticator checks, which hash exactly these octets.
 */
export function packetBytes(datagram: Uint8Array): Buffer {
  const buf = asBuffer(datagram);
  if (buf.length < HEADER_LENGTH) {
    throw new RadiusDecodeError('RADIUS_TRUNCATED', buf.length, `${buf.length} octets, the header needs 20`);
  }
  const length = buf.readUInt16BE(2);
  // "The minimum length is 20 and maximum length is 4096." (RFC 2865 section 3)
  if (length < MIN_PACKET_LENGTH) {
    throw new RadiusDecodeError('RADIUS_LENGTH_INVALID', 2, `Length ${length} is below 20`);
  }
  if (length > MAX_PACKET_LENGTH) {
    throw new RadiusDecodeError('RADIUS_PACKET_TOO_LARGE', 2, `Length ${length} is above 4096`);
  }
  // "If the packet is shorter than the Length field indicates, it MUST be silently discarded."
  if (length > buf.length) {
    throw new RadiusDecodeError('RADIUS_LENGTH_MISMATCH', 2, `Length ${length} but ${buf.length} octets received`);
  }
  // "Octets outside the range of the Length field MUST be treated as padding and ignored on
  // reception." (RFC 2865 section 3)
  return length === buf.length ? buf : buf.subarray(0, length);
}

/** Decodes one datagram. Throws RadiusDecodeError, never anything else. */
export function decodePacket(datagram: Uint8Array): RadiusPacket {
  const buf = packetBytes(datagram);
  const end = buf.length;
  const attributes: RadiusAttribute[] = [];
  let offset = HEADER_LENGTH;
  while (offset < end) {
    if (offset + ATTRIBUTE_HEADER_LENGTH > end) {
      throw new RadiusDecodeError('RADIUS_ATTRIBUTE_OVERFLOW', offset, 'attribute header past the end of the packet');
    }
    const length = buf.readUInt8(offset + 1);
    // The attribute Length "indicates the length of this Attribute including the Type, Length
    // and Value fields" (RFC 2865 section 5), so it cannot be below 2.
    if (length < ATTRIBUTE_HEADER_LENGTH) {
      throw new RadiusDecodeError('RADIUS_ATTRIBUTE_TOO_SHORT', offset + 1, `attribute Length ${length}`);
    }
    if (offset + length > end) {
      throw new RadiusDecodeError('RADIUS_ATTRIBUTE_OVERFLOW', offset + 1, `attribute Length ${length} past the end`);
    }
    attributes.push({ type: buf.readUInt8(offset), value: buf.subarray(offset + ATTRIBUTE_HEADER_LENGTH, offset + length) });
    offset += length;
  }
  return {
    code: buf.readUInt8(0),
    identifier: buf.readUInt8(1),
    authenticator: buf.subarray(4, HEADER_LENGTH),
    attributes,
  };
}

function checkOctet(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 255) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `${what} ${n} is not an octet`);
  }
}

/** The wire length of a packet with these attributes; checks every field it can. */
export function encodedLength(attributes: readonly RadiusAttribute[]): number {
  let length = HEADER_LENGTH;
  for (const a of attributes) {
    checkOctet('attribute type', a.type);
    if (a.value.length > MAX_ATTRIBUTE_VALUE_LENGTH) {
      throw new RadiusEncodeError('RADIUS_ATTRIBUTE_TOO_LONG', `attribute ${a.type} value is ${a.value.length} octets, max 253`);
    }
    length += ATTRIBUTE_HEADER_LENGTH + a.value.length;
  }
  if (length > MAX_PACKET_LENGTH) {
    throw new RadiusEncodeError('RADIUS_PACKET_TOO_LARGE', `packet would be ${length} octets, max 4096`);
  }
  return length;
}

/** Encodes a packet as it stands (the authenticator is written as given). One allocation. */
export function encodePacket(p: RadiusPacket): Buffer {
  checkOctet('code', p.code);
  checkOctet('identifier', p.identifier);
  if (p.authenticator.length !== AUTHENTICATOR_LENGTH) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `authenticator is ${p.authenticator.length} octets, not 16`);
  }
  const length = encodedLength(p.attributes);
  const out = Buffer.allocUnsafe(length);
  out.writeUInt8(p.code, 0);
  out.writeUInt8(p.identifier, 1);
  out.writeUInt16BE(length, 2);
  out.set(p.authenticator, 4);
  let offset = HEADER_LENGTH;
  for (const a of p.attributes) {
    out.writeUInt8(a.type, offset);
    out.writeUInt8(ATTRIBUTE_HEADER_LENGTH + a.value.length, offset + 1);
    out.set(a.value, offset + ATTRIBUTE_HEADER_LENGTH);
    offset += ATTRIBUTE_HEADER_LENGTH + a.value.length;
  }
  return out;
}

/** The value of the first attribute of this type, or undefined. */
export function getAttribute(p: RadiusPacket, type: number): Buffer | undefined {
  for (const a of p.attributes) if (a.type === type) return a.value;
  return undefined;
}

/** The values of every attribute of this type, in wire order. */
export function getAttributes(p: RadiusPacket, type: number): Buffer[] {
  const values: Buffer[] = [];
  for (const a of p.attributes) if (a.type === type) values.push(a.value);
  return values;
}
