/**
 * EAP-TTLSv0 peer (supplicant), RFC 5281, behaving like wpa_supplicant's eap_ttls.c:
 *
 * - The Start Request (S flag) opens a TLS client over an in-memory transport; the server
 *   certificate is verified against the configured CA and server name.
 * - Fragments are acknowledged with empty Responses; long messages go out fragmented (L on the first).
 * - When the handshake completes and TLS has nothing left to send (TLS 1.2: after the server's
 *   Finished), phase 2 starts in the same Response. With TLS 1.3 the client Finished goes out alone
 *   and phase 2 starts on the next Request, whether it carries NewSessionTickets or nothing.
 * - Phase 2 'eap': an EAP-Response/Identity (Identifier 0) in an EAP-Message AVP, then the inner
 *   EAP conversation (default MD5-Challenge). Phase 2 'pap': User-Name and NUL-padded User-Password.
 *   An EAP-Message after PAP is served by the inner EAP peer too (EAP-TNC/PT-EAP after PAP).
 * - A TLS 1.3 application-data octet 0x00 (RFC 9427/9190 protected success indication) is
 *   acknowledged with an empty Response.
 * - MSK/EMSK are derived as the server does (keys.ts).
 */
import { EapDecodeError } from '../errors.js';
import { EapType, type EapPacket } from '../packet.js';
import { AvpCode, decodeAvps, eapMessageAvp, encodeAvps } from '../ttls/avp.js';
import { DEFAULT_MAX_MESSAGE_LENGTH, decodeTtlsFrame, emptyTtlsFrame, isTtlsAck } from '../ttls/flags.js';
import { DEFAULT_FRAGMENT_SIZE, TtlsReassembler, TtlsSender, checkFragmentSize } from '../ttls/fragment.js';
import { deriveTtlsKeys, type Tls13KeyDerivation } from '../ttls/keys.js';
import { papAvps } from '../ttls/phase2.js';
import { TlsTunnel, type TlsClientConfig } from '../ttls/tls-tunnel.js';
import { EapPeer } from './eap-peer.js';
import { md5ChallengePeer } from './md5-peer.js';
import type { PeerContext, PeerKeys, PeerMethod, PeerMethodFactory, PeerMethodOutput } from './peer-method.js';

export interface TtlsPeerOptions {
  readonly tls: TlsClientConfig;
  /** Identity inside the tunnel (default: the outer identity). */
  readonly innerIdentity?: string;
  readonly password: string;
  /** Phase 2 authentication (default 'eap'). */
  readonly phase2?: 'eap' | 'pap';
  /** Inner EAP methods (default [MD5-Challenge with `password`]). */
  readonly innerMethods?: readonly PeerMethodFactory[];
  readonly fragmentSize?: number;
  readonly maxMessageLength?: number;
  readonly tls13KeyDerivation?: Tls13KeyDerivation;
}

export function ttlsPeerMethod(options: TtlsPeerOptions): PeerMethodFactory {
  checkFragmentSize(options.fragmentSize ?? DEFAULT_FRAGMENT_SIZE);
  return { type: EapType.TTLS, name: 'TTLS', create: (ctx) => new TtlsPeer(ctx, options) };
}

type State = 'start' | 'handshake' | 'phase2' | 'failed';

export class TtlsPeer implements PeerMethod {
  readonly type = EapType.TTLS;
  readonly #options: TtlsPeerOptions;
  readonly #innerIdentity: string;
  readonly #reassembler: TtlsReassembler;
  #state: State = 'start';
  #tunnel: TlsTunnel | undefined;
  #sender: TtlsSender | undefined;
  #keys: PeerKeys | undefined;
  #phase2Started = false;
  #papSent = false;
  #inner: EapPeer | undefined;
  #version = '';

  constructor(context: PeerContext, options: TtlsPeerOptions) {
    this.#options = options;
    this.#innerIdentity = options.innerIdentity ?? context.identity;
    this.#reassembler = new TtlsReassembler(options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH);
  }

  get successAllowed(): boolean {
    if (this.#state !== 'phase2' || !this.#phase2Started) return false;
    if (this.#inner) return this.#inner.successAllowed;
    return this.#papSent;
  }

  get keys(): PeerKeys | undefined {
    return this.#keys;
  }

  /** 'TLSv1.2' / 'TLSv1.3' once the handshake is done. */
  get tlsVersion(): string {
    return this.#version;
  }

  async process(request: EapPacket): Promise<PeerMethodOutput> {
    if (this.#state === 'failed') return this.#fail('ttls-failed');
    let message: Buffer | undefined;
    try {
      const frame = decodeTtlsFrame(request.data, { maxMessageLength: this.#options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH });
      if (this.#state === 'start') {
        if (!frame.start) return this.#fail('ttls-expected-start');
        return this.#open();
      }
      if (frame.start) return this.#fail('ttls-unexpected-start');
      if (this.#sender?.pending) {
        if (!isTtlsAck(frame)) return this.#fail('ttls-expected-ack');
        return this.#response(this.#sender.next());
      }
      this.#sender = undefined;
      message = this.#reassembler.push(frame);
    } catch (e) {
      if (e instanceof EapDecodeError) return this.#fail(e.code);
      throw e;
    }
    if (message === undefined) return this.#response(emptyTtlsFrame(false));
    return this.#state === 'handshake' ? this.#handshake(message) : this.#phase2(message);
  }

  close(): void {
    this.#tunnel?.close();
    this.#inner?.close();
  }

  async #open(): Promise<PeerMethodOutput> {
    this.#tunnel = TlsTunnel.client({ ...this.#options.tls, maxPlaintext: this.#options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH });
    const step = await this.#tunnel.start();
    if (step.error) return this.#fail(`tls-${step.error}`);
    this.#state = 'handshake';
    return this.#send(step.output);
  }

  async #handshake(message: Buffer): Promise<PeerMethodOutput> {
    const tunnel = this.#tunnel!;
    const step = await tunnel.feed(message);
    if (step.error) return this.#fail(`tls-${step.error}`);
    if (!step.established) {
      if (step.output.length === 0) return this.#fail('tls-stalled');
      return this.#send(step.output);
    }
    this.#version = tunnel.version ?? '';
    this.#keys = deriveTtlsKeys(tunnel, this.#version, this.#options.tls13KeyDerivation ?? 'rfc9427');
    this.#state = 'phase2';
    if (step.plaintext.length > 0) return this.#applicationData(step.plaintext, step.output);
    if (step.output.length > 0) return this.#send(step.output); // TLS 1.3: our Finished first
    return this.#startPhase2(Buffer.alloc(0));
  }

  async #phase2(message: Buffer): Promise<PeerMethodOutput> {
    const step = await this.#tunnel!.feed(message);
    if (step.error) return this.#fail(`tls-${step.error}`);
    return this.#applicationData(step.plaintext, step.output);
  }

  async #applicationData(plaintext: Buffer, pending: Buffer): Promise<PeerMethodOutput> {
    if (plaintext.length === 0) {
      // No application data (NewSessionTickets, or an empty Request): our turn to start phase 2.
      if (!this.#phase2Started) return this.#startPhase2(pending);
      return this.#send(pending);
    }
    if (this.#version === 'TLSv1.3' && plaintext.length === 1 && plaintext[0] === 0) {
      return this.#send(pending); // protected success indication: acknowledge
    }
    this.#phase2Started = true; // the server may open phase 2 itself (inner EAP-Request/Identity)
    let eap: Buffer;
    try {
      const avps = decodeAvps(plaintext);
      const parts = avps.filter((a) => a.vendorId === undefined && a.code === AvpCode.EapMessage).map((a) => a.data);
      if (parts.length === 0) return this.#fail('ttls-unexpected-phase2-data');
      eap = Buffer.concat(parts);
    } catch (e) {
      if (e instanceof EapDecodeError) return this.#fail(e.code);
      throw e;
    }
    const inner = this.#innerPeer();
    const step = await inner.receive(eap);
    if (step.kind !== 'response') return this.#fail(`inner-${step.kind === 'discard' || step.kind === 'failure' ? step.reason : 'success'}`);
    return this.#encrypt(encodeAvps([eapMessageAvp(step.eap)]), pending);
  }

  async #startPhase2(pending: Buffer): Promise<PeerMethodOutput> {
    this.#phase2Started = true;
    if (this.#options.phase2 === 'pap') {
      this.#papSent = true;
      return this.#encrypt(papAvps(this.#innerIdentity, this.#options.password), pending);
    }
    // wpa_supplicant answers an implicit Request/Identity with Identifier 0.
    return this.#encrypt(encodeAvps([eapMessageAvp(this.#innerPeer().identityResponse(0))]), pending);
  }

  #innerPeer(): EapPeer {
    this.#inner ??= new EapPeer({
      identity: this.#innerIdentity,
      methods: this.#options.innerMethods ?? [md5ChallengePeer(this.#options.password)],
    });
    return this.#inner;
  }

  async #encrypt(plaintext: Buffer, pending: Buffer): Promise<PeerMethodOutput> {
    const step = await this.#tunnel!.send(plaintext);
    if (step.error) return this.#fail(`tls-${step.error}`);
    return this.#send(Buffer.concat([pending, step.output]));
  }

  #send(records: Buffer): PeerMethodOutput {
    this.#sender = new TtlsSender(records, this.#options.fragmentSize ?? DEFAULT_FRAGMENT_SIZE);
    return this.#response(this.#sender.next());
  }

  #response(data: Buffer): PeerMethodOutput {
    return { kind: 'response', type: this.type, data };
  }

  #fail(reason: string): PeerMethodOutput {
    this.#state = 'failed';
    return { kind: 'failure', reason };
  }
}
