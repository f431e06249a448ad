/**
 * EAP-TTLS packet body, RFC 5281 section 9.1 (the Type-Data after Type = 21).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Flags     |        Message Length (only when L is set)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                  |        Data...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  Flags:  0 1 2 3 4 5 6 7
 *         +-+-+-+-+-+-+-+-+
 *         |L M S R R  V   |     L = Length included, M = More fragments, S = Start,
 *         +-+-+-+-+-+-+-+-+     R = Reserved (sent 0, ignored), V = Version (0 for TTLSv0)
 *
 * Message Length is the total length of the TLS data that the fragments add up to. It is bounded
 * here (64 KiB by default, as hostapd does) so that a peer cannot make the reassembler allocate more.
 */
import { EapDecodeError } from '../errors.js';

export const TtlsFlag = { Length: 0x80, More: 0x40, Start: 0x20 } as const;
export const TTLS_VERSION_MASK = 0x07;
export const TTLS_VERSION = 0;
export const DEFAULT_MAX_MESSAGE_LENGTH = 65536;

export interface TtlsFrame {
  readonly lengthIncluded: boolean;
  readonly moreFragments: boolean;
  readonly start: boolean;
  readonly version: number;
  /** Message Length when L is set. */
  readonly messageLength?: number;
  readonly data: Buffer;
}

export interface TtlsDecodeOptions {
  readonly maxMessageLength?: number;
}

export function decodeTtlsFrame(typeData: Uint8Array, options: TtlsDecodeOptions = {}): TtlsFrame {
  const max = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  if (typeData.length < 1) throw new EapDecodeError('ttls-truncated', 0, 'missing Flags octet');
  const flags = typeData[0]!;
  const lengthIncluded = (flags & TtlsFlag.Length) !== 0;
  const moreFragments = (flags & TtlsFlag.More) !== 0;
  const start = (flags & TtlsFlag.Start) !== 0;
  const version = flags & TTLS_VERSION_MASK;
  let offset = 1;
  let messageLength: number | undefined;
  if (lengthIncluded) {
    if (typeData.length < 5) throw new EapDecodeError('ttls-truncated', 1, 'L set but Message Length missing');
    messageLength = new DataView(typeData.buffer, typeData.byteOffset, typeData.byteLength).getUint32(1);
    offset = 5;
    if (messageLength > max) {
      throw new EapDecodeError('ttls-message-too-long', 1, `Message Length ${messageLength} exceeds ${max}`);
    }
    if (typeData.length - offset > messageLength) {
      throw new EapDecodeError('ttls-fragment-overflow', 5, `fragment of ${typeData.length - offset} exceeds Message Length ${messageLength}`);
    }
  }
  const data = Buffer.from(typeData.subarray(offset));
  const frame: TtlsFrame = messageLength === undefined
    ? { lengthIncluded, moreFragments, start, version, data }
    : { lengthIncluded, moreFragments, start, version, messageLength, data };
  return Object.freeze(frame);
}

/** Encodes a frame; L is set exactly when `messageLength` is given. */
export function encodeTtlsFrame(frame: Omit<TtlsFrame, 'lengthIncluded'>): Buffer {
  const withLength = frame.messageLength !== undefined;
  if (frame.version < 0 || frame.version > TTLS_VERSION_MASK) throw new RangeError('TTLS version is 3 bits');
  let flags = frame.version;
  if (withLength) flags |= TtlsFlag.Length;
  if (frame.moreFragments) flags |= TtlsFlag.More;
  if (frame.start) flags |= TtlsFlag.Start;
  const header = Buffer.alloc(withLength ? 5 : 1);
  header[0] = flags;
  if (frame.messageLength !== undefined) header.writeUInt32BE(frame.messageLength, 1);
  return Buffer.concat([header, frame.data]);
}

/** An empty frame: the Start request (with S) or a fragment ACK (without). */
export function emptyTtlsFrame(start = false, version = TTLS_VERSION): Buffer {
  return Buffer.from([(start ? TtlsFlag.Start : 0) | version]);
}

/** True for an ACK: no L, M or S flag and no data (RFC 5281 section 9.2.2). */
export function isTtlsAck(frame: TtlsFrame): boolean {
  return !frame.lengthIncluded && !frame.moreFragments && !frame.start && frame.data.length === 0;
}
