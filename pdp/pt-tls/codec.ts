/**
 * The shape every PT-TLS message value codec has (STYLE.md point 3): its {vendor, type}, the
 * largest value it accepts (checked by the framer before anything is buffered), encode(value) and
 * decode(bytes) that returns a readonly value or throws a PtTlsError with an offset relative to
 * the start of the value (registry.ts rebases it past the header).
 */
export interface PtTlsValueCodec<V extends { readonly kind: string }> {
  readonly kind: V['kind'];
  readonly vendorId: number;
  readonly messageType: number;
  /** Largest Message Value (header excluded) accepted; the framer refuses longer messages. */
  readonly maxValueLength: number;
  encode(value: V): Uint8Array;
  decode(bytes: Uint8Array): V;
}
