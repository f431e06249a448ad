/**
 * Typed errors of the PA-TNC layer (RFC 5792).
 *
 * RFC 5792 section 4.2.8 tells a receiver how to answer a PA-TNC message it cannot process: with
 * a PA-TNC Error attribute carrying one of the IETF error codes below, a copy of the message
 * header and, for Invalid Parameter, the offset of the offending octet. The codec cannot send
 * anything, so every decoder throws a `PaTncError` that carries everything needed to build that
 * attribute: a stable string `code` (tell errors apart by it, never by message text), the byte
 * `offset`, the PA-TNC error code `paErrorCode` and, for an unsupported NOSKIP attribute, the
 * offending attribute header. `ietf/pa-tnc-error.ts` turns it into the attribute and
 * `pa-tnc/message.ts` (`processMessage`) does both steps. No other exception may escape a decoder
 * (imc-imv/test/fuzz.test.ts checks this).
 *
 * Encoders reject values that cannot go on the wire with a `PaTncEncodeError`: a caller bug, not
 * hostile input.
 */

/**
 * IETF PA-TNC error codes, RFC 5792 section 4.2.8 (IANA "PA-TNC Error Codes" registry).
 *
 *   0 Reserved, 1 Invalid Parameter, 2 Version Not Supported, 3 Attribute Type Not Supported
 */
export const PaErrorCode = {
  Reserved: 0,
  InvalidParameter: 1,
  VersionNotSupported: 2,
  AttributeTypeNotSupported: 3,
} as const;
export type PaErrorCodeValue = (typeof PaErrorCode)[keyof typeof PaErrorCode];

export type PaTncErrorCode =
  /** A field runs past the end of the octets received. */
  | 'PA_TNC_TRUNCATED'
  /** The PA-TNC message Version is not 1 (RFC 5792 section 4.1). */
  | 'PA_TNC_VERSION_UNSUPPORTED'
  /** An Attribute Length below 12 or past the end of the message (RFC 5792 section 4.2). */
  | 'PA_TNC_ATTRIBUTE_LENGTH_INVALID'
  /** Attribute Vendor ID 0xffffff, reserved (RFC 5792 section 4.2). */
  | 'PA_TNC_VENDOR_ID_RESERVED'
  /** Attribute Type 0xffffffff, reserved (RFC 5792 section 4.2). */
  | 'PA_TNC_ATTRIBUTE_TYPE_RESERVED'
  /** An attribute with the NOSKIP flag whose type has no codec (RFC 5792 section 4.2). */
  | 'PA_TNC_ATTRIBUTE_TYPE_UNSUPPORTED'
  /** A fixed-size attribute value of the wrong size. */
  | 'PA_TNC_VALUE_LENGTH'
  /** Octets left over after the last field of a value whose format is fully defined. */
  | 'PA_TNC_TRAILING_DATA'
  /** A field holds a value its definition does not allow. */
  | 'PA_TNC_FIELD_INVALID'
  /** A string that is not UTF-8, or holds a NUL where the RFC forbids one. */
  | 'PA_TNC_STRING_INVALID'
  /** A count field that differs from the number of entries present. */
  | 'PA_TNC_COUNT_MISMATCH'
  /** A count, size or number of pending reassemblies above this decoder's bound. */
  | 'PA_TNC_LIMIT_EXCEEDED'
  /** A Segment Envelope without the start flag for a Base Message ID not being reassembled. */
  | 'PA_TNC_SEGMENT_UNEXPECTED'
  /** A first segment (start flag) for a Base Message ID already being reassembled. */
  | 'PA_TNC_SEGMENT_DUPLICATE'
  /** The segments carry more octets than the base attribute header announced. */
  | 'PA_TNC_SEGMENT_OVERFLOW'
  /** The last segment (no more flag) arrived before the base attribute was complete. */
  | 'PA_TNC_SEGMENT_INCOMPLETE'
  /** A segment larger than the contract's Max Segment Size. */
  | 'PA_TNC_SEGMENT_TOO_LARGE';

/** Flags, vendor and type of an attribute, as copied into an Attribute Type Not Supported error. */
export interface AttributeTypeInfo {
  readonly flags: number;
  readonly vendorId: number;
  readonly type: number;
}

export interface PaTncErrorOptions {
  /** Defaults to Version Not Supported / Attribute Type Not Supported / Invalid Parameter by `code`. */
  readonly paErrorCode?: PaErrorCodeValue;
  /** The attribute that was not supported (for PA_TNC_ATTRIBUTE_TYPE_UNSUPPORTED). */
  readonly unsupportedAttribute?: AttributeTypeInfo;
  /** Vendor and type of the attribute whose value failed to decode, when known. */
  readonly attribute?: { readonly vendorId: number; readonly type: number };
}

function defaultPaErrorCode(code: PaTncErrorCode): PaErrorCodeValue {
  if (code === 'PA_TNC_VERSION_UNSUPPORTED') return PaErrorCode.VersionNotSupported;
  if (code === 'PA_TNC_ATTRIBUTE_TYPE_UNSUPPORTED') return PaErrorCode.AttributeTypeNotSupported;
  return PaErrorCode.InvalidParameter;
}

export class PaTncError extends Error {
  override readonly name = 'PaTncError';
  /** Stable machine-readable reason. */
  readonly code: PaTncErrorCode;
  /**
   * Byte offset of the field that failed: relative to the attribute value for an attribute
   * codec, to the PA-TNC message for `decodeMessage` (RFC 5792 s4.2.8 "Offset").
   */
  readonly offset: number;
  /** The IETF PA-TNC error code to report (RFC 5792 section 4.2.8). */
  readonly paErrorCode: PaErrorCodeValue;
  readonly unsupportedAttribute: AttributeTypeInfo | undefined;
  readonly attribute: { readonly vendorId: number; readonly type: number } | undefined;
  /** The message without the code and offset prefix. */
  readonly detail: string;

  constructor(code: PaTncErrorCode, offset: number, message: string, options: PaTncErrorOptions = {}) {
    super(`${code} at offset ${offset}: ${message}`);
    this.code = code;
    this.offset = offset;
    this.detail = message;
    this.paErrorCode = options.paErrorCode ?? defaultPaErrorCode(code);
    this.unsupportedAttribute = options.unsupportedAttribute;
    this.attribute = options.attribute;
  }

  /** The same error with `base` added to its offset (a value error seen from the message). */
  shifted(base: number, attribute?: { readonly vendorId: number; readonly type: number }): PaTncError {
    return new PaTncError(this.code, this.offset + base, this.detail, {
      paErrorCode: this.paErrorCode,
      ...(this.unsupportedAttribute ? { unsupportedAttribute: this.unsupportedAttribute } : {}),
      ...(attribute ?? this.attribute ? { attribute: attribute ?? this.attribute } : {}),
    });
  }
}

export type PaTncEncodeErrorCode =
  /** A numeric field out of its range (octet, 24-bit vendor id, 32-bit type ...). */
  | 'PA_TNC_FIELD_RANGE'
  /** A string or octet string longer than its length field can express. */
  | 'PA_TNC_VALUE_TOO_LONG'
  /** A string with a NUL where the RFC forbids one. */
  | 'PA_TNC_STRING_INVALID'
  /** An attribute that is neither 'unknown' (raw octets) nor has a codec in the registry. */
  | 'PA_TNC_NO_CODEC'
  /** A segmentation request the contract cannot satisfy. */
  | 'PA_TNC_SEGMENTATION';

export class PaTncEncodeError extends Error {
  override readonly name = 'PaTncEncodeError';
  readonly code: PaTncEncodeErrorCode;

  constructor(code: PaTncEncodeErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
