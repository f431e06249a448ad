/**
 * PT-TLS Version Request (RFC 6876 section 3.6.1), sent by the NEA Client only:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Reserved   |   Min Vers    |   Max Vers    |   Pref Vers   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Whether the range contains a version we support is the state machine's business (it answers
 * Version Not Supported); the codec only checks the size (exactly 4 octets) and min <= max.
 */
import type { PtTlsValueCodec } from './codec.js';
import { invalidParameter, malformed } from './errors.js';
import { PtTlsMessageType } from './message-type.js';
import { checkRange } from './wire.js';

export interface VersionRequest {
  readonly kind: 'version-request';
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly preferredVersion: number;
}

export const versionRequestCodec: PtTlsValueCodec<VersionRequest> = {
  kind: 'version-request',
  vendorId: 0,
  messageType: PtTlsMessageType.VersionRequest,
  maxValueLength: 4,
  encode(value) {
    checkRange(value.minVersion, 0xff, 'Min Vers');
    checkRange(value.maxVersion, 0xff, 'Max Vers');
    checkRange(value.preferredVersion, 0xff, 'Pref Vers');
    return Uint8Array.of(0, value.minVersion, value.maxVersion, value.preferredVersion);
  },
  decode(bytes) {
    if (bytes.length !== 4) throw malformed('PTTLS_VALUE_LENGTH_INVALID', 0, `Version Request value of ${bytes.length} octets, not 4`);
    const [, minVersion = 0, maxVersion = 0, preferredVersion = 0] = bytes;
    if (minVersion > maxVersion) throw invalidParameter('PTTLS_VALUE_INVALID', 1, `Min Vers ${minVersion} above Max Vers ${maxVersion}`);
    return { kind: 'version-request', minVersion, maxVersion, preferredVersion };
  },
};
