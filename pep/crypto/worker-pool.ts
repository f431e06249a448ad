/**
 * A small worker_threads pool for the public-key jobs of crypto-jobs.ts, so a burst of
 * IKE_SA_INIT (MODP exponentiations, ECDH) and IKE_AUTH (signatures) does not stall the event
 * loop that also carries RADIUS and ESP.
 *
 *   run(job) ──► idle worker? ──yes──► post to it (worker ref'd while busy)
 *                     │ no
 *                     ▼
 *               queue.length < maxQueue ? ──yes──► queue (FIFO)
 *                     │ no
 *                     ▼
 *               reject CryptoError 'BUSY'   (shed, not queued forever: a flood of IKE_SA_INIT
 *                                            gets no answer rather than unbounded memory/latency)
 *
 * size 0: no threads; every job runs synchronously in the calling thread (same promise API).
 * A worker that dies fails its job with WORKER_FAILED and is replaced. close() terminates the
 * workers and fails queued/running jobs with CLOSED. Idle workers are unref'd so a forgotten
 * pool does not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { CryptoError } from './crypto-error.js';
import { reviveResult, runJob, type CryptoJob } from './crypto-jobs.js';

export interface WorkerPoolOptions {
  /** Worker threads; default min(2, cores). 0 = synchronous in-thread fallback. */
  readonly size?: number;
  /** Jobs waiting for a worker beyond which run() rejects with BUSY; default 256. */
  readonly maxQueue?: number;
}

interface Pending {
  readonly id: number;
  readonly job: CryptoJob;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  current: Pending | undefined;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; code: unknown; message: string };

/**
 * The compiled build runs crypto-worker.js directly. Under tsx (tests, `node --import tsx`) the
 * sources are .ts and the loader hooks are not active in worker threads, so a two-line eval
 * bootstrap registers tsx there first; tsx is a devDependency and only reached in that case.
 */
function newWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./crypto-worker.js', import.meta.url));
  const entry = new URL('./crypto-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true });
}

export class WorkerPool {
  readonly size: number;
  readonly maxQueue: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;

  constructor(opts: WorkerPoolOptions = {}) {
    this.size = opts.size ?? Math.min(2, availableParallelism());
    this.maxQueue = opts.maxQueue ?? 256;
    if (!Number.isInteger(this.size) || this.size < 0 || this.size > 64) throw new RangeError('pool size must be 0..64');
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 0) throw new RangeError('maxQueue must be >= 0');
    for (let i = 0; i < this.size; i++) this.#slots.push(this.#spawn());
  }

  /** Jobs running in workers plus jobs queued. */
  get pending(): number {
    return this.#queue.length + this.#slots.filter((s) => s.current !== undefined).length;
  }

  run(job: CryptoJob): Promise<unknown> {
    if (this.#closed) return Promise.reject(new CryptoError('CLOSED', 'crypto service is closed'));
    if (this.size === 0) {
      try {
        return Promise.resolve(runJob(job));
      } catch (e) {
        return Promise.reject(e instanceof Error ? e : new CryptoError('WORKER_FAILED', 'crypto job failed'));
      }
    }
    return new Promise((resolve, reject) => {
      const p: Pending = { id: this.#nextId++, job, resolve, reject };
      const idle = this.#slots.find((s) => s.current === undefined);
      if (idle !== undefined) this.#dispatch(idle, p);
      else if (this.#queue.length < this.maxQueue) this.#queue.push(p);
      else reject(new CryptoError('BUSY', `crypto queue full (${this.maxQueue} jobs waiting)`));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = (): CryptoError => new CryptoError('CLOSED', 'crypto service closed');
    for (const p of this.#queue.splice(0)) p.reject(closed());
    await Promise.all(this.#slots.map(async (s) => {
      const cur = s.current;
      s.current = undefined;
      await s.worker.terminate();
      cur?.reject(closed());
    }));
  }

  #spawn(): Slot {
    const worker = newWorker();
    worker.unref();
    const slot: Slot = { worker, current: undefined };
    worker.on('message', (msg: Reply) => {
      const p = slot.current;
      if (p === undefined || p.id !== msg.id) return;
      slot.current = undefined;
      worker.unref();
      if (msg.ok) p.resolve(reviveResult(p.job.kind, msg.result));
      else p.reject(new CryptoError(CryptoError.isCode(msg.code) ? msg.code : 'WORKER_FAILED', msg.message));
      this.#next(slot);
    });
    const fail = (why: string): void => {
      if (this.#closed) return;
      const p = slot.current;
      slot.current = undefined;
      p?.reject(new CryptoError('WORKER_FAILED', `crypto worker ${why}`));
      const i = this.#slots.indexOf(slot);
      if (i >= 0) {
        worker.removeAllListeners();
        void worker.terminate();
        const fresh = this.#spawn();
        this.#slots[i] = fresh;
        this.#next(fresh);
      }
    };
    worker.on('error', () => fail('crashed'));
    worker.on('exit', (code) => fail(`exited with ${code}`));
    return slot;
  }

  #dispatch(slot: Slot, p: Pending): void {
    slot.current = p;
    slot.worker.ref();
    slot.worker.postMessage({ id: p.id, job: p.job });
  }

  #next(slot: Slot): void {
    const p = this.#queue.shift();
    if (p !== undefined) this.#dispatch(slot, p);
  }
}
