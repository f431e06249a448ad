/**
 * Diameter AVPs inside the EAP-TTLS tunnel, RFC 5281 section 10 (format of RFC 6733 section 4.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                           AVP Code                            |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |V M r r r r r r|                  AVP Length                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Vendor-ID (opt)                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Data ...
 *  +-+-+-+-+-+-+-+-+
 *
 * AVP Length covers header and Data, not the padding: each AVP is padded with zeros to a 4-octet
 * boundary and the padding is not counted in AVP Length. The last AVP's
 * padding is tolerated when missing (hostapd and wpa_supplicant accept that). The r bits are sent 0
 * and ignored. Whether an unknown AVP with M set fails the authentication is the phase-2 policy.
 */
import { EapDecodeError } from '../errors.js';

export const AvpFlag = { Vendor: 0x80, Mandatory: 0x40 } as const;

/** RADIUS attribute numbers used as AVP codes (RFC 5281 section 10.2). */
export const AvpCode = {
  UserName: 1,
  UserPassword: 2,
  ChapPassword: 3,
  ReplyMessage: 18,
  ChapChallenge: 60,
  EapMessage: 79,
} as const;

export interface Avp {
  readonly code: number;
  /** Present exactly when the V flag is set. */
  readonly vendorId?: number;
  readonly mandatory: boolean;
  readonly data: Buffer;
}

export const DEFAULT_MAX_AVPS = 64;
/** AVP Length is 24 bits; bound it to what a 64 KiB TTLS message can hold. */
export const MAX_AVP_LENGTH = 65536;

export interface AvpDecodeOptions {
  readonly maxAvps?: number;
}

export function decodeAvps(bytes: Uint8Array, options: AvpDecodeOptions = {}): readonly Avp[] {
  const maxAvps = options.maxAvps ?? DEFAULT_MAX_AVPS;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Avp[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (out.length >= maxAvps) throw new EapDecodeError('avp-too-many', offset, `more than ${maxAvps} AVPs`);
    if (bytes.length - offset < 8) throw new EapDecodeError('avp-truncated', offset, 'AVP header needs 8 octets');
    const code = view.getUint32(offset);
    const flags = view.getUint8(offset + 4);
    const length = (view.getUint8(offset + 5) << 16) | view.getUint16(offset + 6);
    const vendor = (flags & AvpFlag.Vendor) !== 0;
    const headerLength = vendor ? 12 : 8;
    if (length < headerLength) {
      throw new EapDecodeError('avp-bad-length', offset + 5, `AVP Length ${length} below header size ${headerLength}`);
    }
    if (length > MAX_AVP_LENGTH) throw new EapDecodeError('avp-too-long', offset + 5, `AVP Length ${length}`);
    if (length > bytes.length - offset) {
      throw new EapDecodeError('avp-truncated', offset + 5, `AVP Length ${length} exceeds the ${bytes.length - offset} octets left`);
    }
    const avp: Avp = vendor
      ? { code, vendorId: view.getUint32(offset + 8), mandatory: (flags & AvpFlag.Mandatory) !== 0, data: Buffer.from(bytes.subarray(offset + 12, offset + length)) }
      : { code, mandatory: (flags & AvpFlag.Mandatory) !== 0, data: Buffer.from(bytes.subarray(offset + 8, offset + length)) };
    out.push(Object.freeze(avp));
    offset += length + ((4 - (length & 3)) & 3);
  }
  return Object.freeze(out);
}

export function encodeAvp(avp: Avp): Buffer {
  const vendor = avp.vendorId !== undefined;
  const headerLength = vendor ? 12 : 8;
  const length = headerLength + avp.data.length;
  if (length > MAX_AVP_LENGTH) throw new RangeError(`AVP of ${length} octets exceeds ${MAX_AVP_LENGTH}`);
  if (!Number.isInteger(avp.code) || avp.code < 0 || avp.code > 0xffffffff) throw new RangeError('AVP code is 32 bits');
  const out = Buffer.alloc(length + ((4 - (length & 3)) & 3));
  out.writeUInt32BE(avp.code, 0);
  out.writeUInt32BE(length, 4); // high octet is overwritten by the flags
  out[4] = (vendor ? AvpFlag.Vendor : 0) | (avp.mandatory ? AvpFlag.Mandatory : 0);
  if (vendor) out.writeUInt32BE(avp.vendorId!, 8);
  avp.data.copy(out, headerLength);
  return out;
}

export function encodeAvps(avps: readonly Avp[]): Buffer {
  return Buffer.concat(avps.map(encodeAvp));
}

/** The IETF (no vendor) AVP with `code`, mandatory as RFC 5281 sends them. */
export function avp(code: number, data: Buffer, mandatory = true): Avp {
  return { code, mandatory, data };
}

/** One EAP-Message AVP carrying a whole inner EAP packet (no 253-octet split inside the tunnel, as
 *  hostapd and wpa_supplicant do); the M flag is set as both send it. */
export function eapMessageAvp(eap: Buffer): Avp {
  return avp(AvpCode.EapMessage, eap, true);
}
