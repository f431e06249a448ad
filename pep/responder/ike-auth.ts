/**
 * IKE_AUTH as the responder, RFC 7296 sections 1.2, 2.15, 2.16 and RFC 5998, with the peer
 * config selection, the group constraint check and the config switch of strongSwan
 * (src/libcharon/sa/ikev2/tasks/ike_auth.c).
 *
 *   PSK / signature (rightauth=pubkey: CERT chain to ipsec.d/cacerts, peer-signature.ts):
 *     HDR, SK {IDi, [CERT+,] [CERTREQ,] [IDr,] AUTH, [CP(CFG_REQUEST),] SAi2, TSi, TSr}  -->
 *                               <--  HDR, SK {IDr, [CERT+,] AUTH, [CP(CFG_REPLY),] SAr2, TSi, TSr}
 *   EAP (2.16), relayed to RADIUS (pep/radius-relay):
 *     HDR, SK {IDi, [IDr,] [N(EAP_ONLY_AUTHENTICATION),] [CP,] SAi2, TSi, TSr}  -->
 *                               <--  HDR, SK {IDr, [CERT, AUTH,] EAP}          (no CERT/AUTH: RFC 5998)
 *     HDR, SK {EAP}  -->        <--  HDR, SK {EAP}   ... until EAP-Success
 *     HDR, SK {AUTH} -->        <--  HDR, SK {AUTH, [CP(CFG_REPLY),] SAr2, TSi, TSr}
 *
 * RFC 5998 section 2: "the responder ... MAY omit the AUTH payload (and CERT) from its first
 * IKE_AUTH response ... only if the initiator included the EAP_ONLY_AUTHENTICATION notification".
 * RFC 7296 2.16: both final AUTH payloads use the MSK as the shared secret; "If the EAP method
 * does not generate a shared key, SK_pi and SK_pr" (eapAuthSecret).
 */
import { AuthMethod, CertEncoding, CfgAttribute, CfgType, NotifyType, PayloadType } from '../ike/constants.js';
import type { IkeHeader } from '../ike/header.js';
import type { IdentificationPayload } from '../ike/payloads/identification.js';
import type { ConfigurationPayload } from '../ike/payloads/configuration.js';
import { matchIdentity, satisfiesGroups, type PeerConfig } from '../config/peer-config.js';
import { formatAddress } from '../config/addresses.js';
import { eapAuthSecret, sharedKeyAuth, signedOctets, verifySharedKeyAuth } from '../crypto/auth.js';
import { EapRadiusSession } from '../radius-relay/eap-radius.js';
import { candidateConfigs } from './ike-sa-init.js';
import { childAlgorithms, negotiateChild } from './child-sa.js';
import { idText, idToIdentity, identityPayload } from './identities.js';
import { find, notifies, notify, type IkePayload } from './payload-types.js';
import { tsToText } from './ts-narrowing.js';
import { verifyPeerSignature } from './peer-signature.js';
import type { IkeSa } from './ike-sa.js';
import type { IkeResponder } from './responder.js';

function idBody(id: { idType: number; data: Uint8Array }): Buffer {
  return Buffer.concat([Buffer.from([id.idType, 0, 0, 0]), id.data]);
}

function fail(sa: IkeSa, extra: IkePayload[] = []): IkePayload[] {
  sa.state = 'DELETING';
  return [...extra, notify(NotifyType.AUTHENTICATION_FAILED)];
}

/** Peer configs for this IKE_SA whose identities match, in configuration order. */
function matchingConfigs(r: IkeResponder, sa: IkeSa, idi: Pick<IdentificationPayload, 'idType' | 'data'>, idr: IdentificationPayload | undefined, eap: boolean): PeerConfig[] {
  const peer = idToIdentity(idi);
  const me = idr ? idToIdentity(idr) : undefined;
  return candidateConfigs(r.o.configs, sa.local, sa.remote).filter((c) => {
    if (!matchIdentity(c.remote.id, peer)) return false;
    if (me && c.local.id && !matchIdentity(c.local.id, me) && !matchIdentity(me, c.local.id)) return false;
    return eap ? c.remote.auth.class === 'eap' : c.remote.auth.class !== 'eap';
  });
}

export async function handleIkeAuth(r: IkeResponder, sa: IkeSa, h: IkeHeader, payloads: IkePayload[]): Promise<IkePayload[]> {
  if (sa.state !== 'CONNECTING') return [notify(NotifyType.INVALID_SYNTAX)];
  if (!sa.config) return firstRound(r, sa, payloads);
  const eap = find(payloads, PayloadType.EAP);
  if (eap) return eapRound(r, sa, Buffer.from(eap.message));
  const auth = find(payloads, PayloadType.AUTH);
  if (auth && sa.eapSucceeded) return finalRound(r, sa, auth.method, Buffer.from(auth.data));
  r.log.warn({ event: 'ike.auth-unexpected', sa: sa.label, messageId: h.messageId }, 'IKE_AUTH request without expected payloads');
  return fail(sa);
}

async function firstRound(r: IkeResponder, sa: IkeSa, payloads: IkePayload[]): Promise<IkePayload[]> {
  const idi = find(payloads, PayloadType.IDi);
  const idr = find(payloads, PayloadType.IDr);
  const auth = find(payloads, PayloadType.AUTH);
  if (!idi) return fail(sa, [notify(NotifyType.INVALID_SYNTAX)]).slice(0, 1);
  // The peer proved it holds the IKE_SA_INIT keys: no longer half-open.
  if (sa.initKey) r.halfOpen.delete(sa.initKey);
  sa.remoteId = idText(idi);
  sa.idiBody = idBody(idi);
  const candidates = matchingConfigs(r, sa, idi, idr, !auth);
  r.log.info({ event: 'ike.lookup', remoteId: sa.remoteId }, `looking for peer configs matching ${sa.local.address}[${idr ? idText(idr) : '%any'}]...${sa.remote.address}[${sa.remoteId}]`);
  // A config whose rightauth fits the AUTH method sent (PSK: method 2; signatures: pubkey).
  const wanted = auth ? (auth.method === AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE ? 'psk' : 'pubkey') : undefined;
  const config = candidates.find((c) => c.remote.auth.class === wanted) ?? candidates[0];
  if (!config) {
    r.log.warn({ event: 'ike.no-peer-config', remoteId: sa.remoteId }, 'no matching peer config found');
    return fail(sa);
  }
  sa.config = config;
  r.log.info({ event: 'ike.peer-config', sa: sa.label, config: config.name }, `selected peer config '${config.name}'`);
  sa.pendingChild = {
    ...(find(payloads, PayloadType.SA) ? { sa: find(payloads, PayloadType.SA)! } : {}),
    ...(find(payloads, PayloadType.TSi) ? { tsi: find(payloads, PayloadType.TSi)! } : {}),
    ...(find(payloads, PayloadType.TSr) ? { tsr: find(payloads, PayloadType.TSr)! } : {}),
    ...(find(payloads, PayloadType.CP) ? { cp: find(payloads, PayloadType.CP)! } : {}),
    notifies: payloads.filter((p) => p.type === PayloadType.Notify),
  };
  const ourId = identityPayload(PayloadType.IDr, config.local.id, sa.local.address);
  sa.localId = idText(ourId);
  sa.idrBody = idBody(ourId);

  if (auth) {
    const isPsk = auth.method === AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE;
    if (config.remote.auth.class !== (isPsk ? 'psk' : 'pubkey')) {
      r.log.warn({ event: 'ike.auth-method', sa: sa.label, method: auth.method }, `peer uses AUTH method ${auth.method}, config '${config.name}' requires ${config.remote.auth.class}`);
      return fail(sa);
    }
    let psk: Buffer | undefined;
    if (isPsk) {
      psk = r.o.psk?.(config.local.id, idToIdentity(idi));
      const octets = signedOctets({ prf: sa.transforms.prf, skP: sa.keys.skPi, realMessage: sa.initRequest, peerNonce: sa.nonceR, idPayloadBody: sa.idiBody });
      if (!psk || !verifySharedKeyAuth(sa.transforms.prf, psk, octets, auth.data)) {
        r.log.warn({ event: 'ike.auth-failed', sa: sa.label, remoteId: sa.remoteId }, `tried ${psk ? 1 : 0} shared key for '${sa.localId}' - '${sa.remoteId}', but MAC mismatched`);
        return fail(sa);
      }
      r.log.info({ event: 'ike.auth', sa: sa.label, remoteId: sa.remoteId, method: 'psk' }, `authentication of '${sa.remoteId}' with pre-shared key successful`);
    } else if (!(await verifyPeerSignature(r, sa, payloads, idi, auth))) {
      return fail(sa);
    }
    const mine = await ourAuth(r, sa, config, psk);
    if (!mine) return fail(sa);
    return complete(r, sa, [ourId, ...mine]);
  }

  // EAP, relayed to RADIUS.
  if (!r.o.radius) {
    r.log.warn({ event: 'ike.no-radius', sa: sa.label }, 'EAP requested but no RADIUS server configured');
    return fail(sa);
  }
  sa.eapOnly = notifies(payloads, NotifyType.EAP_ONLY_AUTHENTICATION).length > 0;
  const out: IkePayload[] = [ourId];
  if (config.local.auth.class === 'eap') {
    // RFC 5998 2: without the initiator's EAP_ONLY_AUTHENTICATION the responder must authenticate itself.
    if (!sa.eapOnly) {
      r.log.warn({ event: 'ike.eap-only', sa: sa.label }, `peer did not send EAP_ONLY_AUTHENTICATION, but config '${config.name}' has no key to authenticate with`);
      return fail(sa);
    }
    r.log.info({ event: 'ike.eap-only', sa: sa.label }, 'EAP-only authentication (RFC 5998): sending no AUTH payload');
  } else {
    const mine = await ourAuth(r, sa, config, undefined);
    if (!mine) return fail(sa);
    out.push(...mine);
  }
  sa.eap = new EapRadiusSession(
    r.o.radius,
    { peerId: sa.remoteId, ikeSaName: config.name, uniqueId: sa.uniqueId, local: sa.local, remote: sa.remote, firstIdentifier: r.random(1)[0]!, ...r.o.radiusOptions },
    r.log,
  );
  r.log.info({ event: 'eap.start', sa: sa.label }, `initiating EAP_RADIUS method (id ${sa.uniqueId})`);
  out.push({ type: PayloadType.EAP, message: sa.eap.initiate() });
  return out;
}

/** Our AUTH (and CERT) for leftauth=psk|pubkey; `psk` given for PSK. */
async function ourAuth(r: IkeResponder, sa: IkeSa, config: PeerConfig, psk: Buffer | undefined): Promise<IkePayload[] | undefined> {
  const octets = signedOctets({ prf: sa.transforms.prf, skP: sa.keys.skPr, realMessage: sa.initResponse, peerNonce: sa.nonceI, idPayloadBody: sa.idrBody! });
  if (config.local.auth.class === 'psk') {
    const key = psk ?? r.o.psk?.(config.local.id, idToIdentity({ idType: sa.idiBody![0]!, data: sa.idiBody!.subarray(4) }));
    if (!key) {
      r.log.warn({ event: 'ike.no-psk', sa: sa.label }, `no shared key found for '${sa.localId}' - '${sa.remoteId}'`);
      return undefined;
    }
    r.log.info({ event: 'ike.auth-self', sa: sa.label, method: 'psk' }, `authentication of '${sa.localId}' (myself) with pre-shared key`);
    return [{ type: PayloadType.AUTH, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: sharedKeyAuth(sa.transforms.prf, key, octets) }];
  }
  if (config.local.auth.class === 'pubkey') {
    const cred = r.o.credential?.(config);
    if (!cred) {
      r.log.warn({ event: 'ike.no-key', sa: sa.label }, `no private key found for '${sa.localId}'`);
      return undefined;
    }
    // RFC 7427 when the initiator announced SHA2-256 (2) in SIGNATURE_HASH_ALGORITHMS, else the
    // classic methods (RSA: PKCS#1 v1.5 with SHA-1, RFC 7296 3.8; ECDSA: RFC 4754).
    const rfc7427 = sa.signatureHashes.includes(2);
    const method = rfc7427 ? AuthMethod.DIGITAL_SIGNATURE : cred.keyType === 'rsa' ? AuthMethod.RSA_DIGITAL_SIGNATURE : cred.keyType === 'ecdsa-256' ? AuthMethod.ECDSA_SHA256_P256 : cred.keyType === 'ecdsa-384' ? AuthMethod.ECDSA_SHA384_P384 : AuthMethod.ECDSA_SHA512_P521;
    const data = await r.o.crypto.signAuth(rfc7427 ? { method: 'digital-signature', hash: 'sha256', privateKey: cred.privateKey as never, octets } : { method: cred.keyType, privateKey: cred.privateKey as never, octets });
    const scheme = rfc7427 ? (cred.keyType === 'rsa' ? 'RSA_EMSA_PKCS1_SHA2_256' : 'ECDSA_WITH_SHA256_DER') : cred.keyType === 'rsa' ? 'RSA signature' : 'ECDSA signature';
    r.log.info({ event: 'ike.auth-self', sa: sa.label, method: cred.keyType, rfc7427 }, `authentication of '${sa.localId}' (myself) with ${scheme} successful`);
    return [
      // RFC 7296 3.6: the end entity first, then the intermediate CAs we hold.
      ...cred.certs.map((der) => ({ type: PayloadType.CERT, encoding: CertEncoding.X509_SIGNATURE, data: der }) as IkePayload),
      { type: PayloadType.AUTH, method, data },
    ];
  }
  return undefined;
}

async function eapRound(r: IkeResponder, sa: IkeSa, message: Buffer): Promise<IkePayload[]> {
  if (!sa.eap) return fail(sa);
  const result = await sa.eap.process(message);
  if (result.kind === 'challenge') return [{ type: PayloadType.EAP, message: result.eap }];
  if (result.kind === 'failure') {
    r.log.info({ event: 'eap.failed', sa: sa.label, reason: result.reason }, `EAP method EAP_RADIUS failed for peer ${sa.remoteId}`);
    sa.state = 'DELETING';
    return [{ type: PayloadType.EAP, message: result.eap }];
  }
  sa.eapSucceeded = true;
  if (result.msk) sa.msk = result.msk;
  sa.groups = result.groups;
  sa.classes = result.classes;
  sa.eapIdentity = result.identity;
  return [{ type: PayloadType.EAP, message: result.eap }];
}

async function finalRound(r: IkeResponder, sa: IkeSa, method: number, data: Buffer): Promise<IkePayload[]> {
  const prf = sa.transforms.prf;
  const octetsI = signedOctets({ prf, skP: sa.keys.skPi, realMessage: sa.initRequest, peerNonce: sa.nonceR, idPayloadBody: sa.idiBody! });
  if (method !== AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE || !verifySharedKeyAuth(prf, eapAuthSecret(sa.msk, sa.keys.skPi), octetsI, data)) {
    r.log.warn({ event: 'ike.auth-failed', sa: sa.label, remoteId: sa.remoteId }, `verification of AUTH payload with EAP MSK failed`);
    return fail(sa);
  }
  r.log.info({ event: 'ike.auth', sa: sa.label, remoteId: sa.remoteId, method: 'eap' }, `authentication of '${sa.remoteId}' with EAP successful`);

  // Group constraint and config switch (strongSwan ike_auth.c update_cfg_candidates).
  let config = sa.config!;
  if (!satisfiesGroups(config, sa.groups)) {
    r.log.info({ event: 'ike.constraint', sa: sa.label, required: config.remote.groups, groups: sa.groups }, `constraint check failed: group membership to '${config.remote.groups[0]}' required`);
    r.log.info({ event: 'ike.config-inacceptable', sa: sa.label, config: config.name }, `selected peer config '${config.name}' inacceptable: constraint checking failed`);
    const idi = { idType: sa.idiBody![0]!, data: sa.idiBody!.subarray(4) };
    const next = matchingConfigs(r, sa, idi, undefined, true).find((c) => c !== config && satisfiesGroups(c, sa.groups) && sameLocalAuth(c, config));
    if (!next) {
      r.log.warn({ event: 'ike.no-alternative', sa: sa.label }, 'no alternative config found');
      return fail(sa);
    }
    r.log.info({ event: 'ike.config-switch', sa: sa.label, from: config.name, to: next.name }, `switching to peer config '${next.name}'`);
    r.o.onEvent?.({ type: 'config-switched', sa, from: config.name, to: next.name });
    sa.config = next;
    config = next;
  }
  const octetsR = signedOctets({ prf, skP: sa.keys.skPr, realMessage: sa.initResponse, peerNonce: sa.nonceI, idPayloadBody: sa.idrBody! });
  r.log.info({ event: 'ike.auth-self', sa: sa.label, method: 'eap' }, `authentication of '${sa.localId}' (myself) with EAP`);
  return complete(r, sa, [{ type: PayloadType.AUTH, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: sharedKeyAuth(prf, eapAuthSecret(sa.msk, sa.keys.skPr), octetsR) }]);
}

function sameLocalAuth(a: PeerConfig, b: PeerConfig): boolean {
  return a.local.auth.class === b.local.auth.class;
}

function ipv4(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

/** Virtual IP and attributes (RFC 7296 3.15), the CHILD_SA, and the IKE_SA established. */
async function complete(r: IkeResponder, sa: IkeSa, head: IkePayload[]): Promise<IkePayload[]> {
  const config = sa.config!;
  const out = [...head];
  const pending = sa.pendingChild;
  const cp = pending?.cp as ConfigurationPayload | undefined;
  const identity = sa.eapIdentity ?? sa.remoteId!;
  if (cp && cp.cfgType === CfgType.CFG_REQUEST) {
    const attrs: { type: number; value: Uint8Array }[] = [];
    const wants4 = cp.attributes.find((a) => a.type === CfgAttribute.INTERNAL_IP4_ADDRESS);
    if (wants4) {
      const requested = wants4.value.length === 4 && wants4.value.some((b) => b !== 0) ? [...wants4.value].join('.') : undefined;
      r.log.info({ event: 'ike.vip-request', sa: sa.label, requested: requested ?? '0.0.0.0' }, `peer requested virtual IP ${requested ?? '%any'}`);
      const lease = await r.o.vips?.acquire(config, identity, requested).catch((e: Error) => {
        r.log.warn({ event: 'ike.vip-failed', sa: sa.label, error: e.message }, `acquiring virtual IP failed: ${e.message}`);
        return undefined;
      });
      if (lease) {
        sa.vips = [lease.address];
        sa.vipPool = lease.pool;
        r.log.info({ event: 'ike.vip', sa: sa.label, vip: lease.address, pool: lease.pool }, `assigning virtual IP ${lease.address} to peer '${identity}'`);
        attrs.push({ type: CfgAttribute.INTERNAL_IP4_ADDRESS, value: ipv4(lease.address) });
      } else {
        r.log.warn({ event: 'ike.no-vip', sa: sa.label }, `no virtual IP found for %any requested by '${identity}'`);
      }
    }
    if (cp.attributes.some((a) => a.type === CfgAttribute.INTERNAL_IP4_DNS)) {
      for (const d of new Set([...config.remote.dns.map((a) => formatAddress(a)), ...(r.o.dns ?? [])])) {
        if (/^\d+\.\d+\.\d+\.\d+$/.test(d)) attrs.push({ type: CfgAttribute.INTERNAL_IP4_DNS, value: ipv4(d) });
      }
    }
    if (cp.attributes.some((a) => a.type === CfgAttribute.INTERNAL_IP4_SUBNET)) {
      for (const s of r.o.splitInclude ?? []) {
        const [addr, bits] = s.split('/') as [string, string | undefined];
        const n = Number(bits ?? 32);
        const mask = n === 0 ? 0 : (0xffffffff << (32 - n)) >>> 0;
        const m = Buffer.alloc(4);
        m.writeUInt32BE(mask, 0);
        attrs.push({ type: CfgAttribute.INTERNAL_IP4_SUBNET, value: Buffer.concat([ipv4(addr), m]) });
      }
    }
    if (attrs.length) out.push({ type: PayloadType.CP, cfgType: CfgType.CFG_REPLY, attributes: attrs });
  }

  sa.state = 'ESTABLISHED';
  sa.establishedAt = r.now();
  r.log.info(
    { event: 'ike.established', sa: sa.label, config: config.name, uniqueId: sa.uniqueId, local: sa.local.address, remote: sa.remote.address, remoteId: sa.remoteId, groups: sa.groups },
    `IKE_SA ${sa.label} established between ${sa.local.address}[${sa.localId}]...${sa.remote.address}[${sa.remoteId}]`,
  );
  r.o.onEvent?.({ type: 'ike-established', sa });

  if (pending?.sa) {
    const outcome = negotiateChild(sa, config, { sa: pending.sa as never, tsi: pending.tsi as never, tsr: pending.tsr as never }, { uniqueId: r.nextChildId(), reqid: r.nextReqid(), now: r.now(), random: r.random });
    if (!outcome.ok) {
      r.log.warn({ event: 'child.failed', sa: sa.label, reason: outcome.reason }, `failed to establish CHILD_SA (${outcome.reason}), keeping IKE_SA`);
      out.push(notify(outcome.notify));
    } else {
      const child = outcome.child;
      sa.children.push(child);
      await installChild(r, sa, child);
      out.push(...outcome.payloads);
    }
  }
  sa.pendingChild = undefined;
  return out;
}

export async function installChild(r: IkeResponder, sa: IkeSa, child: import('./child-sa.js').ChildSa): Promise<void> {
  const spi = (n: number) => n.toString(16).padStart(8, '0');
  try {
    if (r.o.installer) await r.o.installer.install(sa, child);
    else child.dataPath = 'none (no kernel layer configured)';
    child.state = 'INSTALLED';
    child.installedAt = r.now();
    r.log.info(
      { event: 'child.established', sa: sa.label, child: child.uniqueId, reqid: child.reqid, spiIn: spi(child.spiIn), spiOut: spi(child.spiOut), dataPath: child.dataPath, algorithms: childAlgorithms(child.proposal) },
      `CHILD_SA ${child.name}{${child.uniqueId}} established with SPIs ${spi(child.spiIn)}_i ${spi(child.spiOut)}_o and TS ${child.localTs.map(tsToText).join(' ')} === ${child.remoteTs.map(tsToText).join(' ')}`,
    );
    r.o.onEvent?.({ type: 'child-installed', sa, child });
  } catch (error) {
    child.state = 'FAILED';
    child.dataPath = `failed: ${(error as Error).message}`;
    r.log.error({ event: 'child.install-failed', sa: sa.label, child: child.uniqueId, code: (error as { code?: string }).code, error: (error as Error).message }, `unable to install CHILD_SA ${child.name}{${child.uniqueId}}: ${(error as Error).message}`);
  }
}
