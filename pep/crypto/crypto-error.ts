/**
 * The one error type of pep/crypto. Callers tell errors apart by `code` (stable strings), never by
 * message text. No key material ever goes into a message.
 *
 * - INVALID_KE: a peer's Key Exchange value is malformed (length, range, not on the curve, all-zero
 *   X25519 result). The IKE responder answers INVALID_SYNTAX / drops the exchange.
 * - INTEGRITY: an ICV / AEAD tag did not verify (SK payload or ESP packet is dropped).
 * - BAD_LENGTH: a sealed input too short, or a ciphertext not a multiple of the block size.
 * - BAD_PADDING: an IKE Pad Length octet points outside the decrypted data.
 * - BAD_KEY: a key of the wrong size or kind for the algorithm.
 * - BAD_SIGNATURE_FORMAT: AUTH data that cannot be a signature of the method (RFC 7427 prefix
 *   missing or too long, wrong r||s length).
 * - UNSUPPORTED: an algorithm or method this service does not implement.
 * - IV_EXHAUSTED: the 64-bit GCM IV counter of one key ran out; the SA must be rekeyed.
 * - BUSY: the worker pool's queue is full; the job was shed, not queued.
 * - CLOSED: the service was closed before the job ran.
 * - WORKER_FAILED: a worker thread died while running the job.
 */
export type CryptoErrorCode =
  | 'INVALID_KE'
  | 'INTEGRITY'
  | 'BAD_LENGTH'
  | 'BAD_PADDING'
  | 'BAD_KEY'
  | 'BAD_SIGNATURE_FORMAT'
  | 'UNSUPPORTED'
  | 'IV_EXHAUSTED'
  | 'BUSY'
  | 'CLOSED'
  | 'WORKER_FAILED';

const CODES: ReadonlySet<string> = new Set<CryptoErrorCode>([
  'INVALID_KE', 'INTEGRITY', 'BAD_LENGTH', 'BAD_PADDING', 'BAD_KEY', 'BAD_SIGNATURE_FORMAT',
  'UNSUPPORTED', 'IV_EXHAUSTED', 'BUSY', 'CLOSED', 'WORKER_FAILED',
]);

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** True when `code` is one of ours (used to rebuild errors that crossed a worker boundary). */
  static isCode(code: unknown): code is CryptoErrorCode {
    return typeof code === 'string' && CODES.has(code);
  }
}
