/**
 * Where the EAP service gets its PostureService when `eap.tnc` is configured.
 *
 * The service is built from the configuration by a factory, in the thread that runs the EAP
 * conversations: directly for `workers: 1`, and inside each worker thread otherwise. Functions do
 * not cross postMessage, so worker threads import the factory from a module instead: `module` is
 * the URL (or bare specifier) of an ES module that exports `createPostureService(config)`.
 */
import type { PdpConfig } from '../config/types.js';
import type { PostureService } from '../posture/posture-service.js';

export type PostureServiceFactory = (config: PdpConfig) => PostureService | Promise<PostureService>;

export interface PostureProvider {
  /** Builds the service in this thread. */
  readonly create: PostureServiceFactory;
  /** For worker threads: a module exporting `createPostureService: PostureServiceFactory`. */
  readonly module?: string;
}

/** What a worker thread does with WorkerData.postureModule. */
export async function postureServiceFromModule(specifier: string, config: PdpConfig): Promise<PostureService> {
  const mod = (await import(specifier)) as { createPostureService?: unknown };
  if (typeof mod.createPostureService !== 'function') {
    throw new Error(`posture module ${specifier} does not export createPostureService(config)`);
  }
  return (await (mod.createPostureService as PostureServiceFactory)(config)) satisfies PostureService;
}
