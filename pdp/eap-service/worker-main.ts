/** Entry point of an EAP worker thread: a LocalEapService behind postMessage. */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfigUserDirectory } from '../users.js';
import { LocalEapService } from './local-eap-service.js';
import { postureServiceFromModule } from './posture-provider.js';
import type { EapRequestContext } from './eap-service.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.js';

const data = workerData as WorkerData;
// The posture service is built here, in the worker, from the configuration (posture-provider.ts).
const posture = data.config.eap.tnc && data.postureModule ? await postureServiceFromModule(data.postureModule, data.config) : undefined;
const service = new LocalEapService({
  config: data.config,
  identity: data.identity,
  users: new ConfigUserDirectory(data.config.users),
  shard: data.shard,
  ...(posture ? { posture } : {}),
});
const port = parentPort!;

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
