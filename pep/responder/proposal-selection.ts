/**
 * Choosing one proposal, RFC 7296 sections 2.7 and 3.3.6.
 *
 * "The responder MUST choose a single suite, which may be any subset of the SA proposal" ...
 * "If the responder selects a proposal using one of the transforms ... the responder ... MUST
 * ... return the same proposal number". Each configured proposal is tried in order against the
 * initiator's proposals in their order (strongSwan's default, charon.prefer_configured_proposals
 * = yes); a transform type matches when the initiator offers one of the configured algorithms
 * (with the same key length). Transforms of a type the configuration does not know (or an
 * unknown type) make that proposal unacceptable (3.3.6: "If a transform of an unknown type
 * appears... the proposal is unacceptable"... strongSwan rejects too).
 *
 * No match: NO_PROPOSAL_CHOSEN. KE mismatch (RFC 7296 1.2/3.4): the caller answers
 * INVALID_KE_PAYLOAD naming `selected.dh`.
 */
import { ProtocolId, TransformType } from '../ike/constants.js';
import { transform, transformKeyLength, type Proposal as WireProposal, type Transform } from '../ike/payloads/security-association.js';
import type { Proposal as ConfigProposal } from '../config/proposals.js';

export interface SelectedProposal {
  readonly number: number;
  readonly protocolId: number;
  /** The initiator's SPI from the chosen proposal (ESP: 4 octets; IKE rekey: 8). */
  readonly spi: Uint8Array;
  readonly encr: { readonly id: number; readonly keyBits: number };
  readonly integ?: number;
  readonly prf?: number;
  readonly dh?: number;
  readonly esn?: number;
}

const KNOWN_TYPES = new Set<number>([TransformType.ENCR, TransformType.PRF, TransformType.INTEG, TransformType.DH, TransformType.ESN]);

function offered(p: WireProposal, type: number): Transform[] {
  return p.transforms.filter((t) => t.type === type);
}

function pick(config: readonly number[], peer: readonly Transform[]): number | undefined | null {
  if (config.length === 0) return peer.length === 0 ? undefined : null;
  for (const id of config) if (peer.some((t) => t.id === id)) return id;
  return null;
}

function match(cfg: ConfigProposal, p: WireProposal, protocolId: number): SelectedProposal | undefined {
  if (p.transforms.some((t) => !KNOWN_TYPES.has(t.type))) return undefined;
  const peerEncr = offered(p, TransformType.ENCR);
  const encr = cfg.encr.find((e) => peerEncr.some((t) => t.id === e.id && (transformKeyLength(t) ?? defaultKeyBits(t.id)) === e.keyBits));
  if (!encr) return undefined;
  const integ = pick(cfg.integ, offered(p, TransformType.INTEG));
  if (integ === null) return undefined;
  let prf: number | undefined | null;
  let dh: number | undefined | null;
  if (protocolId === ProtocolId.IKE) {
    prf = pick(cfg.prf, offered(p, TransformType.PRF));
    if (prf === null || prf === undefined) return undefined;
  }
  const peerDh = offered(p, TransformType.DH);
  // ESP without PFS: the configuration has no DH and the peer offers none (or NONE = 0).
  if (cfg.dh.length === 0) dh = peerDh.length === 0 || peerDh.some((t) => t.id === 0) ? undefined : null;
  else dh = pick(cfg.dh, peerDh);
  if (dh === null) return undefined;
  if (protocolId === ProtocolId.IKE && dh === undefined) return undefined;
  let esn: number | undefined;
  if (protocolId !== ProtocolId.IKE) {
    const peerEsn = offered(p, TransformType.ESN);
    const want = cfg.esn.length ? cfg.esn : [0];
    const e = peerEsn.length ? pick(want, peerEsn) : 0;
    if (e === null || e === undefined) return undefined;
    esn = e;
  }
  return {
    number: p.number,
    protocolId: p.protocolId,
    spi: p.spi,
    encr,
    ...(integ !== undefined ? { integ } : {}),
    ...(prf !== undefined && prf !== null ? { prf } : {}),
    ...(dh !== undefined && dh !== null ? { dh } : {}),
    ...(esn !== undefined ? { esn } : {}),
  };
}

function defaultKeyBits(encrId: number): number | undefined {
  return encrId === 12 || encrId === 20 ? undefined : 0;
}

export function selectProposal(
  configured: readonly ConfigProposal[],
  peer: readonly WireProposal[],
  protocolId: number,
): SelectedProposal | undefined {
  for (const cfg of configured) {
    for (const p of peer) {
      if (p.protocolId !== protocolId) continue;
      const s = match(cfg, p, protocolId);
      if (s) return s;
    }
  }
  return undefined;
}

/** Every DH group the configuration would accept, in preference order (for INVALID_KE_PAYLOAD). */
export function acceptableGroups(configured: readonly ConfigProposal[]): number[] {
  return [...new Set(configured.flatMap((c) => c.dh))];
}

/** The answer's single proposal (RFC 7296 3.3.6), with our SPI when given. */
export function answerProposal(s: SelectedProposal, spi: Uint8Array): WireProposal {
  const transforms: Transform[] = [transform(TransformType.ENCR, s.encr.id, s.encr.keyBits || undefined)];
  if (s.prf !== undefined) transforms.push(transform(TransformType.PRF, s.prf));
  if (s.integ !== undefined) transforms.push(transform(TransformType.INTEG, s.integ));
  if (s.dh !== undefined) transforms.push(transform(TransformType.DH, s.dh));
  if (s.esn !== undefined) transforms.push(transform(TransformType.ESN, s.esn));
  return { number: s.number, protocolId: s.protocolId, spi, transforms };
}
