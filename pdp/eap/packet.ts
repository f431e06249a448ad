/**
 * EAP packet codec, RFC 3748 section 4.
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Code      |  Identifier   |            Length             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |  Type-Data ...              (Request/Response)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Expanded Type (section 5.7), Type = 254:
 * |     Type=254  |               Vendor-Id (24 bits)             |
 * |                          Vendor-Type (32 bits)                |
 * |              Vendor data...
 *
 * The decoder returns the Type-Data in `data` (after the 8-octet expanded header for type 254). It
 * decodes the expanded header only far enough that the peer side can answer with an Expanded Nak
 * and the server side can recognise an Expanded Nak response.
 */
import { EapDecodeError } from './errors.js';

export const EapCode = { Request: 1, Response: 2, Success: 3, Failure: 4 } as const;
export type EapCode = (typeof EapCode)[keyof typeof EapCode];

/** Method types, names after the IANA "Method Types" registry. */
export const EapType = {
  Identity: 1,
  Notification: 2,
  Nak: 3,
  MD5Challenge: 4,
  TTLS: 21,
  TNC: 38,
  PTEAP: 54,
  Expanded: 254,
  Experimental: 255,
} as const;
export type EapTypeName = keyof typeof EapType;

export interface EapExpandedType {
  readonly vendorId: number;
  readonly vendorType: number;
}

export interface EapPacket {
  readonly code: EapCode;
  readonly identifier: number;
  /** Present for Request and Response, absent for Success and Failure. */
  readonly type?: number;
  /** Present when `type` is 254. */
  readonly expanded?: EapExpandedType;
  /** Type-Data (empty for Success and Failure). */
  readonly data: Buffer;
}

export const EAP_HEADER_LENGTH = 4;
export const EAP_MAX_LENGTH = 0xffff;
const EXPANDED_HEADER_LENGTH = 8;

export function eapTypeName(type: number): string {
  for (const [name, value] of Object.entries(EapType)) if (value === type) return name;
  return `type-${type}`;
}

/** Decodes one EAP packet. Octets beyond the Length field are link-layer padding and ignored. */
export function decodeEapPacket(bytes: Uint8Array): EapPacket {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < EAP_HEADER_LENGTH) {
    throw new EapDecodeError('eap-truncated', 0, `need ${EAP_HEADER_LENGTH} octets, have ${buf.length}`);
  }
  const code = buf[0]!;
  const identifier = buf[1]!;
  const length = buf.readUInt16BE(2);
  if (length < EAP_HEADER_LENGTH) {
    throw new EapDecodeError('eap-bad-length', 2, `Length ${length} is below the 4-octet header`);
  }
  // "Octets outside the range of the Length field should be treated as Data Link Layer padding and
  //  MUST be ignored upon reception." A Length beyond the received octets is a truncated packet.
  if (length > buf.length) {
    throw new EapDecodeError('eap-truncated', 2, `Length ${length} exceeds the ${buf.length} octets received`);
  }
  if (code === EapCode.Success || code === EapCode.Failure) {
    // RFC 3748 section 4.2: Success and Failure carry no data; Length is 4.
    if (length !== EAP_HEADER_LENGTH) {
      throw new EapDecodeError('eap-bad-length', 2, `Success/Failure Length must be 4, is ${length}`);
    }
    return Object.freeze({ code, identifier, data: Buffer.alloc(0) });
  }
  if (code !== EapCode.Request && code !== EapCode.Response) {
    // Unknown Codes are silently discarded (section 4); the caller does that on this error.
    throw new EapDecodeError('eap-unknown-code', 0, `unknown Code ${code}`);
  }
  if (length < EAP_HEADER_LENGTH + 1) {
    throw new EapDecodeError('eap-missing-type', 2, 'Request/Response without a Type octet');
  }
  const type = buf[4]!;
  if (type === EapType.Expanded) {
    if (length < EAP_HEADER_LENGTH + EXPANDED_HEADER_LENGTH) {
      throw new EapDecodeError('eap-expanded-truncated', 5, 'Expanded Type needs Vendor-Id and Vendor-Type');
    }
    const expanded = Object.freeze({ vendorId: buf.readUIntBE(5, 3), vendorType: buf.readUInt32BE(8) });
    const data = Buffer.from(buf.subarray(EAP_HEADER_LENGTH + EXPANDED_HEADER_LENGTH, length));
    return Object.freeze({ code, identifier, type, expanded, data });
  }
  return Object.freeze({ code, identifier, type, data: Buffer.from(buf.subarray(EAP_HEADER_LENGTH + 1, length)) });
}

/** Encodes an EAP packet; throws RangeError for values that cannot be represented. */
export function encodeEapPacket(packet: EapPacket): Buffer {
  const { code, identifier, data } = packet;
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 0xff) {
    throw new RangeError(`EAP identifier ${identifier} out of range`);
  }
  if (code === EapCode.Success || code === EapCode.Failure) {
    if (data.length !== 0 || packet.type !== undefined) throw new RangeError('Success/Failure carry no data');
    return Buffer.from([code, identifier, 0, EAP_HEADER_LENGTH]);
  }
  if (code !== EapCode.Request && code !== EapCode.Response) throw new RangeError(`unknown EAP code ${code}`);
  const type = packet.type;
  if (type === undefined || !Number.isInteger(type) || type < 0 || type > 0xff) {
    throw new RangeError('Request/Response need a Type in 0..255');
  }
  const expanded = type === EapType.Expanded;
  if (expanded && !packet.expanded) throw new RangeError('type 254 needs the expanded header');
  const headerLength = EAP_HEADER_LENGTH + 1 + (expanded ? EXPANDED_HEADER_LENGTH - 1 : 0);
  const length = headerLength + data.length;
  if (length > EAP_MAX_LENGTH) throw new RangeError(`EAP packet of ${length} octets exceeds 65535`);
  const out = Buffer.alloc(length);
  out[0] = code;
  out[1] = identifier;
  out.writeUInt16BE(length, 2);
  out[4] = type;
  if (expanded && packet.expanded) {
    const { vendorId, vendorType } = packet.expanded;
    if (vendorId < 0 || vendorId > 0xffffff || vendorType < 0 || vendorType > 0xffffffff) {
      throw new RangeError('expanded Vendor-Id/Vendor-Type out of range');
    }
    out.writeUIntBE(vendorId, 5, 3);
    out.writeUInt32BE(vendorType, 8);
  }
  data.copy(out, headerLength);
  return out;
}

export function eapRequest(identifier: number, type: number, data: Buffer): Buffer {
  return encodeEapPacket({ code: EapCode.Request, identifier, type, data });
}

export function eapResponse(identifier: number, type: number, data: Buffer): Buffer {
  return encodeEapPacket({ code: EapCode.Response, identifier, type, data });
}

export function eapSuccess(identifier: number): Buffer {
  return encodeEapPacket({ code: EapCode.Success, identifier, data: Buffer.alloc(0) });
}

export function eapFailure(identifier: number): Buffer {
  return encodeEapPacket({ code: EapCode.Failure, identifier, data: Buffer.alloc(0) });
}
