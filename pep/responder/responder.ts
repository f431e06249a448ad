/**
 * The IKEv2 responder (RFC 7296): the IKE SA table, the message-ID window, dispatch of requests
 * to the exchanges, cookies against half-open floods, and the answers RFC 7296 prescribes for
 * bad input. Sockets live in pep/daemon; this class is fed datagrams and calls `send`.
 *
 *   datagram --header--> IKE_SA_INIT with SPIr = 0 ------------------> ike-sa-init.ts
 *            \--------> SA by SPIr --window (2.1-2.3)--> SK (3.14) --> ike-auth.ts
 *                                 \--> SKF (RFC 7383) --reassembled--/   (ike-fragmentation.ts)
 *                                                                  \-> informational.ts
 *                                                                  \-> create-child-sa.ts
 *
 * Bad input (RFC 7296 2.21): a message that does not decode before authentication is dropped
 * (2.21.1 "... MUST NOT ... respond"), except an IKE_SA_INIT request, which gets INVALID_SYNTAX or
 * UNSUPPORTED_CRITICAL_PAYLOAD (the data naming the payload type, 3.10.1); an SK payload that fails
 * its integrity check is dropped silently (2.21.2); after it verifies, a malformed inner chain gets
 * a protected INVALID_SYNTAX. Unknown SPIs: dropped (2.21.4 allows an INVALID_IKE_SPI notify; like
 * strongSwan we stay silent). Every drop is logged with its reason.
 *
 * RFC 7383: on an SA that negotiated IKEV2_FRAGMENTATION_SUPPORTED, SKF fragments are checked one
 * by one (ICV), reassembled within bounds (count, size, timeout) and then processed like an SK
 * message; our responses above `fragmentSize` (strongSwan's fragment_size, 1280) go out as SKF
 * fragments, all cached for retransmission.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ExchangeType, NotifyType, PayloadType } from '../ike/constants.js';
import { IkeDecodeError } from '../ike/errors.js';
import { decodeIkeHeader, type IkeHeader } from '../ike/header.js';
import { decodeIkeMessage, encodeIkeMessage } from '../ike/message.js';
import type { PeerConfig } from '../config/peer-config.js';
import type { CryptoService } from '../crypto/crypto-service.js';
import type { RadiusServerPool } from '../radius-relay/server-pool.js';
import type { Endpoint } from '../daemon/udp-transport.js';
import { CookieJar } from './cookies.js';
import { IkeSa } from './ike-sa.js';
import { handleIkeSaInit } from './ike-sa-init.js';
import { handleIkeAuth } from './ike-auth.js';
import { handleInformational, buildDeleteIke } from './informational.js';
import { handleCreateChildSa } from './create-child-sa.js';
import { notify, type IkePayload } from './payload-types.js';
import { protect, unprotect, SkError } from './sk-payload.js';
import type { ChildSa } from './child-sa.js';
import type { Identity } from '../config/identity.js';
import { TrustStore } from './trust-store.js';
import {
  DEFAULT_FRAGMENT_LIMITS, findPayloadOffset, fragmentMessage, FragmentReassembly, maxMessageLength, openFragment, readFragment,
  type FragmentLimits,
} from './ike-fragmentation.js';

/** The subset of a pino Logger the responder uses. */
export interface ResponderLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Virtual IPs for CP (RFC 7296 3.15). */
export interface VirtualIpProvider {
  acquire(config: PeerConfig, identity: string, requested?: string): Promise<{ pool: string; address: string } | undefined>;
  release(pool: string, address: string): Promise<void>;
}

/** Installs and removes CHILD_SAs in the data path (pep/kernel). */
export interface ChildInstaller {
  install(ike: IkeSa, child: ChildSa): Promise<void>;
  uninstall(ike: IkeSa, child: ChildSa): Promise<void>;
  usage?(child: ChildSa): Promise<{ bytesIn: number; packetsIn: number; bytesOut: number; packetsOut: number }>;
}

/** Our signing credential for leftauth=pubkey. */
export interface LocalCredential {
  /** DER certificate(s), end entity first. */
  readonly certs: readonly Buffer[];
  /** PEM or DER PKCS#8 private key, or a KeyObject accepted by pep/crypto. */
  readonly privateKey: unknown;
  readonly keyType: 'rsa' | 'ecdsa-256' | 'ecdsa-384' | 'ecdsa-521';
}

export interface ResponderOptions {
  readonly configs: readonly PeerConfig[];
  readonly crypto: CryptoService;
  readonly log: ResponderLogger;
  readonly send: (packet: Buffer, local: Endpoint, remote: Endpoint, natt: boolean) => void;
  /** PSK lookup (ipsec.secrets), by our configured identity and the peer's. */
  readonly psk?: (local: Identity | undefined, remote: Identity) => Buffer | undefined;
  readonly credential?: (config: PeerConfig) => LocalCredential | undefined;
  readonly radius?: RadiusServerPool;
  /** RADIUS NAS-Identifier and whether Filter-Id gives groups (pep.yaml radius.nasIdentifier / filterId). */
  readonly radiusOptions?: { readonly nasIdentifier?: string; readonly filterId?: boolean };
  readonly vips?: VirtualIpProvider;
  readonly installer?: ChildInstaller;
  /** CP attributes handed out with the virtual IP. */
  readonly dns?: readonly string[];
  readonly splitInclude?: readonly string[];
  readonly cookieThreshold?: number;
  /** Half-open IKE_SAs beyond this are refused outright (memory bound). */
  readonly maxHalfOpen?: number;
  /** A half-open SA is forgotten after this (default 30 s); so is an SA stuck in IKE_AUTH (120 s). */
  readonly halfOpenTimeoutMs?: number;
  /** Our requests' retransmission: first timeout (default 4000 ms, back-off 1.8) and tries (5), as charon. */
  readonly retransmitBaseMs?: number;
  readonly retransmitTries?: number;
  readonly maxSas?: number;
  /** CA certificates trusted for rightauth=pubkey (ipsec.d/cacerts: TrustStore.fromDirectory). */
  readonly trustAnchors?: TrustStore;
  /** strongSwan's charon.fragment_size: largest IP datagram of an IKE message we send (default 1280). */
  readonly fragmentSize?: number;
  /** Bounds on reassembling the peer's fragments (RFC 7383). */
  readonly fragmentLimits?: Partial<FragmentLimits>;
  readonly now?: () => number;
  readonly random?: (n: number) => Buffer;
  readonly onEvent?: (e: ResponderEvent) => void;
}

export type ResponderEvent =
  | { readonly type: 'ike-established'; readonly sa: IkeSa }
  | { readonly type: 'ike-deleted'; readonly sa: IkeSa; readonly reason: string }
  | { readonly type: 'config-switched'; readonly sa: IkeSa; readonly from: string; readonly to: string }
  | { readonly type: 'child-installed'; readonly sa: IkeSa; readonly child: ChildSa }
  | { readonly type: 'dropped'; readonly reason: string; readonly remote: Endpoint };

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export class IkeResponder {
  readonly o: ResponderOptions;
  readonly log: ResponderLogger;
  readonly now: () => number;
  readonly random: (n: number) => Buffer;
  readonly cookies: CookieJar;
  /** The CAs trusted for peers' certificates; replaceable (a reload of ipsec.d/cacerts). */
  trustStore: TrustStore;
  readonly fragmentLimits: FragmentLimits;
  /** Established and connecting SAs by our SPI. */
  readonly sas = new Map<string, IkeSa>();
  /** Half-open SAs by "SPIi|peer address:port" (counted for cookies). */
  readonly halfOpen = new Map<string, IkeSa>();
  /** Every SA by "SPIi|peer address:port", to answer IKE_SA_INIT retransmissions (also after IKE_AUTH began). */
  readonly initIndex = new Map<string, IkeSa>();
  #nextUniqueId = 1;
  #nextReqid = 1;
  #nextChildId = 1;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: ResponderOptions) {
    this.o = o;
    this.log = o.log;
    this.now = o.now ?? Date.now;
    this.random = o.random ?? randomBytes;
    this.cookies = new CookieJar({ threshold: o.cookieThreshold ?? 10, now: this.now });
    this.trustStore = o.trustAnchors ?? new TrustStore();
    this.fragmentLimits = { ...DEFAULT_FRAGMENT_LIMITS, ...o.fragmentLimits };
  }

  /** Starts the housekeeping timer (half-open expiry). */
  start(intervalMs = 1000): void {
    this.#timer ??= setInterval(() => this.expire(), intervalMs);
    this.#timer.unref?.();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const sa of [...this.sas.values()]) await this.deleteSa(sa, 'shutdown', true);
  }

  nextUniqueId(): number {
    return this.#nextUniqueId++;
  }
  nextReqid(): number {
    return this.#nextReqid++;
  }
  nextChildId(): number {
    return this.#nextChildId++;
  }

  /** IKE_SA_INIT requests between the cookie check and their SA's creation (DH runs off-thread). */
  initsInProgress = 0;

  /** Half-open IKE_SAs, counting those being created right now (a burst must not slip past the cookie check). */
  get halfOpenCount(): number {
    return this.halfOpen.size + this.initsInProgress;
  }

  /** One UDP datagram carrying an IKE message (non-ESP marker already removed). */
  async receive(data: Buffer, local: Endpoint, remote: Endpoint, natt: boolean): Promise<void> {
    let header: IkeHeader;
    try {
      header = decodeIkeHeader(data);
    } catch {
      return this.drop('datagram shorter than the IKE header', remote);
    }
    if (header.length !== data.length) {
      if (header.length > data.length || header.length < 28) return this.drop(`IKE Length ${header.length} but ${data.length} octets received`, remote);
      data = data.subarray(0, header.length);
    }
    if (header.response) return this.#response(header, data, remote);
    if (header.exchangeType === ExchangeType.IKE_SA_INIT && Buffer.from(header.responderSpi).every((b) => b === 0)) {
      return handleIkeSaInit(this, header, data, local, remote, natt);
    }
    const sa = this.sas.get(hex(header.responderSpi));
    if (!sa || Buffer.compare(sa.spiI, Buffer.from(header.initiatorSpi)) !== 0) {
      return this.drop(`no IKE_SA for SPIs ${hex(header.initiatorSpi)}_i ${hex(header.responderSpi)}_r`, remote);
    }
    if (!header.initiator) return this.drop('request without the Initiator flag', remote);
    if (header.exchangeType === ExchangeType.IKE_SA_INIT) {
      // A retransmitted IKE_SA_INIT that already carries our SPI: answer from the window.
      const v = sa.window.check(0);
      if (v.kind === 'retransmit') for (const p of v.packets) this.o.send(p, sa.local, sa.remote, sa.natt);
      return;
    }
    if (header.nextPayload === PayloadType.SKF || (header.nextPayload !== PayloadType.SK && findPayloadOffset(data, header.nextPayload, PayloadType.SKF) !== undefined)) {
      return this.#receiveFragment(sa, header, data, local, remote, natt);
    }
    const fingerprint = createHash('sha1').update(data).digest('hex');
    const verdict = sa.window.check(header.messageId, fingerprint);
    if (verdict.kind === 'retransmit') {
      this.log.debug({ event: 'ike.retransmit', sa: sa.label, messageId: header.messageId }, `received retransmit of request with ID ${header.messageId}, retransmitting response`);
      for (const p of verdict.packets) this.o.send(p, sa.local, sa.remote, sa.natt);
      return;
    }
    if (verdict.kind === 'in-progress') return;
    if (verdict.kind === 'drop') return this.drop(verdict.reason, remote);

    // Before the integrity check nothing in the message is trusted.
    let payloads: IkePayload[];
    try {
      const msg = decodeIkeMessage(data);
      payloads = unprotect(data, msg.header.nextPayload, sa.inbound);
    } catch (error) {
      if (error instanceof SkError && error.code === 'INTEGRITY') return this.drop(`message ${header.messageId} failed the integrity check`, remote);
      if (error instanceof IkeDecodeError) {
        // Only reachable after the ICV verified (inner chain) or for a malformed outer chain.
        return this.#protectedError(sa, header, error);
      }
      return this.drop(`message ${header.messageId}: ${(error as Error).message}`, remote);
    }
    sa.lastInbound = this.now();
    // RFC 7296 2.23: after the switch to port 4500 the peer's (possibly new) port is used.
    if (natt && !sa.natt) sa.natt = true;
    if (natt) sa.remote = remote;
    sa.local = local;

    sa.window.begin(fingerprint);
    return this.#process(sa, header, payloads, local, remote);
  }

  /** A request whose SK verified (or whose fragments were all reassembled): the exchange runs. */
  async #process(sa: IkeSa, header: IkeHeader, payloads: IkePayload[], local: Endpoint, remote: Endpoint): Promise<void> {
    let answer: IkePayload[] | undefined;
    try {
      switch (header.exchangeType) {
        case ExchangeType.IKE_AUTH:
          answer = await handleIkeAuth(this, sa, header, payloads);
          break;
        case ExchangeType.INFORMATIONAL:
          answer = await handleInformational(this, sa, payloads);
          break;
        case ExchangeType.CREATE_CHILD_SA:
          answer = await handleCreateChildSa(this, sa, payloads);
          break;
        default:
          sa.window.abort();
          return this.drop(`exchange type ${header.exchangeType} not handled`, remote);
      }
    } catch (error) {
      this.log.error({ event: 'ike.error', sa: sa.label, error: (error as Error).message, stack: (error as Error).stack }, `processing ${header.exchangeType} request failed: ${(error as Error).message}`);
      answer = [notify(NotifyType.INVALID_SYNTAX)];
    }
    const packets = this.protectOut(sa, this.responseHeader(sa, header), answer ?? []);
    sa.window.complete(packets);
    for (const packet of packets) this.o.send(packet, sa.local, sa.remote, sa.natt);
    if (sa.state === 'DELETING') await this.deleteSa(sa, 'deleted', false);
  }

  /**
   * One SKF fragment (RFC 7383 2.6): checked on its own (ICV), collected per Message ID, and the
   * reassembled request processed like an unfragmented one. Fragments are accepted only on an SA
   * that negotiated fragmentation in IKE_SA_INIT.
   */
  async #receiveFragment(sa: IkeSa, header: IkeHeader, data: Buffer, local: Endpoint, remote: Endpoint, natt: boolean): Promise<void> {
    const frag = readFragment(data, header.nextPayload, header.messageId);
    if (!frag) return this.drop(`malformed Encrypted Fragment payload in message ${header.messageId}`, remote);
    if (!sa.fragmentation) return this.drop(`fragment of message ${header.messageId} but IKE fragmentation was not negotiated`, remote);
    const verdict = sa.window.check(header.messageId);
    if (verdict.kind === 'retransmit') {
      // RFC 7383 2.6.1: the response is retransmitted once per retransmitted request, on receiving its
      // fragment number 1 (and only once that fragment verified: no amplification for forgeries).
      if (frag.fragmentNumber === 1 && openFragment(frag, sa.inbound)) {
        this.log.debug({ event: 'ike.retransmit', sa: sa.label, messageId: header.messageId }, `received retransmit of request with ID ${header.messageId}, retransmitting response`);
        for (const p of verdict.packets) this.o.send(p, sa.local, sa.remote, sa.natt);
      }
      return;
    }
    if (verdict.kind === 'in-progress') return;
    if (verdict.kind === 'drop') return this.drop(verdict.reason, remote);
    const now = this.now();
    if (sa.reassembly?.expired(now)) {
      this.log.info({ event: 'ike.fragment-timeout', sa: sa.label, messageId: sa.reassembly.messageId }, `reassembly of fragmented message ${sa.reassembly.messageId} timed out, ${sa.reassembly.received} fragments discarded`);
      sa.reassembly = undefined;
    }
    if (!sa.reassembly || sa.reassembly.messageId !== header.messageId) sa.reassembly = new FragmentReassembly(header.messageId, this.fragmentLimits, now);
    let result: ReturnType<FragmentReassembly['add']>;
    try {
      result = sa.reassembly.add(frag, sa.inbound, now);
    } catch (error) {
      sa.reassembly = undefined;
      if (error instanceof IkeDecodeError) return this.#protectedError(sa, header, error);
      throw error;
    }
    if (result.kind === 'dropped') {
      // Over a bound: the whole reassembly goes (memory), the peer retransmits or gives up.
      if (!result.integrity && /exceed|above/.test(result.reason)) sa.reassembly = undefined;
      return this.drop(result.reason, remote);
    }
    sa.lastInbound = now;
    if (result.kind === 'incomplete') {
      this.log.debug({ event: 'ike.fragment', sa: sa.label, messageId: header.messageId, fragment: frag.fragmentNumber, total: result.total }, `received fragment #${frag.fragmentNumber} of ${result.total}, waiting for complete IKE message`);
      return;
    }
    sa.reassembly = undefined;
    this.log.info({ event: 'ike.reassembled', sa: sa.label, messageId: header.messageId, fragments: result.total, size: result.size }, `received fragment #${frag.fragmentNumber} of ${result.total}, reassembled fragmented IKE message (${result.size} bytes)`);
    if (natt && !sa.natt) sa.natt = true;
    if (natt) sa.remote = remote;
    sa.local = local;
    sa.window.begin();
    return this.#process(sa, header, result.payloads, local, remote);
  }

  /**
   * Our protected message: one SK message, or SKF fragments when fragmentation was negotiated and
   * the message exceeds strongSwan's fragment_size (RFC 7383 2.5; "splitting IKE message").
   */
  protectOut(sa: IkeSa, h: ReturnType<IkeResponder['responseHeader']>, payloads: readonly IkePayload[]): Buffer[] {
    const packet = protect(h, payloads, sa.outbound);
    if (!sa.fragmentation) return [packet];
    const max = maxMessageLength(this.o.fragmentSize ?? 1280, sa.remote.address.includes(':'), sa.natt);
    if (packet.length <= max) return [packet];
    const fragments = fragmentMessage(h, payloads, sa.outbound, max);
    this.log.info({ event: 'ike.fragmented', sa: sa.label, messageId: h.messageId, size: packet.length, fragments: fragments.length }, `splitting IKE message (${packet.length} bytes) into ${fragments.length} fragments`);
    return fragments;
  }

  responseHeader(sa: IkeSa, h: IkeHeader) {
    return { initiatorSpi: sa.spiI, responderSpi: sa.spiR, exchangeType: h.exchangeType, initiator: false, response: true, messageId: h.messageId };
  }

  /** Answers an unencrypted error notify to an IKE_SA_INIT request (no state kept). */
  sendPlainError(h: IkeHeader, notifyType: number, data: Uint8Array, local: Endpoint, remote: Endpoint, natt: boolean, responderSpi = Buffer.alloc(8)): void {
    const packet = encodeIkeMessage(
      { initiatorSpi: h.initiatorSpi, responderSpi, exchangeType: h.exchangeType, initiator: false, response: true, messageId: h.messageId },
      [notify(notifyType, data)],
    );
    this.o.send(packet, local, remote, natt);
  }

  #protectedError(sa: IkeSa, h: IkeHeader, error: IkeDecodeError): void {
    const critical = error.code === 'UNSUPPORTED_CRITICAL_PAYLOAD';
    const type = critical ? NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD : NotifyType.INVALID_SYNTAX;
    const data = critical ? Buffer.from([error.payloadType ?? 0]) : Buffer.alloc(0);
    this.log.warn({ event: 'ike.malformed', sa: sa.label, code: error.code, offset: error.offset }, `message ${h.messageId} malformed (${error.code} at ${error.offset}), answering ${critical ? 'UNSUPPORTED_CRITICAL_PAYLOAD' : 'INVALID_SYNTAX'}`);
    sa.window.begin();
    const packet = protect(this.responseHeader(sa, h), [notify(type, data)], sa.outbound);
    sa.window.complete([packet]);
    this.o.send(packet, sa.local, sa.remote, sa.natt);
  }

  #response(h: IkeHeader, data: Buffer, remote: Endpoint): void {
    const sa = this.sas.get(hex(h.responderSpi));
    if (!sa) return this.drop('response for an unknown IKE_SA', remote);
    // RFC 7296 2.3: a response is only accepted for the request outstanding.
    if (!sa.pendingRequest || sa.pendingRequest.messageId !== h.messageId) return this.drop(`unexpected response ${h.messageId}`, remote);
    try {
      const msg = decodeIkeMessage(data);
      unprotect(data, msg.header.nextPayload, sa.inbound);
    } catch {
      return this.drop('response failed the integrity check', remote);
    }
    sa.lastInbound = this.now();
    sa.pendingRequest = undefined;
    this.log.debug({ event: 'ike.response', sa: sa.label, messageId: h.messageId }, `received INFORMATIONAL response ${h.messageId}`);
  }

  /**
   * Liveness checks (RFC 7296 2.4, strongSwan's dpddelay/dpdaction): after `dpddelay` without
   * anything from the peer, an empty INFORMATIONAL request; retransmitted with back-off
   * (strongSwan: 4 s * 1.8^n, 5 tries); no answer means the peer is gone: the IKE_SA and its
   * CHILD_SAs are removed ("If the peer does not respond, the IKE SA MUST be deleted" ... 2.4).
   */
  #liveness(sa: IkeSa, now: number): void {
    const p = sa.pendingRequest;
    if (p) {
      const timeout = (this.o.retransmitBaseMs ?? 4000) * 1.8 ** p.tries;
      if (now - p.sentAt < timeout) return;
      if (p.tries >= (this.o.retransmitTries ?? 5)) {
        this.log.info({ event: 'ike.peer-dead', sa: sa.label, tries: p.tries }, `giving up after ${p.tries} retransmits, peer of IKE_SA ${sa.label} is not responding`);
        void this.deleteSa(sa, 'peer not responding', false);
        return;
      }
      p.tries++;
      p.sentAt = now;
      this.log.debug({ event: 'ike.retransmit-request', sa: sa.label, messageId: p.messageId, tries: p.tries }, `retransmit ${p.tries} of request with message ID ${p.messageId}`);
      this.o.send(p.packet, sa.local, sa.remote, sa.natt);
      return;
    }
    // ipsec.conf: liveness checks only with dpdaction=clear|hold|restart (dpddelay is the interval).
    const delay = sa.config && sa.config.dpdAction !== 'none' ? sa.config.dpdDelaySeconds * 1000 : 0;
    if (sa.state !== 'ESTABLISHED' || delay <= 0 || now - sa.lastInbound < delay) return;
    this.log.debug({ event: 'ike.dpd', sa: sa.label }, `sending DPD request for IKE_SA ${sa.label}`);
    this.sendRequest(sa, ExchangeType.INFORMATIONAL, [], 'liveness');
  }

  drop(reason: string, remote: Endpoint): void {
    this.log.debug({ event: 'ike.dropped', reason, remote: `${remote.address}[${remote.port}]` }, `dropped message from ${remote.address}[${remote.port}]: ${reason}`);
    this.o.onEvent?.({ type: 'dropped', reason, remote });
  }

  /** Forgets half-open SAs that never completed, and SAs stuck in IKE_AUTH. */
  expire(): void {
    const now = this.now();
    const limit = this.o.halfOpenTimeoutMs ?? 30_000;
    for (const [key, sa] of this.halfOpen) {
      if (now - sa.createdAt > limit) {
        this.halfOpen.delete(key);
        if (sa.state === 'CONNECTING' && !sa.config) {
          this.sas.delete(hex(sa.spiR));
          this.initIndex.delete(key);
          sa.state = 'DELETED';
        }
      }
    }
    for (const sa of [...this.sas.values()]) {
      if (sa.reassembly?.expired(now)) {
        this.log.info({ event: 'ike.fragment-timeout', sa: sa.label, messageId: sa.reassembly.messageId }, `reassembly of fragmented message ${sa.reassembly.messageId} timed out, ${sa.reassembly.received} fragments discarded`);
        sa.reassembly = undefined;
      }
      if (sa.state === 'CONNECTING' && now - sa.createdAt > 4 * limit) void this.deleteSa(sa, 'IKE_AUTH not completed in time', false);
      else if (sa.state === 'ESTABLISHED') this.#liveness(sa, now);
    }
  }

  /** Removes an SA: CHILD_SAs from the data path, virtual IPs back to the pool. */
  async deleteSa(sa: IkeSa, reason: string, notifyPeer: boolean): Promise<void> {
    if (sa.state === 'DELETED') return;
    if (notifyPeer && sa.state === 'ESTABLISHED') {
      const packet = protect(
        { initiatorSpi: sa.spiI, responderSpi: sa.spiR, exchangeType: ExchangeType.INFORMATIONAL, initiator: false, response: false, messageId: sa.nextRequestId++ },
        buildDeleteIke(),
        sa.outbound,
      );
      this.o.send(packet, sa.local, sa.remote, sa.natt);
    }
    sa.state = 'DELETED';
    this.sas.delete(hex(sa.spiR));
    if (sa.initKey && this.halfOpen.get(sa.initKey) === sa) this.halfOpen.delete(sa.initKey);
    if (sa.initKey && this.initIndex.get(sa.initKey) === sa) this.initIndex.delete(sa.initKey);
    for (const child of sa.children) {
      if (child.state === 'INSTALLED') await this.o.installer?.uninstall(sa, child).catch(() => undefined);
      child.state = 'DELETED';
    }
    for (const vip of sa.vips) if (sa.vipPool) await this.o.vips?.release(sa.vipPool, vip).catch(() => undefined);
    if (sa.establishedAt !== undefined) {
      this.log.info({ event: 'ike.deleted', sa: sa.label, reason }, `IKE_SA ${sa.label} deleted (${reason})`);
    }
    this.o.onEvent?.({ type: 'ike-deleted', sa, reason });
  }

  /** Sends a protected request we initiate (liveness check); retransmitted by #liveness until answered. */
  sendRequest(sa: IkeSa, exchangeType: number, payloads: IkePayload[], purpose: 'liveness' | 'delete'): void {
    if (sa.pendingRequest) return; // window size 1
    const messageId = sa.nextRequestId++;
    const packet = protect({ initiatorSpi: sa.spiI, responderSpi: sa.spiR, exchangeType, initiator: false, response: false, messageId }, payloads, sa.outbound);
    sa.pendingRequest = { messageId, packet, sentAt: this.now(), tries: 0, purpose };
    this.o.send(packet, sa.local, sa.remote, sa.natt);
  }

  /** Every SA, for status. */
  list(): IkeSa[] {
    return [...this.sas.values()].filter((s) => s.state !== 'DELETED').sort((a, b) => a.uniqueId - b.uniqueId);
  }

  payloadTypeName(t: number): string {
    return Object.entries(PayloadType).find(([, v]) => v === t)?.[0] ?? String(t);
  }
}
