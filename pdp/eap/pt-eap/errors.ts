/**
 * The typed decode error of the PT-EAP / EAP-TNC framing (flags.ts, fragment.ts).
 *
 * Every decoder in this folder either returns a readonly value or throws a `PtEapDecodeError`;
 * nothing else escapes (pt-eap-fuzz.test.ts checks this). Callers tell errors apart by `code`.
 * The EAP-TNC fragment path reuses the EAP-TTLS reassembler (../ttls/fragment.ts); its
 * `ttls-*` codes are renamed to the `tnc-*` codes below so that one error type leaves this folder.
 */
import type { EapDecodeError } from '../errors.js';

export type PtEapDecodeErrorCode =
  | 'pt-eap-truncated'
  | 'pt-eap-message-too-long'
  | 'tnc-message-too-long'
  | 'tnc-fragment-overflow'
  | 'tnc-length-mismatch'
  | 'tnc-missing-length'
  | 'tnc-empty-fragment'
  | 'tnc-unexpected-start'
  | 'tnc-truncated'
  | 'tnc-unexpected-data';

export class PtEapDecodeError extends Error {
  override readonly name = 'PtEapDecodeError';
  readonly code: PtEapDecodeErrorCode;
  /** Byte offset in the Type-Data where the problem was found. */
  readonly offset: number;

  constructor(code: PtEapDecodeErrorCode, offset: number, message: string) {
    super(`${code} at ${offset}: ${message}`);
    this.code = code;
    this.offset = offset;
  }
}

/** Renames an error of the shared EAP-TTLS framing code (`ttls-x`) to this layer's `tnc-x`. */
export function fromTtlsError(e: EapDecodeError): PtEapDecodeError {
  const code = `tnc-${e.code.replace(/^ttls-/, '')}` as PtEapDecodeErrorCode;
  return new PtEapDecodeError(TNC_CODES.has(code) ? code : 'tnc-truncated', e.offset, e.message);
}

const TNC_CODES: ReadonlySet<string> = new Set<PtEapDecodeErrorCode>([
  'tnc-message-too-long',
  'tnc-fragment-overflow',
  'tnc-length-mismatch',
  'tnc-missing-length',
  'tnc-empty-fragment',
  'tnc-unexpected-start',
  'tnc-truncated',
  'tnc-unexpected-data',
]);

export function isPtEapDecodeError(e: unknown): e is PtEapDecodeError {
  return e instanceof PtEapDecodeError;
}
