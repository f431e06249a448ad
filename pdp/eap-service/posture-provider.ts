/**
 * Where the EAP service gets its PostureService when `eap.tnc` is configured.
 *
 * The service is built from the configuration by a factory, in the thread that runs the EAP
 * conversations: directly for `workers: 1`, and inside each worker thread otherwise. Functions do
 * not cross postMessage, so worker threads import the factory from a module instead: `module` is
 * the URL (or bare specifier) of an ES module that exports `createPostureService(config, context)`.
 *
 * The store has one owner, the main thread; a worker reaches it over a BroadcastChannel
 * (pdp/store/remote-store.ts) whose name rides in the specifier the worker gets
 * (`<module>#store-channel=<name>`, see `workerPostureModule`), so the worker plumbing passes one
 * string as before.
 */
import type { PdpConfig } from '../config/types.js';
import type { PostureService } from '../posture/posture-service.js';
import { RemoteStore } from '../store/remote-store.js';
import type { Store } from '../store/store.js';

export type PostureServiceFactory = (config: PdpConfig, context?: { readonly store?: Store }) => PostureService | Promise<PostureService>;

export interface PostureProvider {
  /** Builds the service in this thread. */
  readonly create: PostureServiceFactory;
  /** For worker threads: a module exporting `createPostureService: PostureServiceFactory`. */
  readonly module?: string;
  /** The BroadcastChannel name the main thread serves the store on (remote-store.ts). */
  readonly storeChannel?: string;
}

const CHANNEL_PARAM = 'store-channel=';

/** The specifier a worker gets: the module, with the store channel in its fragment. */
export function workerPostureModule(provider: Pick<PostureProvider, 'module' | 'storeChannel'>): string | undefined {
  if (!provider.module) return undefined;
  return provider.storeChannel ? `${provider.module}#${CHANNEL_PARAM}${encodeURIComponent(provider.storeChannel)}` : provider.module;
}

/** What a worker thread does with WorkerData.postureModule. */
export async function postureServiceFromModule(specifier: string, config: PdpConfig): Promise<PostureService> {
  const hash = specifier.indexOf('#');
  const fragment = hash < 0 ? '' : specifier.slice(hash + 1);
  const moduleSpecifier = hash < 0 ? specifier : specifier.slice(0, hash);
  const channel = fragment.startsWith(CHANNEL_PARAM) ? decodeURIComponent(fragment.slice(CHANNEL_PARAM.length)) : undefined;
  const mod = (await import(moduleSpecifier)) as { createPostureService?: unknown };
  if (typeof mod.createPostureService !== 'function') {
    throw new Error(`posture module ${moduleSpecifier} does not export createPostureService(config)`);
  }
  const store = channel ? new RemoteStore(channel) : undefined;
  return (await (mod.createPostureService as PostureServiceFactory)(config, store ? { store } : {})) satisfies PostureService;
}
