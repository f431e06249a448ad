/**
 * Public API of the PB-TNC library (RFC 5793, the TCG's IF-TNCCS 2.0).
 * Codec and transport-free session only: no sockets here (PT-EAP / PT-TLS transports compose it).
 */
export { PbErrorCode, PbTncEncodeError, PbTncError, pbErrorCodeName } from './errors.js';
export type { PbTncEncodeErrorCode, PbTncErrorCode } from './errors.js';

export { ALL_BATCH_TYPES, PB_TNC_VERSION, PbBatchType, batchTypeName, isBatchType, senderOf } from './pb/batch-type.js';
export type { PbTncRole } from './pb/batch-type.js';
export {
  DEFAULT_LIMITS,
  EAP_MAX_BATCH_SIZE,
  PB_BATCH_HEADER_SIZE,
  PB_MESSAGE_HEADER_SIZE,
  PT_TLS_LIMITS,
  PT_TLS_MAX_BATCH_SIZE,
  pbTncLimits,
} from './pb/limits.js';
export type { PbTncLimits } from './pb/limits.js';
export { Pen } from './pb/wire.js';
export {
  BATCH_FLAG_DIRECTOR,
  MESSAGE_FLAG_NOSKIP,
  decodeBatch,
  decodeMessages,
  encodeBatch,
  encodeBatchHeader,
  encodeMessage,
  encodedMessageSize,
  readBatchHeader,
} from './pb/batch.js';
export type { PbBatchHeader, PbTncBatch, PbTncBatchInit } from './pb/batch.js';

export {
  MESSAGE_REGISTRY,
  encodeMessageValue,
  entryForKind,
  lookupMessageType,
  messageHeaderOf,
  messageName,
} from './pb/messages/registry.js';
export type {
  NoskipRule,
  PbKnownMessage,
  PbTncMessage,
  PbTncMessageRule,
  PbTncRegistryEntry,
  PbUnknownMessage,
} from './pb/messages/registry.js';
export type { PbTncMessageCodec } from './pb/messages/codec.js';
export { experimentalCodec } from './pb/messages/experimental.js';
export type { PbExperimentalMessage } from './pb/messages/experimental.js';
export { PA_FLAG_EXCL, PA_HEADER_SIZE, PA_ID_ANY, paCodec } from './pb/messages/pa.js';
export type { PbPaMessage } from './pb/messages/pa.js';
export { AssessmentResult, assessmentResultCodec, isAssessmentResult } from './pb/messages/assessment-result.js';
export type { PbAssessmentResultMessage } from './pb/messages/assessment-result.js';
export { AccessRecommendation, accessRecommendationCodec, isAccessRecommendation } from './pb/messages/access-recommendation.js';
export type { PbAccessRecommendationMessage } from './pb/messages/access-recommendation.js';
export { RemediationParametersType, remediationParametersCodec } from './pb/messages/remediation-parameters.js';
export type { PbRemediationParametersMessage, RemediationParameters } from './pb/messages/remediation-parameters.js';
export { ERROR_FLAG_FATAL, errorCodec, errorMessageFor } from './pb/messages/error.js';
export type { PbErrorMessage, PbErrorParameters } from './pb/messages/error.js';
export { LANGUAGE_PREFIX, languagePreferenceCodec } from './pb/messages/language-preference.js';
export type { PbLanguagePreferenceMessage } from './pb/messages/language-preference.js';
export { reasonStringCodec } from './pb/messages/reason-string.js';
export type { PbReasonStringMessage } from './pb/messages/reason-string.js';
export { PDP_PROTOCOL_PT_TLS, PT_TLS_PORT, PdpIdentifierType, pdpReferralCodec } from './pb/messages/tcg/pdp-referral.js';
export type { PbPdpReferralMessage, PdpIdentifier } from './pb/messages/tcg/pdp-referral.js';

export { PbTncState, allowedBatchTypes, stateName, transition } from './pb/state-machine.js';
export type { PbTncEvent, PbTncTransition } from './pb/state-machine.js';
export { PbTncServerSession, pdpReferralMessage } from './pb/session.js';
export type {
  PbTncServerHandler,
  PbTncServerSessionOptions,
  PbTncSessionEvent,
  PdpReferralOption,
  PbTncStep,
  ServerTurn,
  ServerTurnInput,
} from './pb/session.js';
export { PbTncClientSession } from './pb/client-session.js';
export type { PbTncClientHandler, PbTncClientSessionOptions } from './pb/client-session.js';
