/**
 * A transport-free PB-TNC session engine (RFC 5793): bytes of a received batch in, bytes of the
 * batch to send back out. The transport (PT-EAP inside EAP-TTLS, PT-TLS) only moves batches,
 * like strongSwan's tnccs_20 behind its tls_t "application" interface; the posture logic sits
 * behind an injected handler (the IMV manager implements PbTncServerHandler).
 *
 *   transport --bytes--> receive() --+-- readBatchHeader / D bit / limits      (batch.ts)
 *                                    +-- state machine: Unexpected Batch Type   (state-machine.ts)
 *                                    +-- decodeMessages: PB-Error on any error  (batch.ts, messages/)
 *                                    +-- handler.onClientBatch(PB-PA messages)  (IMV manager)
 *   transport <--bytes-- step.reply <-+-- SDATA | RESULT | CLOSE with PB-Error
 *
 * Every error becomes a CLOSE batch carrying one fatal PB-Error (RFC 5793 section 4: "it MUST
 * respond by sending a fatal Invalid Parameter error in a CLOSE batch unless this document
 * specifies otherwise"), never an exception: receive() always resolves. What happened is reported
 * as typed events in each step.
 *
 * client-session.ts has the Posture Broker Client side, enough to drive exchanges in tests.
 */
import { PbErrorCode, PbTncEncodeError, PbTncError } from '../errors.js';
import { PbBatchType, type PbTncRole } from './batch-type.js';
import { decodeMessages, encodeBatch, readBatchHeader } from './batch.js';
import { DEFAULT_LIMITS, type PbTncLimits } from './limits.js';
import type { AccessRecommendation } from './messages/access-recommendation.js';
import type { AssessmentResult } from './messages/assessment-result.js';
import { errorMessageFor, type PbErrorMessage } from './messages/error.js';
import type { PbPaMessage } from './messages/pa.js';
import type { PbTncMessage } from './messages/registry.js';
import type { RemediationParameters } from './messages/remediation-parameters.js';
import { PDP_PROTOCOL_PT_TLS, PT_TLS_PORT, type PbPdpReferralMessage } from './messages/tcg/pdp-referral.js';
import { PbTncState, stateName, transition } from './state-machine.js';

export type PbTncSessionEvent =
  | { readonly type: 'batch-received'; readonly batchType: PbBatchType; readonly length: number; readonly messageCount: number }
  | { readonly type: 'batch-sent'; readonly batchType: PbBatchType; readonly length: number; readonly messageCount: number }
  /** We found an error; a CLOSE with this error as PB-Error went out (or is `reply`). */
  | { readonly type: 'protocol-error'; readonly error: PbTncError }
  /** The peer sent a PB-Error. */
  | { readonly type: 'peer-error'; readonly message: PbErrorMessage }
  | { readonly type: 'language-preference'; readonly language: string }
  /** A RESULT batch was sent (server) or received (client). */
  | { readonly type: 'result'; readonly assessmentResult: AssessmentResult; readonly accessRecommendation: AccessRecommendation | undefined }
  | { readonly type: 'closed'; readonly by: 'local' | 'peer' };

/** The outcome of one received batch (or of starting the session). */
export interface PbTncStep {
  /** The batch to send, if any. */
  readonly reply: Uint8Array | undefined;
  readonly state: PbTncState;
  /** The session reached End: close the transport once `reply` (if any) is sent. */
  readonly done: boolean;
  readonly events: readonly PbTncSessionEvent[];
}

/** A batch the session accepted: its type and messages, after every check. */
export interface AcceptedBatch {
  readonly batchType: PbBatchType;
  readonly messages: readonly PbTncMessage[];
}

/** State, limits and reply building shared by both roles (client-session.ts extends it too). */
export abstract class PbTncSessionBase {
  protected readonly limits: PbTncLimits;
  #state: PbTncState = PbTncState.Init;
  #roundTrips = 0;
  #queue: Promise<unknown> = Promise.resolve();
  protected events: PbTncSessionEvent[] = [];

  protected constructor(
    protected readonly role: PbTncRole,
    limits: PbTncLimits | undefined,
  ) {
    this.limits = limits ?? DEFAULT_LIMITS;
  }

  get state(): PbTncState {
    return this.#state;
  }

  /** Processes one received batch. Always resolves; calls are handled one after the other. */
  receive(bytes: Uint8Array): Promise<PbTncStep> {
    return this.enqueue(() => this.#receive(bytes));
  }

  /** Runs `f` after every batch received so far is handled (local actions: retry, close). */
  protected enqueue<T>(f: () => T | Promise<T>): Promise<T> {
    const run = this.#queue.then(f);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Ends the session from our side with an empty CLOSE batch ("about to terminate the underlying
   * PT connection", RFC 5793 section 4.1), in any state but End. Queued behind received batches.
   */
  close(): Promise<PbTncStep> {
    return this.enqueue(() => {
      this.events = [];
      return this.#state === PbTncState.End ? this.step(undefined) : this.send(PbBatchType.CLOSE, []);
    });
  }

  async #receive(bytes: Uint8Array): Promise<PbTncStep> {
    this.events = [];
    if (this.#state === PbTncState.End) return this.step(undefined);
    let accepted: AcceptedBatch;
    try {
      accepted = this.#accept(bytes);
    } catch (e) {
      return this.fail(e);
    }
    for (const m of accepted.messages) {
      if (m.kind === 'error') this.events.push({ type: 'peer-error', message: m });
      if (m.kind === 'language-preference') this.events.push({ type: 'language-preference', language: m.language });
    }
    if (accepted.batchType === PbBatchType.CLOSE) {
      this.events.push({ type: 'closed', by: 'peer' });
      return this.step(undefined);
    }
    // A fatal error from the peer ends the session: we answer with an empty CLOSE.
    if (accepted.messages.some((m) => m.kind === 'error' && m.fatal)) return this.send(PbBatchType.CLOSE, []);
    try {
      return await this.onBatch(accepted);
    } catch (e) {
      return this.fail(e);
    }
  }

  /** Header, direction, limits, state machine, then the messages (strongSwan's order). */
  #accept(bytes: Uint8Array): AcceptedBatch {
    if (++this.#roundTrips > this.limits.maxRoundTrips) {
      throw new PbTncError('PB_TOO_MANY_ROUND_TRIPS', PbErrorCode.LocalError, 0, `more than ${this.limits.maxRoundTrips} batches`);
    }
    if (bytes.length > this.limits.maxBatchSize) {
      throw new PbTncError('PB_BATCH_TOO_LARGE', PbErrorCode.LocalError, 4, `${bytes.length} octets, above ${this.limits.maxBatchSize}`);
    }
    const header = readBatchHeader(bytes, this.limits);
    if (bytes.length !== header.length) {
      throw new PbTncError('PB_BATCH_LENGTH_MISMATCH', PbErrorCode.InvalidParameter, 4, `Batch Length ${header.length} but ${bytes.length} octets`);
    }
    // The D bit must name the peer; strongSwan answers a wrong one with Invalid Parameter at offset 1.
    if (header.director === this.role) {
      throw new PbTncError('PB_DIRECTION_INVALID', PbErrorCode.InvalidParameter, 1, `batch claims to come from a ${header.director}`);
    }
    const t = transition(this.#state, this.role, { received: header.batchType });
    if (t.error) throw t.error;
    this.#state = t.state;
    const messages = decodeMessages(bytes, header.batchType, this.limits);
    this.events.push({ type: 'batch-received', batchType: header.batchType, length: header.length, messageCount: messages.length });
    return { batchType: header.batchType, messages };
  }

  /** What the role does with an accepted CDATA/CRETRY (server) or SDATA/SRETRY/RESULT (client). */
  protected abstract onBatch(batch: AcceptedBatch): Promise<PbTncStep> | PbTncStep;

  protected step(reply: Uint8Array | undefined): PbTncStep {
    return { reply, state: this.#state, done: this.#state === PbTncState.End, events: this.events };
  }

  /** Builds and records a batch to send; a local failure turns into a CLOSE with Local Error. */
  protected send(batchType: PbBatchType, messages: readonly PbTncMessage[]): PbTncStep {
    const t = transition(this.#state, this.role, { sent: batchType });
    if (t.error) return this.fail(t.error);
    let bytes: Uint8Array;
    try {
      bytes = encodeBatch({ director: this.role, batchType, messages }, this.limits);
    } catch (e) {
      return this.fail(e);
    }
    this.#state = t.state;
    this.events.push({ type: 'batch-sent', batchType, length: bytes.length, messageCount: messages.length });
    if (batchType === PbBatchType.CLOSE) this.events.push({ type: 'closed', by: 'local' });
    return this.step(bytes);
  }

  /** Ends the session with a CLOSE batch carrying the error as a fatal PB-Error. */
  protected fail(cause: unknown): PbTncStep {
    const error = cause instanceof PbTncError ? cause : localError(cause);
    this.events.push({ type: 'protocol-error', error });
    const bytes = encodeBatch({ director: this.role, batchType: PbBatchType.CLOSE, messages: [errorMessageFor(error)] });
    this.#state = PbTncState.End;
    this.events.push({ type: 'batch-sent', batchType: PbBatchType.CLOSE, length: bytes.length, messageCount: 1 });
    this.events.push({ type: 'closed', by: 'local' });
    return this.step(bytes);
  }
}

function localError(cause: unknown): PbTncError {
  const detail = cause instanceof PbTncEncodeError ? cause.message : cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return new PbTncError('PB_LOCAL_ERROR', PbErrorCode.LocalError, 0, detail);
}

export const paMessagesOf = (messages: readonly PbTncMessage[]): PbPaMessage[] =>
  messages.filter((m): m is PbPaMessage => m.kind === 'pa');

// ----------------------------------------------------------------------------------- server role

/** One client batch as the IMV manager sees it. */
export interface ServerTurnInput {
  readonly batchType: typeof PbBatchType.CDATA | typeof PbBatchType.CRETRY;
  /** CRETRY: the client asks to start the assessment over (IF-IMV: connection state HANDSHAKE). */
  readonly retry: boolean;
  /** The batch's PB-PA messages in order (IF-IMV ReceiveMessage each, then BatchEnding). */
  readonly paMessages: readonly PbPaMessage[];
  /** The client's latest PB-Language-Preference, if it sent one. */
  readonly languagePreference: string | undefined;
  /** 1 for the client's first batch. */
  readonly roundTrip: number;
  /** The reply must fit these limits (see encodedMessageSize in batch.ts). */
  readonly limits: PbTncLimits;
}

/** The server's next turn: more PA messages (SDATA), or the decision (RESULT). */
export type ServerTurn =
  | { readonly action: 'continue'; readonly paMessages?: readonly PbPaMessage[] }
  | {
      readonly action: 'decide';
      readonly assessmentResult: AssessmentResult;
      readonly accessRecommendation?: AccessRecommendation;
      /** Last PA messages to the IMCs (e.g. their Assessment Result attributes), sent first. */
      readonly paMessages?: readonly PbPaMessage[];
      readonly reasonStrings?: readonly { readonly reason: string; readonly language: string }[];
      readonly remediation?: readonly RemediationParameters[];
    };

/** Implemented by the IMV manager. May be async; a throw ends the session with a Local Error. */
export interface PbTncServerHandler {
  onClientBatch(input: ServerTurnInput): ServerTurn | Promise<ServerTurn>;
}

/** Where the endpoint can reach this PDP directly: its PT-TLS server (strongSwan's pt-tls-server/-port). */
export interface PdpReferralOption {
  readonly fqdn: string;
  /** TCP port of the PT-TLS server (default 271). */
  readonly port?: number;
}

export interface PbTncServerSessionOptions {
  readonly handler: PbTncServerHandler;
  readonly limits?: PbTncLimits;
  /** Messages put first in the server's first batch (after the PB-PDP-Referral, if any). */
  readonly firstBatchMessages?: readonly PbTncMessage[];
  /**
   * Sends a TCG PB-PDP-Referral (FQDN identifier, protocol 0 = PT-TLS, the port) as the first
   * message of the first server batch, without NOSKIP, once per session (not again after a retry):
   * exactly where and how strongSwan's tnccs_20_server.c (begin_handshake) puts it when its PT-TLS
   * server is on. strongSwan does this over EAP transports only; the caller decides (PT-EAP and
   * EAP-TNC pass it, PT-TLS does not).
   */
  readonly pdpReferral?: PdpReferralOption;
}

/** The PB-PDP-Referral message strongSwan sends for its PT-TLS server `fqdn`:`port`. */
export function pdpReferralMessage(referral: PdpReferralOption): PbPdpReferralMessage {
  return { kind: 'pdp-referral', identifier: { type: 'fqdn', protocol: PDP_PROTOCOL_PT_TLS, port: referral.port ?? PT_TLS_PORT, fqdn: referral.fqdn } };
}

/**
 * The Posture Broker Server: answers each CDATA/CRETRY with SDATA or RESULT, and from Decided can
 * start a new assessment on the same connection with SRETRY (requestRetry).
 */
export class PbTncServerSession extends PbTncSessionBase {
  readonly #handler: PbTncServerHandler;
  #pending: readonly PbTncMessage[];
  #language: string | undefined;
  #roundTrip = 0;

  constructor(options: PbTncServerSessionOptions) {
    super('server', options.limits);
    this.#handler = options.handler;
    this.#pending = [...(options.pdpReferral ? [pdpReferralMessage(options.pdpReferral)] : []), ...(options.firstBatchMessages ?? [])];
  }

  /**
   * Server-initiated retry (RFC 5793 sections 3.2 and 4.1, B-Type SRETRY): in Decided, sends an
   * SRETRY batch (Decided -> Server Working). The client restarts its IMCs and answers with a
   * CRETRY batch carrying their new measurements (in Server Working the client may send only
   * CRETRY or CLOSE), which reaches the handler with `retry: true`, `roundTrip: 1`, and the
   * exchange goes on to a new RESULT. Queued behind batches being received.
   *
   * Throws PbTncError PB_SEND_NOT_ALLOWED (and changes nothing) outside Decided: before the first
   * RESULT or while an exchange is under way there is nothing to retry, and after End the
   * session is over. The caller moves `reply` to the transport.
   */
  requestRetry(paMessages: readonly PbPaMessage[] = []): Promise<PbTncStep> {
    return this.enqueue(() => {
      this.events = [];
      const t = transition(this.state, this.role, { sent: PbBatchType.SRETRY });
      if (t.error || this.state !== PbTncState.Decided) {
        throw new PbTncError('PB_SEND_NOT_ALLOWED', PbErrorCode.LocalError, 0, `may not send SRETRY in state ${stateName(this.state)}: only after a RESULT (Decided)`);
      }
      return this.send(PbBatchType.SRETRY, paMessages);
    });
  }

  protected async onBatch(batch: AcceptedBatch): Promise<PbTncStep> {
    for (const m of batch.messages) if (m.kind === 'language-preference') this.#language = m.language;
    const batchType = batch.batchType === PbBatchType.CRETRY ? PbBatchType.CRETRY : PbBatchType.CDATA;
    // A CRETRY starts a new handshake: its round trips count from 1 again.
    if (batchType === PbBatchType.CRETRY) this.#roundTrip = 0;
    const turn = await this.#handler.onClientBatch({
      batchType,
      retry: batchType === PbBatchType.CRETRY,
      paMessages: paMessagesOf(batch.messages),
      languagePreference: this.#language,
      roundTrip: ++this.#roundTrip,
      limits: this.limits,
    });
    const first = this.#pending;
    this.#pending = [];
    if (turn.action === 'continue') return this.send(PbBatchType.SDATA, [...first, ...(turn.paMessages ?? [])]);
    this.events.push({ type: 'result', assessmentResult: turn.assessmentResult, accessRecommendation: turn.accessRecommendation });
    return this.send(PbBatchType.RESULT, [
      ...first,
      ...(turn.paMessages ?? []),
      { kind: 'assessment-result', result: turn.assessmentResult },
      ...(turn.accessRecommendation === undefined ? [] : [{ kind: 'access-recommendation', recommendation: turn.accessRecommendation } as const]),
      ...(turn.reasonStrings ?? []).map((r) => ({ kind: 'reason-string', reason: r.reason, language: r.language }) as const),
      ...(turn.remediation ?? []).map((parameters) => ({ kind: 'remediation-parameters', parameters }) as const),
    ]);
  }
}
