/**
 * CHILD_SA negotiation as the responder, RFC 7296 sections 1.3, 2.9 and 2.17: pick one ESP
 * proposal, narrow the traffic selectors, allocate our SPI, derive KEYMAT, and hand both
 * directions to the kernel layer.
 *
 * Traffic selectors (strongSwan semantics): TSr is narrowed to the config's leftsubnet (our
 * address when none); TSi is narrowed to the virtual IPs handed out in this IKE_AUTH (rightsourceip),
 * else rightsubnet, else the peer's address ("%dynamic"). "If the responder's policy does not
 * allow it to accept any part of the proposed Traffic Selectors, it responds with a
 * TS_UNACCEPTABLE Notify message" (2.9).
 */
import { randomBytes } from 'node:crypto';
import { NotifyType, PayloadType, ProtocolId } from '../ike/constants.js';
import type { SecurityAssociationPayload } from '../ike/payloads/security-association.js';
import type { TrafficSelectorPayload } from '../ike/payloads/traffic-selector.js';
import { isAddressRange } from '../ike/payloads/traffic-selector.js';
import type { PeerConfig, TrafficSelectorSpec } from '../config/peer-config.js';
import type { AddressRange } from '../config/addresses.js';
import { deriveChildSaKeys, type ChildSaKeys } from '../crypto/key-derivation.js';
import { ENCR_ALGS, INTEG_ALGS, PRF_ALGS } from '../crypto/transform-ids.js';
import type { EncrAlg, IntegAlg, PrfAlg } from '../crypto/transform-ids.js';
import { encrIdName, integIdName } from '../ike/constants.js';
import { answerProposal, selectProposal, type SelectedProposal } from './proposal-selection.js';
import { narrow, tsFromCidr, tsToText, type TsRange } from './ts-narrowing.js';
import type { IkePayload } from './payload-types.js';
import type { IkeSa } from './ike-sa.js';

export interface ChildSa {
  readonly uniqueId: number;
  readonly name: string;
  readonly reqid: number;
  /** Our inbound SPI and the peer's (our outbound). */
  readonly spiIn: number;
  readonly spiOut: number;
  readonly proposal: SelectedProposal;
  readonly keys: ChildSaKeys;
  readonly localTs: readonly TsRange[];
  readonly remoteTs: readonly TsRange[];
  readonly encap: boolean;
  readonly createdAt: number;
  state: 'INSTALLING' | 'INSTALLED' | 'FAILED' | 'DELETED';
  /** 'xfrm', 'userspace', or why it is not installed. */
  dataPath: string;
  installedAt?: number;
}

export type ChildOutcome =
  | { readonly ok: true; readonly child: ChildSa; readonly payloads: IkePayload[] }
  | { readonly ok: false; readonly notify: number; readonly reason: string };

function lookup<T>(table: { name(id: number): T | undefined }, id: number, what: string): T {
  const v = table.name(id);
  if (v === undefined) throw new Error(`unsupported ${what} ${id}`);
  return v;
}

/** The crypto service's names for the negotiated IANA numbers (only implemented ones are ever selected). */
export function algs(p: SelectedProposal): { encr: EncrAlg; integ?: IntegAlg; prf?: PrfAlg } {
  return {
    encr: lookup(ENCR_ALGS, p.encr.id, 'ENCR'),
    ...(p.integ !== undefined ? { integ: lookup(INTEG_ALGS, p.integ, 'INTEG') } : {}),
    ...(p.prf !== undefined ? { prf: lookup(PRF_ALGS, p.prf, 'PRF') } : {}),
  };
}

/** "AES_GCM_16-256" / "AES_CBC-128/HMAC_SHA2_256_128" as swanctl prints them. */
export function childAlgorithms(p: SelectedProposal): string {
  const e = `${encrIdName(p.encr.id) ?? p.encr.id}-${p.encr.keyBits}`;
  return p.integ !== undefined ? `${e}/${integIdName(p.integ) ?? p.integ}` : e;
}

function specsToTs(specs: readonly TrafficSelectorSpec[], dynamic: readonly string[]): TsRange[] {
  const out: TsRange[] = [];
  for (const s of specs) {
    const ports = s.ports ?? [0, 65535];
    const proto = s.protocol ?? 0;
    if (s.kind === 'dynamic') {
      for (const d of dynamic) out.push({ ...tsFromCidr(d), ipProtocol: proto, startPort: ports[0], endPort: ports[1] });
    } else {
      out.push({ ...rangeToTs(s.range), ipProtocol: proto, startPort: ports[0], endPort: ports[1] });
    }
  }
  if (!specs.length) for (const d of dynamic) out.push(tsFromCidr(d));
  return out;
}

function bigToBytes(v: bigint, len: number): Buffer {
  const b = Buffer.alloc(len);
  for (let i = len - 1; i >= 0; i--) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

export function rangeToTs(r: AddressRange): TsRange {
  const len = r.family === 4 ? 4 : 16;
  return { tsType: len === 4 ? 7 : 8, ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: bigToBytes(r.first, len), endAddress: bigToBytes(r.last, len) };
}

function selectors(p: TrafficSelectorPayload | undefined): TsRange[] {
  return (p?.selectors ?? []).filter(isAddressRange).map((s) => ({ ...s }));
}

export interface ChildRequest {
  readonly sa?: SecurityAssociationPayload;
  readonly tsi?: TrafficSelectorPayload;
  readonly tsr?: TrafficSelectorPayload;
}

/** Negotiates the CHILD_SA of IKE_AUTH (keys from the IKE_SA_INIT nonces). */
export function negotiateChild(
  ike: IkeSa,
  config: PeerConfig,
  req: ChildRequest,
  ids: { uniqueId: number; reqid: number; now: number; random?: (n: number) => Buffer },
  nonces?: { nonceI: Buffer; nonceR: Buffer; sharedSecret?: Buffer },
): ChildOutcome {
  if (!req.sa || !req.tsi || !req.tsr) return { ok: false, notify: NotifyType.INVALID_SYNTAX, reason: 'SA, TSi and TSr are required' };
  const selected = selectProposal(config.esp, req.sa.proposals, ProtocolId.ESP);
  if (!selected) return { ok: false, notify: NotifyType.NO_PROPOSAL_CHOSEN, reason: 'no acceptable ESP proposal' };
  if (selected.spi.length !== 4) return { ok: false, notify: NotifyType.INVALID_SYNTAX, reason: 'ESP SPI is not 4 octets' };

  const remoteDynamic = ike.vips.length ? ike.vips.map((v) => `${v}/32`) : [`${ike.remote.address}/32`];
  const remoteCfg = ike.vips.length
    ? ike.vips.map((v) => tsFromCidr(`${v}/32`))
    : specsToTs(config.remote.subnets, remoteDynamic);
  const localCfg = specsToTs(config.local.subnets, [`${ike.local.address}/32`]);
  const tsi = narrow(selectors(req.tsi), remoteCfg);
  const tsr = narrow(selectors(req.tsr), localCfg);
  if (!tsi.length || !tsr.length) {
    return {
      ok: false,
      notify: NotifyType.TS_UNACCEPTABLE,
      reason: `traffic selectors ${selectors(req.tsi).map(tsToText).join(' ')} === ${selectors(req.tsr).map(tsToText).join(' ')} inacceptable`,
    };
  }
  const random = ids.random ?? randomBytes;
  let spiIn = 0;
  while (spiIn < 0x100) spiIn = random(4).readUInt32BE(0);
  const a = algs(selected);
  const keys = deriveChildSaKeys({
    prf: ike.transforms.prf,
    skD: ike.keys.skD,
    transforms: { encr: a.encr, encrKeyBits: selected.encr.keyBits, ...(a.integ ? { integ: a.integ } : {}) },
    nonceI: nonces?.nonceI ?? ike.nonceI,
    nonceR: nonces?.nonceR ?? ike.nonceR,
    ...(nonces?.sharedSecret ? { sharedSecret: nonces.sharedSecret } : {}),
  });
  const spiBuf = Buffer.alloc(4);
  spiBuf.writeUInt32BE(spiIn, 0);
  const child: ChildSa = {
    uniqueId: ids.uniqueId,
    name: config.name,
    reqid: ids.reqid,
    spiIn,
    spiOut: Buffer.from(selected.spi).readUInt32BE(0),
    proposal: selected,
    keys,
    localTs: tsr,
    remoteTs: tsi,
    encap: ike.remoteBehindNat || ike.localBehindNat,
    createdAt: ids.now,
    state: 'INSTALLING',
    dataPath: 'none',
  };
  const payloads: IkePayload[] = [
    { type: PayloadType.SA, proposals: [answerProposal(selected, spiBuf)] },
    { type: PayloadType.TSi, selectors: tsi.map(asSelector) },
    { type: PayloadType.TSr, selectors: tsr.map(asSelector) },
  ];
  return { ok: true, child, payloads };
}

function asSelector(t: TsRange) {
  return { tsType: t.tsType as 7 | 8, ipProtocol: t.ipProtocol, startPort: t.startPort, endPort: t.endPort, startAddress: t.startAddress, endAddress: t.endAddress };
}
