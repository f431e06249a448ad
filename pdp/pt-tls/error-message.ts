/**
 * PT-TLS Error (RFC 6876 section 3.9): reports a problem with a received message.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Reserved   |           Error Code Vendor ID                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                          Error Code                           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |            Copy of Original Message (Variable Length)         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Error codes (IETF, section 3.9.1): 1 Malformed Message, 2 Version Not Supported, 3 Type Not
 * Supported, 4 Invalid Message, 5 SASL Mechanism Error, 6 Invalid Parameter (errors.ts). The copy
 * of the offending message is cut to its first 1024 octets (MAX_ORIGINAL_COPY).
 */
import type { PtTlsValueCodec } from './codec.js';
import { PtTlsErrorCode, type PtTlsError } from './errors.js';
import { PtTlsMessageType } from './message-type.js';
import { MAX_UINT24, MAX_UINT32, checkRange, copyOf, readUint24, readUint32, view, writeUint24 } from './wire.js';

export interface PtTlsErrorMessage {
  readonly kind: 'error';
  readonly errorVendorId: number;
  readonly errorCode: number;
  readonly originalMessage: Uint8Array;
}

export const MAX_ORIGINAL_COPY = 1024;

export const errorMessageCodec: PtTlsValueCodec<PtTlsErrorMessage> = {
  kind: 'error',
  vendorId: 0,
  messageType: PtTlsMessageType.Error,
  maxValueLength: 8 + MAX_ORIGINAL_COPY,
  encode(value) {
    checkRange(value.errorVendorId, MAX_UINT24, 'Error Code Vendor ID');
    checkRange(value.errorCode, MAX_UINT32, 'Error Code');
    const original = value.originalMessage.subarray(0, MAX_ORIGINAL_COPY);
    const out = new Uint8Array(8 + original.length);
    const v = view(out);
    writeUint24(v, 1, value.errorVendorId);
    v.setUint32(4, value.errorCode);
    out.set(original, 8);
    return out;
  },
  decode(bytes) {
    const errorVendorId = readUint24(bytes, 1, 'Error Code Vendor ID');
    const errorCode = readUint32(bytes, 4, 'Error Code');
    return { kind: 'error', errorVendorId, errorCode, originalMessage: copyOf(bytes, 8) };
  },
};

/** The PT-TLS Error message value reporting `error` about the received `original` message. */
export function errorMessageFor(error: PtTlsError, original: Uint8Array = new Uint8Array(0)): PtTlsErrorMessage {
  return { kind: 'error', errorVendorId: 0, errorCode: error.errorCode, originalMessage: copyOf(original, 0, MAX_ORIGINAL_COPY) };
}

export { PtTlsErrorCode };
