/**
 * The ESP layer's typed error (RFC 4303 processing failures). Every failure of a decoder or of
 * inbound/outbound processing in pep/esp is one of these; callers tell them apart by `code`.
 * `offset` is the byte offset in the packet where the problem was seen (0 when not tied to a byte).
 */
export type EspErrorCode =
  /** Fewer octets than the ESP header, IV, trailer and ICV need. */
  | 'TRUNCATED'
  /** SPI 0 (RFC 4303 2.1: reserved for local use, MUST NOT be sent on the wire). */
  | 'BAD_SPI'
  /** No SA for this SPI (and peer address). */
  | 'UNKNOWN_SPI'
  /** Sequence number already seen inside the window (RFC 4303 3.4.3). */
  | 'REPLAY'
  /** Sequence number left of the window (RFC 4303 3.4.3). */
  | 'TOO_OLD'
  /** ICV check failed (RFC 4303 3.4.4). */
  | 'INTEGRITY'
  /** Ciphertext length not a multiple of the block size, or pad length beyond the payload. */
  | 'BAD_PADDING'
  /** Next Header is not an inner IP packet this tunnel-mode SA carries, or it does not match the packet. */
  | 'BAD_NEXT_HEADER'
  /** The 32-bit sequence number would cycle (RFC 4303 3.3.3): the SA must be rekeyed. */
  | 'SEQ_OVERFLOW'
  /** A packet too large for one datagram. */
  | 'TOO_LONG'
  /** The inner packet is not IPv4/IPv6 or is malformed. */
  | 'BAD_INNER_PACKET'
  /** The inner packet does not match the SA's traffic selectors (RFC 4301 5.2 step 4). */
  | 'POLICY_MISMATCH';

export class EspError extends Error {
  override readonly name = 'EspError';
  constructor(
    readonly code: EspErrorCode,
    message: string,
    readonly offset = 0,
  ) {
    super(message);
  }
}
