/**
 * EAP-TTLSv0 server method, RFC 5281.
 *
 *   Request  TTLS/Start (S, version 0)                         RFC 5281 section 9.2.1
 *   Response ClientHello                     ┐
 *   Request  ServerHello ... (fragments, L+M) │ phase 1: the TLS handshake; every fragment is
 *   Response ACK (empty)                      │ acknowledged by an empty TTLS packet
 *   ...                                       ┘
 *   Request  last handshake flight (TLS 1.2: CCS+Finished; TLS 1.3: NewSessionTickets or empty)
 *   Response phase 2 AVPs (the client speaks first, section 7.4)  ┐ phase 2: the tunnel
 *   Request  AVPs ...                                              ┘ application (phase2.ts)
 *   -> method success with MSK/EMSK (keys.ts); the authenticator sends EAP-Success.
 *
 * TLS 1.3 (RFC 9427): TTLS sends no protected success indication (0x00 application data is an
 * EAP-TLS thing; hostapd sends it for TTLS only on resumption, which is not offered here). Success
 * is signalled by the outer EAP-Success after phase 2. A client that puts phase-2 data in the same
 * message as its Finished is served too.
 */
import { EapDecodeError } from '../errors.js';
import { type EapMethod, type EapMethodFactory, type MethodContext, type MethodOutput, failure, request } from '../method.js';
import { EapType, type EapPacket } from '../packet.js';
import { DEFAULT_MAX_MESSAGE_LENGTH, decodeTtlsFrame, emptyTtlsFrame, isTtlsAck } from './flags.js';
import { DEFAULT_FRAGMENT_SIZE, TtlsReassembler, TtlsSender, checkFragmentSize } from './fragment.js';
import { deriveTtlsKeys, type Tls13KeyDerivation, type TtlsKeys } from './keys.js';
import { ttlsPhase2, type TtlsPhase2Options } from './phase2.js';
import { TlsTunnel, createServerContext, type TlsServerConfig } from './tls-tunnel.js';
import type { TunnelApplication, TunnelApplicationFactory, TunnelAppOutput } from './tunnel-application.js';
import type tls from 'node:tls';

export interface TtlsServerOptions {
  readonly tls: TlsServerConfig;
  /** TLS data octets per EAP packet (default 1024, FreeRADIUS's fragment_size). */
  readonly fragmentSize?: number;
  /** Bound on a reassembled TLS message (default 64 KiB). */
  readonly maxMessageLength?: number;
  /** EAP rounds allowed until the handshake completes, ACKs included (default 32). */
  readonly maxHandshakeRounds?: number;
  /** The tunnel application; default: phase 2 with `phase2` options. */
  readonly application?: TunnelApplicationFactory;
  readonly phase2?: TtlsPhase2Options;
  readonly tls13KeyDerivation?: Tls13KeyDerivation;
}

export const DEFAULT_MAX_HANDSHAKE_ROUNDS = 32;

/** The factory builds the TLS context once; each conversation gets its own method instance. */
export function ttlsMethod(options: TtlsServerOptions): EapMethodFactory {
  checkFragmentSize(options.fragmentSize ?? DEFAULT_FRAGMENT_SIZE);
  const context = createServerContext(options.tls);
  const application = options.application ?? ttlsPhase2(options.phase2);
  return { type: EapType.TTLS, name: 'TTLS', create: (ctx) => new TtlsServerMethod(ctx, context, application, options) };
}

type State = 'start' | 'handshake' | 'phase2' | 'done';

export class TtlsServerMethod implements EapMethod {
  readonly type = EapType.TTLS;
  readonly #context: MethodContext;
  readonly #tunnel: TlsTunnel;
  readonly #applicationFactory: TunnelApplicationFactory;
  readonly #fragmentSize: number;
  readonly #maxMessageLength: number;
  readonly #maxHandshakeRounds: number;
  readonly #tls13: Tls13KeyDerivation;
  readonly #reassembler: TtlsReassembler;
  #state: State = 'start';
  #sender: TtlsSender | undefined;
  #handshakeRounds = 0;
  #application: TunnelApplication | undefined;
  #keys: TtlsKeys | undefined;
  #version = '';

  constructor(context: MethodContext, secureContext: tls.SecureContext, application: TunnelApplicationFactory, options: TtlsServerOptions) {
    this.#context = context;
    this.#applicationFactory = application;
    this.#fragmentSize = options.fragmentSize ?? DEFAULT_FRAGMENT_SIZE;
    this.#maxMessageLength = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
    this.#maxHandshakeRounds = options.maxHandshakeRounds ?? DEFAULT_MAX_HANDSHAKE_ROUNDS;
    this.#tls13 = options.tls13KeyDerivation ?? 'rfc9427';
    this.#reassembler = new TtlsReassembler(this.#maxMessageLength);
    this.#tunnel = TlsTunnel.server(secureContext, { maxPlaintext: this.#maxMessageLength });
  }

  initiate(): MethodOutput {
    this.#state = 'handshake';
    return request(this.type, emptyTtlsFrame(true));
  }

  async process(response: EapPacket): Promise<MethodOutput> {
    if (this.#state === 'done' || this.#state === 'start') return this.#fail('ttls-unexpected-response');
    if (this.#state === 'handshake' && ++this.#handshakeRounds > this.#maxHandshakeRounds) {
      return this.#fail('ttls-max-handshake-rounds');
    }
    let message: Buffer | undefined;
    try {
      const frame = decodeTtlsFrame(response.data, { maxMessageLength: this.#maxMessageLength });
      if (frame.start) return this.#fail('ttls-unexpected-start');
      if (this.#sender?.pending) {
        // RFC 5216 section 2.1.5: the peer acknowledges each fragment with an empty Response.
        if (!isTtlsAck(frame)) return this.#fail('ttls-expected-ack');
        return request(this.type, this.#sender.next());
      }
      this.#sender = undefined;
      message = this.#reassembler.push(frame);
    } catch (e) {
      if (e instanceof EapDecodeError) return this.#fail(e.code);
      throw e;
    }
    if (message === undefined) return request(this.type, emptyTtlsFrame(false)); // ACK, more to come
    return this.#state === 'handshake' ? this.#handshake(message) : this.#phase2(message);
  }

  close(): void {
    this.#state = 'done';
    this.#application?.close?.();
    this.#tunnel.close();
  }

  async #handshake(message: Buffer): Promise<MethodOutput> {
    const step = await this.#tunnel.feed(message);
    if (step.error) return this.#fail(`tls-${step.error}`);
    if (!step.established) {
      if (step.output.length === 0) return this.#fail('tls-stalled');
      return this.#send(step.output);
    }
    this.#version = this.#tunnel.version ?? '';
    this.#keys = deriveTtlsKeys(this.#tunnel, this.#version, this.#tls13);
    this.#state = 'phase2';
    this.#application = this.#applicationFactory({
      outerIdentity: this.#context.identity,
      tlsVersion: this.#version,
      credentials: this.#context.credentials,
      randomBytes: this.#context.randomBytes,
      exportKeyingMaterial: (length, label, context) => this.#tunnel.exportKeyingMaterial(length, label, context),
    });
    // TLS 1.2: our CCS+Finished; TLS 1.3: NewSessionTickets (or nothing: an empty Request, which
    // wpa_supplicant answers by starting phase 2).
    if (step.plaintext.length === 0) return this.#send(step.output);
    return this.#applicationOutput(await this.#application.process(step.plaintext), step.output);
  }

  async #phase2(message: Buffer): Promise<MethodOutput> {
    const step = await this.#tunnel.feed(message);
    if (step.error) return this.#fail(`tls-${step.error}`);
    return this.#applicationOutput(await this.#application!.process(step.plaintext), step.output);
  }

  async #applicationOutput(output: TunnelAppOutput, pending: Buffer): Promise<MethodOutput> {
    if ('send' in output) {
      const step = await this.#tunnel.send(output.send);
      if (step.error) return this.#fail(`tls-${step.error}`);
      return this.#send(Buffer.concat([pending, step.output]));
    }
    if (output.done === 'failure') return this.#fail(output.reason);
    this.#state = 'done';
    const keys = this.#keys!;
    return {
      kind: 'success',
      result: {
        identity: output.identity,
        msk: keys.msk,
        emsk: keys.emsk,
        attributes: { ...output.attributes, tlsVersion: this.#version },
      },
    };
  }

  #send(records: Buffer): MethodOutput {
    this.#sender = new TtlsSender(records, this.#fragmentSize);
    return request(this.type, this.#sender.next());
  }

  #fail(reason: string): MethodOutput {
    this.#state = 'done';
    return failure(reason);
  }
}
