/**
 * CREATE_CHILD_SA as the responder, RFC 7296 sections 1.3, 2.8 and 2.17.
 *
 *   new or rekeyed CHILD_SA (1.3.1, 1.3.3):
 *     HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi], TSi, TSr}  -->
 *                                      <--  HDR, SK {SA, Nr, [KEr], TSi, TSr}
 *   rekeying the IKE_SA (1.3.2):
 *     HDR, SK {SA, Ni, KEi}  -->       <--  HDR, SK {N(NO_ADDITIONAL_SAS)}   (not offered yet)
 *
 * KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) with this exchange's nonces (2.17). When a
 * REKEY_SA names an SA we have, the old CHILD_SA is kept until the initiator deletes it (2.8).
 */
import { NotifyType, PayloadType, ProtocolId } from '../ike/constants.js';
import { DH_GROUPS } from '../crypto/transform-ids.js';
import { algs, negotiateChild } from './child-sa.js';
import { answerProposal, selectProposal } from './proposal-selection.js';
import { deriveRekeyedIkeSaKeys } from '../crypto/key-derivation.js';
import type { SecurityAssociationPayload } from '../ike/payloads/security-association.js';
import type { KeyExchangePayload } from '../ike/payloads/key-exchange.js';
import { IkeSa as IkeSaClass } from './ike-sa.js';
import { installChild } from './ike-auth.js';
import { find, notifies, notify, type IkePayload } from './payload-types.js';
import type { IkeSa } from './ike-sa.js';
import type { IkeResponder } from './responder.js';

export async function handleCreateChildSa(r: IkeResponder, sa: IkeSa, payloads: IkePayload[]): Promise<IkePayload[]> {
  if (sa.state !== 'ESTABLISHED' || !sa.config) return [notify(NotifyType.INVALID_SYNTAX)];
  const saPayload = find(payloads, PayloadType.SA);
  const ni = find(payloads, PayloadType.Nonce);
  if (!saPayload || !ni) return [notify(NotifyType.INVALID_SYNTAX)];
  if (saPayload.proposals.some((p) => p.protocolId === ProtocolId.IKE)) return rekeyIkeSa(r, sa, saPayload, Buffer.from(ni.data), find(payloads, PayloadType.KE));
  const rekey = notifies(payloads, NotifyType.REKEY_SA)[0];
  const nonceI = Buffer.from(ni.data);
  const nonceR = r.random(32);
  const ke = find(payloads, PayloadType.KE);
  let sharedSecret: Buffer | undefined;
  let keOut: IkePayload | undefined;
  if (ke) {
    const group = DH_GROUPS.name(ke.dhGroup);
    if (!group) {
      const want = Buffer.alloc(2);
      want.writeUInt16BE(sa.proposal.dh ?? 14, 0);
      return [notify(NotifyType.INVALID_KE_PAYLOAD, want)];
    }
    const pair = await r.o.crypto.dhGenerateKeyPair(group);
    sharedSecret = await r.o.crypto.dhComputeSharedSecret(pair, ke.data);
    keOut = { type: PayloadType.KE, dhGroup: ke.dhGroup, data: pair.publicValue };
  }
  const outcome = negotiateChild(
    sa,
    sa.config,
    { sa: saPayload, ...(find(payloads, PayloadType.TSi) ? { tsi: find(payloads, PayloadType.TSi)! } : {}), ...(find(payloads, PayloadType.TSr) ? { tsr: find(payloads, PayloadType.TSr)! } : {}) },
    { uniqueId: r.nextChildId(), reqid: rekeyReqid(sa, rekey) ?? r.nextReqid(), now: r.now(), random: r.random },
    { nonceI, nonceR, ...(sharedSecret ? { sharedSecret } : {}) },
  );
  if (!outcome.ok) {
    r.log.warn({ event: 'child.failed', sa: sa.label, reason: outcome.reason }, `CREATE_CHILD_SA failed: ${outcome.reason}`);
    return [notify(outcome.notify)];
  }
  if (rekey) r.log.info({ event: 'child.rekey', sa: sa.label }, `rekeying CHILD_SA with SPI ${Buffer.from(rekey.spi).toString('hex')}`);
  sa.children.push(outcome.child);
  await installChild(r, sa, outcome.child);
  const [saOut, tsi, tsr] = outcome.payloads as [IkePayload, IkePayload, IkePayload];
  return [saOut, { type: PayloadType.Nonce, data: nonceR }, ...(keOut ? [keOut] : []), tsi, tsr];
}

function rekeyReqid(sa: IkeSa, rekey: { spi: Uint8Array } | undefined): number | undefined {
  if (!rekey || rekey.spi.length !== 4) return undefined;
  const spi = Buffer.from(rekey.spi).readUInt32BE(0);
  return sa.children.find((c) => c.spiOut === spi)?.reqid;
}


/**
 * Rekeying the IKE_SA (RFC 7296 1.3.2, 2.18): a new IKE_SA with new SPIs, nonces and DH, keyed
 * from the old SK_d; the CHILD_SAs, virtual IPs and identities move to it. The initiator then
 * deletes the old IKE_SA, which must no longer take the CHILD_SAs with it.
 *
 *   HDR, SK {SA, Ni, KEi}  -->  <--  HDR, SK {SA, Nr, KEr}
 */
async function rekeyIkeSa(r: IkeResponder, old: IkeSa, saPayload: SecurityAssociationPayload, nonceI: Buffer, ke: KeyExchangePayload | undefined): Promise<IkePayload[]> {
  const config = old.config!;
  if (!ke) return [notify(NotifyType.INVALID_SYNTAX)];
  const withKe = config.ike.filter((p) => p.dh.includes(ke.dhGroup)).map((p) => ({ ...p, dh: [ke.dhGroup] }));
  const selected = selectProposal(withKe, saPayload.proposals, ProtocolId.IKE) ?? selectProposal(config.ike, saPayload.proposals, ProtocolId.IKE);
  if (!selected || selected.spi.length !== 8) return [notify(NotifyType.NO_PROPOSAL_CHOSEN)];
  if (selected.dh !== ke.dhGroup) {
    const want = Buffer.alloc(2);
    want.writeUInt16BE(selected.dh!, 0);
    return [notify(NotifyType.INVALID_KE_PAYLOAD, want)];
  }
  const group = DH_GROUPS.name(ke.dhGroup);
  if (!group) return [notify(NotifyType.NO_PROPOSAL_CHOSEN)];
  const pair = await r.o.crypto.dhGenerateKeyPair(group);
  const shared = await r.o.crypto.dhComputeSharedSecret(pair, ke.data);
  let spiR = r.random(8);
  while (r.sas.has(spiR.toString('hex'))) spiR = r.random(8);
  const nonceR = r.random(32);
  const sa = new IkeSaClass({ uniqueId: r.nextUniqueId(), spiI: Buffer.from(selected.spi), spiR, local: old.local, remote: old.remote, now: r.now() });
  const a = algs(selected);
  sa.proposal = selected;
  sa.transforms = { prf: a.prf!, encr: a.encr, encrKeyBits: selected.encr.keyBits, ...(a.integ ? { integ: a.integ } : {}) };
  sa.nonceI = nonceI;
  sa.nonceR = nonceR;
  sa.keys = deriveRekeyedIkeSaKeys({ transforms: sa.transforms, sharedSecret: shared, nonceI, nonceR, spiI: sa.spiI, spiR, oldPrf: old.transforms.prf, oldSkD: old.keys.skD });
  sa.inbound = r.o.crypto.createCipher({ encr: a.encr, keyBits: selected.encr.keyBits, key: sa.keys.skEi, ...(a.integ ? { integ: a.integ, integKey: sa.keys.skAi } : {}) });
  sa.outbound = r.o.crypto.createCipher({ encr: a.encr, keyBits: selected.encr.keyBits, key: sa.keys.skEr, ...(a.integ ? { integ: a.integ, integKey: sa.keys.skAr } : {}) });
  sa.initRequest = old.initRequest;
  sa.initResponse = old.initResponse;
  sa.natt = old.natt;
  sa.remoteBehindNat = old.remoteBehindNat;
  sa.localBehindNat = old.localBehindNat;
  sa.config = config;
  if (old.remoteId !== undefined) sa.remoteId = old.remoteId;
  if (old.localId !== undefined) sa.localId = old.localId;
  if (old.eapIdentity !== undefined) sa.eapIdentity = old.eapIdentity;
  sa.groups = old.groups;
  sa.classes = old.classes;
  // Ownership moves: the old IKE_SA's delete must not take these along.
  sa.vips = old.vips;
  if (old.vipPool !== undefined) sa.vipPool = old.vipPool;
  old.vips = [];
  sa.children.push(...old.children.splice(0));
  sa.state = 'ESTABLISHED';
  sa.establishedAt = r.now();
  r.sas.set(spiR.toString('hex'), sa);
  r.log.info({ event: 'ike.rekeyed', sa: old.label, new: sa.label }, `IKE_SA ${old.label} rekeyed, new IKE_SA ${sa.label} established between ${sa.local.address}[${sa.localId}]...${sa.remote.address}[${sa.remoteId}]`);
  return [
    { type: PayloadType.SA, proposals: [answerProposal(selected, spiR)] },
    { type: PayloadType.Nonce, data: nonceR },
    { type: PayloadType.KE, dhGroup: ke.dhGroup, data: pair.publicValue },
  ];
}
