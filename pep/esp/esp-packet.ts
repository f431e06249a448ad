/**
 * ESP packet format, RFC 4303 section 2 (Figure 1: top-level format of an ESP packet):
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ----
 *  |               Security Parameters Index (SPI)                 | ^Int.
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |Cov-
 *  |                      Sequence Number                          | |ered
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ | ----
 *  |                    Payload Data* (variable)                   | |   ^
 *  ~                                                               ~ |   |
 *  |                                                               | |Conf.
 *  +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |Cov-
 *  |               |     Padding (0-255 bytes)                     | |ered*
 *  +-+-+-+-+-+-+-+-+               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ |   |
 *  |                               |  Pad Length   | Next Header   | v   v
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ ------
 *  |         Integrity Check Value-ICV   (variable)                |
 *  ~                                                               ~
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The header (SPI, Sequence Number) is cleartext; Payload Data starts with the cipher's IV. This
 * file holds the header codec and the trailer (Padding, Pad Length, Next Header, RFC 4303 2.4-2.6);
 * the cipher (pep/crypto) turns the padded plaintext into IV || ciphertext || ICV.
 */
import { EspError } from './esp-error.js';

export const ESP_HEADER_LENGTH = 8;
/** Next Header values a tunnel-mode SA carries (IANA protocol numbers) and the dummy packet (2.6). */
export const NEXT_HEADER_IPV4 = 4;
export const NEXT_HEADER_IPV6 = 41;
export const NEXT_HEADER_NO_NEXT = 59;
/** Upper bound of an ESP packet we build or accept: one UDP datagram. */
export const ESP_MAX_PACKET = 65_535 - 8 - 20;

export interface EspHeader {
  readonly spi: number;
  readonly seq: number;
}

export interface EspPacketView extends EspHeader {
  /** IV || ciphertext || ICV (a view, not a copy). */
  readonly sealed: Uint8Array;
}

/** Parse the cleartext ESP header; the rest of the packet stays sealed. */
export function decodeEspPacket(packet: Uint8Array): EspPacketView {
  if (packet.length < ESP_HEADER_LENGTH) {
    throw new EspError('TRUNCATED', `ESP packet of ${packet.length} octets is shorter than its 8-octet header`, 0);
  }
  if (packet.length > ESP_MAX_PACKET) throw new EspError('TOO_LONG', `ESP packet of ${packet.length} octets`, 0);
  const view = new DataView(packet.buffer, packet.byteOffset, packet.byteLength);
  const spi = view.getUint32(0);
  // RFC 4303 2.1: "The SPI value of zero (0) is reserved for local, implementation-specific use and
  // MUST NOT be sent on the wire."
  if (spi === 0) throw new EspError('BAD_SPI', 'SPI 0 is reserved and must not be sent on the wire', 0);
  return { spi, seq: view.getUint32(4), sealed: packet.subarray(ESP_HEADER_LENGTH) };
}

/** SPI || Sequence Number: the cleartext header, which is also the AAD (RFC 4303 2, RFC 4106 5). */
export function encodeEspHeader(h: EspHeader): Buffer {
  const out = Buffer.alloc(ESP_HEADER_LENGTH);
  out.writeUInt32BE(h.spi >>> 0, 0);
  out.writeUInt32BE(h.seq >>> 0, 4);
  return out;
}

/**
 * Payload || Padding || Pad Length || Next Header, aligned so that the result is a multiple of
 * `alignment` (RFC 4303 2.4: "the Padding field is used to ensure that the Pad Length and Next Header
 * fields are right aligned within a 4-byte word" and to fill the cipher's block).
 */
export function addEspTrailer(payload: Uint8Array, nextHeader: number, blockSize: number): Buffer {
  const alignment = Math.max(4, blockSize);
  const padLength = (alignment - ((payload.length + 2) % alignment)) % alignment;
  const out = Buffer.allocUnsafe(payload.length + padLength + 2);
  out.set(payload, 0);
  // RFC 4303 2.4: "the Padding bytes are initialized with a series of (unsigned, 1-byte) integer
  // values. The first padding byte appended to the plaintext is numbered 1".
  for (let i = 0; i < padLength; i++) out[payload.length + i] = i + 1;
  out[payload.length + padLength] = padLength;
  out[payload.length + padLength + 1] = nextHeader;
  return out;
}

export interface EspTrailerResult {
  readonly payload: Uint8Array;
  readonly nextHeader: number;
  readonly padLength: number;
}

/**
 * Strip the trailer from a decrypted padded plaintext. `offset` is where the plaintext started in
 * the ESP packet (for error offsets).
 */
export function removeEspTrailer(plaintext: Uint8Array, offset = 0): EspTrailerResult {
  if (plaintext.length < 2) {
    throw new EspError('TRUNCATED', 'decrypted payload is shorter than Pad Length and Next Header', offset);
  }
  const padLength = plaintext[plaintext.length - 2] as number;
  const nextHeader = plaintext[plaintext.length - 1] as number;
  const end = plaintext.length - 2 - padLength;
  if (end < 0) {
    throw new EspError(
      'BAD_PADDING',
      `Pad Length ${padLength} exceeds the ${plaintext.length - 2} octets before it`,
      offset + plaintext.length - 2,
    );
  }
  // RFC 4303 2.4: "the receiver SHOULD inspect the Padding field" when the default padding scheme is
  // used; a wrong byte means a wrong key or a forged packet that passed no ICV (we check it always).
  for (let i = 0; i < padLength; i++) {
    if (plaintext[end + i] !== i + 1) {
      throw new EspError('BAD_PADDING', `padding octet ${i + 1} is ${plaintext[end + i]}`, offset + end + i);
    }
  }
  return { payload: plaintext.subarray(0, end), nextHeader, padLength };
}
