/**
 * One posture assessment: the TNCS side of TCG IF-IMV for one PB-TNC connection, after strongSwan's
 * tnccs_20_server.c (process / build / check_and_build_recommendation), tnc_imv_manager.c and
 * tnc_imv_recommendations.c. Each client batch (CDATA/CRETRY) is one turn:
 *
 *   first turn: notifyConnectionChange(CREATE), (HANDSHAKE) to every IMV
 *   for each PB-PA message:  processMessage (PA-TNC)  --error--> PA-TNC Error back to the IMC
 *                            route by (vendor, subtype); EXCL + validator id -> that IMV only
 *                            receiveMessage -> { messages, recommendation, deviceId }
 *   batchEnding to every IMV
 *   every IMV has a recommendation, or none wants to send anything, or maxRounds reached:
 *       solicitRecommendation from those without one; merge (merge.ts) -> RESULT:
 *       PB-PA (their last attributes, e.g. Assessment Results), PB-Assessment-Result,
 *       PB-Access-Recommendation, PB-Reason-Strings, PB-Remediation-Parameters
 *       notifyConnectionChange(ACCESS_ALLOWED | ACCESS_ISOLATED | ACCESS_NONE)
 *   otherwise: SDATA with the IMVs' PB-PA messages
 *
 * The policy model (model.ts) comes in with the first client batch: its PA messages are decoded
 * first, the device (ITA Device ID, else the user) and its product are taken from them, its groups
 * and enforcements resolved and the last results read from the store (device-context.ts); each
 * IMV built from the policy gets its work items (setWorkItems) before its first message; checks a
 * recent pass lets skip are never given to an IMV. At the decision the per-policy outcomes go
 * into the decision and, with the session, into the store.
 *
 * Every IMV call is bounded by the policy's imvTimeoutMs; a throw, a timeout or an invalid answer
 * marks that IMV failed for the connection: "no recommendation" / "error", an event, no further
 * calls but DELETE. The session always ends with a decision.
 */
import {
  ActionRecommendation,
  ConnectionState,
  EvaluationResult,
  evaluationName,
  mergeRecommendations,
  pickReason,
  processMessage,
  recommendationName,
  recommendationFromName,
  type AttributeRegistry,
  type PaTncAttribute,
  type Imv,
  type ImvOutput,
  type ImvRecommendation,
} from '../../imc-imv/index.js';
import { randomUUID } from 'node:crypto';
import type { Store } from '../store/store.js';
import type { PolicyModel } from './model.js';
import type { StoreModelEvent } from './store-model.js';
import { deviceFacts, policyOutcomes, quarantineReason, quarantineResult, recordAssessment, resolveDeviceContext, withOverride, workItems, type DeviceContext } from './device-context.js';
import { AccessRecommendation, type RemediationParameters, type ServerTurn, type ServerTurnInput } from '../../tnc/index.js';
import { packPaMessages, type QueuedPaMessage } from './pa-out.js';
import type { EnforcedRecommendation, ResolvedPosturePolicy } from './policy.js';
import type { PostureContext, PostureDecision, PostureSession, Recommendation } from './posture-service.js';

export type PostureEvent =
  | { readonly type: 'posture.imv-failed'; readonly connection: number; readonly imv: string; readonly call: ImvCall; readonly reason: 'timeout' | 'exception' | 'invalid'; readonly message: string }
  | { readonly type: 'posture.imv-recommendation'; readonly connection: number; readonly imv: string; readonly recommendation: Recommendation; readonly evaluation: string; readonly solicited: boolean }
  | { readonly type: 'posture.pa-error'; readonly connection: number; readonly vendorId: number; readonly subtype: number; readonly collectorId: number; readonly code: string; readonly replied: boolean }
  | { readonly type: 'posture.unrouted'; readonly connection: number; readonly vendorId: number; readonly subtype: number; readonly validatorId: number }
  | { readonly type: 'posture.attribute-dropped'; readonly connection: number; readonly imv: string; readonly attribute: string; readonly size: number }
  | { readonly type: 'posture.decision'; readonly connection: number; readonly user: string; readonly decision: PostureDecision }
  | { readonly type: 'posture.device'; readonly connection: number; readonly device: string; readonly product?: string; readonly groups: readonly string[]; readonly checked: readonly string[]; readonly skipped: readonly string[]; readonly firstSeen: boolean }
  | { readonly type: 'posture.store-error'; readonly connection: number; readonly operation: string; readonly message: string }
  | Exclude<StoreModelEvent, { readonly type: 'posture.store-error' }>;

export type ImvCall = 'notify' | 'receive' | 'batch-ending' | 'solicit';

/** setTimeout/clearTimeout, injected so tests can control time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ImvSessionOptions {
  readonly connectionId: number;
  readonly context: PostureContext;
  /** [id, imv]: ids are the PB-PA Posture Validator Identifiers. */
  readonly imvs: readonly { readonly id: number; readonly imv: Imv; readonly managed?: boolean }[];
  readonly policy: ResolvedPosturePolicy;
  readonly registry: AttributeRegistry;
  readonly timers: Timers;
  readonly randomId: () => number;
  readonly onEvent: (e: PostureEvent) => void;
  readonly now?: () => number;
  readonly store?: Store;
  /** The model for this assessment (the store's, store-model.ts); default policy.model. */
  readonly model?: (fallback: PolicyModel) => Promise<PolicyModel>;
}

interface Entry {
  readonly id: number;
  readonly imv: Imv;
  /** Built from the policy: gets per-connection work items. */
  readonly managed: boolean;
  created: boolean;
  failed: boolean;
  recommendation: ImvRecommendation | undefined;
  solicited: boolean;
}

/** Room kept in a RESULT batch for the PB-TNC messages after the PB-PA ones. */
const RESULT_RESERVE = 8192;

const TIMED_OUT = Symbol('timeout');

export class ImvPostureSession implements PostureSession {
  readonly #o: ImvSessionOptions;
  readonly #entries: Entry[];
  #queue: QueuedPaMessage[] = [];
  #started = false;
  #closed = false;
  #deviceId: string | undefined;
  #decision: PostureDecision | undefined;
  #device: DeviceContext | undefined;
  readonly #now: () => number;
  readonly #start: number;
  readonly #sessionId = randomUUID();

  constructor(options: ImvSessionOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#start = this.#now();
    this.#entries = options.imvs.map(({ id, imv, managed }) => ({ id, imv, managed: managed ?? false, created: false, failed: false, recommendation: undefined, solicited: false }));
  }

  get connectionId(): number {
    return this.#o.connectionId;
  }

  decision(): PostureDecision | undefined {
    return this.#decision;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const e of this.#entries) {
      if (e.created) void this.#call(e, 'notify', () => e.imv.notifyConnectionChange(this.#info(e), ConnectionState.Delete), true);
    }
  }

  async onClientBatch(input: ServerTurnInput): Promise<ServerTurn> {
    if (this.#closed) throw new Error('posture session closed');
    if (!this.#started) {
      this.#started = true;
      for (const e of this.#entries) {
        e.created = true;
        await this.#call(e, 'notify', () => e.imv.notifyConnectionChange(this.#info(e), ConnectionState.Create));
        await this.#call(e, 'notify', () => e.imv.notifyConnectionChange(this.#info(e), ConnectionState.Handshake));
      }
    } else if (input.retry || this.#decision !== undefined) {
      // CRETRY (or a new handshake after RESULT): IF-IMV HANDSHAKE again, recommendations cleared.
      this.#decision = undefined;
      for (const e of this.#entries) {
        e.recommendation = e.failed ? e.recommendation : undefined;
        e.solicited = false;
        await this.#call(e, 'notify', () => e.imv.notifyConnectionChange(this.#info(e), ConnectionState.Handshake));
      }
    }

    // Decode first: the device and its product must be known before the IMVs get their work.
    const routed = input.paMessages.map((m) => {
      const recipients = this.#active().filter(
        (e) =>
          e.imv.subscriptions.some((s) => s.vendorId === m.paVendorId && s.subtype === m.paSubtype) &&
          (!m.exclusive || e.id === m.validatorId),
      );
      return { m, recipients, r: recipients.length === 0 ? undefined : processMessage(m.body, this.#o.registry) };
    });
    if (this.#device === undefined) await this.#resolveDevice(routed.flatMap(({ r }) => (r?.ok ? [r.message.attributes] : [])));

    for (const { m, recipients, r } of routed) {
      if (recipients.length === 0 || r === undefined) {
        this.#o.onEvent({ type: 'posture.unrouted', connection: this.connectionId, vendorId: m.paVendorId, subtype: m.paSubtype, validatorId: m.validatorId });
        continue;
      }
      if (!r.ok) {
        // RFC 5792 s4.2.8: the PA-TNC Error goes back to the collector that sent the message.
        const first = recipients[0] as Entry;
        if (r.reply) {
          this.#queue.push({ vendorId: m.paVendorId, subtype: m.paSubtype, imcId: m.collectorId, exclusive: true, imvId: first.id, imvName: first.imv.name, attributes: [r.reply] });
        }
        this.#o.onEvent({ type: 'posture.pa-error', connection: this.connectionId, vendorId: m.paVendorId, subtype: m.paSubtype, collectorId: m.collectorId, code: r.error.code, replied: r.reply !== undefined });
        continue;
      }
      const message = {
        vendorId: m.paVendorId,
        subtype: m.paSubtype,
        collectorId: m.collectorId,
        validatorId: m.validatorId,
        exclusive: m.exclusive,
        identifier: r.message.identifier,
        attributes: r.message.attributes,
      };
      await Promise.all(recipients.map(async (e) => this.#apply(e, 'receive', await this.#call(e, 'receive', () => e.imv.receiveMessage(this.connectionId, message)))));
    }
    await Promise.all(this.#active().map(async (e) => this.#apply(e, 'batch-ending', await this.#call(e, 'batch-ending', () => e.imv.batchEnding(this.connectionId)))));

    // strongSwan: RESULT once every IMV has a recommendation; also when no IMV has anything more
    // to say (it then solicits the missing ones), and here after maxRounds client batches.
    const nothingToSend = this.#queue.length === 0;
    let decide = this.#entries.every((e) => e.recommendation !== undefined) || nothingToSend || input.roundTrip >= this.#o.policy.maxRounds;
    if (decide) {
      await Promise.all(
        this.#entries
          .filter((e) => e.recommendation === undefined)
          .map(async (e) => {
            e.solicited = true;
            const out = await this.#call(e, 'solicit', () => e.imv.solicitRecommendation(this.connectionId));
            this.#apply(e, 'solicit', out);
            if (!e.failed && e.recommendation === undefined) this.#fail(e, 'solicit', 'invalid', 'solicitRecommendation gave no recommendation');
          }),
      );
    }
    const pack = (reserve: number) => packPaMessages(this.#queue, { registry: this.#o.registry, limits: input.limits, reserve, randomId: this.#o.randomId });
    let packed = pack(decide ? RESULT_RESERVE : 0);
    if (decide && packed.deferred.length > 0) {
      decide = false; // too much to say for one RESULT batch: say it in SDATA first
      packed = pack(0);
    }
    for (const d of packed.dropped) this.#o.onEvent({ type: 'posture.attribute-dropped', connection: this.connectionId, imv: d.imvName, attribute: d.attribute, size: d.size });
    this.#queue = [...packed.deferred];
    if (!decide) return { action: 'continue', paMessages: packed.messages };
    return this.#decide(input, packed.messages);
  }

  /** The device, its groups and checks; each managed IMV gets its work items. */
  async #resolveDevice(attributeLists: readonly (readonly PaTncAttribute[])[]): Promise<void> {
    const facts = deviceFacts(attributeLists);
    const model = this.#o.model ? await this.#o.model(this.#o.policy.model) : this.#o.policy.model;
    const ctx = await resolveDeviceContext({
      model,
      store: this.#o.store,
      now: this.#now(),
      user: this.#o.context.user,
      ...facts,
      onStoreError: (operation, e) => this.#o.onEvent({ type: 'posture.store-error', connection: this.connectionId, operation, message: (e as Error)?.message ?? String(e) }),
    });
    this.#device = ctx;
    const items = workItems(ctx);
    this.#o.onEvent({
      type: 'posture.device',
      connection: this.connectionId,
      device: ctx.device,
      ...(ctx.product ? { product: ctx.product } : {}),
      groups: ctx.groups,
      checked: items.map((i) => i.policy),
      skipped: ctx.checks.filter((c) => c.skipped).map((c) => c.item.policy),
      firstSeen: ctx.firstSeen,
    });
    for (const e of this.#active()) {
      const types = e.imv.workTypes ?? [];
      if (!e.managed || !e.imv.setWorkItems) continue;
      const mine = items.filter((i) => types.includes(i.type));
      await this.#call(e, 'notify', () => e.imv.setWorkItems?.(this.connectionId, mine));
    }
  }

  async #decide(input: ServerTurnInput, paMessages: ServerTurn['paMessages']): Promise<ServerTurn> {
    const entries = this.#entries.map((e) => ({ e, rec: e.recommendation ?? NO_RECOMMENDATION }));
    const now = this.#now();
    const assessedPolicies = this.#device
      ? policyOutcomes(
          this.#device,
          this.#entries.filter((e) => e.managed).map((e) => ({ name: e.imv.name, workTypes: e.imv.workTypes ?? [], failed: e.failed, recommendation: e.recommendation })),
          now,
        )
      : [];
    // Policies no IMV answered for count with their onNoResult (an IMV's own results are in its recommendation).
    const unanswered = assessedPolicies
      .filter((p) => p.outcome === 'no-result' && !entries.some(({ e, rec }) => !e.failed && rec.results?.some((r) => r.policy === p.policy)))
      .map((p) => ({ recommendation: recommendationFromName(p.recommendation), evaluation: p.recommendation === 'no-recommendation' ? EvaluationResult.DontKnow : EvaluationResult.Error }));
    const merged = mergeRecommendations(this.#o.policy.recommendationPolicy, [...entries.map((x) => x.rec), ...unanswered]);
    const recommendation = recommendationName(merged.recommendation);
    const assessed: EnforcedRecommendation = recommendation === 'no-recommendation' ? this.#o.policy.noRecommendation : recommendation;
    // A manual quarantine (quarantineEndpoint) holds until an administrator lifts it: the stricter
    // of it and the assessment is enforced, and the session records who imposed it.
    const override = this.#device?.override;
    const enforced: EnforcedRecommendation = withOverride(assessed, override);
    const policies = override ? [...assessedPolicies, quarantineResult(override)] : assessedPolicies;
    const group = enforced === 'no-access' ? null : this.#o.policy.groups[enforced];
    const decision: PostureDecision = {
      recommendation,
      imvs: entries.map(({ e, rec }) => ({
        imv: e.imv.name,
        recommendation: recommendationName(rec.recommendation),
        evaluation: evaluationName(rec.evaluation),
        reasons: (rec.reasons ?? []).map((r) => r.reason),
      })),
      ...(this.#deviceId === undefined ? {} : { deviceId: this.#deviceId }),
      evaluation: evaluationName(merged.evaluation),
      enforced,
      group,
      session: this.#sessionId,
      ...(this.#device ? { device: { id: this.#device.device, idKind: this.#device.idKind, ...(this.#device.product ? { product: this.#device.product } : {}), groups: this.#device.groups } } : {}),
      policies,
      reasons: policies.filter((p) => p.outcome !== 'pass' || p.skipped).flatMap((p) => p.reasons.map((r) => `${p.policy}: ${r}`)),
    };
    this.#decision = decision;
    await this.#record(decision, now);
    this.#o.onEvent({ type: 'posture.decision', connection: this.connectionId, user: this.#o.context.user, decision });

    const state = { allow: ConnectionState.AccessAllowed, isolate: ConnectionState.AccessIsolated, 'no-access': ConnectionState.AccessNone }[enforced];
    await Promise.all(this.#active().map((e) => this.#call(e, 'notify', () => e.imv.notifyConnectionChange(this.#info(e), state))));

    // Reason strings from the IMVs that did not allow, one each, in the client's language.
    const reasonStrings = entries
      .filter(({ e, rec }) => !e.failed && rec.recommendation !== ActionRecommendation.Allow)
      .map(({ rec }) => pickReason(rec.reasons ?? [], input.languagePreference))
      .filter((r) => r !== undefined)
      .map((r) => ({ reason: r.reason, language: r.language }));
    // RFC 5793 section 4.11 PB-Reason-String: tells the endpoint why it is restricted.
    if (override) reasonStrings.unshift({ reason: quarantineReason(override), language: 'en' });
    const remediation: RemediationParameters[] =
      enforced === 'allow'
        ? []
        : entries.flatMap(({ e, rec }) =>
            e.failed ? [] : (rec.remediation ?? []).map((r): RemediationParameters => (r.kind === 'uri' ? { type: 'uri', uri: r.uri } : { type: 'string', text: r.text, language: r.language })),
          );
    return {
      action: 'decide',
      assessmentResult: merged.evaluation,
      accessRecommendation: ACCESS[enforced],
      ...(paMessages && paMessages.length > 0 ? { paMessages } : {}),
      ...(reasonStrings.length > 0 ? { reasonStrings } : {}),
      ...(remediation.length > 0 ? { remediation } : {}),
    };
  }

  /** The session and the device's new results into the store; a failure is an event, not an error. */
  async #record(d: PostureDecision, now: number): Promise<void> {
    if (!this.#o.store || !this.#device) return;
    const c = this.#o.context;
    try {
      await recordAssessment(this.#o.store, { id: this.#sessionId, user: c.user, transport: c.transport, via: c.via, start: this.#start, end: now }, this.#device, d);
    } catch (e) {
      this.#o.onEvent({ type: 'posture.store-error', connection: this.connectionId, operation: 'record-session', message: (e as Error)?.message ?? String(e) });
    }
  }

  #active(): Entry[] {
    return this.#entries.filter((e) => !e.failed);
  }

  #info(e: Entry) {
    return { id: this.connectionId, imvId: e.id, user: this.#o.context.user };
  }

  /** Runs one IMV call under the timeout; undefined when it failed (the entry is then failed). */
  async #call<T>(e: Entry, call: ImvCall, fn: () => T | Promise<T>, quiet = false): Promise<T | undefined> {
    if (e.failed && call !== 'notify') return undefined;
    let handle: unknown;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      handle = this.#o.timers.setTimeout(() => resolve(TIMED_OUT), this.#o.policy.imvTimeoutMs);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(fn), timeout]);
      if (result === TIMED_OUT) {
        if (!quiet) this.#fail(e, call, 'timeout', `no answer within ${this.#o.policy.imvTimeoutMs} ms`);
        return undefined;
      }
      return result;
    } catch (err) {
      if (!quiet) this.#fail(e, call, 'exception', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
      return undefined;
    } finally {
      this.#o.timers.clearTimeout(handle);
    }
  }

  #fail(e: Entry, call: ImvCall, reason: 'timeout' | 'exception' | 'invalid', message: string): void {
    if (e.failed) return;
    e.failed = true;
    e.recommendation = { recommendation: ActionRecommendation.NoRecommendation, evaluation: EvaluationResult.Error, reasons: [{ language: 'en', reason: `IMV ${e.imv.name} failed (${call}): ${message}` }] };
    this.#o.onEvent({ type: 'posture.imv-failed', connection: this.connectionId, imv: e.imv.name, call, reason, message });
  }

  /** Takes an IMV's output: queues its messages, keeps its recommendation and device id. */
  #apply(e: Entry, call: ImvCall, out: ImvOutput | undefined): void {
    if (out === undefined || e.failed) return;
    if (typeof out !== 'object' || out === null) return this.#fail(e, call, 'invalid', 'not an output object');
    const rec = out.recommendation;
    if (rec !== undefined && !validRecommendation(rec)) return this.#fail(e, call, 'invalid', 'recommendation or evaluation out of range');
    for (const m of out.messages ?? []) this.#queue.push({ ...m, imvId: e.id, imvName: e.imv.name });
    if (typeof out.deviceId === 'string' && this.#deviceId === undefined) this.#deviceId = out.deviceId;
    if (rec !== undefined) {
      e.recommendation = rec;
      this.#o.onEvent({
        type: 'posture.imv-recommendation',
        connection: this.connectionId,
        imv: e.imv.name,
        recommendation: recommendationName(rec.recommendation),
        evaluation: evaluationName(rec.evaluation),
        solicited: call === 'solicit',
      });
    }
  }
}

const NO_RECOMMENDATION: ImvRecommendation = { recommendation: ActionRecommendation.NoRecommendation, evaluation: EvaluationResult.DontKnow };

const ACCESS = {
  allow: AccessRecommendation.AccessAllowed,
  isolate: AccessRecommendation.Quarantined,
  'no-access': AccessRecommendation.AccessDenied,
} as const;

function validRecommendation(r: ImvRecommendation): boolean {
  return Number.isInteger(r.recommendation) && r.recommendation >= 0 && r.recommendation <= 3 && Number.isInteger(r.evaluation) && r.evaluation >= 0 && r.evaluation <= 4;
}
