/**
 * PT-TLS Version Response (RFC 6876 section 3.6.2), sent by the NEA Server only:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Reserved                   |    Version    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import type { PtTlsValueCodec } from './codec.js';
import { malformed } from './errors.js';
import { PtTlsMessageType } from './message-type.js';
import { checkRange } from './wire.js';

export interface VersionResponse {
  readonly kind: 'version-response';
  readonly version: number;
}

export const versionResponseCodec: PtTlsValueCodec<VersionResponse> = {
  kind: 'version-response',
  vendorId: 0,
  messageType: PtTlsMessageType.VersionResponse,
  maxValueLength: 4,
  encode(value) {
    checkRange(value.version, 0xff, 'Version');
    return Uint8Array.of(0, 0, 0, value.version);
  },
  decode(bytes) {
    if (bytes.length !== 4) throw malformed('PTTLS_VALUE_LENGTH_INVALID', 0, `Version Response value of ${bytes.length} octets, not 4`);
    return { kind: 'version-response', version: bytes[3] ?? 0 };
  },
};
