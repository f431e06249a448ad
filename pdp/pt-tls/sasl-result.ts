/**
 * PT-TLS SASL Result (RFC 6876 section 3.8.4), sent by the NEA Server only: the outcome of the
 * SASL mechanism, and optional additional data for the client.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Result Code           |  Result Data (Variable Len)   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Result Code: 0 Success, 1 Failure (the client may try again), 2 Abort (it may not), 3 Mechanism
 * Failure. We send the RFC's 16-bit code. strongSwan 5.9.8 writes and reads a single octet
 * (pt_tls_server.c / pt_tls_client.c): its client reads our 0x0000 as Success (then ignores the
 * rest) and reads any of our failure codes as 0 as well, then fails on the closed connection, so a
 * refused strongSwan client logs "received SASL Success result" before it gives up. We decode a
 * 1-octet value as strongSwan's encoding so our client also works against strongSwan's server.
 */
import type { PtTlsValueCodec } from './codec.js';
import { invalidParameter, malformed } from './errors.js';
import { PtTlsMessageType } from './message-type.js';
import { MAX_SASL_DATA } from './sasl-mechanism-selection.js';
import { checkRange, copyOf, view } from './wire.js';

export const SaslResultCode = {
  Success: 0,
  Failure: 1,
  Abort: 2,
  MechanismFailure: 3,
} as const;
export type SaslResultCode = (typeof SaslResultCode)[keyof typeof SaslResultCode];

export interface SaslResult {
  readonly kind: 'sasl-result';
  readonly result: SaslResultCode;
  readonly data: Uint8Array;
}

const isResultCode = (n: number): n is SaslResultCode => n >= 0 && n <= 3;

export const saslResultCodec: PtTlsValueCodec<SaslResult> = {
  kind: 'sasl-result',
  vendorId: 0,
  messageType: PtTlsMessageType.SaslResult,
  maxValueLength: 2 + MAX_SASL_DATA,
  encode(value) {
    checkRange(value.result, 3, 'Result Code');
    const out = new Uint8Array(2 + value.data.length);
    view(out).setUint16(0, value.result);
    out.set(value.data, 2);
    return out;
  },
  decode(bytes) {
    if (bytes.length === 0) throw malformed('PTTLS_VALUE_LENGTH_INVALID', 0, 'SASL Result without Result Code');
    // strongSwan 5.9.8 sends a single octet.
    const code = bytes.length === 1 ? (bytes[0] ?? 0) : view(bytes).getUint16(0);
    if (!isResultCode(code)) throw invalidParameter('PTTLS_VALUE_INVALID', 0, `SASL Result Code ${code}`);
    return { kind: 'sasl-result', result: code, data: bytes.length > 2 ? copyOf(bytes, 2) : new Uint8Array(0) };
  },
};
