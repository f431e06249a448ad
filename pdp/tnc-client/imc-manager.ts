/**
 * The TNC Client (TNCC) side: routes PA-TNC messages between the IMCs (imc-imv/imc/) and the
 * Posture Broker Client session (tnc/pb/client-session.ts), after strongSwan's
 * src/libtnccs/plugins/tnc_imc/tnc_imc_manager.c and tnccs_20's client half.
 *
 *   begin()              IMCs: CREATE, HANDSHAKE, BeginHandshake -> PB-PA messages of the first CDATA
 *   SRETRY               the server retries (RFC 5793): IMCs HANDSHAKE + BeginHandshake again, as
 *                        strongSwan's tnccs_20_client.c does; their messages go in the CRETRY
 *   SDATA / SRETRY       each PB-PA -> processMessage (PA-TNC) -> every subscribed IMC
 *                        (only the named one when EXCL), then BatchEnding -> the next CDATA
 *   RESULT               PB-PA (the IMVs' Assessment Results) to the IMCs; PB-Assessment-Result,
 *                        PB-Access-Recommendation, PB-Reason-String, PB-Remediation-Parameters
 *                        kept as the outcome; IMCs: ACCESS_ALLOWED / ISOLATED / NONE, DELETE
 *
 * It glues imc-imv/ and tnc/, which stay independent of each other; no I/O here.
 */
import {
  ConnectionState,
  IMV_ID_ANY,
  assessmentResult as paAssessmentResult,
  findAttribute,
  processMessage,
  encodeMessage,
  type AttributeRegistry,
  type Imc,
  type ImcOutput,
  type PaTncAttribute,
} from '../../imc-imv/index.js';
import {
  AccessRecommendation,
  PbBatchType,
  PbTncClientSession,
  type PbPaMessage,
  type PbTncClientSessionOptions,
  type PbTncMessage,
  type RemediationParameters,
} from '../../tnc/index.js';
import type { AcceptedBatch, PbTncStep } from '../../tnc/pb/session.js';

export type ImcManagerEvent =
  | { readonly type: 'pa-sent'; readonly imc: string; readonly vendorId: number; readonly subtype: number; readonly attributes: readonly string[] }
  | { readonly type: 'pa-received'; readonly imcs: readonly string[]; readonly vendorId: number; readonly subtype: number; readonly attributes: readonly string[] }
  | { readonly type: 'pa-error'; readonly vendorId: number; readonly subtype: number; readonly code: string }
  | { readonly type: 'imc-error'; readonly imc: string; readonly message: string }
  | { readonly type: 'imv-assessment'; readonly imcs: readonly string[]; readonly evaluation: number }
  /** The PB-TNC session starts (the transport is up and the user authenticated). */
  | { readonly type: 'session-started' }
  | { readonly type: 'batch-received'; readonly batchType: number; readonly count: number }
  /** The server asked for a new assessment (SRETRY): the IMCs measure again. */
  | { readonly type: 'retry' }
  /** A RESULT arrived (one per assessment; several on a watched PT-TLS connection). */
  | { readonly type: 'outcome'; readonly outcome: TncOutcome };

/** What the server's RESULT batch said. */
export interface TncOutcome {
  readonly assessmentResult: number;
  readonly accessRecommendation: AccessRecommendation | undefined;
  readonly reasons: readonly { readonly reason: string; readonly language: string }[];
  readonly remediation: readonly RemediationParameters[];
  /** IETF Assessment Result attributes the IMVs sent to our IMCs. */
  readonly imvAssessments: readonly { readonly imcs: readonly string[]; readonly evaluation: number }[];
}

export interface ImcManagerOptions {
  readonly imcs: readonly Imc[];
  readonly registry: AttributeRegistry;
  readonly connectionId?: number;
  readonly onEvent?: (event: ImcManagerEvent) => void;
}

export class ImcManager {
  readonly #imcs: readonly { readonly id: number; readonly imc: Imc }[];
  readonly #registry: AttributeRegistry;
  readonly #connection: number;
  readonly #onEvent: (event: ImcManagerEvent) => void;
  #messageId = 1;
  #started = false;
  #outcome: TncOutcome | undefined;
  #assessments: { imcs: readonly string[]; evaluation: number }[] = [];

  constructor(options: ImcManagerOptions) {
    // Posture Collector Identifiers 1, 2, 3 ... in the order given (strongSwan numbers from 1).
    this.#imcs = options.imcs.map((imc, i) => ({ id: i + 1, imc }));
    this.#registry = options.registry;
    this.#connection = options.connectionId ?? 1;
    this.#onEvent = options.onEvent ?? (() => undefined);
  }

  /** True once a PB-TNC session started (the transport authenticated us). */
  get started(): boolean {
    return this.#started;
  }

  get outcome(): TncOutcome | undefined {
    return this.#outcome;
  }

  /** CREATE, HANDSHAKE and BeginHandshake: the PB-PA messages of the first CDATA. */
  async begin(): Promise<PbPaMessage[]> {
    const out: PbPaMessage[] = [];
    for (const { id, imc } of this.#imcs) {
      await imc.notifyConnectionChange({ id: this.#connection, imcId: id }, ConnectionState.Create);
      await imc.notifyConnectionChange({ id: this.#connection, imcId: id }, ConnectionState.Handshake);
      out.push(...this.#wrap(id, imc, await this.#call(imc, () => imc.beginHandshake(this.#connection))));
    }
    return out;
  }

  /** A PB-TNC client session whose SDATA goes to the IMCs and whose RESULT becomes `outcome`. */
  createSession(options: Omit<PbTncClientSessionOptions, 'handler'> & { readonly firstMessages?: readonly PbPaMessage[] } = {}): PbTncClientSession {
    return new ImcClientSession(this, options);
  }

  /** SDATA/SRETRY: deliver, then BatchEnding; the PB-PA messages of the next CDATA (CRETRY). */
  async onServerBatch(paMessages: readonly PbPaMessage[], options: { readonly retry?: boolean } = {}): Promise<PbPaMessage[]> {
    const out: PbPaMessage[] = [];
    if (options.retry) {
      // IF-IMC: a handshake retry is HANDSHAKE again, then BeginHandshake (new measurements).
      this.#onEvent({ type: 'retry' });
      this.#assessments = [];
      for (const { id, imc } of this.#imcs) {
        await this.#call(imc, () => imc.notifyConnectionChange({ id: this.#connection, imcId: id }, ConnectionState.Handshake));
        out.push(...this.#wrap(id, imc, await this.#call(imc, () => imc.beginHandshake(this.#connection))));
      }
    }
    out.push(...(await this.#deliver(paMessages)));
    for (const { id, imc } of this.#imcs) out.push(...this.#wrap(id, imc, await this.#call(imc, () => imc.batchEnding(this.#connection))));
    return out;
  }

  /** RESULT: keeps the decision, gives the IMCs their last messages and the final state. */
  async onResult(messages: readonly PbTncMessage[]): Promise<void> {
    await this.#deliver(messages.filter((m): m is PbPaMessage => m.kind === 'pa'));
    let assessment = 0;
    let recommendation: AccessRecommendation | undefined;
    const reasons: { reason: string; language: string }[] = [];
    const remediation: RemediationParameters[] = [];
    for (const m of messages) {
      if (m.kind === 'assessment-result') assessment = m.result;
      else if (m.kind === 'access-recommendation') recommendation = m.recommendation;
      else if (m.kind === 'reason-string') reasons.push({ reason: m.reason, language: m.language });
      else if (m.kind === 'remediation-parameters') remediation.push(m.parameters);
    }
    this.#outcome = { assessmentResult: assessment, accessRecommendation: recommendation, reasons, remediation, imvAssessments: this.#assessments };
    this.#onEvent({ type: 'outcome', outcome: this.#outcome });
    const state =
      recommendation === AccessRecommendation.AccessAllowed
        ? ConnectionState.AccessAllowed
        : recommendation === AccessRecommendation.Quarantined
          ? ConnectionState.AccessIsolated
          : ConnectionState.AccessNone;
    for (const { id, imc } of this.#imcs) await this.#call(imc, () => imc.notifyConnectionChange({ id: this.#connection, imcId: id }, state));
  }

  /** Reports a session event to the manager's listener. */
  notify(event: ImcManagerEvent): void {
    if (event.type === 'session-started') this.#started = true;
    this.#onEvent(event);
  }

  /** DELETE on every IMC (end of the connection, whatever happened). */
  async close(): Promise<void> {
    for (const { id, imc } of this.#imcs) await this.#call(imc, () => imc.notifyConnectionChange({ id: this.#connection, imcId: id }, ConnectionState.Delete));
  }

  async #deliver(paMessages: readonly PbPaMessage[]): Promise<PbPaMessage[]> {
    const out: PbPaMessage[] = [];
    for (const m of paMessages) {
      const targets = this.#imcs.filter(
        (e) => e.imc.subscriptions.some((s) => s.vendorId === m.paVendorId && s.subtype === m.paSubtype) && (!m.exclusive || e.id === m.collectorId),
      );
      if (targets.length === 0) continue;
      const r = processMessage(m.body, this.#registry);
      if (!r.ok) {
        this.#onEvent({ type: 'pa-error', vendorId: m.paVendorId, subtype: m.paSubtype, code: r.error.code });
        if (r.reply) {
          const first = targets[0]!;
          out.push(this.#pa(first.id, m.validatorId, true, m.paVendorId, m.paSubtype, [r.reply]));
        }
        continue;
      }
      const names = targets.map((t) => t.imc.name);
      this.#onEvent({ type: 'pa-received', imcs: names, vendorId: m.paVendorId, subtype: m.paSubtype, attributes: r.message.attributes.map((a) => a.name) });
      const verdict = findAttribute(r.message.attributes, paAssessmentResult)?.value;
      if (verdict !== undefined) {
        this.#assessments.push({ imcs: names, evaluation: verdict });
        this.#onEvent({ type: 'imv-assessment', imcs: names, evaluation: verdict });
      }
      for (const { id, imc } of targets) {
        const message = {
          vendorId: m.paVendorId,
          subtype: m.paSubtype,
          collectorId: m.collectorId,
          validatorId: m.validatorId,
          exclusive: m.exclusive,
          identifier: r.message.identifier,
          attributes: r.message.attributes,
        };
        out.push(...this.#wrap(id, imc, await this.#call(imc, () => imc.receiveMessage(this.#connection, message))));
      }
    }
    return out;
  }

  /** An IMC that throws is reported and treated as having nothing to send. */
  async #call<T>(imc: Imc, f: () => T | Promise<T>): Promise<T | undefined> {
    try {
      return await f();
    } catch (e) {
      this.#onEvent({ type: 'imc-error', imc: imc.name, message: e instanceof Error ? e.message : String(e) });
      return undefined;
    }
  }

  #wrap(id: number, imc: Imc, output: ImcOutput | void | undefined): PbPaMessage[] {
    const out: PbPaMessage[] = [];
    for (const m of output?.messages ?? []) {
      if (m.attributes.length === 0) continue;
      this.#onEvent({ type: 'pa-sent', imc: imc.name, vendorId: m.vendorId, subtype: m.subtype, attributes: m.attributes.map((a) => a.name) });
      out.push(this.#pa(id, m.imvId ?? IMV_ID_ANY, m.exclusive ?? false, m.vendorId, m.subtype, m.attributes));
    }
    return out;
  }

  #pa(imcId: number, imvId: number, exclusive: boolean, vendorId: number, subtype: number, attributes: readonly PaTncAttribute[]): PbPaMessage {
    const identifier = this.#messageId;
    this.#messageId = (this.#messageId + 1) >>> 0;
    return {
      kind: 'pa',
      exclusive,
      paVendorId: vendorId,
      paSubtype: subtype,
      collectorId: imcId,
      validatorId: imvId,
      body: encodeMessage({ identifier, attributes }, this.#registry),
    };
  }
}

/** PbTncClientSession that also hands the whole RESULT batch to the manager. */
class ImcClientSession extends PbTncClientSession {
  readonly #manager: ImcManager;
  readonly #first: readonly PbPaMessage[];
  #batches = 0;

  constructor(manager: ImcManager, options: Omit<PbTncClientSessionOptions, 'handler'> & { readonly firstMessages?: readonly PbPaMessage[] }) {
    super({ languagePreference: 'en', ...options, handler: { onServerBatch: async (b) => ({ paMessages: await manager.onServerBatch(b.paMessages, { retry: b.batchType === PbBatchType.SRETRY }) }) } });
    this.#manager = manager;
    this.#first = options.firstMessages ?? [];
  }

  /** The first CDATA: the IMCs' BeginHandshake messages unless others are given. */
  override start(paMessages: readonly PbPaMessage[] = this.#first): PbTncStep {
    this.#manager.notify({ type: 'session-started' });
    return super.start(paMessages);
  }

  protected override async onBatch(batch: AcceptedBatch): Promise<PbTncStep> {
    this.#manager.notify({ type: 'batch-received', batchType: batch.batchType, count: ++this.#batches });
    if (batch.batchType === PbBatchType.RESULT) await this.#manager.onResult(batch.messages);
    return super.onBatch(batch);
  }
}
