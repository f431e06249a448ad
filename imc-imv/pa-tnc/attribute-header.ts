/**
 * PA-TNC attribute header, RFC 5792 section 4.2: the one place that reads and writes attribute
 * headers, lengths and flags (messages, segment envelopes and PA-TNC Error attributes use it).
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Flags     |          PA-TNC Attribute Vendor ID           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                     PA-TNC Attribute Type                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                    PA-TNC Attribute Length                    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 Attribute Value (Variable Length)             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Flags: bit 0 (0x80) is NOSKIP; the other bits are reserved (sent as 0, ignored on receipt,
 * kept here as received so re-encoding is exact). The Length counts the whole attribute,
 * header included, so it is at least 12.
 */
import { PaTncError } from '../errors.js';
import { FieldReader, FieldWriter } from './fields.js';
import { RESERVED_ATTRIBUTE_TYPE, RESERVED_VENDOR_ID } from './vendors.js';

export const ATTRIBUTE_HEADER_LENGTH = 12;
/** Offset of the Length field in the header (strongSwan: PA_TNC_ATTR_INFO_SIZE). */
export const ATTRIBUTE_LENGTH_FIELD_OFFSET = 8;

export const AttributeFlag = {
  NONE: 0x00,
  /** RFC 5792 s4.2: an unsupported attribute with this flag stops processing of the message. */
  NOSKIP: 0x80,
} as const;

export interface AttributeHeader {
  /** The whole Flags octet as received (NOSKIP = 0x80). */
  readonly flags: number;
  readonly vendorId: number;
  readonly type: number;
  /** Attribute Length: header plus value. */
  readonly length: number;
}

export function isNoskip(flags: number): boolean {
  return (flags & AttributeFlag.NOSKIP) !== 0;
}

export interface ReadHeaderOptions {
  /**
   * The header opens the first segment of a segmented attribute (TCG IF-M Segmentation): its
   * Length announces the whole attribute, not the octets that follow here.
   */
  readonly segmented?: boolean;
}

/**
 * Reads the header at `offset` of `bytes` and checks it. Error offsets are relative to `bytes`,
 * pointing at the field that failed as strongSwan reports them (the header for a truncated
 * header, the Length field for a bad length, the Vendor ID or Type for a reserved value).
 */
export function readAttributeHeader(bytes: Uint8Array, offset: number, options: ReadHeaderOptions = {}): AttributeHeader {
  const left = bytes.length - offset;
  if (left < ATTRIBUTE_HEADER_LENGTH) {
    throw new PaTncError('PA_TNC_TRUNCATED', offset, `${left} octets left, an attribute header needs 12`);
  }
  const r = new FieldReader(bytes.subarray(offset, offset + ATTRIBUTE_HEADER_LENGTH));
  const flags = r.u8('Flags');
  const vendorId = r.u24('Attribute Vendor ID');
  const type = r.u32('Attribute Type');
  const length = r.u32('Attribute Length');
  // RFC 5792 s4.2 (paraphrased): the Attribute Length counts the entire attribute, its
  // 12-octet header included, so it cannot be below 12.
  if (length < ATTRIBUTE_HEADER_LENGTH) {
    throw new PaTncError('PA_TNC_ATTRIBUTE_LENGTH_INVALID', offset + ATTRIBUTE_LENGTH_FIELD_OFFSET, `Attribute Length ${length} is below 12`);
  }
  if (!options.segmented && length > left) {
    throw new PaTncError(
      'PA_TNC_ATTRIBUTE_LENGTH_INVALID',
      offset + ATTRIBUTE_LENGTH_FIELD_OFFSET,
      `Attribute Length ${length} but ${left} octets left in the message`,
    );
  }
  // Vendor ID 0xffffff and Type 0xffffffff are reserved and MUST NOT be sent; a receiver
  // answers them with Invalid Parameter (RFC 5792 section 4.2).
  if (vendorId === RESERVED_VENDOR_ID) {
    throw new PaTncError('PA_TNC_VENDOR_ID_RESERVED', offset + 1, 'Attribute Vendor ID 0xffffff is reserved');
  }
  if (type === RESERVED_ATTRIBUTE_TYPE) {
    throw new PaTncError('PA_TNC_ATTRIBUTE_TYPE_RESERVED', offset + 4, 'Attribute Type 0xffffffff is reserved');
  }
  return { flags, vendorId, type, length };
}

export function writeAttributeHeader(w: FieldWriter, h: AttributeHeader): void {
  w.u8(h.flags, 'Flags');
  w.u24(h.vendorId, 'Attribute Vendor ID');
  w.u32(h.type, 'Attribute Type');
  w.u32(h.length, 'Attribute Length');
}

/** Header plus value, the octets an attribute occupies in a message. Checks every field. */
export function attributeBytes(
  info: { readonly flags: number; readonly vendorId: number; readonly type: number },
  value: Uint8Array,
): Uint8Array {
  const w = new FieldWriter(ATTRIBUTE_HEADER_LENGTH + value.length);
  writeAttributeHeader(w, { flags: info.flags, vendorId: info.vendorId, type: info.type, length: ATTRIBUTE_HEADER_LENGTH + value.length });
  return w.bytes(value).finish();
}
