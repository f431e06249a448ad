/**
 * PB-PA, IETF message type 1 (RFC 5793 section 4.5): carries one PA-TNC message (RFC 5792)
 * between a Posture Collector (IMC) and a Posture Validator (IMV).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Flags      |               PA Message Vendor ID            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           PA Subtype                          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Posture Collector Identifier | Posture Validator Identifier  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 PA Message Body (Variable Length)             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Flags: EXCL (0x80) asks for delivery to the one collector/validator named by its identifier.
 * The other flag bits are reserved: sent as 0, ignored on receipt. The PA Message Body is kept as
 * bytes; the PA-TNC layer (imc-imv/) parses it. Its size is bounded by limits.maxMessageSize,
 * checked by batch.ts from the message header before the body is copied.
 */
import { invalidParameter } from '../../errors.js';
import { Pen, WireWriter, copyOf, readUint16, readUint24, readUint32, readUint8 } from '../wire.js';
import type { PbTncMessageCodec } from './codec.js';

export const PA_FLAG_EXCL = 0x80;
/** The fixed part before the PA Message Body. */
export const PA_HEADER_SIZE = 12;
/** Posture Collector / Validator Identifier meaning "any" (strongSwan's TNC_IMVID_ANY). */
export const PA_ID_ANY = 0xffff;
/** PA Subtype 0xffffffff is reserved. */
export const PA_SUBTYPE_RESERVED = 0xffffffff;

export interface PbPaMessage {
  readonly kind: 'pa';
  /** EXCL flag. */
  readonly exclusive: boolean;
  /** PA Message Vendor ID (24 bits): the namespace of paSubtype. */
  readonly paVendorId: number;
  /** PA Subtype, e.g. IETF 1 Operating System, 5 Firewall (RFC 5792 section 7.2). */
  readonly paSubtype: number;
  readonly collectorId: number;
  readonly validatorId: number;
  /** The PA-TNC message, unparsed. */
  readonly body: Uint8Array;
}

export const paCodec: PbTncMessageCodec<PbPaMessage> = {
  kind: 'pa',
  name: 'PB-PA',
  vendorId: 0,
  type: 1,

  encode(m) {
    return new WireWriter()
      .uint8(m.exclusive ? PA_FLAG_EXCL : 0, 'PB-PA Flags')
      .uint24(m.paVendorId, 'PA Message Vendor ID')
      .uint32(m.paSubtype, 'PA Subtype')
      .uint16(m.collectorId, 'Posture Collector Identifier')
      .uint16(m.validatorId, 'Posture Validator Identifier')
      .bytes(m.body)
      .finish();
  },

  decode(value) {
    const flags = readUint8(value, 0, 'PB-PA Flags');
    const paVendorId = readUint24(value, 1, 'PA Message Vendor ID');
    const paSubtype = readUint32(value, 4, 'PA Subtype');
    const collectorId = readUint16(value, 8, 'Posture Collector Identifier');
    const validatorId = readUint16(value, 10, 'Posture Validator Identifier');
    // The IANA registries reserve Vendor ID 0xffffff and PA Subtype 0xffffffff; strongSwan rejects
    // both with Invalid Parameter.
    if (paVendorId === Pen.RESERVED) {
      throw invalidParameter('PB_VALUE_INVALID', 1, 'PA Message Vendor ID 0xffffff is reserved');
    }
    if (paSubtype === PA_SUBTYPE_RESERVED) {
      throw invalidParameter('PB_VALUE_INVALID', 4, 'PA Subtype 0xffffffff is reserved');
    }
    return {
      kind: 'pa',
      exclusive: (flags & PA_FLAG_EXCL) !== 0,
      paVendorId,
      paSubtype,
      collectorId,
      validatorId,
      body: copyOf(value, PA_HEADER_SIZE),
    };
  },
};
