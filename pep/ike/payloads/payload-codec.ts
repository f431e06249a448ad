/**
 * The shape every payload codec shares (STYLE.md point 3): the payload types it handles, and a
 * `decode` of the payload body (the octets after the 4-octet generic payload header) mirroring an
 * `encode` of the same body. The generic header itself (Next Payload, Critical, Payload Length) is
 * read and written in one place, pep/ike/payload-chain.ts.
 */
export interface PayloadCodec<P> {
  /** The Payload Type values this codec decodes (IDi and IDr share one codec, TSi and TSr too). */
  readonly types: readonly number[];
  /**
   * Decodes one payload body. `offset` is the body's position in the buffer handed to the
   * top-level decoder (for error offsets); `type` is the payload type from the previous header.
   * Throws only IkeDecodeError.
   */
  decode(body: Uint8Array, offset: number, type: number): P;
  /** Encodes the body of `payload` (without the generic payload header). */
  encode(payload: P): Uint8Array;
}
