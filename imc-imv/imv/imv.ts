/**
 * The IMV plugin interface: the roles of TCG IF-IMV 1.3 (TNC_IMV_NotifyConnectionChange,
 * TNC_IMV_ReceiveMessageLong, TNC_IMV_BatchEnding, TNC_IMV_SolicitRecommendation,
 * TNC_TNCS_ProvideRecommendation) as a typed TypeScript interface, after strongSwan's
 * src/libimcv/imv/imv_agent_if.h.
 *
 *   manager                                   IMV (one instance, many connections)
 *     notifyConnectionChange(c, CREATE)  ->     creates its per-connection state
 *     notifyConnectionChange(c, HANDSHAKE) ->
 *     setWorkItems(c, items)             ->     the checks for this endpoint (work-item.ts)
 *     receiveMessage(c, message)         ->     <- { messages?, recommendation?, deviceId? }
 *     batchEnding(c)                     ->     <- { messages?, recommendation? }
 *     solicitRecommendation(c)           ->     <- { recommendation, messages? }  (must decide now)
 *     notifyConnectionChange(c, ACCESS_*) ->    the final outcome
 *     notifyConnectionChange(c, DELETE)  ->     drops the state
 *
 * Instead of calling back into the TNCS (SendMessage, ProvideRecommendation), an IMV returns what
 * it wants sent and, once it has made up its mind, its recommendation: the manager queues the
 * attributes for the next batch and keeps the recommendation. Every method may return a promise;
 * the manager bounds each call with a per-IMV timeout and treats a throw or a timeout as
 * "no recommendation" with evaluation "error" for that IMV.
 *
 * Values are the TCG IF-IMV enumerations (tncifimv.h): an IMV written against IF-IMV maps 1:1.
 * IMVs get their settings through their constructor; nothing here is global. The per-connection
 * policy (which checks, for this device) comes with setWorkItems, once the TNCS knows the device
 * and its product, before the first message is delivered; without it the IMV checks what its
 * constructor options say.
 */
import type { PaTncAttribute } from '../pa-tnc/attribute.js';
import { ConnectionStates } from '../connection-states.js';
import type { ImvWorkItem, ImvWorkResult, WorkType } from './work-item.js';

/** TNC_IMV_Action_Recommendation (IF-IMV 1.3 section 3.2.9). */
export const ActionRecommendation = {
  Allow: 0,
  NoAccess: 1,
  Isolate: 2,
  NoRecommendation: 3,
} as const;
export type ActionRecommendation = (typeof ActionRecommendation)[keyof typeof ActionRecommendation];

/** TNC_IMV_Evaluation_Result (IF-IMV 1.3 section 3.2.10); the same codes as PB-Assessment-Result. */
export const EvaluationResult = {
  Compliant: 0,
  NonCompliantMinor: 1,
  NonCompliantMajor: 2,
  Error: 3,
  DontKnow: 4,
} as const;
export type EvaluationResult = (typeof EvaluationResult)[keyof typeof EvaluationResult];

/** TNC_ConnectionState (IF-IMV 1.3 section 3.2.6). */
export const ConnectionState = {
  Create: 0,
  Handshake: 1,
  AccessAllowed: 2,
  AccessIsolated: 3,
  AccessNone: 4,
  Delete: 5,
} as const;
export type ConnectionState = (typeof ConnectionState)[keyof typeof ConnectionState];

const RECOMMENDATION_NAMES = ['allow', 'no-access', 'isolate', 'no-recommendation'] as const;
const EVALUATION_NAMES = ['compliant', 'non-compliant-minor', 'non-compliant-major', 'error', 'dont-know'] as const;

export type RecommendationName = (typeof RECOMMENDATION_NAMES)[number];
export type EvaluationName = (typeof EVALUATION_NAMES)[number];

export function recommendationName(r: ActionRecommendation): RecommendationName {
  return RECOMMENDATION_NAMES[r];
}

export function recommendationFromName(name: RecommendationName): ActionRecommendation {
  return RECOMMENDATION_NAMES.indexOf(name) as ActionRecommendation;
}

export function evaluationName(e: EvaluationResult): EvaluationName {
  return EVALUATION_NAMES[e];
}

/** A PA message type: PA Message Vendor ID and PA Subtype (RFC 5792 section 7.2). */
export interface PaSubtype {
  readonly vendorId: number;
  readonly subtype: number;
}

/** IETF PA Subtypes (RFC 5792 section 7.2) and strongSwan's ITA Test subtype. */
export const PaSubtypes = {
  OperatingSystem: { vendorId: 0, subtype: 1 },
  Firewall: { vendorId: 0, subtype: 5 },
  ItaTest: { vendorId: 0x00902a, subtype: 1 },
} as const satisfies Record<string, PaSubtype>;

/** Posture Collector / Validator Identifier "any" (TNC_IMCID_ANY / TNC_IMVID_ANY). */
export const IMC_ID_ANY = 0xffff;

/** What the manager tells an IMV about a connection when it is created. */
export interface ImvConnectionInfo {
  readonly id: number;
  /** This IMV's identifier on the connection (the PB-PA Posture Validator Identifier). */
  readonly imvId: number;
  /** The authenticated identity, if the transport knows one. */
  readonly user?: string;
}

/** One received PA-TNC message, decoded, as delivered to an IMV (ReceiveMessageLong). */
export interface ImvMessage extends PaSubtype {
  readonly collectorId: number;
  readonly validatorId: number;
  readonly exclusive: boolean;
  readonly identifier: number;
  readonly attributes: readonly PaTncAttribute[];
}

/** Attributes an IMV wants sent in one PA-TNC message. */
export interface ImvOutgoing extends PaSubtype {
  /** The IMC to address (PB-PA Posture Collector Identifier); IMC_ID_ANY when omitted. */
  readonly imcId?: number;
  /** The PB-PA EXCL flag: deliver to `imcId` only. */
  readonly exclusive?: boolean;
  readonly attributes: readonly PaTncAttribute[];
}

export interface ReasonString {
  readonly reason: string;
  /** RFC 5646 language tag ("en"). */
  readonly language: string;
}

/** Remediation, sent as PB-Remediation-Parameters (RFC 5793 section 4.8) in the RESULT batch. */
export type ImvRemediation =
  | { readonly kind: 'uri'; readonly uri: string }
  | { readonly kind: 'string'; readonly text: string; readonly language: string };

/** TNC_TNCS_ProvideRecommendation, with the reason strings and remediation of the IMV. */
export interface ImvRecommendation {
  readonly recommendation: ActionRecommendation;
  readonly evaluation: EvaluationResult;
  /** In one or more languages; the manager picks by the client's language preference. */
  readonly reasons?: readonly ReasonString[];
  readonly remediation?: readonly ImvRemediation[];
  /** One result per work item (policy) the IMV checked. */
  readonly results?: readonly ImvWorkResult[];
}

export interface ImvOutput {
  /** Sent in the next batch (SDATA, or RESULT when the session decides now). */
  readonly messages?: readonly ImvOutgoing[];
  /** Set once the IMV has made up its mind; a later one replaces it. */
  readonly recommendation?: ImvRecommendation;
  /** The endpoint's device identity, when the IMV learned one (ITA Device ID). */
  readonly deviceId?: string;
}

export interface ImvSolicitedOutput extends ImvOutput {
  readonly recommendation: ImvRecommendation;
}

type MaybePromise<T> = T | Promise<T>;

/** A validator. One instance serves every connection; state is keyed by connection id. */
export interface Imv {
  /** Stable name for logs, events and policy ("os", "scanner", "test"). */
  readonly name: string;
  /** The PA message types delivered to it (TNC_TNCS_ReportMessageTypesLong). */
  readonly subscriptions: readonly PaSubtype[];
  /** The policy types it can check (work-item.ts); none when absent. */
  readonly workTypes?: readonly WorkType[];
  /** This connection's checks; called after CREATE/HANDSHAKE and before any receiveMessage. */
  setWorkItems?(connectionId: number, items: readonly ImvWorkItem[]): MaybePromise<void>;
  notifyConnectionChange(connection: ImvConnectionInfo, state: ConnectionState): MaybePromise<void>;
  receiveMessage(connectionId: number, message: ImvMessage): MaybePromise<ImvOutput>;
  batchEnding(connectionId: number): MaybePromise<ImvOutput>;
  /** The TNCS needs the recommendation now: the IMV decides with what it has. */
  solicitRecommendation(connectionId: number): MaybePromise<ImvSolicitedOutput>;
}

/** Per-connection state table of an IMV, bounded so a leak cannot grow without end. */
export class ImvStates<S> extends ConnectionStates<S> {
  constructor(maxConnections = 100_000) {
    super(maxConnections);
  }

  /** The IMV's name for `set`: a connection's state is created on CREATE. */
  create(id: number, state: S): S {
    return this.set(id, state);
  }
}

/** Picks the reason in the first preferred language it has, else its first one (strongSwan). */
export function pickReason(reasons: readonly ReasonString[], preference: string | undefined): ReasonString | undefined {
  const wanted = (preference ?? '')
    .split(',')
    .map((l) => l.split(';')[0]?.trim().toLowerCase() ?? '')
    .filter((l) => l.length > 0);
  for (const lang of wanted) {
    const hit = reasons.find((r) => r.language.toLowerCase() === lang);
    if (hit) return hit;
  }
  return reasons[0];
}
