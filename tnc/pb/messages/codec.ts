/**
 * The shape every PB-TNC message codec has (STYLE.md "Every codec has the same shape"): its
 * (vendor, type), `encode(message)` -> the PB-TNC Message Value, `decode(value)` -> a readonly
 * message or a PbTncError whose offset counts from the start of the value. The 12-octet message
 * header (flags, vendor, type, length) is not the codec's business: batch.ts writes and reads it,
 * and the rules that depend on it (NOSKIP, minimum size, batch types) sit in registry.ts.
 */

export interface PbTncMessageCodec<M extends { readonly kind: string }> {
  readonly kind: M['kind'];
  /** The RFC / IANA name, e.g. "PB-PA". */
  readonly name: string;
  readonly vendorId: number;
  readonly type: number;
  /** The PB-TNC Message Value (without the 12-octet message header). Throws PbTncEncodeError. */
  encode(message: M): Uint8Array;
  /** Parses a PB-TNC Message Value. Throws PbTncError (offsets relative to the value), nothing else. */
  decode(value: Uint8Array): M;
}
