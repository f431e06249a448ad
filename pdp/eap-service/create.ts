import { availableParallelism } from 'node:os';
import type { PdpConfig } from '../config/types.js';
import type { Logger } from '../logging.js';
import type { TlsIdentity } from '../pki/demo-pki.js';
import type { UserDirectory } from '../users.js';
import type { EapService } from './eap-service.js';
import { LocalEapService } from './local-eap-service.js';
import type { PostureProvider } from './posture-provider.js';
import { WorkerEapService } from './worker-eap-service.js';

/**
 * `workers: 1` keeps EAP in the RADIUS thread; more (or 'auto') shards it over worker threads.
 * With `eap.tnc`, `posture` must be given: its factory runs here for one thread, each worker
 * imports `posture.module` and builds its own service. `users` serves this thread; worker threads
 * build their own directory (from the store over `storeChannel`, else from the config).
 */
export async function createEapService(
  config: PdpConfig,
  identity: TlsIdentity,
  users: UserDirectory,
  log: Logger,
  posture?: PostureProvider,
  /**
   * The channel the main thread serves its store on (pdp/store/remote-store.ts): worker threads
   * then read users from the store (a StoreUserDirectory over a RemoteStore) instead of the config.
   */
  storeChannel?: string,
): Promise<EapService> {
  const n = config.workers === 'auto' ? availableParallelism() : config.workers;
  if (config.eap.tnc && !posture) throw new Error('eap.tnc is configured, but no posture service is available');
  if (n <= 1) {
    const service = config.eap.tnc && posture ? await posture.create(config) : undefined;
    return new LocalEapService({ config, identity, users, shard: 0, ...(service ? { posture: service } : {}) });
  }
  if (config.eap.tnc && !posture?.module) throw new Error('eap.tnc with worker threads needs a posture module the workers can import');
  log.info({ event: 'eap.workers', workers: n }, `EAP conversations sharded over ${n} worker threads`);
  return WorkerEapService.start(n, {
    config,
    identity,
    ...(config.eap.tnc && posture?.module ? { postureModule: posture.module } : {}),
    ...(storeChannel ? { storeChannel } : {}),
  }, (w) => log.warn({ event: w.event }, w.message));
}
