/**
 * A minimal, fast IKEv2 INITIATOR for the bench (RFC 7296), built on the PEP's codec (pep/ike) and
 * crypto service (pep/crypto): many IKE_SAs at once from one process, each with its own SPI and
 * identity, against one responder.
 *
 *   IKE_SA_INIT  HDR, SAi1, KEi, Ni, N(NAT_DETECTION_*)        -->
 *                                    <--  HDR, SAr1, KEr, Nr, [CERTREQ], N(NAT_DETECTION_*)
 *     (N(COOKIE) answer: the request again with the cookie first, s2.6; N(INVALID_KE_PAYLOAD):
 *      again with the group asked for, s1.2)
 *   IKE_AUTH     HDR, SK {IDi, [IDr,] AUTH, [CP(CFG_REQUEST),] SAi2, TSi, TSr}   -->   (PSK)
 *                                    <--  HDR, SK {IDr, [CERT,] AUTH, [CP(CFG_REPLY),] SAr2, TSi, TSr}
 *   EAP (s2.16)  HDR, SK {IDi, [IDr,] [CP,] SAi2, TSi, TSr}  -->  <-- SK {IDr, [CERT,] AUTH, EAP}
 *                SK {EAP} --> <-- SK {EAP} ... <-- SK {EAP(Success)}
 *                SK {AUTH} -->  <-- SK {AUTH, [CP,] SAr2, TSi, TSr}
 *   INFORMATIONAL  SK {D(IKE)} --> <-- SK {}     (optional)
 *
 * Every answer is checked: the chosen proposals are what we offered, the responder's AUTH
 * verifies (PSK or a certificate chaining to the trust anchor; at the end of EAP the MSK, or
 * SK_pr for a method without one such as EAP-MD5, as strongSwan does), IDr is the expected one,
 * a CHILD_SA with traffic selectors came back, and the virtual IP when one was requested. An
 * error Notify, a timeout or any mismatch rejects with an IkeInitiatorError naming it.
 *
 * NAT detection (s2.23): with a NAT between us (the hashes differ) the exchange moves to port
 * 4500 after IKE_SA_INIT. The retransmission timer (transport.ts) doubles per try.
 */
import { randomBytes } from 'node:crypto';
import { CfgAttribute, CfgType, decodeIkeMessage, encodeIkeMessage, ExchangeType, findNotify, findPayload, isErrorNotify,
  notify, notifyTypeName, NotifyType, PayloadType, ProtocolId, TsType, type IkeHeaderInit, type IkeMessage,
  type IkePayload } from '../../pep/ike/index.js';
import { CryptoService, DH_GROUPS, createCipher, deriveIkeSaKeys, eapAuthSecret, sharedKeyAuth, signedOctets,
  type DhGroup, type DhKeyPair, type IkeSaKeys, type SealedCipher } from '../../pep/crypto/index.js';
import { EapMd5Peer } from './eap-md5.js';
import { natDetectionHash, natDetected } from './nat-detection.js';
import { checkResponderAuth, checkResponderId, idBody, idPayload, trusted, type ResponderAuth, type TrustedResponder } from './responder-auth.js';
import { protect, unprotect } from './sk.js';
import { checkChosen, espProposal, ikeProposal, saPayload, type EspSuite, type IkeSuite } from './suites.js';
import { Transport, TransportError, type Endpoint, type Incoming } from './transport.js';

export type InitiatorAuth =
  | { readonly kind: 'psk'; readonly secret: string }
  | { readonly kind: 'eap-md5'; readonly password: string; readonly eapIdentity?: string };

export interface InitiatorOptions {
  readonly remote: Endpoint;
  readonly natPort?: number;
  readonly localAddress?: string;
  readonly ike: IkeSuite;
  readonly esp: EspSuite;
  readonly responder: ResponderAuth;
  /** Expected IDr, also sent as IDr in IKE_AUTH. */
  readonly responderId?: string;
  /** First retransmission timeout (doubling) and transmissions per request. */
  readonly timeoutMs?: number;
  readonly tries?: number;
  /** One DH key pair per group for all SAs (RFC 7296 2.12 allows reuse): the initiator's DH cost halves. */
  readonly reuseDhKey?: boolean;
  /** Default: an in-thread service (size 0), the fastest for one busy load process. */
  readonly crypto?: CryptoService;
}

export interface EstablishParams {
  /** IDi: `user@host` (RFC822_ADDR), an FQDN or an IPv4 address. */
  readonly identity: string;
  readonly auth: InitiatorAuth;
  /** Ask for a virtual IPv4 address (CP CFG_REQUEST INTERNAL_IP4_ADDRESS). */
  readonly virtualIp?: boolean;
}

export type IkeInitiatorErrorCode = 'TIMEOUT' | 'NOTIFY' | 'PROPOSAL' | 'AUTH' | 'EAP' | 'PROTOCOL' | 'CHILD_SA' | 'CLOSED';

export class IkeInitiatorError extends Error {
  constructor(
    readonly code: IkeInitiatorErrorCode,
    message: string,
    /** The exchange that failed. */
    readonly exchange: string,
  ) {
    super(`${exchange}: ${message}`);
  }
}

export interface EstablishedSa {
  readonly spiI: Buffer;
  readonly spiR: Buffer;
  readonly identity: string;
  readonly virtualIp?: string;
  /** ESP SPIs: ours (inbound) and the responder's. */
  readonly childSpiI: Buffer;
  readonly childSpiR: Buffer;
  readonly natT: boolean;
  /** Request/response round trips, retransmissions excluded. */
  readonly roundTrips: number;
  readonly keys: IkeSaKeys;
}

interface Pending {
  readonly messageId: number;
  readonly deliver: (m: IkeMessage) => void;
  readonly check: (m: IkeMessage) => boolean;
}

/** One IKE_SA being set up or established: registered with the transport under its SPIi. */
class Sa {
  pending: Pending | undefined;
  spiR = Buffer.alloc(8);
  nextId = 0;
  natT = false;
  roundTrips = 0;
  out: SealedCipher | undefined;
  in: SealedCipher | undefined;
  /** Requests the responder sent (a DPD or a Delete): answered with an empty SK response. */
  peerNextId = 0;
  deleted = false;

  constructor(
    readonly owner: IkeInitiator,
    readonly spiI: Buffer,
  ) {}

  onResponse(messageId: number, d: Incoming): void {
    const p = this.pending;
    if (!p || p.messageId !== messageId) return;
    let m: IkeMessage;
    try {
      m = decodeIkeMessage(d.data);
    } catch {
      this.owner.counters.malformed++;
      return;
    }
    if (!p.check(m)) return;
    p.deliver(m);
  }

  onRequest(messageId: number, d: Incoming): void {
    if (!this.in || !this.out) return;
    let inner: IkePayload[];
    try {
      const m = decodeIkeMessage(d.data);
      if (Buffer.compare(Buffer.from(m.header.responderSpi), this.spiR) !== 0) return;
      inner = unprotect(m, this.in);
    } catch {
      this.owner.counters.malformed++;
      return;
    }
    if (messageId !== this.peerNextId && messageId + 1 !== this.peerNextId) return;
    if (findPayload(inner, PayloadType.Delete)?.protocolId === ProtocolId.IKE) this.deleted = true;
    this.peerNextId = messageId + 1;
    const answer = protect(this.header(d.data[18]!, messageId, true), [], this.out);
    void this.owner.transport.send(answer, this.natT).catch(() => undefined);
  }

  header(exchangeType: number, messageId: number, response: boolean): IkeHeaderInit {
    return { initiatorSpi: this.spiI, responderSpi: this.spiR, exchangeType, initiator: true, response, messageId };
  }
}

export interface InitiatorCounters {
  /** Datagrams for a known SA that did not decode or did not verify. */
  malformed: number;
  cookies: number;
  invalidKe: number;
}

export class IkeInitiator {
  readonly counters: InitiatorCounters = { malformed: 0, cookies: 0, invalidKe: 0 };
  readonly #crypto: CryptoService;
  readonly #ownCrypto: boolean;
  readonly #trust: TrustedResponder;
  readonly #idr: ReturnType<typeof idPayload> | undefined;
  readonly #dhCache = new Map<DhGroup, Promise<DhKeyPair>>();

  private constructor(
    readonly options: InitiatorOptions,
    readonly transport: Transport,
    crypto: CryptoService | undefined,
  ) {
    this.#crypto = crypto ?? new CryptoService({ size: 0 });
    this.#ownCrypto = crypto === undefined;
    this.#trust = trusted(options.responder);
    this.#idr = options.responderId !== undefined ? idPayload(PayloadType.IDr, options.responderId) : undefined;
  }

  static async open(o: InitiatorOptions): Promise<IkeInitiator> {
    const t = await Transport.open({ remote: o.remote, ...(o.natPort !== undefined ? { natPort: o.natPort } : {}), ...(o.localAddress ? { localAddress: o.localAddress } : {}) });
    return new IkeInitiator(o, t, o.crypto);
  }

  /** IKE_SAs with state here (being set up or established and not deleted). */
  get active(): number {
    return this.transport.registered;
  }

  async close(): Promise<void> {
    await this.transport.close();
    if (this.#ownCrypto) await this.#crypto.close();
  }

  /** IKE_SA_INIT + IKE_AUTH (with EAP rounds when asked); rejects with IkeInitiatorError. */
  async establish(p: EstablishParams): Promise<EstablishedSa> {
    const sa = new Sa(this, randomBytes(8));
    this.transport.register(sa.spiI, sa);
    try {
      return await this.#establish(sa, p);
    } catch (e) {
      this.transport.unregister(sa.spiI);
      throw e;
    }
  }

  /** INFORMATIONAL with Delete(IKE); the SA is forgotten whatever the answer. */
  async delete(e: EstablishedSa): Promise<void> {
    const sa = this.#sa.get(e.spiI.toString('hex'));
    if (!sa) return;
    this.#sa.delete(e.spiI.toString('hex'));
    try {
      if (sa.deleted) return;
      await this.#exchange(sa, 'INFORMATIONAL', ExchangeType.INFORMATIONAL, [{ type: PayloadType.Delete, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] }]);
    } finally {
      this.transport.unregister(sa.spiI);
    }
  }

  /** Established SAs by SPIi (hex), for delete(). */
  readonly #sa = new Map<string, Sa>();

  async #keyPair(group: DhGroup): Promise<DhKeyPair> {
    if (!this.options.reuseDhKey) return this.#crypto.dhGenerateKeyPair(group);
    let kp = this.#dhCache.get(group);
    if (!kp) {
      kp = this.#crypto.dhGenerateKeyPair(group);
      this.#dhCache.set(group, kp);
    }
    return kp;
  }

  async #establish(sa: Sa, p: EstablishParams): Promise<EstablishedSa> {
    const o = this.options;
    const suite = o.ike;
    // ---- IKE_SA_INIT ----
    let group: DhGroup = suite.dh;
    let cookie: Uint8Array | undefined;
    const ni = randomBytes(32);
    let request: Buffer;
    let response: IkeMessage;
    let pair: DhKeyPair;
    for (let attempt = 0; ; attempt++) {
      if (attempt >= 4) throw new IkeInitiatorError('PROTOCOL', 'too many COOKIE / INVALID_KE_PAYLOAD answers', 'IKE_SA_INIT');
      pair = await this.#keyPair(group);
      const local = this.transport.local;
      const payloads: IkePayload[] = [
        // s2.6: "the initiator ... MUST retry the IKE_SA_INIT with a Notify payload of type COOKIE
        // containing the responder-supplied cookie data as the first payload"
        ...(cookie ? [notify(NotifyType.COOKIE, cookie)] : []),
        saPayload(ikeProposal(suite)),
        { type: PayloadType.KE, dhGroup: DH_GROUPS.id(group), data: pair.publicValue },
        { type: PayloadType.Nonce, data: ni },
        notify(NotifyType.NAT_DETECTION_SOURCE_IP, natDetectionHash(sa.spiI, Buffer.alloc(8), local)),
        // RFC 7427 4: we take RFC 7427 signatures with SHA2-256/384/512.
        notify(NotifyType.SIGNATURE_HASH_ALGORITHMS, Uint8Array.of(0, 2, 0, 3, 0, 4)),
        notify(NotifyType.NAT_DETECTION_DESTINATION_IP, natDetectionHash(sa.spiI, Buffer.alloc(8), o.remote)),
      ];
      request = encodeIkeMessage(sa.header(ExchangeType.IKE_SA_INIT, 0, false), payloads);
      response = await this.#send(sa, 'IKE_SA_INIT', request, ExchangeType.IKE_SA_INIT, 0, () => true);
      const c = findNotify(response.payloads, NotifyType.COOKIE);
      if (c && !findPayload(response.payloads, PayloadType.SA)) {
        this.counters.cookies++;
        cookie = c.data;
        continue;
      }
      const ike = findNotify(response.payloads, NotifyType.INVALID_KE_PAYLOAD);
      if (ike) {
        this.counters.invalidKe++;
        // s1.2: "the Notify payload contains the group number" (2 octets)
        const wanted = ike.data.length === 2 ? DH_GROUPS.name((ike.data[0]! << 8) | ike.data[1]!) : undefined;
        if (!wanted || wanted === group || !suite.dhGroups.includes(wanted)) throw new IkeInitiatorError('PROPOSAL', `INVALID_KE_PAYLOAD asking for an unsupported group`, 'IKE_SA_INIT');
        group = wanted;
        continue;
      }
      failOnErrorNotify(response.payloads, 'IKE_SA_INIT');
      break;
    }
    const rp = response.payloads;
    const chosen = checkChosen(findPayload(rp, PayloadType.SA), ikeProposal(suite));
    if (typeof chosen === 'string') throw new IkeInitiatorError('PROPOSAL', chosen, 'IKE_SA_INIT');
    if (chosen.dh !== DH_GROUPS.id(group)) throw new IkeInitiatorError('PROPOSAL', `responder chose DH ${chosen.dh} but our KE is ${group}`, 'IKE_SA_INIT');
    const ke = findPayload(rp, PayloadType.KE);
    const nr = findPayload(rp, PayloadType.Nonce);
    if (!ke || ke.dhGroup !== DH_GROUPS.id(group)) throw new IkeInitiatorError('PROTOCOL', 'no KE of our group in the answer', 'IKE_SA_INIT');
    if (!nr) throw new IkeInitiatorError('PROTOCOL', 'no Nonce in the answer', 'IKE_SA_INIT');
    sa.spiR = Buffer.from(response.header.responderSpi);
    if (sa.spiR.every((b) => b === 0)) throw new IkeInitiatorError('PROTOCOL', "zero IKE SA Responder's SPI", 'IKE_SA_INIT');
    sa.natT = natDetected(rp, sa.spiI, sa.spiR, this.transport.local, o.remote);
    let shared: Buffer;
    try {
      shared = await this.#crypto.dhComputeSharedSecret(pair!, ke.data);
    } catch (e) {
      throw new IkeInitiatorError('PROTOCOL', `bad KE data: ${(e as Error).message}`, 'IKE_SA_INIT');
    }
    const keys = deriveIkeSaKeys({ transforms: suite, sharedSecret: shared, nonceI: ni, nonceR: nr.data, spiI: sa.spiI, spiR: sa.spiR });
    sa.out = createCipher({ encr: suite.encr, keyBits: suite.encrKeyBits, key: keys.skEi, ...(suite.integ ? { integ: suite.integ, integKey: keys.skAi } : {}) });
    sa.in = createCipher({ encr: suite.encr, keyBits: suite.encrKeyBits, key: keys.skEr, ...(suite.integ ? { integ: suite.integ, integKey: keys.skAr } : {}) });
    sa.nextId = 1;

    // ---- IKE_AUTH ----
    const idi = idPayload(PayloadType.IDi, p.identity);
    const initOctets = (skP: Buffer): Buffer => signedOctets({ prf: suite.prf, skP, realMessage: request!, peerNonce: nr.data, idPayloadBody: idBody(idi) });
    const respOctets = (idr: ReturnType<typeof idPayload>): Buffer => signedOctets({ prf: suite.prf, skP: keys.skPr, realMessage: response.raw, peerNonce: ni, idPayloadBody: idBody(idr) });
    const childSpiI = randomBytes(4);
    const esp = espProposal(o.esp, childSpiI);
    const childPayloads: IkePayload[] = [
      ...(p.virtualIp ? [{ type: PayloadType.CP, cfgType: CfgType.CFG_REQUEST, attributes: [{ type: CfgAttribute.INTERNAL_IP4_ADDRESS, value: new Uint8Array(0) }] } as const] : []),
      saPayload(esp),
      { type: PayloadType.TSi, selectors: [p.virtualIp ? anyV4() : hostV4(this.transport.local.address)] },
      { type: PayloadType.TSr, selectors: [anyV4()] },
    ];
    const first: IkePayload[] = [idi, ...(this.#idr ? [this.#idr] : [])];
    let final: IkePayload[];
    if (p.auth.kind === 'psk') {
      const auth = sharedKeyAuth(suite.prf, Buffer.from(p.auth.secret, 'utf8'), initOctets(keys.skPi));
      final = await this.#exchange(sa, 'IKE_AUTH', ExchangeType.IKE_AUTH, [...first, { type: PayloadType.AUTH, method: 2, data: auth }, ...childPayloads]);
      failOnErrorNotify(final, 'IKE_AUTH');
      const idr = findPayload(final, PayloadType.IDr);
      const bad = checkResponderId(idr, this.#idr) ?? checkResponderAuth({ trust: this.#trust, prf: suite.prf, octets: respOctets(idr!), payloads: final, auth: findPayload(final, PayloadType.AUTH) });
      if (bad) throw new IkeInitiatorError('AUTH', bad, 'IKE_AUTH');
    } else {
      // s2.16: "the initiator indicates a desire to use EAP by leaving out the AUTH payload"
      let answer = await this.#exchange(sa, 'IKE_AUTH', ExchangeType.IKE_AUTH, [...first, ...childPayloads]);
      failOnErrorNotify(answer, 'IKE_AUTH');
      const idr = findPayload(answer, PayloadType.IDr);
      const bad = checkResponderId(idr, this.#idr) ?? checkResponderAuth({ trust: this.#trust, prf: suite.prf, octets: respOctets(idr!), payloads: answer, auth: findPayload(answer, PayloadType.AUTH) });
      if (bad) throw new IkeInitiatorError('AUTH', bad, 'IKE_AUTH');
      const peer = new EapMd5Peer(p.auth.eapIdentity ?? p.identity, p.auth.password);
      for (let round = 0; ; round++) {
        const eap = findPayload(answer, PayloadType.EAP);
        if (!eap) throw new IkeInitiatorError('EAP', 'IKE_AUTH answer without EAP payload', 'IKE_AUTH');
        let reply: Buffer | 'success';
        try {
          reply = peer.answer(eap.message);
        } catch (e) {
          throw new IkeInitiatorError('EAP', (e as Error).message, 'IKE_AUTH');
        }
        if (reply === 'success') break;
        if (round >= 10) throw new IkeInitiatorError('EAP', 'more than 10 EAP rounds', 'IKE_AUTH');
        answer = await this.#exchange(sa, 'IKE_AUTH (EAP)', ExchangeType.IKE_AUTH, [{ type: PayloadType.EAP, message: reply }]);
        failOnErrorNotify(answer, 'IKE_AUTH (EAP)');
      }
      // EAP-MD5 has no MSK: the AUTH payloads use SK_pi / SK_pr (s2.16).
      const auth = sharedKeyAuth(suite.prf, eapAuthSecret(undefined, keys.skPi), initOctets(keys.skPi));
      final = await this.#exchange(sa, 'IKE_AUTH (AUTH)', ExchangeType.IKE_AUTH, [{ type: PayloadType.AUTH, method: 2, data: auth }]);
      failOnErrorNotify(final, 'IKE_AUTH (AUTH)');
      const bad2 = checkResponderAuth({ trust: this.#trust, prf: suite.prf, octets: respOctets(idr!), payloads: final, auth: findPayload(final, PayloadType.AUTH), eapSecret: eapAuthSecret(undefined, keys.skPr) });
      if (bad2) throw new IkeInitiatorError('AUTH', bad2, 'IKE_AUTH (AUTH)');
    }
    // ---- the CHILD_SA ----
    const child = checkChosen(findPayload(final, PayloadType.SA), esp);
    if (typeof child === 'string') throw new IkeInitiatorError('CHILD_SA', child, 'IKE_AUTH');
    if (!findPayload(final, PayloadType.TSi) || !findPayload(final, PayloadType.TSr)) throw new IkeInitiatorError('CHILD_SA', 'no TSi/TSr in the answer', 'IKE_AUTH');
    let virtualIp: string | undefined;
    if (p.virtualIp) {
      const cp = findPayload(final, PayloadType.CP);
      const a = cp?.cfgType === CfgType.CFG_REPLY ? cp.attributes.find((x) => x.type === CfgAttribute.INTERNAL_IP4_ADDRESS && x.value.length === 4) : undefined;
      if (!a) throw new IkeInitiatorError('CHILD_SA', 'no INTERNAL_IP4_ADDRESS in the CP reply', 'IKE_AUTH');
      virtualIp = [...a.value].join('.');
    }
    this.#sa.set(sa.spiI.toString('hex'), sa);
    return {
      spiI: sa.spiI, spiR: sa.spiR, identity: p.identity, childSpiI, childSpiR: Buffer.from(child.spi), natT: sa.natT, roundTrips: sa.roundTrips, keys,
      ...(virtualIp !== undefined ? { virtualIp } : {}),
    };
  }

  /** One protected request/response on an SA whose keys are set; resolves with the inner payloads. */
  async #exchange(sa: Sa, name: string, exchangeType: number, payloads: readonly IkePayload[]): Promise<IkePayload[]> {
    const id = sa.nextId++;
    const msg = protect(sa.header(exchangeType, id, false), payloads, sa.out!);
    let inner: IkePayload[] = [];
    await this.#send(sa, name, msg, exchangeType, id, (m) => {
      if (Buffer.compare(Buffer.from(m.header.responderSpi), sa.spiR) !== 0) return false;
      try {
        inner = unprotect(m, sa.in!);
        return true;
      } catch {
        // s2.21.2: a message that fails the integrity check MUST be dropped; keep waiting.
        this.counters.malformed++;
        return false;
      }
    });
    return inner;
  }

  #send(sa: Sa, name: string, msg: Buffer, exchangeType: number, messageId: number, verify: (m: IkeMessage) => boolean): Promise<IkeMessage> {
    const o = this.options;
    const check = (m: IkeMessage): boolean => {
      if (m.header.exchangeType !== exchangeType || m.header.initiator) {
        this.counters.malformed++;
        return false;
      }
      return verify(m);
    };
    sa.roundTrips++;
    return this.transport
      .request<IkeMessage>(msg, sa.natT, o.timeoutMs ?? 1000, o.tries ?? 4, (deliver) => {
        sa.pending = { messageId, deliver, check };
        return () => {
          sa.pending = undefined;
        };
      })
      .catch((e: unknown) => {
        if (e instanceof TransportError) throw new IkeInitiatorError(e.code === 'TIMEOUT' ? 'TIMEOUT' : 'CLOSED', e.message, name);
        throw e;
      });
  }
}

/** s2.21: error Notifies in an answer end the exchange (status types are informational). */
function failOnErrorNotify(payloads: readonly IkePayload[], exchange: string): void {
  const n = payloads.find((x) => x.type === PayloadType.Notify && isErrorNotify(x.notifyType));
  if (n && n.type === PayloadType.Notify) {
    const code = n.notifyType === NotifyType.NO_PROPOSAL_CHOSEN ? 'PROPOSAL' : n.notifyType === NotifyType.AUTHENTICATION_FAILED ? 'AUTH' : 'NOTIFY';
    throw new IkeInitiatorError(code, `responder sent ${notifyTypeName(n.notifyType) ?? n.notifyType}`, exchange);
  }
}

function anyV4() {
  return { tsType: TsType.TS_IPV4_ADDR_RANGE, ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: Uint8Array.of(0, 0, 0, 0), endAddress: Uint8Array.of(255, 255, 255, 255) } as const;
}

function hostV4(address: string) {
  const a = Uint8Array.from(address.split('.').map(Number));
  return { tsType: TsType.TS_IPV4_ADDR_RANGE, ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: a, endAddress: a } as const;
}
