/**
 * The EAP layer's typed decode error.
 *
 * Every decoder under `pdp/eap/` (EAP packet, Nak, MD5-Challenge, TTLS flags and fragments, Diameter
 * AVPs) either returns a readonly value or throws an `EapDecodeError`; nothing else may escape
 * (the fuzz tests check this). Callers tell errors apart by `code`, never by message.
 */

export type EapDecodeErrorCode =
  // RFC 3748 section 4 packet
  | 'eap-truncated'
  | 'eap-bad-length'
  | 'eap-unknown-code'
  | 'eap-missing-type'
  | 'eap-expanded-truncated'
  // RFC 3748 section 5 type data
  | 'identity-too-long'
  | 'identity-bad-utf8'
  | 'nak-empty'
  | 'nak-bad-length'
  | 'md5-truncated'
  | 'md5-bad-value-size'
  // RFC 5281 section 9 TTLS framing
  | 'ttls-truncated'
  | 'ttls-message-too-long'
  | 'ttls-fragment-overflow'
  | 'ttls-length-mismatch'
  | 'ttls-missing-length'
  | 'ttls-empty-fragment'
  | 'ttls-unexpected-start'
  | 'ttls-unexpected-data'
  // RFC 5281 section 10 Diameter AVPs
  | 'avp-truncated'
  | 'avp-bad-length'
  | 'avp-too-many'
  | 'avp-too-long';

export class EapDecodeError extends Error {
  override readonly name = 'EapDecodeError';
  readonly code: EapDecodeErrorCode;
  /** Byte offset in the decoded input where the problem was found. */
  readonly offset: number;

  constructor(code: EapDecodeErrorCode, offset: number, message: string) {
    super(`${code} at ${offset}: ${message}`);
    this.code = code;
    this.offset = offset;
  }
}

/** Narrowing helper for catch blocks. */
export function isEapDecodeError(e: unknown): e is EapDecodeError {
  return e instanceof EapDecodeError;
}
