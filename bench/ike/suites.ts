/**
 * The one IKE proposal and one ESP proposal the bench initiator offers, named as strongSwan names
 * them (`aes128-sha256-ecp256`, `aes128gcm16-prfsha256-modp2048`; ESP `aes128gcm16`,
 * `aes128-sha256`), their SA payloads (RFC 7296 3.3) and the check of the responder's answer:
 * "the responder MUST choose a single suite ... and return it in an SA payload" (s2.7), so the
 * answer must be one proposal whose transforms are exactly the ones offered.
 */
import { EncrId, EsnId, IntegId, PayloadType, PrfId, ProtocolId, TransformType, transform,
  transformKeyLength, type Proposal, type SecurityAssociationPayload } from '../../pep/ike/index.js';
import { DH_GROUPS, type ChildSaTransforms, type DhGroup, type IkeSaTransforms } from '../../pep/crypto/index.js';

export interface IkeSuite extends IkeSaTransforms {
  readonly name: string;
  /** The group of the first KE payload. */
  readonly dh: DhGroup;
  /** Every group offered (strongSwan: `aes128-sha256-ecp256-modp2048`), `dh` first. */
  readonly dhGroups: readonly DhGroup[];
}

export interface EspSuite extends ChildSaTransforms {
  readonly name: string;
}

const IKE_SUITES: Readonly<Record<string, Omit<IkeSuite, 'name' | 'dh' | 'dhGroups'>>> = {
  'aes128-sha256': { encr: 'aes-cbc', encrKeyBits: 128, prf: 'hmac-sha2-256', integ: 'hmac-sha2-256-128' },
  'aes256-sha256': { encr: 'aes-cbc', encrKeyBits: 256, prf: 'hmac-sha2-256', integ: 'hmac-sha2-256-128' },
  'aes128gcm16-prfsha256': { encr: 'aes-gcm-16', encrKeyBits: 128, prf: 'hmac-sha2-256' },
  'aes256gcm16-prfsha256': { encr: 'aes-gcm-16', encrKeyBits: 256, prf: 'hmac-sha2-256' },
};

const DH_NAMES: Readonly<Record<string, DhGroup>> = { modp2048: 'modp2048', ecp256: 'ecp256', ecp384: 'ecp384', x25519: 'curve25519', curve25519: 'curve25519' };

const ESP_SUITES: Readonly<Record<string, ChildSaTransforms>> = {
  aes128gcm16: { encr: 'aes-gcm-16', encrKeyBits: 128 },
  aes256gcm16: { encr: 'aes-gcm-16', encrKeyBits: 256 },
  'aes128-sha256': { encr: 'aes-cbc', encrKeyBits: 128, integ: 'hmac-sha2-256-128' },
  'aes256-sha256': { encr: 'aes-cbc', encrKeyBits: 256, integ: 'hmac-sha2-256-128' },
};

/** `aes128-sha256-ecp256[-modp2048...]` -> the suite; throws naming the accepted forms. */
export function parseIkeSuite(name: string): IkeSuite {
  const parts = name.split('-');
  const groups: DhGroup[] = [];
  while (parts.length > 0 && DH_NAMES[parts[parts.length - 1] as string]) groups.unshift(DH_NAMES[parts.pop() as string] as DhGroup);
  const base = IKE_SUITES[parts.join('-')];
  if (!base || groups.length === 0) {
    throw new Error(`IKE proposal ${name}: expected one of ${Object.keys(IKE_SUITES).join(', ')} followed by -${Object.keys(DH_NAMES).join('|-')}`);
  }
  return { name, ...base, dh: groups[0] as DhGroup, dhGroups: groups };
}

export function parseEspSuite(name: string): EspSuite {
  const s = ESP_SUITES[name];
  if (!s) throw new Error(`ESP proposal ${name}: expected one of ${Object.keys(ESP_SUITES).join(', ')}`);
  return { name, ...s };
}

const ENCR = { 'aes-cbc': EncrId.AES_CBC, 'aes-gcm-16': EncrId.AES_GCM_16 } as const;
const PRF = { 'hmac-sha1': PrfId.HMAC_SHA1, 'hmac-sha2-256': PrfId.HMAC_SHA2_256, 'hmac-sha2-384': PrfId.HMAC_SHA2_384, 'hmac-sha2-512': PrfId.HMAC_SHA2_512 } as const;
const INTEG = {
  'hmac-sha1-96': IntegId.HMAC_SHA1_96,
  'hmac-sha2-256-128': IntegId.HMAC_SHA2_256_128,
  'hmac-sha2-384-192': IntegId.HMAC_SHA2_384_192,
  'hmac-sha2-512-256': IntegId.HMAC_SHA2_512_256,
} as const;

/** The IKE proposal offering every group of the suite. */
export function ikeProposal(s: IkeSuite): Proposal {
  return {
    number: 1,
    protocolId: ProtocolId.IKE,
    spi: new Uint8Array(0),
    transforms: [
      transform(TransformType.ENCR, ENCR[s.encr], s.encrKeyBits),
      transform(TransformType.PRF, PRF[s.prf]),
      ...(s.integ ? [transform(TransformType.INTEG, INTEG[s.integ])] : []),
      ...s.dhGroups.map((g) => transform(TransformType.DH, DH_GROUPS.id(g))),
    ],
  };
}

/** The ESP proposal for the first CHILD_SA (no DH: IKE_AUTH has no KE, s1.2), with our inbound SPI. */
export function espProposal(s: EspSuite, spi: Uint8Array): Proposal {
  return {
    number: 1,
    protocolId: ProtocolId.ESP,
    spi,
    transforms: [
      transform(TransformType.ENCR, ENCR[s.encr], s.encrKeyBits),
      ...(s.integ ? [transform(TransformType.INTEG, INTEG[s.integ])] : []),
      transform(TransformType.ESN, EsnId.NO_ESN),
    ],
  };
}

export function saPayload(p: Proposal): SecurityAssociationPayload {
  return { type: PayloadType.SA, proposals: [p] };
}

function key(t: { type: number; id: number }, len: number | undefined): string {
  return `${t.type}:${t.id}:${len ?? '-'}`;
}

/**
 * The responder's SA payload must hold exactly one proposal, of our protocol, with exactly one
 * transform of each type we offered, each one we offered. Returns its SPI (ESP: the responder's
 * inbound SPI) and the chosen DH group number, or the reason it is unacceptable.
 */
export function checkChosen(sa: SecurityAssociationPayload | undefined, offered: Proposal): { spi: Uint8Array; dh?: number } | string {
  if (!sa) return 'no SA payload in the answer';
  if (sa.proposals.length !== 1) return `${sa.proposals.length} proposals in the answer, not 1`;
  const p = sa.proposals[0] as Proposal;
  if (p.protocolId !== offered.protocolId) return `answer proposal protocol ${p.protocolId}, offered ${offered.protocolId}`;
  const want = new Set(offered.transforms.map((t) => key(t, transformKeyLength(t))));
  const types = new Set(offered.transforms.map((t) => t.type));
  const got = p.transforms.map((t) => key(t, transformKeyLength(t)));
  const gotTypes = new Set(p.transforms.map((t) => t.type));
  if (got.length !== types.size || gotTypes.size !== types.size || got.some((g) => !want.has(g))) {
    return `answer transforms ${got.join(',')} are not one of each offered ${[...want].join(',')}`;
  }
  if (offered.protocolId === ProtocolId.ESP && p.spi.length !== 4) return `ESP SPI of ${p.spi.length} octets`;
  const dh = p.transforms.find((t) => t.type === TransformType.DH)?.id;
  return { spi: p.spi, ...(dh !== undefined ? { dh } : {}) };
}
