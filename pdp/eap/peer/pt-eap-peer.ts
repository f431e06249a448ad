/**
 * PT-EAP (RFC 7171) / EAP-TNC peer: the Posture Broker Client side of ../pt-eap/method.ts, running
 * a PbTncClientSession (tnc/pb/client-session.ts), as strongSwan's client does:
 *
 *   Request S, Ver 1 (no data)  -> Response CDATA (PB-Language-Preference + the IMCs' PA messages)
 *   Request SDATA               -> Response CDATA (the handler's PA messages)
 *   Request RESULT              -> Response CLOSE (empty); an EAP-Success is then acceptable
 *   Request CLOSE (server error)-> Response empty (strongSwan's client acknowledges and gives up)
 *
 * Also `peerSequence`: inside TTLS the server runs MD5-Challenge and then PT-EAP in one inner
 * conversation without an inner EAP-Success between them. EapPeer keeps one method per
 * conversation, so the sequence is one PeerMethod whose Type moves on to the next method once the
 * current one allows success (RFC 4137 peer: a new method may start after a method's decision).
 */
import type { PbPaMessage, PbTncClientHandler, PbTncLimits, PbTncSessionEvent } from '../../../tnc/index.js';
import { PbTncClientSession } from '../../../tnc/index.js';
import type { AccessRecommendation } from '../../../tnc/pb/messages/access-recommendation.js';
import type { AssessmentResult } from '../../../tnc/pb/messages/assessment-result.js';
import type { EapPacket } from '../packet.js';
import { PtEapDecodeError } from '../pt-eap/errors.js';
import { decodeTncFrame, encodeTncFrame, isEmptyFrame, type TncFrame } from '../pt-eap/flags.js';
import { TncReassembler, TncSender } from '../pt-eap/fragment.js';
import { EAP_TNC, EAP_TNC_MAX_FRAGMENT, PT_EAP, type TncVariant } from '../pt-eap/variant.js';
import type { PeerContext, PeerKeys, PeerMethod, PeerMethodFactory, PeerMethodOutput } from './peer-method.js';

export interface TncPeerOptions {
  /** PA messages of the first CDATA (after the PB-Language-Preference). */
  readonly firstMessages?: readonly PbPaMessage[];
  /** Answers SDATA/SRETRY (default: an empty CDATA). */
  readonly handler?: PbTncClientHandler;
  /** Default 'en' (strongSwan's IMC manager default). */
  readonly languagePreference?: string;
  readonly limits?: PbTncLimits;
  /** EAP-TNC only: batch octets per Response before fragmenting. */
  readonly fragmentSize?: number;
  readonly onEvent?: (event: PbTncSessionEvent) => void;
}

export interface TncPeerResult {
  readonly assessmentResult: AssessmentResult;
  readonly accessRecommendation: AccessRecommendation | undefined;
}

export function ptEapPeer(options: TncPeerOptions = {}): PeerMethodFactory {
  return { type: PT_EAP.type, name: PT_EAP.name, create: () => new TncPeer(PT_EAP, options) };
}

export function eapTncPeer(options: TncPeerOptions = {}): PeerMethodFactory {
  return { type: EAP_TNC.type, name: EAP_TNC.name, create: () => new TncPeer(EAP_TNC, options) };
}

export class TncPeer implements PeerMethod {
  readonly type: number;
  readonly #variant: TncVariant;
  readonly #options: TncPeerOptions;
  readonly #session: PbTncClientSession;
  readonly #reassembler: TncReassembler;
  #state: 'start' | 'running' | 'closed' | 'failed' = 'start';
  #sender: TncSender | undefined;
  #result: TncPeerResult | undefined;

  constructor(variant: TncVariant, options: TncPeerOptions) {
    this.type = variant.type;
    this.#variant = variant;
    this.#options = options;
    this.#session = new PbTncClientSession({
      handler: options.handler ?? { onServerBatch: () => ({}) },
      languagePreference: options.languagePreference ?? 'en',
      ...(options.limits ? { limits: options.limits } : {}),
    });
    this.#reassembler = new TncReassembler(variant, options.limits?.maxBatchSize);
  }

  /** After RESULT and our CLOSE. */
  get successAllowed(): boolean {
    return this.#state === 'closed' && this.#result !== undefined;
  }

  get keys(): PeerKeys | undefined {
    return undefined;
  }

  /** What the server's RESULT said, once received. */
  get result(): TncPeerResult | undefined {
    return this.#result;
  }

  async process(request: EapPacket): Promise<PeerMethodOutput> {
    if (this.#state === 'failed') return this.#fail(`${this.#variant.transport}-failed`);
    let frame: TncFrame;
    let batch: Buffer | undefined;
    try {
      frame = decodeTncFrame(this.#variant, request.data, { maxMessageLength: this.#options.limits?.maxBatchSize });
      if (this.#state === 'start') {
        // RFC 7171 section 4.1: the server's first message has S set and carries no data.
        if (!frame.start || frame.data.length > 0) return this.#fail(`${this.#variant.transport}-expected-start`);
        if (frame.version < this.#variant.version) return this.#fail(`${this.#variant.transport}-unsupported-version-${frame.version}`);
        this.#state = 'running';
        return this.#step(this.#session.start(this.#options.firstMessages ?? []));
      }
      if (frame.start) return this.#fail(`${this.#variant.transport}-unexpected-start`);
      if (this.#sender?.pending) {
        if (!isEmptyFrame(frame)) return this.#fail(`${this.#variant.transport}-expected-ack`);
        return this.#response(this.#sender.next());
      }
      this.#sender = undefined;
      if (isEmptyFrame(frame) && !this.#reassembler.inProgress) return this.#response(encodeTncFrame(this.#variant));
      batch = this.#reassembler.push(frame);
    } catch (e) {
      if (e instanceof PtEapDecodeError) return this.#fail(e.code);
      throw e;
    }
    if (batch === undefined) return this.#response(encodeTncFrame(this.#variant)); // ACK
    return this.#step(await this.#session.receive(batch));
  }

  #step(step: { readonly reply: Uint8Array | undefined; readonly done: boolean; readonly events: readonly PbTncSessionEvent[] }): PeerMethodOutput {
    for (const event of step.events) {
      this.#options.onEvent?.(event);
      if (event.type === 'result') {
        this.#result = { assessmentResult: event.assessmentResult, accessRecommendation: event.accessRecommendation };
      }
    }
    if (step.done) this.#state = 'closed';
    // Nothing to send (the server closed the session): acknowledge with an empty message.
    if (!step.reply) return this.#response(encodeTncFrame(this.#variant));
    this.#sender = new TncSender(this.#variant, step.reply, this.#options.fragmentSize ?? EAP_TNC_MAX_FRAGMENT);
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

/** Inner methods run one after the other in one EAP conversation, e.g. [MD5-Challenge, PT-EAP]. */
export function peerSequence(factories: readonly PeerMethodFactory[]): PeerMethodFactory {
  const first = factories[0];
  if (!first) throw new RangeError('peerSequence needs at least one method');
  return {
    type: first.type,
    name: factories.map((f) => f.name).join('+'),
    create: (context) => new SequencePeer(factories, context),
  };
}

class SequencePeer implements PeerMethod {
  readonly #factories: readonly PeerMethodFactory[];
  readonly #context: PeerContext;
  readonly #methods: PeerMethod[] = [];

  constructor(factories: readonly PeerMethodFactory[], context: PeerContext) {
    this.#factories = factories;
    this.#context = context;
    this.#methods.push(factories[0]!.create(context));
  }

  get #current(): PeerMethod {
    return this.#methods[this.#methods.length - 1]!;
  }

  get #nextFactory(): PeerMethodFactory | undefined {
    return this.#current.successAllowed ? this.#factories[this.#methods.length] : undefined;
  }

  /** The Type the peer accepts now: the next method's once the current one has finished. */
  get type(): number {
    return this.#nextFactory?.type ?? this.#current.type;
  }

  get successAllowed(): boolean {
    return this.#methods.length === this.#factories.length && this.#current.successAllowed;
  }

  get keys(): PeerKeys | undefined {
    return this.#methods.find((m) => m.keys)?.keys;
  }

  /** The methods started so far (for tests: the PT-EAP peer's result). */
  get methods(): readonly PeerMethod[] {
    return this.#methods;
  }

  async process(request: EapPacket): Promise<PeerMethodOutput> {
    const next = this.#nextFactory;
    if (next && request.type === next.type) this.#methods.push(next.create(this.#context));
    return this.#current.process(request);
  }

  close(): void {
    for (const m of this.#methods) {
      try {
        m.close?.();
      } catch {
        // best effort
      }
    }
  }
}
