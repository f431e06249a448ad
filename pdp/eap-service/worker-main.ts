/** Entry point of an EAP worker thread: a LocalEapService behind postMessage. */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigUserDirectory, type UserDirectory } from '../users.js';
import { RemoteStore } from '../store/remote-store.js';
import { StoreUserDirectory } from '../store/store-user-directory.js';
import { LocalEapService } from './local-eap-service.js';
import { postureServiceFromModule } from './posture-provider.js';
import type { EapRequestContext } from './eap-service.js';
import type { WorkerData, WorkerReply, WorkerRequest, WorkerWarning } from './worker-protocol.js';

const data = workerData as WorkerData;
/** Full re-read of the users (notifications carry the changes; this catches up missed ones). */
const USERS_REFRESH_MS = 5 * 60_000;
const port = parentPort!;
// Workers have no logger: a problem goes to the main thread, which logs it (worker-eap-service.ts).
const warn = (event: string, message: string) => port.postMessage({ warning: { event, message } } satisfies WorkerWarning);
// Users: the main thread's store (kept current by the change notifications it relays), else the config.
const users: UserDirectory = data.storeChannel
  ? await StoreUserDirectory.load(new RemoteStore(data.storeChannel), (e) => warn('users.reload-failed', `EAP worker ${data.shard}: reading users from the store failed: ${String(e)}`))
  : new ConfigUserDirectory(data.config.users);
if (users instanceof StoreUserDirectory) {
  const refresh = () => void users.refresh().catch((e: unknown) => warn('users.reload-failed', `EAP worker ${data.shard}: reading users from the store failed: ${String(e)}`));
  setInterval(refresh, USERS_REFRESH_MS).unref();
}
// The posture service is built here, in the worker, from the configuration (posture-provider.ts).
const posture = data.config.eap.tnc && data.postureModule ? await postureServiceFromModule(data.postureModule, data.config) : undefined;
const service = new LocalEapService({
  config: data.config,
  identity: data.identity,
  users,
  shard: data.shard,
  ...(posture ? { posture } : {}),
});

port.on('message', (m: WorkerRequest) => {
  const r = m.request;
  const request: EapRequestContext = {
    ...r,
    eap: Buffer.from(r.eap.buffer, r.eap.byteOffset, r.eap.byteLength),
    ...(r.state ? { state: Buffer.from(r.state.buffer, r.state.byteOffset, r.state.byteLength) } : {}),
  };
  service.process(request).then(
    (outcome) => port.postMessage({ id: m.id, outcome, size: service.size } satisfies WorkerReply),
    (e: unknown) => port.postMessage({ id: m.id, error: (e as Error)?.message ?? String(e), size: service.size } satisfies WorkerReply),
  );
});

port.postMessage({ ready: true });
