/**
 * The Posture Broker Client side of the PB-TNC session engine (session.ts has the layering):
 * start() builds the first CDATA (PB-Language-Preference + PB-PA messages), SDATA and SRETRY go
 * to an injected handler whose PA messages make the next CDATA / CRETRY, RESULT is reported as a
 * `result` event and answered with CLOSE, as strongSwan's client does in the captures, or (afterResult
 * 'stay', for a long-lived PT-TLS connection) kept in Decided so the server can retry with SRETRY:
 * the handler then gets the SRETRY's messages (IF-IMC: the IMCs go to HANDSHAKE and measure again)
 * and its messages go out in a CRETRY, the only batch besides CLOSE the client may send in Server
 * Working (state-machine.ts). No IMC manager here (pdp/tnc-client/imc-manager.ts), no mutual mode.
 */
import { PbErrorCode, PbTncError } from '../errors.js';
import { PbBatchType } from './batch-type.js';
import type { PbTncLimits } from './limits.js';
import type { PbAccessRecommendationMessage } from './messages/access-recommendation.js';
import type { PbAssessmentResultMessage } from './messages/assessment-result.js';
import type { PbPaMessage } from './messages/pa.js';
import type { PbTncMessage } from './messages/registry.js';
import { type AcceptedBatch, PbTncSessionBase, type PbTncStep, paMessagesOf } from './session.js';

export interface PbTncClientHandler {
  /** SDATA or SRETRY from the server: returns the PA messages of the next CDATA / CRETRY. */
  onServerBatch(input: { readonly batchType: PbBatchType; readonly paMessages: readonly PbPaMessage[] }):
    | { readonly paMessages?: readonly PbPaMessage[] }
    | Promise<{ readonly paMessages?: readonly PbPaMessage[] }>;
}

export interface PbTncClientSessionOptions {
  readonly handler: PbTncClientHandler;
  readonly limits?: PbTncLimits;
  /** Sent as PB-Language-Preference in the first CDATA. */
  readonly languagePreference?: string;
  /** After RESULT: send CLOSE (strongSwan's client does) or stay in Decided (to test CRETRY). */
  readonly afterResult?: 'close' | 'stay';
}

/** The Posture Broker Client, for tests: start() -> CDATA, then answers SDATA and RESULT. */
export class PbTncClientSession extends PbTncSessionBase {
  readonly #options: PbTncClientSessionOptions;

  constructor(options: PbTncClientSessionOptions) {
    super('client', options.limits);
    this.#options = options;
  }

  /** The first CDATA batch. */
  start(paMessages: readonly PbPaMessage[] = []): PbTncStep {
    this.events = [];
    const language = this.#options.languagePreference;
    const lang: PbTncMessage[] = language === undefined ? [] : [{ kind: 'language-preference', language }];
    return this.send(PbBatchType.CDATA, [...lang, ...paMessages]);
  }

  /** A CRETRY batch (from Decided, or while the server is working). */
  retry(paMessages: readonly PbPaMessage[] = []): PbTncStep {
    this.events = [];
    return this.send(PbBatchType.CRETRY, paMessages);
  }

  protected async onBatch(batch: AcceptedBatch): Promise<PbTncStep> {
    if (batch.batchType === PbBatchType.RESULT) {
      const result = batch.messages.find((m): m is PbAssessmentResultMessage => m.kind === 'assessment-result');
      const rec = batch.messages.find((m): m is PbAccessRecommendationMessage => m.kind === 'access-recommendation');
      // RFC 5793 section 4.1 (B-Type RESULT): the batch must include a PB-Assessment-Result.
      if (result === undefined) {
        throw new PbTncError('PB_VALUE_INVALID', PbErrorCode.InvalidParameter, 0, 'RESULT batch without PB-Assessment-Result');
      }
      this.events.push({ type: 'result', assessmentResult: result.result, accessRecommendation: rec?.recommendation });
      return this.#options.afterResult === 'stay' ? this.step(undefined) : this.send(PbBatchType.CLOSE, []);
    }
    const turn = await this.#options.handler.onServerBatch({ batchType: batch.batchType, paMessages: paMessagesOf(batch.messages) });
    const reply = batch.batchType === PbBatchType.SRETRY ? PbBatchType.CRETRY : PbBatchType.CDATA;
    return this.send(reply, turn.paMessages ?? []);
  }
}
