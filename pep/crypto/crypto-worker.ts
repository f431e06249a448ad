/**
 * Worker thread entry of the crypto pool (worker-pool.ts): runs one job per message and answers
 * { id, ok: true, result } or { id, ok: false, code, message }. A CryptoError keeps its code; any
 * other failure becomes WORKER_FAILED on the main side. Messages never carry key material back
 * except the DH private value of a freshly generated pair, which belongs to the caller.
 */
import { parentPort } from 'node:worker_threads';
import { CryptoError } from './crypto-error.js';
import { runJob, type CryptoJob } from './crypto-jobs.js';

const port = parentPort;
if (port === null) throw new Error('crypto-worker.ts must run as a worker thread');

port.on('message', (msg: { id: number; job: CryptoJob }) => {
  try {
    port.postMessage({ id: msg.id, ok: true, result: runJob(msg.job) });
  } catch (e) {
    const code = e instanceof CryptoError ? e.code : 'WORKER_FAILED';
    const message = e instanceof Error ? e.message : 'crypto job failed';
    port.postMessage({ id: msg.id, ok: false, code, message });
  }
});
