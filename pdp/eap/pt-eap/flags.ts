/**
 * The PT-EAP / EAP-TNC Type-Data: the Flags/Version octet, for EAP-TNC an optional Message
 * Length, then data (a PB-TNC batch or a fragment of one). variant.ts has the two layouts.
 *
 * PT-EAP, RFC 7171 section 4.1 (after the EAP Code, Identifier, Length and Type = 54):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |S R R R R| Ver |  Data (one PB-TNC batch) ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * EAP-TNC (Type = 38), the EAP-TLS layout of RFC 5216 section 3.1 with version 1:
 *
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Type      |L M S R R| Ver |  Message Length (only with L)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                  |  Data (a PB-TNC batch or a fragment of one) ...
 *
 * The S flag is set only in the server's first message, which carries no data (RFC 7171 section
 * 4.1; the decoder reports what it sees, the methods enforce it). Reserved bits are sent as 0 and
 * ignored on receipt. The version is returned, not checked: the method decides (an empty
 * acknowledgement from strongSwan's PT-EAP client carries version 0). The EAP-TNC layout is the
 * EAP-TTLS one, so it is decoded and encoded by ../ttls/flags.ts; its errors are renamed.
 */
import { EapDecodeError } from '../errors.js';
import { decodeTtlsFrame, encodeTtlsFrame } from '../ttls/flags.js';
import { PtEapDecodeError, fromTtlsError } from './errors.js';
import { PT_EAP_MAX_DATA, VERSION_MASK, type TncVariant } from './variant.js';

/** Same shape as the TTLS frame (the shared reassembler takes either). */
export interface TncFrame {
  readonly start: boolean;
  /** Always false for PT-EAP. */
  readonly lengthIncluded: boolean;
  /** Always false for PT-EAP. */
  readonly moreFragments: boolean;
  readonly version: number;
  readonly messageLength?: number;
  readonly data: Buffer;
}

export interface TncDecodeOptions {
  /** EAP-TNC: bound on Message Length, i.e. on a reassembled batch (default 65535 - 6). */
  readonly maxMessageLength?: number;
}

export function decodeTncFrame(variant: TncVariant, typeData: Uint8Array, options: TncDecodeOptions = {}): TncFrame {
  if (variant.fragmentFlags) {
    try {
      return decodeTtlsFrame(typeData, { maxMessageLength: options.maxMessageLength ?? PT_EAP_MAX_DATA });
    } catch (e) {
      if (e instanceof EapDecodeError) throw fromTtlsError(e);
      throw e;
    }
  }
  if (typeData.length < 1) throw new PtEapDecodeError('pt-eap-truncated', 0, 'missing Flags/Version octet');
  // An EAP packet cannot be longer than 65535 octets; a Type-Data beyond that is not from the wire.
  if (typeData.length - 1 > PT_EAP_MAX_DATA) {
    throw new PtEapDecodeError('pt-eap-message-too-long', 1, `${typeData.length - 1} octets of data exceed ${PT_EAP_MAX_DATA}`);
  }
  const flags = typeData[0]!;
  return Object.freeze({
    start: (flags & variant.startFlag) !== 0,
    lengthIncluded: false,
    moreFragments: false,
    version: flags & VERSION_MASK,
    data: Buffer.from(typeData.subarray(1)),
  });
}

export interface TncFrameInit {
  readonly start?: boolean;
  readonly moreFragments?: boolean;
  /** EAP-TNC: sets L and the Message Length field. */
  readonly messageLength?: number;
  readonly version?: number;
  readonly data?: Buffer;
}

/** Encodes Type-Data; throws RangeError for what the variant cannot express. */
export function encodeTncFrame(variant: TncVariant, frame: TncFrameInit = {}): Buffer {
  const version = frame.version ?? variant.version;
  const data = frame.data ?? Buffer.alloc(0);
  if (variant.fragmentFlags) {
    // EAP-TNC's L, M and S are EAP-TTLS's bits (variant.ts), so the TTLS encoder writes them.
    const { messageLength } = frame;
    flagsOctet(variant, frame, version);
    return encodeTtlsFrame({
      start: frame.start ?? false,
      moreFragments: frame.moreFragments ?? false,
      version,
      data,
      ...(messageLength !== undefined ? { messageLength } : {}),
    });
  }
  if (frame.moreFragments || frame.messageLength !== undefined) throw new RangeError('PT-EAP has no L or M flag');
  if (data.length > PT_EAP_MAX_DATA) throw new RangeError(`PT-EAP data of ${data.length} octets exceeds ${PT_EAP_MAX_DATA}`);
  return Buffer.concat([Buffer.from([flagsOctet(variant, frame, version)]), data]);
}

function flagsOctet(variant: TncVariant, frame: TncFrameInit, version: number): number {
  if (!Number.isInteger(version) || version < 0 || version > VERSION_MASK) throw new RangeError('version is 3 bits');
  let flags = version | (frame.start ? variant.startFlag : 0);
  if (variant.fragmentFlags) {
    if (frame.messageLength !== undefined) flags |= variant.fragmentFlags.length;
    if (frame.moreFragments) flags |= variant.fragmentFlags.more;
  }
  return flags;
}

/** The server's first Request: S and the version, no data (RFC 7171 section 4.1). */
export function startFrame(variant: TncVariant): Buffer {
  return encodeTncFrame(variant, { start: true });
}

/** An empty message: a fragment acknowledgement, or a peer with nothing to say. */
export function isEmptyFrame(frame: TncFrame): boolean {
  return !frame.start && !frame.lengthIncluded && !frame.moreFragments && frame.data.length === 0;
}
