/**
 * IKE_SA_INIT as the responder, RFC 7296 sections 1.2, 2.6, 2.7, 2.10, 2.14 and 2.23.
 *
 *   Initiator                         Responder
 *   HDR, SAi1, KEi, Ni,
 *   [N(NAT_DETECTION_*_IP)]  -->
 *                                <--  HDR, SAr1, KEr, Nr, [N(NAT_DETECTION_*_IP)], [CERTREQ],
 *                                     [N(IKEV2_FRAGMENTATION_SUPPORTED)], [N(SIGNATURE_HASH_ALGORITHMS)]
 *
 *   Refusals, stateless (RFC 7296 1.2, 2.6, 2.7):
 *                                <--  HDR(A,0), N(COOKIE)               half-open SAs >= threshold
 *                                <--  HDR(A,0), N(INVALID_KE_PAYLOAD)   KEi's group is not the chosen one
 *                                <--  HDR(A,0), N(NO_PROPOSAL_CHOSEN)
 *                                <--  HDR(A,0), N(INVALID_SYNTAX) / N(UNSUPPORTED_CRITICAL_PAYLOAD)
 *
 * "If the initiator guesses wrong, the responder will respond with a Notify payload of type
 * INVALID_KE_PAYLOAD indicating the selected group" (1.2): the data is the two-octet group number.
 * "When one party receives an IKE_SA_INIT request containing a COOKIE notification ... the
 * COOKIE MUST be the first payload" (2.6).
 */
import { CertEncoding, NotifyType, PayloadType, ProtocolId } from '../ike/constants.js';
import { IkeDecodeError } from '../ike/errors.js';
import type { IkeHeader } from '../ike/header.js';
import { decodeIkeMessage, encodeIkeMessage } from '../ike/message.js';
import type { PeerConfig, EndpointAddress } from '../config/peer-config.js';
import { parseAddress, rangeContains } from '../config/addresses.js';
import { deriveIkeSaKeys } from '../crypto/key-derivation.js';
import { CryptoService } from '../crypto/crypto-service.js';
import { DH_GROUPS } from '../crypto/transform-ids.js';
import type { Endpoint } from '../daemon/udp-transport.js';
import { IkeSa } from './ike-sa.js';
import { algs } from './child-sa.js';
import { natHash, natMatches } from './nat-detection.js';
import { acceptableGroups, answerProposal, selectProposal } from './proposal-selection.js';
import { find, notifies, notify, type IkePayload } from './payload-types.js';
import type { IkeResponder } from './responder.js';

const NONCE_LENGTH = 32;

function endpointMatches(list: readonly EndpointAddress[], address: string): boolean {
  if (!list.length) return true;
  const a = parseAddress(address);
  return list.some((e) => {
    switch (e.kind) {
      case 'any':
        return e.family === undefined || e.family === a?.family;
      case 'address':
        return e.allowAny || (!!a && e.address.family === a.family && e.address.value === a.value);
      case 'range':
        return !!a && rangeContains(e.range, a);
      case 'fqdn':
        return true;
    }
  });
}

/** The peer configs an IKE_SA_INIT from `remote` to `local` can lead to (strongSwan's ike_cfg match). */
export function candidateConfigs(configs: readonly PeerConfig[], local: Endpoint, remote: Endpoint): PeerConfig[] {
  return configs.filter((c) => endpointMatches(c.local.addrs, local.address) && endpointMatches(c.remote.addrs, remote.address));
}

export async function handleIkeSaInit(r: IkeResponder, h: IkeHeader, data: Buffer, local: Endpoint, remote: Endpoint, natt: boolean): Promise<void> {
  const key = `${Buffer.from(h.initiatorSpi).toString('hex')}|${remote.address}:${remote.port}`;
  const existing = r.initIndex.get(key);
  if (existing) {
    // A retransmitted IKE_SA_INIT request: the same response again (RFC 7296 2.1).
    const v = existing.window.check(h.messageId);
    if (v.kind === 'retransmit') for (const p of v.packets) r.o.send(p, local, remote, natt);
    return;
  }
  if (h.messageId !== 0) return r.drop(`IKE_SA_INIT with message ID ${h.messageId}`, remote);
  if (!h.initiator) return r.drop('IKE_SA_INIT without the Initiator flag', remote);

  let payloads: readonly IkePayload[];
  try {
    payloads = decodeIkeMessage(data).payloads;
  } catch (error) {
    if (error instanceof IkeDecodeError) {
      const critical = error.code === 'UNSUPPORTED_CRITICAL_PAYLOAD';
      r.log.warn({ event: 'ike.malformed', code: error.code, offset: error.offset, remote: `${remote.address}[${remote.port}]` }, `IKE_SA_INIT request malformed (${error.code} at ${error.offset})`);
      if (error.code === 'BAD_VERSION') return r.sendPlainError(h, NotifyType.INVALID_MAJOR_VERSION, Buffer.alloc(0), local, remote, natt);
      return r.sendPlainError(h, critical ? NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD : NotifyType.INVALID_SYNTAX, critical ? Buffer.from([error.payloadType ?? 0]) : Buffer.alloc(0), local, remote, natt);
    }
    throw error;
  }
  r.log.debug({ event: 'ike.init', remote: `${remote.address}[${remote.port}]` }, `${remote.address} is initiating an IKE_SA`);

  const sa = find(payloads, PayloadType.SA);
  const ke = find(payloads, PayloadType.KE);
  const ni = find(payloads, PayloadType.Nonce);
  if (!sa || !ke || !ni) {
    r.log.warn({ event: 'ike.malformed', remote: remote.address }, 'IKE_SA_INIT request without SA, KE or Nonce');
    return r.sendPlainError(h, NotifyType.INVALID_SYNTAX, Buffer.alloc(0), local, remote, natt);
  }

  // RFC 7296 2.6 cookies, and a hard bound on half-open state.
  if (r.halfOpenCount >= (r.o.maxHalfOpen ?? 10_000)) return r.drop('too many half-open IKE_SAs', remote);
  if (r.cookies.required(r.halfOpenCount)) {
    const cookie = notifies(payloads, NotifyType.COOKIE)[0];
    const first = payloads[0];
    const valid = cookie && first === cookie && r.cookies.verify(cookie.data, ni.data, remote.address, h.initiatorSpi);
    if (!valid) {
      r.log.info({ event: 'ike.cookie', remote: remote.address, halfOpen: r.halfOpenCount }, `sending COOKIE to ${remote.address} (${r.halfOpenCount} half-open IKE_SAs)`);
      return r.sendPlainError(h, NotifyType.COOKIE, r.cookies.make(ni.data, remote.address, h.initiatorSpi), local, remote, natt);
    }
  }

  const configs = candidateConfigs(r.o.configs, local, remote);
  if (!configs.length) {
    r.log.info({ event: 'ike.no-config', remote: remote.address }, `no IKE config found for ${local.address}...${remote.address}, sending NO_PROPOSAL_CHOSEN`);
    return r.sendPlainError(h, NotifyType.NO_PROPOSAL_CHOSEN, Buffer.alloc(0), local, remote, natt);
  }
  const proposals = configs[0]!.ike;
  // Prefer a proposal with the group the initiator guessed, so a good guess costs no round trip.
  const withKe = proposals.filter((p) => p.dh.includes(ke.dhGroup)).map((p) => ({ ...p, dh: [ke.dhGroup] }));
  const selected = selectProposal(withKe, sa.proposals, ProtocolId.IKE) ?? selectProposal(proposals, sa.proposals, ProtocolId.IKE);
  if (!selected || DH_GROUPS.name(selected.dh!) === undefined) {
    r.log.info({ event: 'ike.no-proposal', remote: remote.address }, 'received proposals unacceptable, sending NO_PROPOSAL_CHOSEN');
    return r.sendPlainError(h, NotifyType.NO_PROPOSAL_CHOSEN, Buffer.alloc(0), local, remote, natt);
  }
  if (selected.dh !== ke.dhGroup) {
    const want = Buffer.alloc(2);
    want.writeUInt16BE(selected.dh!, 0);
    r.log.info({ event: 'ike.invalid-ke', remote: remote.address, received: ke.dhGroup, wanted: selected.dh, acceptable: acceptableGroups(proposals) }, `DH group ${ke.dhGroup} unacceptable, requesting ${selected.dh}`);
    return r.sendPlainError(h, NotifyType.INVALID_KE_PAYLOAD, want, local, remote, natt);
  }

  const group = DH_GROUPS.name(ke.dhGroup)!;
  let keData: Buffer;
  let shared: Buffer;
  r.initsInProgress++;
  try {
    // Our key pair and g^ir in one crypto job (one worker round trip; the private key stays there).
    ({ publicValue: keData, sharedSecret: shared } = await r.o.crypto.dhAgree(group, ke.data));
  } catch (error) {
    // Overloaded crypto workers: drop, the initiator retransmits (a flood must not cost more work).
    if (CryptoService.isBusy(error)) return r.drop('crypto workers busy', remote);
    r.log.warn({ event: 'ike.invalid-ke', remote: remote.address, error: (error as Error).message }, `invalid KE payload: ${(error as Error).message}`);
    return r.sendPlainError(h, NotifyType.INVALID_SYNTAX, Buffer.alloc(0), local, remote, natt);
  } finally {
    r.initsInProgress--;
  }
  // The key generation above awaited: a retransmission may have created the SA meanwhile.
  if (r.initIndex.has(key)) return;

  let spiR = r.random(8);
  while (r.sas.has(spiR.toString('hex')) || spiR.every((b) => b === 0)) spiR = r.random(8);
  const ike = new IkeSa({ uniqueId: r.nextUniqueId(), spiI: Buffer.from(h.initiatorSpi), spiR, local, remote, now: r.now() });
  ike.natt = natt;
  ike.proposal = selected;
  const a = algs(selected);
  ike.transforms = { prf: a.prf!, encr: a.encr, encrKeyBits: selected.encr.keyBits, ...(a.integ ? { integ: a.integ } : {}) };
  ike.nonceI = Buffer.from(ni.data);
  ike.nonceR = r.random(NONCE_LENGTH);
  ike.keys = deriveIkeSaKeys({ transforms: ike.transforms, sharedSecret: shared, nonceI: ike.nonceI, nonceR: ike.nonceR, spiI: ike.spiI, spiR });
  ike.inbound = r.o.crypto.createCipher({ encr: a.encr, keyBits: selected.encr.keyBits, key: ike.keys.skEi, ...(a.integ ? { integ: a.integ, integKey: ike.keys.skAi } : {}) });
  ike.outbound = r.o.crypto.createCipher({ encr: a.encr, keyBits: selected.encr.keyBits, key: ike.keys.skEr, ...(a.integ ? { integ: a.integ, integKey: ike.keys.skAr } : {}) });
  ike.initRequest = Buffer.from(data);

  // RFC 7296 2.23: the request's hashes use SPIr = 0.
  const zero = Buffer.alloc(8);
  const src = notifies(payloads, NotifyType.NAT_DETECTION_SOURCE_IP).map((n) => n.data);
  const dst = notifies(payloads, NotifyType.NAT_DETECTION_DESTINATION_IP).map((n) => n.data);
  const natSupported = src.length > 0 && dst.length > 0;
  if (natSupported) {
    ike.remoteBehindNat = !natMatches(src, ike.spiI, zero, remote);
    ike.localBehindNat = !natMatches(dst, ike.spiI, zero, local);
    if (ike.remoteBehindNat) r.log.info({ event: 'ike.nat', remote: remote.address }, 'remote host is behind NAT');
    if (ike.localBehindNat) r.log.info({ event: 'ike.nat', local: local.address }, 'local host is behind NAT, sending keep alives');
  }

  // RFC 7427 section 4: the hash algorithms the initiator can verify; we announce ours back.
  const sigHash = notifies(payloads, NotifyType.SIGNATURE_HASH_ALGORITHMS)[0];
  if (sigHash) {
    const hashes: number[] = [];
    for (let o = 0; o + 1 < sigHash.data.length && hashes.length < 16; o += 2) hashes.push((sigHash.data[o]! << 8) | sigHash.data[o + 1]!);
    ike.signatureHashes = hashes;
  }

  // RFC 7383 2.3: "the responder ... includes IKEV2_FRAGMENTATION_SUPPORTED ... only if the
  // initiator included it"; ipsec.conf fragmentation=no turns it off.
  const fragmentation = notifies(payloads, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED).length > 0 && configs[0]!.fragmentation !== 'no';
  ike.fragmentation = fragmentation;
  // RFC 7296 3.7: CERTREQ with the SHA-1 hashes of our CAs' public keys when a peer config may
  // authenticate the initiator with a certificate (strongSwan sends it in this response).
  const certreq = r.trustStore.size > 0 && configs.some((c) => c.remote.auth.class === 'pubkey');

  const response: IkePayload[] = [
    { type: PayloadType.SA, proposals: [answerProposal(selected, new Uint8Array(0))] },
    { type: PayloadType.KE, dhGroup: ke.dhGroup, data: keData },
    { type: PayloadType.Nonce, data: ike.nonceR },
  ];
  if (natSupported) {
    response.push(notify(NotifyType.NAT_DETECTION_SOURCE_IP, natHash(ike.spiI, spiR, local)));
    response.push(notify(NotifyType.NAT_DETECTION_DESTINATION_IP, natHash(ike.spiI, spiR, remote)));
  }
  if (certreq) response.push({ type: PayloadType.CERTREQ, encoding: CertEncoding.X509_SIGNATURE, data: r.trustStore.certreqData() });
  if (fragmentation) response.push(notify(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
  // RFC 7427 4: our hashes (SHA2-256/384/512) back, so the initiator may sign with method 14.
  if (sigHash) response.push(notify(NotifyType.SIGNATURE_HASH_ALGORITHMS, Buffer.from([0, 2, 0, 3, 0, 4])));
  const packet = encodeIkeMessage(
    { initiatorSpi: ike.spiI, responderSpi: spiR, exchangeType: h.exchangeType, initiator: false, response: true, messageId: 0 },
    response,
  );
  ike.initResponse = packet;
  ike.window.begin();
  ike.window.complete([packet]);
  ike.initKey = key;
  r.halfOpen.set(key, ike);
  r.initIndex.set(key, ike);
  r.sas.set(spiR.toString('hex'), ike);
  r.log.debug(
    { event: 'ike.init-done', sa: ike.uniqueId, proposal: selected, nat: ike.remoteBehindNat },
    `selected proposal ${describeIke(selected)}`,
  );
  r.o.send(packet, local, remote, natt);
}

export function describeIke(p: { encr: { id: number; keyBits: number }; integ?: number; prf?: number; dh?: number }): string {
  return `IKE:${p.encr.id}-${p.encr.keyBits}/${p.integ ?? '-'}/${p.prf ?? '-'}/${p.dh ?? '-'}`;
}

