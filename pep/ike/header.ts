/**
 * IKE Header, RFC 7296 section 3.1.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       IKE SA Initiator's SPI                  |
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                       IKE SA Responder's SPI                  |
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Next Payload | MjVer | MnVer | Exchange Type |     Flags     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                          Message ID                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                            Length                             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Flags: |X|X|R|V|I|X|X|X|
 *
 * `decodeIkeHeader` reads the 28 octets without judging the version, so that the responder can
 * still answer a message of another major version: "If an endpoint receives a message with a
 * higher major version number, it MUST drop the message and SHOULD send an unauthenticated Notify
 * message of type INVALID_MAJOR_VERSION" (s2.5). `decodeIkeMessage` does judge it (BAD_VERSION).
 * "X - unused. These bits MUST be sent as zero and MUST be ignored on receipt."
 */
import { HeaderFlag, IKE_MAJOR_VERSION, IKE_MINOR_VERSION } from './constants.js';
import { IkeDecodeError } from './errors.js';
import { checkLength, checkRange, copyBytes } from './wire.js';

export const IKE_HEADER_LENGTH = 28;
export const IKE_SPI_LENGTH = 8;

export interface IkeHeader {
  /** 8 octets; all zero is invalid in a request (the responder checks). */
  readonly initiatorSpi: Uint8Array;
  /** 8 octets; zero in the first IKE_SA_INIT request. */
  readonly responderSpi: Uint8Array;
  /** Type of the first payload (0 when none). */
  readonly nextPayload: number;
  readonly majorVersion: number;
  readonly minorVersion: number;
  readonly exchangeType: number;
  /** I flag: sent by the original initiator of the IKE SA. */
  readonly initiator: boolean;
  /** V flag: the sender speaks a higher major version. */
  readonly version: boolean;
  /** R flag: this message is a response. */
  readonly response: boolean;
  readonly messageId: number;
  /** Total message length in octets, header included. */
  readonly length: number;
}

/** What an encoder needs: next payload and length are computed; the version defaults to 2.0. */
export type IkeHeaderInit = Omit<IkeHeader, 'nextPayload' | 'length' | 'majorVersion' | 'minorVersion' | 'version'> & {
  readonly majorVersion?: number;
  readonly minorVersion?: number;
  readonly version?: boolean;
};

/** Reads the fixed 28-octet header. Only throws TRUNCATED; the version is not checked here. */
export function decodeIkeHeader(buf: Uint8Array): IkeHeader {
  if (buf.length < IKE_HEADER_LENGTH) {
    throw new IkeDecodeError('TRUNCATED', buf.length, `IKE header needs ${IKE_HEADER_LENGTH} octets, got ${buf.length}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, IKE_HEADER_LENGTH);
  const versions = buf[17]!;
  const flags = buf[19]!;
  return {
    initiatorSpi: copyBytes(buf, 0, 8),
    responderSpi: copyBytes(buf, 8, 16),
    nextPayload: buf[16]!,
    majorVersion: versions >> 4,
    minorVersion: versions & 0x0f,
    exchangeType: buf[18]!,
    initiator: (flags & HeaderFlag.INITIATOR) !== 0,
    version: (flags & HeaderFlag.VERSION) !== 0,
    response: (flags & HeaderFlag.RESPONSE) !== 0,
    messageId: view.getUint32(20),
    length: view.getUint32(24),
  };
}

/** Writes the 28-octet header for a message of `length` octets whose first payload is `nextPayload`. */
export function encodeIkeHeader(header: IkeHeaderInit, nextPayload: number, length: number): Buffer {
  checkLength(header.initiatorSpi, IKE_SPI_LENGTH, IKE_SPI_LENGTH, "IKE SA Initiator's SPI");
  checkLength(header.responderSpi, IKE_SPI_LENGTH, IKE_SPI_LENGTH, "IKE SA Responder's SPI");
  const major = header.majorVersion ?? IKE_MAJOR_VERSION;
  const minor = header.minorVersion ?? IKE_MINOR_VERSION;
  checkRange(nextPayload, 8, 'Next Payload');
  checkRange(major, 4, 'Major Version');
  checkRange(minor, 4, 'Minor Version');
  checkRange(header.exchangeType, 8, 'Exchange Type');
  checkRange(header.messageId, 32, 'Message ID');
  checkRange(length, 32, 'Length');
  const out = Buffer.alloc(IKE_HEADER_LENGTH);
  out.set(header.initiatorSpi, 0);
  out.set(header.responderSpi, 8);
  out[16] = nextPayload;
  out[17] = (major << 4) | minor;
  out[18] = header.exchangeType;
  out[19] =
    (header.initiator ? HeaderFlag.INITIATOR : 0) |
    (header.version === true ? HeaderFlag.VERSION : 0) |
    (header.response ? HeaderFlag.RESPONSE : 0);
  out.writeUInt32BE(header.messageId, 20);
  out.writeUInt32BE(length, 24);
  return out;
}
