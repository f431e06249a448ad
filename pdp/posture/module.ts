/**
 * The posture service the PDP builds from its configuration. Worker threads import this module by
 * URL (see pdp/eap-service/posture-provider.ts), so it exports the factory by name.
 */
import type { PdpConfig } from '../config/types.js';
import type { PostureProvider } from '../eap-service/posture-provider.js';
import { ImvPostureService } from './imv-posture-service.js';
import type { PostureEvent } from './imv-session.js';
import { resolvePosturePolicy } from './policy.js';
import type { PostureService } from './posture-service.js';

export function createPostureService(config: PdpConfig, onEvent?: (e: PostureEvent) => void): PostureService {
  resolvePosturePolicy(config.posture);
  return new ImvPostureService({ policy: config.posture, ...(onEvent ? { onEvent } : {}) });
}

/** The provider pdp.ts hands to the EAP service: this thread builds directly, workers import us. */
export function posturePolicyProvider(onEvent?: (e: PostureEvent) => void): PostureProvider {
  return { create: (config) => createPostureService(config, onEvent), module: import.meta.url };
}
