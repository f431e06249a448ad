import { availableParallelism } from 'node:os';
import type { PdpConfig } from '../config/types.js';
import type { Logger } from '../logging.js';
import type { TlsIdentity } from '../pki/demo-pki.js';
import type { UserDirectory } from '../users.js';
import type { EapService } from './eap-service.js';
import { LocalEapService } from './local-eap-service.js';
import { WorkerEapService } from './worker-eap-service.js';

/** `workers: 1` keeps EAP in the RADIUS thread; more (or 'auto') shards it over worker threads. */
export async function createEapService(config: PdpConfig, identity: TlsIdentity, users: UserDirectory, log: Logger): Promise<EapService> {
  const n = config.workers === 'auto' ? availableParallelism() : config.workers;
  if (n <= 1) return new LocalEapService({ config, identity, users, shard: 0 });
  log.info({ event: 'eap.workers', workers: n }, `EAP conversations sharded over ${n} worker threads`);
  return WorkerEapService.start(n, { config, identity });
}
