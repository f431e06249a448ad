/**
 * PT-EAP (RFC 7171, EAP Type 54) and legacy EAP-TNC (Type 38) server method: carries whole PB-TNC
 * batches between the EAP peer (a Posture Broker Client) and a PbTncServerSession whose handler is
 * a PostureSession from the injected PostureService. Meant as an inner method of EAP-TTLS, after
 * the user authenticated (TTLS inner stages [[MD5], [PT-EAP]]), as strongSwan's PDP runs it.
 *
 *   Request  S, Ver 1, no data                          (initiate; RFC 7171 section 4.1)
 *   Response CDATA                                      client batches ...
 *   Request  SDATA ...                                  ... answered by the PB-TNC session
 *   Response CDATA
 *   Request  RESULT                                     PB-Assessment-Result, -Access-Recommendation
 *   Response CLOSE (empty)                              the client ends the session
 *   -> method success, attributes.posture = PostureDecision; the authenticator sends EAP-Success
 *
 * Who ends it, after strongSwan (tnccs_20.c, tls_eap.c): after RESULT the client answers with an
 * empty CLOSE; the server's session then ends and the method completes. strongSwan's PT-EAP then
 * fails when the recommendation is no access (eap_tnc.c enforce_recommendation), so its PDP answers
 * Access-Reject + EAP-Failure. Here the method succeeds whatever the recommendation (the endpoint
 * did receive the RESULT) and the RADIUS layer (pdp/access-handler.ts) turns no-access into
 * Access-Reject + EAP-Failure: the same bytes on the wire, with the decision kept for the logs.
 *
 * Failures: a framing error, a version other than 1, S from the peer, a session that ends without
 * a RESULT, a CLOSE carrying a fatal PB-Error, or our own CLOSE (a PB-TNC protocol error: the
 * CLOSE with the PB-Error goes out first, the peer's answer ends the method, as in strongSwan).
 */
import { DEFAULT_LIMITS, PbTncServerSession, type PbTncLimits, type PbTncMessage, type PbTncSessionEvent, type PdpReferralOption } from '../../../tnc/index.js';
import type { PostureService, PostureSession } from '../../posture/posture-service.js';
import { type EapMethod, type EapMethodFactory, type MethodContext, type MethodOutput, failure, request } from '../method.js';
import type { EapPacket } from '../packet.js';
import { checkFragmentSize } from '../ttls/fragment.js';
import { PtEapDecodeError } from './errors.js';
import { decodeTncFrame, encodeTncFrame, isEmptyFrame, startFrame } from './flags.js';
import { TncReassembler, TncSender } from './fragment.js';
import { POSTURE_ATTRIBUTE } from './result.js';
import { EAP_TNC, EAP_TNC_MAX_FRAGMENT, PT_EAP, type TncVariant } from './variant.js';

export interface TncServerOptions {
  readonly posture: PostureService;
  /** PB-TNC limits (default tnc/pb/limits.ts DEFAULT_LIMITS: 65522-octet batches, 1000 batches). */
  readonly limits?: PbTncLimits;
  /** EAP-TNC only: batch octets per Request before fragmenting (default 65525: never, like strongSwan). */
  readonly fragmentSize?: number;
  /** Messages put first in the first server batch (after the PB-PDP-Referral, if any). */
  readonly firstBatchMessages?: readonly PbTncMessage[];
  /**
   * Our PT-TLS server, announced as strongSwan's PDP does when its PT-TLS server is on: a TCG
   * PB-PDP-Referral (FQDN, protocol PT-TLS, port) first in the first SDATA (tnc/pb/session.ts).
   */
  readonly pdpReferral?: PdpReferralOption;
  /** The NAS the conversation came through, for PostureContext.via (default 'radius'). */
  readonly via?: string;
  /** Typed PB-TNC session events (batch received/sent, result, errors, closed). */
  readonly onEvent?: (event: PbTncSessionEvent) => void;
}

export function ptEapMethod(options: TncServerOptions): EapMethodFactory {
  return tncMethodFactory(PT_EAP, options);
}

export function eapTncMethod(options: TncServerOptions): EapMethodFactory {
  return tncMethodFactory(EAP_TNC, options);
}

export function tncMethodFactory(variant: TncVariant, options: TncServerOptions): EapMethodFactory {
  if (options.fragmentSize !== undefined) checkFragmentSize(options.fragmentSize);
  return { type: variant.type, name: variant.name, create: (ctx) => new TncServerMethod(variant, ctx, options) };
}

type State = 'created' | 'running' | 'closing' | 'done';

export class TncServerMethod implements EapMethod {
  readonly type: number;
  readonly #variant: TncVariant;
  readonly #context: MethodContext;
  readonly #options: TncServerOptions;
  readonly #limits: PbTncLimits;
  readonly #reassembler: TncReassembler;
  #posture: PostureSession | undefined;
  #session: PbTncServerSession | undefined;
  #state: State = 'created';
  #sender: TncSender | undefined;
  #resultSent = false;
  #closeReason = 'pb-tnc-closed';

  constructor(variant: TncVariant, context: MethodContext, options: TncServerOptions) {
    this.type = variant.type;
    this.#variant = variant;
    this.#context = context;
    this.#options = options;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.#reassembler = new TncReassembler(variant, this.#limits.maxBatchSize);
  }

  initiate(): MethodOutput {
    // The posture session starts with the method (and is released by close()).
    this.#posture = this.#options.posture.createSession({
      user: this.#context.identity,
      via: this.#options.via ?? 'radius',
      transport: this.#variant.transport,
    });
    this.#session = new PbTncServerSession({
      handler: this.#posture,
      limits: this.#limits,
      ...(this.#options.firstBatchMessages ? { firstBatchMessages: this.#options.firstBatchMessages } : {}),
      ...(this.#options.pdpReferral ? { pdpReferral: this.#options.pdpReferral } : {}),
    });
    this.#state = 'running';
    return request(this.type, startFrame(this.#variant));
  }

  async process(response: EapPacket): Promise<MethodOutput> {
    if (this.#state === 'done' || this.#state === 'created') return this.#fail(`${this.#prefix}-unexpected-response`);
    let batch: Buffer | undefined;
    try {
      const frame = decodeTncFrame(this.#variant, response.data, { maxMessageLength: this.#limits.maxBatchSize });
      // RFC 7171 section 4.1: S is set only in the first message from the server.
      if (frame.start) return this.#fail(`${this.#prefix}-unexpected-start`);
      const empty = isEmptyFrame(frame);
      if (this.#sender?.pending) {
        if (!empty) return this.#fail(`${this.#prefix}-expected-ack`);
        return request(this.type, this.#sender.next());
      }
      this.#sender = undefined;
      // We sent a CLOSE: whatever the peer answers (strongSwan: an empty message) ends the method.
      if (this.#state === 'closing') return this.#fail(this.#closeReason);
      // An empty message outside fragmentation: strongSwan's client sends one when it cannot go on.
      if (empty && !this.#reassembler.inProgress) return this.#fail(`${this.#prefix}-peer-sent-nothing`);
      // Version 1 only (variant.ts); strongSwan fails a non-empty packet of another version.
      if (frame.version !== this.#variant.version) return this.#fail(`${this.#prefix}-unsupported-version-${frame.version}`);
      batch = this.#reassembler.push(frame);
    } catch (e) {
      if (e instanceof PtEapDecodeError) return this.#fail(e.code);
      throw e;
    }
    if (batch === undefined) return request(this.type, encodeTncFrame(this.#variant)); // ACK, more to come
    return this.#batch(batch);
  }

  close(): void {
    this.#state = 'done';
    const posture = this.#posture;
    this.#posture = undefined;
    posture?.close();
  }

  get #prefix(): string {
    return this.#variant.transport;
  }

  async #batch(batch: Buffer): Promise<MethodOutput> {
    const step = await this.#session!.receive(batch);
    let peerFatal = false;
    for (const event of step.events) {
      this.#options.onEvent?.(event);
      if (event.type === 'result') this.#resultSent = true;
      if (event.type === 'protocol-error') this.#closeReason = `pb-tnc-${event.error.code}`;
      if (event.type === 'peer-error' && event.message.fatal) {
        peerFatal = true;
        this.#closeReason = 'pb-tnc-peer-fatal-error';
      }
    }
    if (step.reply) {
      if (step.done) this.#state = 'closing';
      this.#sender = new TncSender(this.#variant, step.reply, this.#options.fragmentSize ?? EAP_TNC_MAX_FRAGMENT);
      return request(this.type, this.#sender.next());
    }
    if (!step.done) return this.#fail(`${this.#prefix}-no-batch-to-send`);
    // The client closed the session (after RESULT, strongSwan's client sends an empty CLOSE).
    if (peerFatal) return this.#fail(this.#closeReason);
    const decision = this.#posture?.decision();
    if (!this.#resultSent || !decision) return this.#fail(`${this.#prefix}-closed-without-result`);
    this.#state = 'done';
    return {
      kind: 'success',
      result: {
        identity: this.#context.identity,
        attributes: { [POSTURE_ATTRIBUTE]: decision, postureTransport: this.#variant.name },
      },
    };
  }

  #fail(reason: string): MethodOutput {
    this.#state = 'done';
    return failure(reason);
  }
}
