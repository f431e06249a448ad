/**
 * Typed errors of the PB-TNC layer (RFC 5793).
 *
 * RFC 5793 section 4: "If a Posture Broker Client or Posture Broker Server receives a batch that
 * violates the requirements of this specification, it MUST respond by sending a fatal Invalid
 * Parameter error in a CLOSE batch unless this document specifies otherwise." The codec cannot
 * send anything, so it throws a `PbTncError` that carries everything the session needs to build
 * that PB-Error message (tnc/pb/messages/error.ts, `errorMessageFor`):
 *
 * - `code`: a stable string; callers tell errors apart by it, never by message text;
 * - `pbErrorCode`: the PB-TNC Error Code of RFC 5793 section 4.9.1 that goes on the wire;
 * - `offset`: the byte offset, from the start of the batch, of the field that failed (the PB-Error
 *   Error Offset). Message decoders called on their own report offsets from the start of the
 *   message value; the batch decoder rebases them (`rebased`);
 * - `fatal`: the PB-Error FATAL flag;
 * - `badVersion`: for Version Not Supported, the version that was received.
 *
 * No other exception may escape a decoder (tnc/test/fuzz.test.ts checks this). Encoders reject
 * values that cannot go on the wire with a `PbTncEncodeError`: a caller bug, not hostile input.
 */

/**
 * PB-TNC Error Codes, IETF namespace (RFC 5793 section 4.9.1, IANA "PB-TNC Error Codes").
 * Note the registry starts at 0 (strongSwan's pb_error_msg.h agrees).
 */
export const PbErrorCode = {
  UnexpectedBatchType: 0,
  InvalidParameter: 1,
  LocalError: 2,
  UnsupportedMandatoryMessage: 3,
  VersionNotSupported: 4,
} as const;
export type PbErrorCode = (typeof PbErrorCode)[keyof typeof PbErrorCode];

const PB_ERROR_CODE_NAMES: Readonly<Record<number, string>> = {
  0: 'Unexpected Batch Type',
  1: 'Invalid Parameter',
  2: 'Local Error',
  3: 'Unsupported Mandatory Message',
  4: 'Version Not Supported',
};

/** The RFC name of an IETF PB-TNC error code, or `error <n>`. */
export function pbErrorCodeName(code: number): string {
  return PB_ERROR_CODE_NAMES[code] ?? `error ${code}`;
}

export type PbTncErrorCode =
  /** Fewer than the 8 octets of the batch header (RFC 5793 s4.1). Invalid Parameter. */
  | 'PB_BATCH_TRUNCATED'
  /** Version other than 2 (RFC 5793 s4.1). Version Not Supported. */
  | 'PB_VERSION_UNSUPPORTED'
  /** D bit does not match the sender's role (RFC 5793 s4.1). Invalid Parameter at offset 1. */
  | 'PB_DIRECTION_INVALID'
  /** B-Type outside 1..6 (RFC 5793 s4.1). Invalid Parameter at offset 3. */
  | 'PB_BATCH_TYPE_INVALID'
  /** Batch Length differs from the octets received (RFC 5793 s4.1). Invalid Parameter at offset 4. */
  | 'PB_BATCH_LENGTH_MISMATCH'
  /** Batch type not allowed in the current state (RFC 5793 s3.2). Unexpected Batch Type. */
  | 'PB_UNEXPECTED_BATCH_TYPE'
  /** We tried to send a batch type the state machine does not allow (a local bug). Local Error. */
  | 'PB_SEND_NOT_ALLOWED'
  /** Fewer than the 12 octets of a message header left in the batch (RFC 5793 s4.2). */
  | 'PB_MESSAGE_TRUNCATED'
  /** Message Length below 12 or past the end of the batch (RFC 5793 s4.2). Offset: the field. */
  | 'PB_MESSAGE_LENGTH_INVALID'
  /** Vendor ID 0xffffff (reserved) in a message header. */
  | 'PB_VENDOR_ID_RESERVED'
  /** Message Type 0xffffffff (reserved) in a message header. */
  | 'PB_MESSAGE_TYPE_RESERVED'
  /** Unknown (or unsupported experimental) message with NOSKIP set (RFC 5793 s4.2). */
  | 'PB_UNSUPPORTED_MANDATORY_MESSAGE'
  /** A known message type with the NOSKIP flag it must (not) have. */
  | 'PB_NOSKIP_INVALID'
  /** A known message type shorter than its minimum, or not its exact, length. */
  | 'PB_MESSAGE_SIZE_INVALID'
  /** A message type in a batch type that may not carry it (e.g. PB-Assessment-Result in CDATA). */
  | 'PB_MESSAGE_NOT_ALLOWED'
  /** A field inside a message value with an invalid or reserved value. */
  | 'PB_VALUE_INVALID'
  /** A length inside a message value that runs past the end of the value. */
  | 'PB_VALUE_TRUNCATED'
  /** A string that is not UTF-8, or contains NUL where the RFC forbids it. */
  | 'PB_STRING_INVALID'
  /** Local limit: a batch longer than maxBatchSize. Local Error. */
  | 'PB_BATCH_TOO_LARGE'
  /** Local limit: a PA-TNC message (PB-PA body) longer than maxMessageSize. Local Error. */
  | 'PB_MESSAGE_TOO_LARGE'
  /** Local limit: more than maxMessageCount messages in one batch. Local Error. */
  | 'PB_TOO_MANY_MESSAGES'
  /** Local limit: more than maxRoundTrips batches received in one session. Local Error. */
  | 'PB_TOO_MANY_ROUND_TRIPS'
  /** A local failure (the handler threw, the reply does not fit a batch ...). Local Error. */
  | 'PB_LOCAL_ERROR';

export class PbTncError extends Error {
  override readonly name = 'PbTncError';
  /** Stable machine-readable reason. */
  readonly code: PbTncErrorCode;
  /** The PB-TNC Error Code (RFC 5793 s4.9.1) to report to the peer. */
  readonly pbErrorCode: PbErrorCode;
  /** Byte offset of the failing field (from the batch start once the batch decoder rebased it). */
  readonly offset: number;
  /** The PB-Error FATAL flag. Every error RFC 5793 asks us to report is fatal. */
  readonly fatal: boolean;
  /** For Version Not Supported: the version received. */
  readonly badVersion: number | undefined;
  /** The message without the code and offset prefix. */
  readonly detail: string;

  constructor(
    code: PbTncErrorCode,
    pbErrorCode: PbErrorCode,
    offset: number,
    message: string,
    options: { fatal?: boolean; badVersion?: number } = {},
  ) {
    super(`${code} (${pbErrorCodeName(pbErrorCode)}) at offset ${offset}: ${message}`);
    this.code = code;
    this.pbErrorCode = pbErrorCode;
    this.offset = offset;
    this.fatal = options.fatal ?? true;
    this.badVersion = options.badVersion;
    this.detail = message;
  }

  /** The same error with `delta` added to its offset (message-relative -> batch-relative). */
  rebased(delta: number): PbTncError {
    return new PbTncError(this.code, this.pbErrorCode, this.offset + delta, this.detail, {
      fatal: this.fatal,
      ...(this.badVersion === undefined ? {} : { badVersion: this.badVersion }),
    });
  }
}

/** Shorthand for the most common case: a fatal Invalid Parameter. */
export function invalidParameter(code: PbTncErrorCode, offset: number, message: string): PbTncError {
  return new PbTncError(code, PbErrorCode.InvalidParameter, offset, message);
}

export type PbTncEncodeErrorCode =
  /** A field outside its range (vendor id > 24 bits, port > 65535, language code > 255 octets ...). */
  | 'PB_FIELD_RANGE'
  /** A message or batch longer than its length field or the configured limit allows. */
  | 'PB_TOO_LONG'
  /** A message kind the registry does not know, or sent in a batch type that may not carry it. */
  | 'PB_MESSAGE_UNSUPPORTED'
  /** A string with a NUL where the RFC forbids it. */
  | 'PB_STRING_INVALID';

export class PbTncEncodeError extends Error {
  override readonly name = 'PbTncEncodeError';
  readonly code: PbTncEncodeErrorCode;

  constructor(code: PbTncEncodeErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
