/**
 * Typed errors of the IKEv2 codec (RFC 7296).
 *
 * RFC 7296 tells the receiver what to do with a malformed message (section 2.21.1: INVALID_SYNTAX,
 * UNSUPPORTED_CRITICAL_PAYLOAD, INVALID_MAJOR_VERSION ...); the codec cannot decide that, so it
 * throws an `IkeDecodeError` carrying a stable `code` and the byte `offset` (in the buffer handed to
 * the decoder) of the field that failed, and the responder maps the code to the RFC's action.
 * Callers tell errors apart by `code`, never by message text. No other exception may escape a
 * decoder (pep/test/ike-fuzz.test.ts checks this).
 *
 * When the 28-octet IKE header could be read, `decodeIkeMessage` attaches it as `header`, so the
 * responder can address its error notification (INVALID_MAJOR_VERSION, UNSUPPORTED_CRITICAL_PAYLOAD,
 * INVALID_SYNTAX) to the right SPIs and Message ID.
 *
 * Encoders reject values that cannot go on the wire with an `IkeEncodeError` (a caller bug).
 */
import type { IkeHeader } from './header.js';

export type IkeDecodeErrorCode =
  /** Fewer octets than a header or fixed field needs. */
  | 'TRUNCATED'
  /** A Length field that is too small, runs past its container, or leaves trailing octets. */
  | 'BAD_LENGTH'
  /** IKE header Major Version is not 2 (RFC 7296 s2.5: answer INVALID_MAJOR_VERSION). */
  | 'BAD_VERSION'
  /** The IKE header Length is above the codec's maximum message size. */
  | 'MESSAGE_TOO_LARGE'
  /** More payloads in one chain than the codec accepts. */
  | 'TOO_MANY_PAYLOADS'
  /** An unknown payload type with the Critical bit set (RFC 7296 s2.5); `payloadType` says which. */
  | 'UNSUPPORTED_CRITICAL_PAYLOAD'
  /** The SK or SKF payload is not the last payload of the message (RFC 7296 s3.14, RFC 7383 s2.5). */
  | 'ENCRYPTED_NOT_LAST'
  /** More proposals, transforms, attributes, selectors or SPIs than the codec accepts. */
  | 'TOO_MANY_ITEMS'
  /** A malformed Proposal or Transform substructure (RFC 7296 s3.3.1, s3.3.2). */
  | 'BAD_PROPOSAL'
  /** A malformed Transform Attribute (RFC 7296 s3.3.5). */
  | 'BAD_ATTRIBUTE'
  /** Nonce Data outside 16..256 octets (RFC 7296 s3.9). */
  | 'BAD_NONCE_LENGTH'
  /** A Traffic Selector with a bad length, or a start above its end (RFC 7296 s3.13.1). */
  | 'BAD_TRAFFIC_SELECTOR'
  /** A Notify or Delete SPI Size that does not fit the payload (RFC 7296 s3.10, s3.11). */
  | 'BAD_SPI_SIZE'
  /** An Encrypted Fragment with Fragment Number 0 or above Total Fragments (RFC 7383 s2.5). */
  | 'BAD_FRAGMENT';

/** Optional facts a decode error carries besides code and offset. */
export interface IkeDecodeErrorDetails {
  /** UNSUPPORTED_CRITICAL_PAYLOAD: the one-octet payload type to put in the notification data. */
  readonly payloadType?: number;
  /** BAD_VERSION: the major and minor version received. */
  readonly majorVersion?: number;
  readonly minorVersion?: number;
}

export class IkeDecodeError extends Error {
  override readonly name = 'IkeDecodeError';
  /** Stable machine-readable reason. */
  readonly code: IkeDecodeErrorCode;
  /** Byte offset, in the buffer handed to the decoder, of the field that failed. */
  readonly offset: number;
  readonly payloadType: number | undefined;
  readonly majorVersion: number | undefined;
  readonly minorVersion: number | undefined;
  /** The IKE header, when the error happened after it was decoded (set by decodeIkeMessage). */
  readonly header: IkeHeader | undefined;

  constructor(
    code: IkeDecodeErrorCode,
    offset: number,
    message: string,
    details: IkeDecodeErrorDetails = {},
    header?: IkeHeader,
  ) {
    super(`${code} at offset ${offset}: ${message}`);
    this.code = code;
    this.offset = offset;
    this.payloadType = details.payloadType;
    this.majorVersion = details.majorVersion;
    this.minorVersion = details.minorVersion;
    this.header = header;
  }

  /** The same error with the IKE header attached. */
  withHeader(header: IkeHeader): IkeDecodeError {
    return new IkeDecodeError(
      this.code,
      this.offset,
      this.message.replace(/^\S+ at offset \d+: /, ''),
      { payloadType: this.payloadType, majorVersion: this.majorVersion, minorVersion: this.minorVersion },
      header,
    );
  }
}

export type IkeEncodeErrorCode =
  /** A field out of its range (SPI of the wrong size, a 70000-octet payload, a 17-bit type ...). */
  | 'FIELD_RANGE'
  /** The encoded message would exceed the maximum message size. */
  | 'MESSAGE_TOO_LARGE';

export class IkeEncodeError extends Error {
  override readonly name = 'IkeEncodeError';
  readonly code: IkeEncodeErrorCode;

  constructor(code: IkeEncodeErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
