/**
 * The PB-TNC message registry: one table keyed by (vendor, type) with each type's codec and the
 * rules the batch decoder enforces from the message header, as strongSwan's pb_tnc_msg.c
 * (pb_tnc_msg_infos) does. Adding a message type = one codec file + one row here.
 *
 *   type                       min length  exact  batch types   NOSKIP
 *   IETF 0 PB-Experimental         12        no    any           either (NOSKIP: unsupported)
 *   IETF 1 PB-PA                   24        no    any           set
 *   IETF 2 PB-Assessment-Result    16        yes   RESULT        set
 *   IETF 3 PB-Access-Recommend.    16        yes   RESULT        clear
 *   IETF 4 PB-Remediation-Params   20        no    RESULT        clear
 *   IETF 5 PB-Error                20        no    any           set
 *   IETF 6 PB-Language-Preference  12        no    any           clear
 *   IETF 7 PB-Reason-String        17        no    RESULT        clear
 *   TCG  1 PB-PDP-Referral         20        no    any           clear
 *
 * Lengths are PB-TNC Message Lengths, i.e. they include the 12-octet message header. Any other
 * (vendor, type) decodes to a `PbUnknownMessage` that keeps its value, unless it has NOSKIP set:
 * then the receiver MUST answer Unsupported Mandatory Message (RFC 5793 section 4.2).
 */
import { ALL_BATCH_TYPES, PbBatchType } from '../batch-type.js';
import { PbTncEncodeError } from '../../errors.js';
import { accessRecommendationCodec, type PbAccessRecommendationMessage } from './access-recommendation.js';
import { assessmentResultCodec, type PbAssessmentResultMessage } from './assessment-result.js';
import type { PbTncMessageCodec } from './codec.js';
import { errorCodec, type PbErrorMessage } from './error.js';
import { experimentalCodec, type PbExperimentalMessage } from './experimental.js';
import { languagePreferenceCodec, type PbLanguagePreferenceMessage } from './language-preference.js';
import { PA_HEADER_SIZE, paCodec, type PbPaMessage } from './pa.js';
import { reasonStringCodec, type PbReasonStringMessage } from './reason-string.js';
import { remediationParametersCodec, type PbRemediationParametersMessage } from './remediation-parameters.js';
import { pdpReferralCodec, type PbPdpReferralMessage } from './tcg/pdp-referral.js';

/** A message of a (vendor, type) we do not know; its value is kept. */
export interface PbUnknownMessage {
  readonly kind: 'unknown';
  readonly vendorId: number;
  readonly type: number;
  readonly noskip: boolean;
  readonly value: Uint8Array;
}

export type PbKnownMessage =
  | PbExperimentalMessage
  | PbPaMessage
  | PbAssessmentResultMessage
  | PbAccessRecommendationMessage
  | PbRemediationParametersMessage
  | PbErrorMessage
  | PbLanguagePreferenceMessage
  | PbReasonStringMessage
  | PbPdpReferralMessage;

export type PbTncMessage = PbKnownMessage | PbUnknownMessage;

export type NoskipRule = 'set' | 'clear' | 'either';

export interface PbTncMessageRule {
  /** Minimum PB-TNC Message Length, header included (strongSwan's min_size). */
  readonly minLength: number;
  /** The length must be exactly minLength. */
  readonly exactLength: boolean;
  /** Whether the NOSKIP flag must be set, must be clear, or may be either. */
  readonly noskip: NoskipRule;
  /** Batch types that may carry this message. */
  readonly batchTypes: readonly PbBatchType[];
  /** For PB-PA: octets of the value before the PA-TNC message that limits.maxMessageSize bounds. */
  readonly limitedBodyAt?: number;
}

export interface PbTncRegistryEntry {
  readonly codec: PbTncMessageCodec<PbKnownMessage>;
  readonly rule: PbTncMessageRule;
}

const RESULT_ONLY: readonly PbBatchType[] = [PbBatchType.RESULT];

function row<M extends PbKnownMessage>(codec: PbTncMessageCodec<M>, rule: PbTncMessageRule): PbTncRegistryEntry {
  // The table is heterogeneous; encodeMessageValue() only hands an entry messages of its kind.
  return { codec: codec as unknown as PbTncMessageCodec<PbKnownMessage>, rule };
}

export const MESSAGE_REGISTRY: readonly PbTncRegistryEntry[] = [
  row(experimentalCodec, { minLength: 12, exactLength: false, noskip: 'either', batchTypes: ALL_BATCH_TYPES }),
  row(paCodec, { minLength: 24, exactLength: false, noskip: 'set', batchTypes: ALL_BATCH_TYPES, limitedBodyAt: PA_HEADER_SIZE }),
  row(assessmentResultCodec, { minLength: 16, exactLength: true, noskip: 'set', batchTypes: RESULT_ONLY }),
  row(accessRecommendationCodec, { minLength: 16, exactLength: true, noskip: 'clear', batchTypes: RESULT_ONLY }),
  row(remediationParametersCodec, { minLength: 20, exactLength: false, noskip: 'clear', batchTypes: RESULT_ONLY }),
  row(errorCodec, { minLength: 20, exactLength: false, noskip: 'set', batchTypes: ALL_BATCH_TYPES }),
  row(languagePreferenceCodec, { minLength: 12, exactLength: false, noskip: 'clear', batchTypes: ALL_BATCH_TYPES }),
  row(reasonStringCodec, { minLength: 17, exactLength: false, noskip: 'clear', batchTypes: RESULT_ONLY }),
  row(pdpReferralCodec, { minLength: 20, exactLength: false, noskip: 'clear', batchTypes: ALL_BATCH_TYPES }),
];

const key = (vendorId: number, type: number) => `${vendorId}/${type}`;
const BY_TYPE = new Map(MESSAGE_REGISTRY.map((e) => [key(e.codec.vendorId, e.codec.type), e]));
const BY_KIND = new Map(MESSAGE_REGISTRY.map((e) => [e.codec.kind as string, e]));

/** The registry entry for a (vendor, type) from a message header, if we know it. */
export function lookupMessageType(vendorId: number, type: number): PbTncRegistryEntry | undefined {
  return BY_TYPE.get(key(vendorId, type));
}

/** The registry entry for a known message kind. */
export function entryForKind(kind: PbKnownMessage['kind']): PbTncRegistryEntry {
  const entry = BY_KIND.get(kind);
  if (!entry) throw new PbTncEncodeError('PB_MESSAGE_UNSUPPORTED', `no codec for message kind ${kind}`);
  return entry;
}

/** What goes into a message's header: (vendor, type) and the NOSKIP flag. */
export function messageHeaderOf(message: PbTncMessage): { vendorId: number; type: number; noskip: boolean } {
  if (message.kind === 'unknown') return { vendorId: message.vendorId, type: message.type, noskip: message.noskip };
  const { codec, rule } = entryForKind(message.kind);
  const noskip = rule.noskip === 'either' ? message.kind === 'experimental' && message.noskip === true : rule.noskip === 'set';
  return { vendorId: codec.vendorId, type: codec.type, noskip };
}

/** The PB-TNC Message Value of a message. Throws PbTncEncodeError. */
export function encodeMessageValue(message: PbTncMessage): Uint8Array {
  if (message.kind === 'unknown') return message.value;
  return entryForKind(message.kind).codec.encode(message);
}

/** The RFC name of a message's type, or "vendor/type" for unknown ones. */
export function messageName(message: PbTncMessage): string {
  if (message.kind === 'unknown') return `0x${message.vendorId.toString(16).padStart(6, '0')}/${message.type}`;
  return entryForKind(message.kind).codec.name;
}
