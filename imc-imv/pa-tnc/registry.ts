/**
 * Attribute codecs keyed by (vendor id, type), after strongSwan's `pa_tnc_attr_manager.h`:
 * a registry, not a switch. A registry is a value built by its owner (an IMV, a test), never a
 * process-wide singleton; `standard-attributes.ts` builds one with every codec of this library.
 *
 * Decoding and encoding single attributes through the registry live here too, so the message
 * decoder, the segment reassembler and callers share one path: an attribute without codec
 * decodes to an 'unknown' attribute that keeps its octets.
 */
import { PaTncEncodeError, PaTncError } from '../errors.js';
import { ATTRIBUTE_HEADER_LENGTH, attributeBytes } from './attribute-header.js';
import { makeUnknownAttribute, UNKNOWN, type AttributeCodec, type PaTncAttribute } from './attribute.js';

function key(vendorId: number, type: number): number {
  // 24-bit vendor and 32-bit type fit exactly in a double's 53-bit integer range.
  return vendorId * 0x1_0000_0000 + type;
}

export class AttributeRegistry {
  readonly #codecs = new Map<number, AttributeCodec>();

  constructor(codecs: Iterable<AttributeCodec> = []) {
    for (const c of codecs) this.register(c);
  }

  /** Adds a codec; a second codec for the same (vendor, type) or the name 'unknown' is refused. */
  register(codec: AttributeCodec): this {
    if (codec.name === UNKNOWN) throw new TypeError(`codec name '${UNKNOWN}' is reserved`);
    const k = key(codec.vendorId, codec.type);
    const existing = this.#codecs.get(k);
    if (existing) {
      throw new TypeError(`${codec.name}: (vendor ${codec.vendorId}, type ${codec.type}) is already ${existing.name}`);
    }
    this.#codecs.set(k, codec);
    return this;
  }

  get(vendorId: number, type: number): AttributeCodec | undefined {
    return this.#codecs.get(key(vendorId, type));
  }

  has(vendorId: number, type: number): boolean {
    return this.#codecs.has(key(vendorId, type));
  }

  codecs(): AttributeCodec[] {
    return [...this.#codecs.values()];
  }

  /**
   * Decodes one Attribute Value with the codec for (vendor, type), or keeps it as 'unknown'.
   * Errors of the codec are returned shifted by `valueOffset` (where the value starts in the
   * caller's octets) and name the attribute. Throws PaTncError only.
   */
  decodeValue(info: { readonly flags: number; readonly vendorId: number; readonly type: number }, value: Uint8Array, valueOffset = 0): PaTncAttribute {
    const codec = this.get(info.vendorId, info.type);
    if (!codec) return makeUnknownAttribute(info, value);
    let decoded: unknown;
    try {
      decoded = codec.decode(value);
    } catch (e) {
      if (e instanceof PaTncError) throw e.shifted(valueOffset, { vendorId: info.vendorId, type: info.type });
      throw e;
    }
    return { name: codec.name, flags: info.flags, vendorId: info.vendorId, type: info.type, value: decoded };
  }

  /** The Attribute Value octets of `a`: raw for 'unknown', else through its codec. */
  encodeValue(a: PaTncAttribute): Uint8Array {
    if (a.name === UNKNOWN) {
      if (!(a.value instanceof Uint8Array)) {
        throw new PaTncEncodeError('PA_TNC_NO_CODEC', `unknown attribute ${a.vendorId}/${a.type} needs its value as octets`);
      }
      return a.value;
    }
    const codec = this.get(a.vendorId, a.type);
    if (!codec || codec.name !== a.name) {
      throw new PaTncEncodeError('PA_TNC_NO_CODEC', `no codec '${a.name}' for vendor ${a.vendorId} type ${a.type}`);
    }
    return codec.encode(a.value);
  }

  /** Header plus value of `a`. */
  encodeAttribute(a: PaTncAttribute): Uint8Array {
    return attributeBytes(a, this.encodeValue(a));
  }

  /** Encoded length of `a` (header included). */
  encodedLength(a: PaTncAttribute): number {
    return ATTRIBUTE_HEADER_LENGTH + this.encodeValue(a).length;
  }
}
