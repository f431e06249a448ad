/**
 * The posture service the PDP builds from its configuration. Worker threads import this module by
 * URL (see pdp/eap-service/posture-provider.ts), so it exports the factory by name.
 */
import type { PdpConfig } from '../config/types.js';
import { workerPostureModule, type PostureProvider } from '../eap-service/posture-provider.js';
import type { Store } from '../store/store.js';
import { ImvPostureService } from './imv-posture-service.js';
import type { PostureEvent } from './imv-session.js';
import { resolvePosturePolicy } from './policy.js';
import type { PostureService } from './posture-service.js';

export interface PostureServiceContext {
  /** The store (the embedded one here, a RemoteStore in a worker thread). */
  readonly store?: Store;
  readonly onEvent?: (e: PostureEvent) => void;
}

export function createPostureService(config: PdpConfig, context: PostureServiceContext | ((e: PostureEvent) => void) = {}): PostureService {
  const c: PostureServiceContext = typeof context === 'function' ? { onEvent: context } : context;
  resolvePosturePolicy(config.posture);
  return new ImvPostureService({ policy: config.posture, ...(c.onEvent ? { onEvent: c.onEvent } : {}), ...(c.store ? { store: c.store } : {}) });
}

/**
 * The provider pdp.ts hands to the EAP service: this thread builds directly with `store`; workers
 * import this module and reach the store over `storeChannel` (pdp/store/remote-store.ts).
 */
export function posturePolicyProvider(onEvent?: (e: PostureEvent) => void, store?: { readonly store: Store; readonly channel: string }): PostureProvider {
  // create.ts hands `module` to the workers as is: it carries the channel (workerPostureModule).
  return {
    create: (config) => createPostureService(config, { ...(onEvent ? { onEvent } : {}), ...(store ? { store: store.store } : {}) }),
    module: workerPostureModule({ module: import.meta.url, ...(store ? { storeChannel: store.channel } : {}) }) as string,
    ...(store ? { storeChannel: store.channel } : {}),
  };
}
