/**
 * PB-PDP-Referral, TCG message type 1 (vendor 0x005597), TCG "TNC PDP Discovery and Validation"
 * 1.0 section 3.1.1.1: the server tells the client where its PDP is, so it can connect directly
 * (strongSwan sends it in the first SDATA over PT-EAP, pointing at its PT-TLS port 271).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Reserved    |           PDP Identifier Vendor ID            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      PDP Identifier Type                      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                 PDP Identifier (Variable Length)              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * TCG PDP Identifier Types 0 FQDN (3.1.1.2.1), 1 IPv4 (3.1.1.2.2), 2 IPv6 (3.1.1.2.3) share:
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Reserved    |   Protocol    |        Port Number            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    FQDN (variable) | IPv4 Address (4 octets) | IPv6 Address (16 octets)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * strongSwan writes Protocol 0 (PT-TLS over TCP). It rejects an FQDN identifier without a name;
 * so do we, and a NUL in the name. Other (vendor, type) identifiers keep their bytes.
 */
import { PbTncEncodeError, invalidParameter } from '../../../errors.js';
import { Pen, WireWriter, assertNoNul, copyOf, readUint16, readUint24, readUint32, readUint8, readUtf8, utf8 } from '../../wire.js';
import type { PbTncMessageCodec } from '../codec.js';

export const PdpIdentifierType = { Fqdn: 0, Ipv4: 1, Ipv6: 2 } as const;
/** Protocol 0: PT-TLS over TCP, the value strongSwan writes (and the only one its client accepts). */
export const PDP_PROTOCOL_PT_TLS = 0;
/** The PT-TLS port (RFC 6876) strongSwan refers to. */
export const PT_TLS_PORT = 271;

export type PdpIdentifier =
  | { readonly type: 'fqdn'; readonly protocol: number; readonly port: number; readonly fqdn: string }
  | { readonly type: 'ipv4'; readonly protocol: number; readonly port: number; readonly address: Uint8Array }
  | { readonly type: 'ipv6'; readonly protocol: number; readonly port: number; readonly address: Uint8Array }
  | { readonly type: 'other'; readonly vendorId: number; readonly identifierType: number; readonly data: Uint8Array };

export interface PbPdpReferralMessage {
  readonly kind: 'pdp-referral';
  readonly identifier: PdpIdentifier;
}

const ADDRESS_LENGTH = { ipv4: 4, ipv6: 16 } as const;

function encodeIdentifier(id: PdpIdentifier): { vendorId: number; type: number; data: Uint8Array } {
  if (id.type === 'other') return { vendorId: id.vendorId, type: id.identifierType, data: id.data };
  const w = new WireWriter().uint8(0, 'Reserved').uint8(id.protocol, 'Protocol').uint16(id.port, 'Port Number');
  if (id.type === 'fqdn') {
    if (id.fqdn.length === 0) throw new PbTncEncodeError('PB_FIELD_RANGE', 'empty FQDN');
    assertNoNul(id.fqdn, 'FQDN');
    return { vendorId: Pen.TCG, type: PdpIdentifierType.Fqdn, data: w.bytes(utf8(id.fqdn)).finish() };
  }
  if (id.address.length !== ADDRESS_LENGTH[id.type]) {
    throw new PbTncEncodeError('PB_FIELD_RANGE', `${id.type} address of ${id.address.length} octets`);
  }
  const type = id.type === 'ipv4' ? PdpIdentifierType.Ipv4 : PdpIdentifierType.Ipv6;
  return { vendorId: Pen.TCG, type, data: w.bytes(id.address).finish() };
}

/** Parses a TCG identifier starting at value offset 8. */
function decodeTcgIdentifier(value: Uint8Array, type: number): PdpIdentifier | undefined {
  const kind = type === PdpIdentifierType.Fqdn ? 'fqdn' : type === PdpIdentifierType.Ipv4 ? 'ipv4' : type === PdpIdentifierType.Ipv6 ? 'ipv6' : undefined;
  if (kind === undefined) return undefined;
  readUint8(value, 8, 'Reserved');
  const protocol = readUint8(value, 9, 'Protocol');
  const port = readUint16(value, 10, 'Port Number');
  if (kind === 'fqdn') {
    if (value.length === 12) throw invalidParameter('PB_VALUE_INVALID', 12, 'empty FQDN');
    return { type: 'fqdn', protocol, port, fqdn: readUtf8(value, 12, value.length, 'FQDN') };
  }
  if (value.length !== 12 + ADDRESS_LENGTH[kind]) {
    throw invalidParameter('PB_VALUE_INVALID', 12, `${kind} address of ${value.length - 12} octets`);
  }
  return { type: kind, protocol, port, address: copyOf(value, 12) };
}

export const pdpReferralCodec: PbTncMessageCodec<PbPdpReferralMessage> = {
  kind: 'pdp-referral',
  name: 'PB-PDP-Referral',
  vendorId: Pen.TCG,
  type: 1,

  encode(m) {
    const { vendorId, type, data } = encodeIdentifier(m.identifier);
    return new WireWriter()
      .uint8(0, 'Reserved')
      .uint24(vendorId, 'PDP Identifier Vendor ID')
      .uint32(type, 'PDP Identifier Type')
      .bytes(data)
      .finish();
  },

  decode(value) {
    const vendorId = readUint24(value, 1, 'PDP Identifier Vendor ID');
    const identifierType = readUint32(value, 4, 'PDP Identifier Type');
    const identifier =
      (vendorId === Pen.TCG ? decodeTcgIdentifier(value, identifierType) : undefined) ??
      ({ type: 'other', vendorId, identifierType, data: copyOf(value, 8) } as const);
    return { kind: 'pdp-referral', identifier };
  },
};
