/** Messages between the RADIUS thread and the EAP worker threads. */
import type { PdpConfig } from '../config/types.js';
import type { TlsIdentity } from '../pki/demo-pki.js';
import type { EapOutcome, EapRequestContext } from './eap-service.js';

export interface WorkerData {
  readonly config: PdpConfig;
  readonly identity: TlsIdentity;
  readonly shard: number;
  /** With eap.tnc: a module exporting createPostureService(config) (posture-provider.ts). */
  readonly postureModule?: string;
  /** The main thread's store channel (remote-store.ts): users come from the store then, else from config.users. */
  readonly storeChannel?: string;
}

export interface WorkerRequest {
  readonly id: number;
  readonly request: EapRequestContext;
}

export interface WorkerReply {
  readonly id: number;
  readonly outcome?: EapOutcome;
  readonly error?: string;
  /** Conversations the worker holds after this request. */
  readonly size: number;
}

/** Something a worker wants logged (workers have no logger of their own). */
export interface WorkerWarning {
  readonly warning: { readonly event: string; readonly message: string };
}
