/**
 * IETF PA-TNC Error attribute (type 8), RFC 5792 section 4.2.8.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Reserved   |            PA-TNC Error Code Vendor ID        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                        PA-TNC Error Code                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Error Information (Variable Length)            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Every IETF error code's Error Information starts with a copy of the first 8 octets (the
 * header) of the PA-TNC message in error (Version, Copy of Reserved, Message Identifier), then:
 *
 *   Invalid Parameter (1):             Offset (32 bits) of the offending octet in that message
 *   Version Not Supported (2):         Max Version (8) | Min Version (8) | Reserved (16)
 *   Attribute Type Not Supported (3):  Flags (8) | PA-TNC Attribute Vendor ID (24) |
 *                                      PA-TNC Attribute Type (32)   (of the unsupported attribute)
 *
 * Other IETF codes (0 Reserved, later RFCs' codes) keep the rest as octets; a vendor's error
 * code keeps all of its Error Information as octets. For a segmented attribute strongSwan sends
 * 0xffffffff and the Base Message ID in place of the message header (seg/seg_env.c); the
 * reassembler in segmentation/contract.ts does the same.
 */
import { PaErrorCode, PaTncEncodeError, PaTncError, type AttributeTypeInfo } from '../errors.js';
import { makeAttribute, defineAttribute, type PaTncAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export const MESSAGE_HEADER_COPY_LENGTH = 8;
/** strongSwan answers Version Not Supported with max = min = 1, the only PA-TNC version. */
export const SUPPORTED_PA_TNC_VERSION = 1;

export type PaTncErrorInformation =
  | { readonly kind: 'invalid-parameter'; readonly messageHeader: Uint8Array; readonly offset: number }
  | {
      readonly kind: 'version-not-supported';
      readonly messageHeader: Uint8Array;
      readonly maxVersion: number;
      readonly minVersion: number;
      readonly reserved: number;
    }
  | { readonly kind: 'attribute-type-not-supported'; readonly messageHeader: Uint8Array; readonly attribute: AttributeTypeInfo }
  /** IETF codes without defined information here (0 Reserved, later codes): header copy + octets. */
  | { readonly kind: 'ietf'; readonly messageHeader: Uint8Array; readonly data: Uint8Array }
  /** A vendor's error code: its Error Information as octets. */
  | { readonly kind: 'vendor'; readonly data: Uint8Array };

export interface PaTncErrorValue {
  /** The Reserved octet, kept as received (sent as 0). */
  readonly reserved: number;
  readonly errorVendorId: number;
  readonly errorCode: number;
  readonly information: PaTncErrorInformation;
}

function expectedKind(vendorId: number, code: number): PaTncErrorInformation['kind'] {
  if (vendorId !== Pen.IETF) return 'vendor';
  if (code === PaErrorCode.InvalidParameter) return 'invalid-parameter';
  if (code === PaErrorCode.VersionNotSupported) return 'version-not-supported';
  if (code === PaErrorCode.AttributeTypeNotSupported) return 'attribute-type-not-supported';
  return 'ietf';
}

export const paTncError = defineAttribute({
  vendorId: Pen.IETF,
  type: 8,
  name: 'pa-tnc-error',
  title: 'PA-TNC Error',
  encode(v: PaTncErrorValue): Uint8Array {
    const info = v.information;
    const kind = expectedKind(v.errorVendorId, v.errorCode);
    if (info.kind !== kind) {
      throw new PaTncEncodeError('PA_TNC_FIELD_RANGE', `error ${v.errorVendorId}/${v.errorCode} carries '${kind}' information, not '${info.kind}'`);
    }
    const w = new FieldWriter(24);
    w.u8(v.reserved, 'Reserved').u24(v.errorVendorId, 'Error Code Vendor ID').u32(v.errorCode, 'Error Code');
    if (info.kind === 'vendor') return w.bytes(info.data).finish();
    if (info.messageHeader.length !== MESSAGE_HEADER_COPY_LENGTH) {
      throw new PaTncEncodeError('PA_TNC_FIELD_RANGE', `message header copy is ${info.messageHeader.length} octets, not 8`);
    }
    w.bytes(info.messageHeader);
    switch (info.kind) {
      case 'invalid-parameter':
        w.u32(info.offset, 'Offset');
        break;
      case 'version-not-supported':
        w.u8(info.maxVersion, 'Max Version').u8(info.minVersion, 'Min Version').u16(info.reserved, 'Reserved');
        break;
      case 'attribute-type-not-supported':
        w.u8(info.attribute.flags, 'Flags').u24(info.attribute.vendorId, 'Attribute Vendor ID').u32(info.attribute.type, 'Attribute Type');
        break;
      case 'ietf':
        w.bytes(info.data);
        break;
    }
    return w.finish();
  },
  decode(value: Uint8Array): PaTncErrorValue {
    const r = new FieldReader(value);
    const reserved = r.u8('Reserved');
    const errorVendorId = r.u24('Error Code Vendor ID');
    const errorCode = r.u32('Error Code');
    const kind = expectedKind(errorVendorId, errorCode);
    if (kind === 'vendor') return { reserved, errorVendorId, errorCode, information: { kind, data: r.rest() } };
    const messageHeader = r.bytes(MESSAGE_HEADER_COPY_LENGTH, 'copy of the PA-TNC message header');
    let information: PaTncErrorInformation;
    switch (kind) {
      case 'invalid-parameter':
        information = { kind, messageHeader, offset: r.u32('Offset') };
        break;
      case 'version-not-supported':
        information = { kind, messageHeader, maxVersion: r.u8('Max Version'), minVersion: r.u8('Min Version'), reserved: r.u16('Reserved') };
        break;
      case 'attribute-type-not-supported':
        information = {
          kind,
          messageHeader,
          attribute: { flags: r.u8('Flags'), vendorId: r.u24('Attribute Vendor ID'), type: r.u32('Attribute Type') },
        };
        break;
      default:
        return { reserved, errorVendorId, errorCode, information: { kind: 'ietf', messageHeader, data: r.rest() } };
    }
    r.end('error information');
    return { reserved, errorVendorId, errorCode, information };
  },
});

/**
 * The PA-TNC Error attribute that answers `err` (RFC 5792 section 4.2.8), for the message whose
 * first 8 octets are `messageHeader` (or 0xffffffff + Base Message ID for a segmented attribute).
 */
export function paTncErrorFor(err: PaTncError, messageHeader: Uint8Array): PaTncAttribute<'pa-tnc-error', PaTncErrorValue> {
  const header = messageHeader.slice(0, MESSAGE_HEADER_COPY_LENGTH);
  if (header.length !== MESSAGE_HEADER_COPY_LENGTH) {
    throw new PaTncEncodeError('PA_TNC_FIELD_RANGE', `message header copy is ${header.length} octets, not 8`);
  }
  let information: PaTncErrorInformation;
  if (err.paErrorCode === PaErrorCode.VersionNotSupported) {
    information = {
      kind: 'version-not-supported',
      messageHeader: header,
      maxVersion: SUPPORTED_PA_TNC_VERSION,
      minVersion: SUPPORTED_PA_TNC_VERSION,
      reserved: 0,
    };
  } else if (err.paErrorCode === PaErrorCode.AttributeTypeNotSupported && err.unsupportedAttribute) {
    information = { kind: 'attribute-type-not-supported', messageHeader: header, attribute: err.unsupportedAttribute };
  } else {
    information = { kind: 'invalid-parameter', messageHeader: header, offset: err.offset };
  }
  const errorCode =
    information.kind === 'invalid-parameter' ? PaErrorCode.InvalidParameter : err.paErrorCode;
  return makeAttribute(paTncError, { reserved: 0, errorVendorId: Pen.IETF, errorCode, information });
}
