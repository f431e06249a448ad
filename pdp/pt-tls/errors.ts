/**
 * Typed errors of the PT-TLS layer (RFC 6876).
 *
 * RFC 6876 section 3.9 (PT-TLS Error Message): errors found in a received message are reported to
 * the peer in a PT-TLS Error message that carries an Error Code and a copy of the offending
 * message. The codec cannot send anything, so it throws a `PtTlsError` carrying what the
 * connection needs to build that message:
 *
 * - `code`: a stable string; callers tell errors apart by it, never by message text;
 * - `errorCode`: the IETF PT-TLS Error Code (IANA "PT-TLS Error Codes") that goes on the wire;
 * - `offset`: the byte offset of the failing field from the start of the PT-TLS message (value
 *   decoders called on their own report offsets from the start of the value; `rebased` fixes it);
 * - `fatal`: whether the connection must be closed after the Error message. Only Type Not
 *   Supported is non-fatal ("ignore the message, and proceed").
 *
 * No other exception may escape a decoder (test/fuzz.test.ts checks this). Encoders reject values
 * that cannot go on the wire with a `PtTlsEncodeError` (a caller bug, not hostile input).
 */

/** IETF PT-TLS Error Codes (RFC 6876 section 3.9.1, IANA registry "PT-TLS Error Codes"). */
export const PtTlsErrorCode = {
  Reserved: 0,
  MalformedMessage: 1,
  VersionNotSupported: 2,
  TypeNotSupported: 3,
  InvalidMessage: 4,
  SaslMechanismError: 5,
  InvalidParameter: 6,
} as const;
export type PtTlsErrorCode = (typeof PtTlsErrorCode)[keyof typeof PtTlsErrorCode];

const NAMES: Readonly<Record<number, string>> = {
  0: 'Reserved',
  1: 'Malformed Message',
  2: 'Version Not Supported',
  3: 'Type Not Supported',
  4: 'Invalid Message',
  5: 'SASL Mechanism Error',
  6: 'Invalid Parameter',
};

/** The RFC name of an IETF PT-TLS error code, or `error <n>`. */
export function ptTlsErrorCodeName(code: number): string {
  return NAMES[code] ?? `error ${code}`;
}

export type PtTlsDecodeErrorCode =
  /** Fewer than the 16 octets of the message header. Malformed Message. */
  | 'PTTLS_HEADER_TRUNCATED'
  /** Message Length below 16 or different from the octets received. Malformed Message. */
  | 'PTTLS_LENGTH_INVALID'
  /** Local limit: Message Length above what we buffer for this type. Invalid Parameter. */
  | 'PTTLS_MESSAGE_TOO_LARGE'
  /** A message value shorter or longer than its type allows. Malformed Message. */
  | 'PTTLS_VALUE_LENGTH_INVALID'
  /** A field with an invalid value (mechanism name, result code ...). Invalid Parameter. */
  | 'PTTLS_VALUE_INVALID'
  /** Version Request whose range does not contain version 1. Version Not Supported. */
  | 'PTTLS_VERSION_UNSUPPORTED'
  /** Experimental, vendor-specific or unassigned message type. Type Not Supported (not fatal). */
  | 'PTTLS_TYPE_UNSUPPORTED'
  /** A message that is not allowed in the connection's current state. Invalid Message. */
  | 'PTTLS_UNEXPECTED_MESSAGE'
  /** No mechanism in common, or a mechanism we did not offer. SASL Mechanism Error. */
  | 'PTTLS_SASL_MECHANISM'
  /** Client authentication failed or is missing (no certificate in certificate mode). */
  | 'PTTLS_AUTHENTICATION_FAILED'
  /** Local limit: too many ignored messages, SASL attempts ... Invalid Parameter. */
  | 'PTTLS_LIMIT_EXCEEDED';

export class PtTlsError extends Error {
  override readonly name = 'PtTlsError';
  readonly code: PtTlsDecodeErrorCode;
  readonly errorCode: PtTlsErrorCode;
  readonly offset: number;
  readonly fatal: boolean;
  readonly detail: string;

  constructor(code: PtTlsDecodeErrorCode, errorCode: PtTlsErrorCode, offset: number, message: string, options: { fatal?: boolean } = {}) {
    super(`${code} (${ptTlsErrorCodeName(errorCode)}) at offset ${offset}: ${message}`);
    this.code = code;
    this.errorCode = errorCode;
    this.offset = offset;
    this.fatal = options.fatal ?? true;
    this.detail = message;
  }

  /** The same error with `delta` added to its offset (value-relative -> message-relative). */
  rebased(delta: number): PtTlsError {
    return new PtTlsError(this.code, this.errorCode, this.offset + delta, this.detail, { fatal: this.fatal });
  }
}

export const malformed = (code: PtTlsDecodeErrorCode, offset: number, message: string): PtTlsError =>
  new PtTlsError(code, PtTlsErrorCode.MalformedMessage, offset, message);

export const invalidParameter = (code: PtTlsDecodeErrorCode, offset: number, message: string): PtTlsError =>
  new PtTlsError(code, PtTlsErrorCode.InvalidParameter, offset, message);

export type PtTlsEncodeErrorCode = 'PTTLS_FIELD_RANGE' | 'PTTLS_TOO_LONG';

export class PtTlsEncodeError extends Error {
  override readonly name = 'PtTlsEncodeError';
  constructor(
    readonly code: PtTlsEncodeErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}
