/**
 * Errors of the IF-MAP client, told apart by a stable `code`:
 *
 *   IFMAP_BAD_XML        the response is not well-formed (or uses a DTD); `offset` is the byte
 *   IFMAP_BAD_RESPONSE   well-formed, but not the IF-MAP response the request expects
 *   IFMAP_ERROR_RESULT   the MAP server answered <errorResult errorCode=...> (`errorCode`)
 *   IFMAP_SOAP_FAULT     a SOAP 1.2 Fault (`faultCode`: env:Sender, env:Receiver ...)
 *   IFMAP_HTTP           an HTTP status other than 200 without a SOAP body (`status`)
 *   IFMAP_TRANSPORT      connection refused/reset, TLS failure
 *   IFMAP_TIMEOUT        no complete response in time
 *
 * `retryable` says whether sending the same request later can succeed; a non-retryable publish is
 * dropped (with a log line) so one bad document cannot block the queue behind it.
 */

/** IF-MAP 2.x errorResult codes (ifmap-base-2.0v17.xsd, ErrorResultType). */
export type IfmapErrorCode =
  | 'AccessDenied'
  | 'Failure'
  | 'InvalidIdentifier'
  | 'InvalidIdentifierType'
  | 'IdentifierTooLong'
  | 'InvalidMetadata'
  | 'InvalidSchemaVersion'
  | 'InvalidSessionID'
  | 'MetadataTooLong'
  | 'SearchResultsTooBig'
  | 'PollResultsTooBig'
  | 'SystemError';

export type IfmapClientErrorCode =
  | 'IFMAP_BAD_XML'
  | 'IFMAP_BAD_RESPONSE'
  | 'IFMAP_ERROR_RESULT'
  | 'IFMAP_SOAP_FAULT'
  | 'IFMAP_HTTP'
  | 'IFMAP_TRANSPORT'
  | 'IFMAP_TIMEOUT';

/** errorResult codes that a later retry cannot fix: the document itself is refused. */
const PERMANENT: ReadonlySet<string> = new Set([
  'InvalidIdentifier',
  'InvalidIdentifierType',
  'IdentifierTooLong',
  'InvalidMetadata',
  'InvalidSchemaVersion',
  'MetadataTooLong',
]);

export interface IfmapErrorDetails {
  readonly offset?: number;
  /** errorResult's errorCode (IFMAP_ERROR_RESULT). */
  readonly errorCode?: string;
  /** SOAP fault Code/Value (IFMAP_SOAP_FAULT), e.g. 'env:Sender'. */
  readonly faultCode?: string;
  readonly status?: number;
  readonly cause?: unknown;
}

export class IfmapError extends Error {
  override readonly name = 'IfmapError';
  readonly offset?: number;
  readonly errorCode?: string;
  readonly faultCode?: string;
  readonly status?: number;

  constructor(
    readonly code: IfmapClientErrorCode,
    message: string,
    details: IfmapErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.offset !== undefined) this.offset = details.offset;
    if (details.errorCode !== undefined) this.errorCode = details.errorCode;
    if (details.faultCode !== undefined) this.faultCode = details.faultCode;
    if (details.status !== undefined) this.status = details.status;
  }

  /** Whether the same request may succeed later (server down, overloaded, session lost). */
  get retryable(): boolean {
    switch (this.code) {
      case 'IFMAP_ERROR_RESULT':
        return !PERMANENT.has(this.errorCode ?? '');
      case 'IFMAP_SOAP_FAULT':
        // SOAP 1.2 Part 1 section 5.4.6: Sender = the message is wrong; others may pass later.
        return !/(^|:)Sender$/.test(this.faultCode ?? '');
      case 'IFMAP_HTTP':
        return this.status === undefined || this.status >= 500 || this.status === 408 || this.status === 429 || this.status === 401 || this.status === 403;
      case 'IFMAP_BAD_XML':
      case 'IFMAP_BAD_RESPONSE':
        return true;
      default:
        return true;
    }
  }

  /** The session is gone: start a new one before retrying. */
  get sessionLost(): boolean {
    return this.code === 'IFMAP_ERROR_RESULT' && this.errorCode === 'InvalidSessionID';
  }
}
