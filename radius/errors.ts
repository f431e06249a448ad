/**
 * Typed errors of the RADIUS layer.
 *
 * RFC 2865 section 3 tells a receiver what to do with a malformed packet ("silently discarded",
 * "treated as an Access-Reject"); the codec cannot decide that, so it throws a
 * `RadiusDecodeError` carrying a stable `code` and the byte `offset` of the field that failed,
 * and the server maps the code to the RFC's action. Callers tell errors apart by `code`, never by
 * message text. No other exception may escape a decoder (radius/test/fuzz.test.ts checks this).
 *
 * Encoders reject values that cannot go on the wire (a 300-octet attribute, a 5000-octet packet)
 * with a `RadiusEncodeError`: that is a caller bug, not hostile input.
 *
 * Messages never carry secrets, passwords or keys.
 */

export type RadiusDecodeErrorCode =
  /** Fewer than the 20 header octets were received (RFC 2865 section 3). */
  | 'RADIUS_TRUNCATED'
  /** The Length field is larger than the number of octets received (RFC 2865 section 3). */
  | 'RADIUS_LENGTH_MISMATCH'
  /** The Length field is below the minimum of 20 (RFC 2865 section 3). */
  | 'RADIUS_LENGTH_INVALID'
  /** The Length field is above the maximum of 4096 (RFC 2865 section 3). */
  | 'RADIUS_PACKET_TOO_LARGE'
  /** An attribute Length below 2 (RFC 2865 section 5). */
  | 'RADIUS_ATTRIBUTE_TOO_SHORT'
  /** An attribute header or value runs past the end of the packet (RFC 2865 section 5). */
  | 'RADIUS_ATTRIBUTE_OVERFLOW'
  /** A Vendor-Specific value that does not follow RFC 2865 section 5.26. */
  | 'RADIUS_VSA_MALFORMED'
  /** A tagged attribute (RFC 2868 section 3) with a bad length or tag. */
  | 'RADIUS_TAGGED_MALFORMED'
  /** A hidden User-Password not 16..128 octets in steps of 16 (RFC 2865 section 5.2). */
  | 'RADIUS_PASSWORD_LENGTH'
  /** A salt-encrypted value that is too short or not 2 + 16n octets (RFC 2548 s2.4.2, RFC 2868 s3.5). */
  | 'RADIUS_SALTED_LENGTH'
  /** A salt without its most significant bit set (RFC 2548 s2.4.2, RFC 2868 s3.5). */
  | 'RADIUS_SALT_INVALID'
  /** The decrypted length sub-field is longer than the decrypted data (RFC 2548 s2.4.2). */
  | 'RADIUS_SALTED_KEY_LENGTH'
  /** Joined EAP-Message attributes shorter than an EAP header (RFC 3579 section 3.1). */
  | 'RADIUS_EAP_TRUNCATED'
  /** Joined EAP-Message length differs from the EAP Length field (RFC 3579 section 3.1). */
  | 'RADIUS_EAP_LENGTH_MISMATCH'
  /** EAP-Message attributes that are not consecutive (RFC 3579 section 3.1). */
  | 'RADIUS_EAP_NOT_CONSECUTIVE';

export class RadiusDecodeError extends Error {
  override readonly name = 'RadiusDecodeError';
  /** Stable machine-readable reason. */
  readonly code: RadiusDecodeErrorCode;
  /** Byte offset, in the buffer handed to the decoder, of the field that failed. */
  readonly offset: number;

  constructor(code: RadiusDecodeErrorCode, offset: number, message: string) {
    super(`${code} at offset ${offset}: ${message}`);
    this.code = code;
    this.offset = offset;
  }
}

export type RadiusEncodeErrorCode =
  /** An attribute value longer than 253 octets (RFC 2865 section 5). */
  | 'RADIUS_ATTRIBUTE_TOO_LONG'
  /** The encoded packet would exceed 4096 octets (RFC 2865 section 3). */
  | 'RADIUS_PACKET_TOO_LARGE'
  /** A header or attribute field out of its range (code, identifier, type, tag, vendor id ...). */
  | 'RADIUS_FIELD_RANGE'
  /** A value too long for the hiding or encryption scheme that carries it. */
  | 'RADIUS_VALUE_TOO_LONG'
  /** A Message-Authenticator passed in the attributes; the builder adds and signs it itself. */
  | 'RADIUS_MESSAGE_AUTHENTICATOR_GIVEN'
  /** A packet code the helper does not build (e.g. a response passed to buildRequest). */
  | 'RADIUS_CODE_UNSUPPORTED';

export class RadiusEncodeError extends Error {
  override readonly name = 'RadiusEncodeError';
  readonly code: RadiusEncodeErrorCode;

  constructor(code: RadiusEncodeErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
