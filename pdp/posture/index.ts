/** Posture assessment for the PDP: the IMV manager behind PostureService (posture-service.ts). */
export type { PostureContext, PostureDecision, PostureService, PostureSession, Recommendation } from './posture-service.js';
export { DEFAULT_IMV_TIMEOUT_MS, DEFAULT_MAX_ROUNDS, resolvePosturePolicy } from './policy.js';
export type { EnforcedRecommendation, PosturePolicy, ResolvedPosturePolicy } from './policy.js';
export { ImvPostureService, buildImvs } from './imv-posture-service.js';
export type { ImvPostureServiceOptions } from './imv-posture-service.js';
export { ImvPostureSession } from './imv-session.js';
export type { ImvCall, ImvSessionOptions, PostureEvent, Timers } from './imv-session.js';
export { packPaMessages } from './pa-out.js';
export type { PackOptions, PackResult, QueuedPaMessage } from './pa-out.js';
export { DEFAULT_GROUP, imvPolicies, resolvePolicyModel } from './model.js';
export type { DeviceConfig, DeviceGroupConfig, EnforcementConfig, PolicyConfig, PolicyModel, PolicyModelConfig, ResolvedEnforcement, ResolvedPolicy } from './model.js';
export { globMatch, planChecks, resolveDeviceGroups, selectEnforcements } from './device-policy.js';
export type { DeviceGroups, PlannedCheck } from './device-policy.js';
export { deviceFacts, policyOutcomes, resolveDeviceContext } from './device-context.js';
export type { DeviceContext } from './device-context.js';
export { createPostureService, posturePolicyProvider } from './module.js';
export type { PostureServiceContext } from './module.js';
