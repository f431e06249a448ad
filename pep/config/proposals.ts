/**
 * strongSwan proposal strings (ipsec.conf `ike=` / `esp=`) to IKEv2 transforms with IANA numbers
 * (RFC 7296 section 3.3.2, IANA "IKEv2 Parameters" registry).
 *
 *   ike=aes256-sha256-modp2048,aes128gcm16-prfsha256-ecp256!
 *       '-' separates algorithms of one proposal, ',' separates proposals, a trailing '!' is the
 *       strict flag: without it strongSwan appends its default proposals to the configured ones.
 *
 * strongSwan's rules kept here (ipsec.conf(5), docs.strongswan.org "Algorithm Proposals"):
 * - "If no PRF is given, the algorithms defined for integrity are used for the PRF" (IKE only).
 * - AEAD (GCM) and classic encryption must not be mixed in one proposal; integrity algorithms
 *   in an AEAD proposal only name the PRF (IKE) and are then removed, as strongSwan does.
 * - An IKE proposal needs an encryption algorithm, a PRF and a key exchange method; a classic
 *   (non-AEAD) proposal needs an integrity algorithm. ESP without esn/noesn means noesn.
 *
 * The IANA numbers come from pep/ike/constants.ts (the one table of them in pep/).
 */
import { DhGroup, EncrId, EsnId, IntegId, PrfId } from '../ike/constants.js';
import { PepConfigError } from './config-error.js';

/** IANA IKEv2 transform IDs of the supported set (RFC 7296 3.3.2, RFC 4106, RFC 4868, RFC 5903, RFC 8031). */
export const TRANSFORM_IDS = {
  encr: { AES_CBC: EncrId.AES_CBC, AES_GCM_16: EncrId.AES_GCM_16 },
  prf: { HMAC_SHA2_256: PrfId.HMAC_SHA2_256, HMAC_SHA2_384: PrfId.HMAC_SHA2_384, HMAC_SHA2_512: PrfId.HMAC_SHA2_512 },
  integ: { HMAC_SHA2_256_128: IntegId.HMAC_SHA2_256_128, HMAC_SHA2_384_192: IntegId.HMAC_SHA2_384_192, HMAC_SHA2_512_256: IntegId.HMAC_SHA2_512_256 },
  dh: { MODP_2048: DhGroup.MODP_2048, ECP_256: DhGroup.ECP_256, ECP_384: DhGroup.ECP_384, CURVE_25519: DhGroup.CURVE25519 },
  esn: { NO_ESN: EsnId.NO_ESN, ESN: EsnId.ESN },
} as const;

export interface EncrTransform {
  readonly id: number;
  readonly keyBits: number;
}

export interface Proposal {
  readonly encr: readonly EncrTransform[];
  readonly integ: readonly number[];
  readonly prf: readonly number[];
  readonly dh: readonly number[];
  readonly esn: readonly number[];
}

export interface ProposalList {
  readonly proposals: readonly Proposal[];
  /** `!` given: only the configured proposals; otherwise the defaults follow them. */
  readonly strict: boolean;
}

export type ProposalKind = 'ike' | 'esp';

type Keyword =
  | { kind: 'encr'; id: number; keyBits: number; aead: boolean }
  | { kind: 'integ'; id: number; prf: number }
  | { kind: 'prf'; id: number }
  | { kind: 'dh'; id: number }
  | { kind: 'esn'; id: number };

const { encr: E, prf: P, integ: I, dh: D, esn: N } = TRANSFORM_IDS;

/** strongSwan keywords (proposal_keywords_static.txt) for the algorithms we implement. */
const KEYWORDS: ReadonlyMap<string, Keyword> = new Map<string, Keyword>([
  ['aes', { kind: 'encr', id: E.AES_CBC, keyBits: 128, aead: false }],
  ['aes128', { kind: 'encr', id: E.AES_CBC, keyBits: 128, aead: false }],
  ['aes256', { kind: 'encr', id: E.AES_CBC, keyBits: 256, aead: false }],
  ['aes128gcm16', { kind: 'encr', id: E.AES_GCM_16, keyBits: 128, aead: true }],
  ['aes128gcm128', { kind: 'encr', id: E.AES_GCM_16, keyBits: 128, aead: true }],
  ['aes256gcm16', { kind: 'encr', id: E.AES_GCM_16, keyBits: 256, aead: true }],
  ['aes256gcm128', { kind: 'encr', id: E.AES_GCM_16, keyBits: 256, aead: true }],
  ['sha256', { kind: 'integ', id: I.HMAC_SHA2_256_128, prf: P.HMAC_SHA2_256 }],
  ['sha2_256', { kind: 'integ', id: I.HMAC_SHA2_256_128, prf: P.HMAC_SHA2_256 }],
  ['sha384', { kind: 'integ', id: I.HMAC_SHA2_384_192, prf: P.HMAC_SHA2_384 }],
  ['sha2_384', { kind: 'integ', id: I.HMAC_SHA2_384_192, prf: P.HMAC_SHA2_384 }],
  ['sha512', { kind: 'integ', id: I.HMAC_SHA2_512_256, prf: P.HMAC_SHA2_512 }],
  ['sha2_512', { kind: 'integ', id: I.HMAC_SHA2_512_256, prf: P.HMAC_SHA2_512 }],
  ['prfsha256', { kind: 'prf', id: P.HMAC_SHA2_256 }],
  ['prfsha384', { kind: 'prf', id: P.HMAC_SHA2_384 }],
  ['prfsha512', { kind: 'prf', id: P.HMAC_SHA2_512 }],
  ['modp2048', { kind: 'dh', id: D.MODP_2048 }],
  ['ecp256', { kind: 'dh', id: D.ECP_256 }],
  ['ecp384', { kind: 'dh', id: D.ECP_384 }],
  ['curve25519', { kind: 'dh', id: D.CURVE_25519 }],
  ['x25519', { kind: 'dh', id: D.CURVE_25519 }],
  ['noesn', { kind: 'esn', id: N.NO_ESN }],
  ['esn', { kind: 'esn', id: N.ESN }],
]);

/** Where a proposal string came from, for the error (file, line, key). */
export interface ProposalSource {
  readonly file: string;
  readonly line: number;
  readonly key: string;
}

const NO_SOURCE: ProposalSource = { file: 'proposal', line: 0, key: '' };

function fail(src: ProposalSource, detail: string): never {
  throw new PepConfigError('CONF_INVALID_VALUE', src.file, src.line, src.key, detail);
}

function pushUnique<T>(list: T[], v: T, eq: (a: T, b: T) => boolean = (a, b) => a === b): void {
  if (!list.some((x) => eq(x, v))) list.push(v);
}

/** One dash-separated proposal. */
export function parseProposal(text: string, kind: ProposalKind, src: ProposalSource = NO_SOURCE): Proposal {
  const encr: EncrTransform[] = [];
  const integ: number[] = [];
  const integPrf: number[] = [];
  const prf: number[] = [];
  const dh: number[] = [];
  const esn: number[] = [];
  let aead = 0;
  let classic = 0;
  const tokens = text.split('-');
  for (const raw of tokens) {
    const token = raw.trim().toLowerCase();
    if (!token) fail(src, `empty algorithm in proposal '${text}'`);
    const k = KEYWORDS.get(token);
    if (!k) fail(src, `algorithm '${raw.trim()}' is not supported (supported: ${[...KEYWORDS.keys()].join(', ')})`);
    switch (k.kind) {
      case 'encr':
        if (k.aead) aead++;
        else classic++;
        pushUnique(encr, { id: k.id, keyBits: k.keyBits }, (a, b) => a.id === b.id && a.keyBits === b.keyBits);
        break;
      case 'integ':
        pushUnique(integ, k.id);
        pushUnique(integPrf, k.prf);
        break;
      case 'prf':
        if (kind === 'esp') fail(src, `'${token}' is a PRF, which ESP proposals do not have`);
        pushUnique(prf, k.id);
        break;
      case 'dh':
        pushUnique(dh, k.id);
        break;
      case 'esn':
        if (kind === 'ike') fail(src, `'${token}' applies to ESP proposals only`);
        pushUnique(esn, k.id);
        break;
    }
  }
  if (!encr.length) fail(src, `proposal '${text}' has no encryption algorithm`);
  if (aead && classic) fail(src, `proposal '${text}' mixes AEAD and non-AEAD encryption algorithms`);
  if (classic && !integ.length) fail(src, `proposal '${text}' has no integrity algorithm`);
  if (kind === 'ike') {
    // "If no PRF is given, the algorithms defined for integrity are used for the PRF."
    if (!prf.length) prf.push(...integPrf);
    if (!prf.length) fail(src, `IKE proposal '${text}' has no PRF (an AEAD proposal needs e.g. prfsha256)`);
    if (!dh.length) fail(src, `IKE proposal '${text}' has no key exchange method (e.g. ecp256, modp2048, x25519)`);
  } else if (!esn.length) {
    esn.push(N.NO_ESN);
  }
  // strongSwan check_proposal(): "remove all integrity algorithms if AEAD is used" (after they gave
  // the PRF: aes256gcm16-sha384-x25519 means PRF_HMAC_SHA2_384 and no integrity transform).
  if (aead) integ.length = 0;
  return Object.freeze({
    encr: Object.freeze(encr.map((e) => Object.freeze(e))),
    integ: Object.freeze(integ),
    prf: Object.freeze(prf),
    dh: Object.freeze(dh),
    esn: Object.freeze(esn),
  });
}

/** A comma-separated list with the optional trailing `!`. */
export function parseProposalList(text: string, kind: ProposalKind, src: ProposalSource = NO_SOURCE): ProposalList {
  let t = text.trim();
  const strict = t.endsWith('!');
  if (strict) t = t.slice(0, -1).trim();
  if (!t) fail(src, 'empty proposal list');
  const proposals = t.split(',').map((p) => parseProposal(p.trim(), kind, src));
  return Object.freeze({ proposals: Object.freeze(proposals), strict });
}

/**
 * strongSwan 5.9's defaults restricted to the algorithms we implement. ipsec.conf(5): ike
 * "Defaults to aes128-sha256-modp3072. The daemon adds its extensive default proposal"; esp
 * "Defaults to aes128-sha256" plus the same. modp3072 is not in our set, so the defaults are the
 * daemon's extensive default proposal (proposal_create_default and _default_aead, in its
 * preference order: classic first for IKE, AEAD first for ESP) with the algorithms we lack removed.
 */
export const DEFAULT_IKE_PROPOSALS: readonly Proposal[] = Object.freeze([
  parseProposal('aes128-aes256-sha256-sha384-sha512-ecp256-ecp384-x25519-modp2048', 'ike'),
  parseProposal('aes128gcm16-aes256gcm16-prfsha256-prfsha384-prfsha512-ecp256-ecp384-x25519-modp2048', 'ike'),
]);

export const DEFAULT_ESP_PROPOSALS: readonly Proposal[] = Object.freeze([
  parseProposal('aes128gcm16-aes256gcm16', 'esp'),
  parseProposal('aes128-aes256-sha256-sha384-sha512', 'esp'),
]);

/** What the responder offers/accepts: the configured proposals, then the defaults unless strict. */
export function effectiveProposals(list: ProposalList | undefined, kind: ProposalKind): readonly Proposal[] {
  const defaults = kind === 'ike' ? DEFAULT_IKE_PROPOSALS : DEFAULT_ESP_PROPOSALS;
  if (!list) return defaults;
  return list.strict ? list.proposals : Object.freeze([...list.proposals, ...defaults]);
}
