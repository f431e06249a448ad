/**
 * Security Association Payload, RFC 7296 section 3.3 (with Proposal 3.3.1, Transform 3.3.2 and
 * Transform Attribute 3.3.5 substructures).
 *
 *   Proposal Substructure:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Last Substruc |   RESERVED    |         Proposal Length       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                        SPI (variable)                         ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                        <Transforms>                           ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Transform Substructure:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Last Substruc |   RESERVED    |        Transform Length       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |Transform Type |   RESERVED    |          Transform ID         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                      Transform Attributes                     ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Data Attributes:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |A|       Attribute Type        |    AF=0  Attribute Length     |
 *   |F|                             |    AF=1  Attribute Value      |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   AF=0  Attribute Value                       |
 *   |                   AF=1  Not Transmitted                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The codec checks structure only; choosing a proposal and judging transform IDs, SPI sizes and
 * proposal numbers is the responder's job (s3.3.6). Key Length (type 14) is a TV attribute.
 */
import { PayloadType, TransformAttributeType } from '../constants.js';
import { IkeDecodeError } from '../errors.js';
import { IKE_LIMITS } from '../limits.js';
import { checkLength, checkRange, concat, Reader, u16 } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

/** "Last Substruc ... 0 (last) or 2 (more)" (s3.3.1), "0 (last) or 3 (more)" (s3.3.2). */
const PROPOSAL_MORE = 2;
const TRANSFORM_MORE = 3;
const PROPOSAL_HEADER = 8;
const TRANSFORM_HEADER = 8;

/** A TV attribute (AF=1, 16-bit value) or a TLV attribute (AF=0, variable value). */
export type TransformAttribute =
  | { readonly format: 'tv'; readonly type: number; readonly value: number }
  | { readonly format: 'tlv'; readonly type: number; readonly value: Uint8Array };

export interface Transform {
  /** TransformType (ENCR, PRF, INTEG, DH, ESN). */
  readonly type: number;
  /** EncrId / PrfId / IntegId / DhGroup / EsnId depending on `type`. */
  readonly id: number;
  readonly attributes: readonly TransformAttribute[];
}

export interface Proposal {
  /** Proposal Num: 1, 2, ... in an offer; the number of the chosen proposal in an answer. */
  readonly number: number;
  /** ProtocolId (IKE, AH, ESP). */
  readonly protocolId: number;
  /** Empty for an initial IKE SA, 8 octets when rekeying an IKE SA, 4 octets for AH/ESP. */
  readonly spi: Uint8Array;
  readonly transforms: readonly Transform[];
}

export interface SecurityAssociationPayload {
  readonly type: typeof PayloadType.SA;
  readonly critical?: boolean;
  readonly proposals: readonly Proposal[];
}

/** A transform with an optional Key Length attribute (the usual shape: AES_CBC with 256). */
export function transform(type: number, id: number, keyLength?: number): Transform {
  return {
    type,
    id,
    attributes: keyLength === undefined ? [] : [{ format: 'tv', type: TransformAttributeType.KEY_LENGTH, value: keyLength }],
  };
}

/** The Key Length attribute of a transform, in bits, or undefined when it has none. */
export function transformKeyLength(t: Transform): number | undefined {
  const attr = t.attributes.find((a) => a.type === TransformAttributeType.KEY_LENGTH && a.format === 'tv');
  return attr?.format === 'tv' ? attr.value : undefined;
}

function decodeAttributes(r: Reader): TransformAttribute[] {
  const out: TransformAttribute[] = [];
  while (r.remaining > 0) {
    if (out.length >= IKE_LIMITS.maxTransformAttributes) {
      throw new IkeDecodeError('TOO_MANY_ITEMS', r.offset, `more than ${IKE_LIMITS.maxTransformAttributes} attributes in a transform`);
    }
    const at = r.offset;
    if (r.remaining < 4) throw new IkeDecodeError('BAD_ATTRIBUTE', at, `${r.remaining} stray octets after the attributes`);
    const word = r.u16('Attribute Type');
    const type = word & 0x7fff;
    if ((word & 0x8000) !== 0) {
      out.push({ format: 'tv', type, value: r.u16('Attribute Value') });
    } else {
      const length = r.u16('Attribute Length');
      if (length > r.remaining) {
        throw new IkeDecodeError('BAD_ATTRIBUTE', at + 2, `Attribute Length ${length} runs past the transform`);
      }
      out.push({ format: 'tlv', type, value: r.bytesOf(length, 'Attribute Value') });
    }
  }
  return out;
}

function decodeTransform(r: Reader, last: boolean): Transform {
  const at = r.offset;
  const lastSubstruc = r.u8('Last Substruc');
  if (lastSubstruc !== (last ? 0 : TRANSFORM_MORE)) {
    // "Last Substruc ... This field has a value of 0 if this was the last Transform Substructure,
    // and a value of 3 if there are more Transform Substructures." (s3.3.2)
    throw new IkeDecodeError('BAD_PROPOSAL', at, `Transform Last Substruc ${lastSubstruc}, expected ${last ? 0 : TRANSFORM_MORE}`);
  }
  r.skip(1, 'RESERVED');
  const length = r.u16('Transform Length');
  if (length < TRANSFORM_HEADER || length - 4 > r.remaining) {
    throw new IkeDecodeError('BAD_LENGTH', at + 2, `Transform Length ${length} outside ${TRANSFORM_HEADER}..${r.remaining + 4}`);
  }
  const body = new Reader(r.bytesOf(length - 4, 'Transform'), at + 4);
  const type = body.u8('Transform Type');
  body.skip(1, 'RESERVED');
  const id = body.u16('Transform ID');
  return { type, id, attributes: decodeAttributes(body) };
}

function decodeProposal(r: Reader): { proposal: Proposal; last: boolean } {
  const at = r.offset;
  const lastSubstruc = r.u8('Last Substruc');
  if (lastSubstruc !== 0 && lastSubstruc !== PROPOSAL_MORE) {
    // "This field has a value of 0 if this was the last Proposal Substructure, and a value of 2 if
    // there are more Proposal Substructures." (s3.3.1)
    throw new IkeDecodeError('BAD_PROPOSAL', at, `Proposal Last Substruc ${lastSubstruc}, expected 0 or ${PROPOSAL_MORE}`);
  }
  r.skip(1, 'RESERVED');
  const length = r.u16('Proposal Length');
  if (length < PROPOSAL_HEADER || length - 4 > r.remaining) {
    throw new IkeDecodeError('BAD_LENGTH', at + 2, `Proposal Length ${length} outside ${PROPOSAL_HEADER}..${r.remaining + 4}`);
  }
  const body = new Reader(r.bytesOf(length - 4, 'Proposal'), at + 4);
  const number = body.u8('Proposal Num');
  const protocolId = body.u8('Protocol ID');
  const spiSize = body.u8('SPI Size');
  const count = body.u8('Num Transforms');
  if (count > IKE_LIMITS.maxTransforms) {
    throw new IkeDecodeError('TOO_MANY_ITEMS', at + 7, `${count} transforms, at most ${IKE_LIMITS.maxTransforms}`);
  }
  const spi = body.bytesOf(spiSize, 'SPI');
  const transforms: Transform[] = [];
  for (let i = 0; i < count; i++) transforms.push(decodeTransform(body, i === count - 1));
  if (body.remaining !== 0) {
    throw new IkeDecodeError('BAD_LENGTH', body.offset, `${body.remaining} octets after the ${count} transforms of the proposal`);
  }
  return { proposal: { number, protocolId, spi, transforms }, last: lastSubstruc === 0 };
}

export function decodeSecurityAssociation(body: Uint8Array, offset: number): SecurityAssociationPayload {
  const r = new Reader(body, offset);
  const proposals: Proposal[] = [];
  for (;;) {
    if (proposals.length >= IKE_LIMITS.maxProposals) {
      throw new IkeDecodeError('TOO_MANY_ITEMS', r.offset, `more than ${IKE_LIMITS.maxProposals} proposals`);
    }
    const at = r.offset;
    const { proposal, last } = decodeProposal(r);
    proposals.push(proposal);
    if (last !== (r.remaining === 0)) {
      throw new IkeDecodeError('BAD_PROPOSAL', at, last ? 'octets after the last proposal' : 'Last Substruc says more proposals follow');
    }
    if (last) break;
  }
  return { type: PayloadType.SA, proposals };
}

function encodeAttribute(a: TransformAttribute): Buffer {
  checkRange(a.type, 15, 'Attribute Type');
  if (a.format === 'tv') {
    checkRange(a.value, 16, 'Attribute Value');
    return concat([u16(0x8000 | a.type), u16(a.value)]);
  }
  checkLength(a.value, 0, 0xffff, 'Attribute Value');
  return concat([u16(a.type), u16(a.value.length), a.value]);
}

function encodeTransform(t: Transform, last: boolean): Buffer {
  checkRange(t.type, 8, 'Transform Type');
  checkRange(t.id, 16, 'Transform ID');
  const attrs = concat(t.attributes.map(encodeAttribute));
  const length = TRANSFORM_HEADER + attrs.length;
  checkRange(length, 16, 'Transform Length');
  return concat([Buffer.from([last ? 0 : TRANSFORM_MORE, 0]), u16(length), Buffer.from([t.type, 0]), u16(t.id), attrs]);
}

function encodeProposal(p: Proposal, last: boolean): Buffer {
  checkRange(p.number, 8, 'Proposal Num');
  checkRange(p.protocolId, 8, 'Protocol ID');
  checkLength(p.spi, 0, 255, 'SPI');
  checkRange(p.transforms.length, 8, 'Num Transforms');
  const transforms = concat(p.transforms.map((t, i) => encodeTransform(t, i === p.transforms.length - 1)));
  const length = PROPOSAL_HEADER + p.spi.length + transforms.length;
  checkRange(length, 16, 'Proposal Length');
  return concat([
    Buffer.from([last ? 0 : PROPOSAL_MORE, 0]),
    u16(length),
    Buffer.from([p.number, p.protocolId, p.spi.length, p.transforms.length]),
    p.spi,
    transforms,
  ]);
}

export function encodeSecurityAssociation(payload: SecurityAssociationPayload): Uint8Array {
  checkRange(payload.proposals.length - 1, 8, 'number of proposals minus one'); // at least one
  return concat(payload.proposals.map((p, i) => encodeProposal(p, i === payload.proposals.length - 1)));
}

export const securityAssociationCodec: PayloadCodec<SecurityAssociationPayload> = {
  types: [PayloadType.SA],
  decode: (body, offset) => decodeSecurityAssociation(body, offset),
  encode: encodeSecurityAssociation,
};
