/**
 * PB-Error, IETF message type 5 (RFC 5793 section 4.9), always sent with NOSKIP.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Flags      |              Error Code Vendor ID             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           Error Code          |           Reserved            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Error Parameters (Variable Length)             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Flags: FATAL (0x80); other bits and Reserved are sent as 0 and ignored. IETF Error Parameters:
 * - Unexpected Batch Type (0), Invalid Parameter (1), Unsupported Mandatory Message (3): the
 *   32-bit Error Offset from the start of the batch (section 4.9.2);
 * - Version Not Supported (4), section 4.9.3:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Bad Version  |  Max Version  |  Min Version  |    Reserved   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * - Local Error (2): none (we send none; strongSwan sends a zero offset, which decodes as one).
 * Like strongSwan we read 4-octet IETF parameters by that rule and keep anything else as bytes.
 */
import { PbErrorCode, type PbTncError } from '../../errors.js';
import { Pen, WireWriter, copyOf, readUint16, readUint24, readUint8 } from '../wire.js';
import { PB_TNC_VERSION } from '../batch-type.js';
import type { PbTncMessageCodec } from './codec.js';

export const ERROR_FLAG_FATAL = 0x80;

export type PbErrorParameters =
  | { readonly type: 'offset'; readonly offset: number }
  | { readonly type: 'version'; readonly badVersion: number; readonly maxVersion: number; readonly minVersion: number }
  | { readonly type: 'raw'; readonly data: Uint8Array };

export interface PbErrorMessage {
  readonly kind: 'error';
  readonly fatal: boolean;
  /** Error Code Vendor ID: 0 (IETF) for the codes of RFC 5793 section 4.9.1. */
  readonly errorVendorId: number;
  readonly errorCode: number;
  readonly parameters: PbErrorParameters;
}

function encodeParameters(p: PbErrorParameters): Uint8Array {
  switch (p.type) {
    case 'offset':
      return new WireWriter().uint32(p.offset, 'Error Offset').finish();
    case 'version':
      return new WireWriter()
        .uint8(p.badVersion, 'Bad Version')
        .uint8(p.maxVersion, 'Max Version')
        .uint8(p.minVersion, 'Min Version')
        .uint8(0, 'Reserved')
        .finish();
    case 'raw':
      return p.data;
  }
}

export const errorCodec: PbTncMessageCodec<PbErrorMessage> = {
  kind: 'error',
  name: 'PB-Error',
  vendorId: 0,
  type: 5,

  encode(m) {
    return new WireWriter()
      .uint8(m.fatal ? ERROR_FLAG_FATAL : 0, 'PB-Error Flags')
      .uint24(m.errorVendorId, 'Error Code Vendor ID')
      .uint16(m.errorCode, 'Error Code')
      .uint16(0, 'Reserved')
      .bytes(encodeParameters(m.parameters))
      .finish();
  },

  decode(value) {
    const flags = readUint8(value, 0, 'PB-Error Flags');
    const errorVendorId = readUint24(value, 1, 'Error Code Vendor ID');
    const errorCode = readUint16(value, 4, 'Error Code');
    readUint16(value, 6, 'Reserved');
    const params = value.subarray(8);
    let parameters: PbErrorParameters;
    if (errorVendorId === Pen.IETF && params.length === 4 && errorCode === PbErrorCode.VersionNotSupported) {
      parameters = { type: 'version', badVersion: params[0] ?? 0, maxVersion: params[1] ?? 0, minVersion: params[2] ?? 0 };
    } else if (errorVendorId === Pen.IETF && params.length === 4) {
      parameters = { type: 'offset', offset: new DataView(params.buffer, params.byteOffset, 4).getUint32(0) };
    } else {
      parameters = { type: 'raw', data: copyOf(params) };
    }
    return { kind: 'error', fatal: (flags & ERROR_FLAG_FATAL) !== 0, errorVendorId, errorCode, parameters };
  },
};

/** The PB-Error message that reports `error` to the peer (RFC 5793 section 4.9). */
export function errorMessageFor(error: PbTncError): PbErrorMessage {
  let parameters: PbErrorParameters;
  switch (error.pbErrorCode) {
    case PbErrorCode.VersionNotSupported:
      parameters = { type: 'version', badVersion: error.badVersion ?? 0, maxVersion: PB_TNC_VERSION, minVersion: PB_TNC_VERSION };
      break;
    case PbErrorCode.LocalError:
      parameters = { type: 'raw', data: new Uint8Array(0) };
      break;
    default:
      parameters = { type: 'offset', offset: error.offset };
  }
  return { kind: 'error', fatal: error.fatal, errorVendorId: Pen.IETF, errorCode: error.pbErrorCode, parameters };
}
