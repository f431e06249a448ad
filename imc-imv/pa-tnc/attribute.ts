/**
 * The shape every PA-TNC attribute codec has (STYLE.md: "its {vendor, type}, encode(value),
 * decode(bytes) returning a readonly value or a typed decode error"), after strongSwan's
 * `pa_tnc_attr.h`, and the decoded attribute a message holds.
 *
 * A codec sees only the Attribute Value: the header, its length and flags are read and written
 * once for all in `attribute-header.ts`, and segmentation in `segmentation/contract.ts`. Its
 * errors carry offsets relative to the value; the message decoder shifts them.
 */
import type { AttributeTypeInfo } from '../errors.js';
import { AttributeFlag, isNoskip } from './attribute-header.js';

export interface AttributeCodec<N extends string = string, V = unknown> {
  readonly vendorId: number;
  readonly type: number;
  /** Stable kebab-case name; `PaTncAttribute.name` of the attributes it decodes. */
  readonly name: N;
  /** The specification's name, for logs ("Product Information"). */
  readonly title: string;
  /** The Attribute Value octets of `value`. Throws PaTncEncodeError for a value that cannot go on the wire. */
  encode(value: V): Uint8Array;
  /** Decodes an Attribute Value. Throws PaTncError (offsets relative to the value), nothing else. */
  decode(value: Uint8Array): V;
}

/** Declares a codec; the literal name type is kept so attributes can be told apart by `name`. */
export function defineAttribute<const N extends string, V>(codec: AttributeCodec<N, V>): AttributeCodec<N, V> {
  return Object.freeze(codec);
}

/** One attribute of a PA-TNC message. */
export interface PaTncAttribute<N extends string = string, V = unknown> {
  /** The codec's name, or 'unknown' for a type without codec (value = the raw octets). */
  readonly name: N;
  /** The Flags octet (NOSKIP = 0x80), kept as received. */
  readonly flags: number;
  readonly vendorId: number;
  readonly type: number;
  readonly value: V;
}

/** A type without codec, kept with its octets (STYLE.md: "Unknown types ... keep their bytes"). */
export type UnknownAttribute = PaTncAttribute<'unknown', Uint8Array>;

export const UNKNOWN = 'unknown';

export interface AttributeOptions {
  /** Set the NOSKIP flag (RFC 5792 s4.2). */
  readonly noskip?: boolean;
}

/** Builds an attribute for `codec`. */
export function makeAttribute<N extends string, V>(
  codec: AttributeCodec<N, V>,
  value: V,
  options: AttributeOptions = {},
): PaTncAttribute<N, V> {
  return {
    name: codec.name,
    flags: options.noskip ? AttributeFlag.NOSKIP : AttributeFlag.NONE,
    vendorId: codec.vendorId,
    type: codec.type,
    value,
  };
}

export function makeUnknownAttribute(info: AttributeTypeInfo, value: Uint8Array): UnknownAttribute {
  return { name: UNKNOWN, flags: info.flags, vendorId: info.vendorId, type: info.type, value };
}

/** Narrows `a` to the attributes `codec` decodes. */
export function isAttribute<N extends string, V>(a: PaTncAttribute, codec: AttributeCodec<N, V>): a is PaTncAttribute<N, V> {
  return a.name === codec.name && a.vendorId === codec.vendorId && a.type === codec.type;
}

export function isUnknownAttribute(a: PaTncAttribute): a is UnknownAttribute {
  return a.name === UNKNOWN;
}

/** The first attribute `codec` decodes, if any. */
export function findAttribute<N extends string, V>(
  attributes: readonly PaTncAttribute[],
  codec: AttributeCodec<N, V>,
): PaTncAttribute<N, V> | undefined {
  return attributes.find((a): a is PaTncAttribute<N, V> => isAttribute(a, codec));
}

export function findAttributes<N extends string, V>(
  attributes: readonly PaTncAttribute[],
  codec: AttributeCodec<N, V>,
): PaTncAttribute<N, V>[] {
  return attributes.filter((a): a is PaTncAttribute<N, V> => isAttribute(a, codec));
}

export function attributeIsNoskip(a: PaTncAttribute): boolean {
  return isNoskip(a.flags);
}
