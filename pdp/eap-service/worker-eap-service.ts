/**
 * Spreads EAP conversations over worker threads so TLS handshakes use every core.
 *
 * A conversation's TLS state lives in exactly one thread. The first octet of every RADIUS State
 * value names the shard (worker index + 1) that owns it (ConversationTable.newState), so each
 * later packet of the conversation goes straight to its owner; new conversations go round robin.
 * The RADIUS socket, duplicate detection and signing stay in the main thread.
 */
import { Worker } from 'node:worker_threads';
import type { EapOutcome, EapRequestContext, EapService } from './eap-service.js';
import { unknownState } from './local-eap-service.js';
import type { WorkerData, WorkerReply, WorkerRequest, WorkerWarning } from './worker-protocol.js';

interface Pending {
  resolve: (o: EapOutcome) => void;
  reject: (e: Error) => void;
}

export class WorkerEapService implements EapService {
  readonly #workers: Worker[] = [];
  readonly #pending = new Map<number, Pending>();
  readonly #sizes: number[] = [];
  readonly #dead = new Set<number>();
  #next = 0;
  #id = 0;

  private constructor() {}

  static async start(count: number, data: Omit<WorkerData, 'shard'>, onWarning: (w: WorkerWarning['warning']) => void = () => undefined): Promise<WorkerEapService> {
    const svc = new WorkerEapService();
    const ts = import.meta.url.endsWith('.ts');
    const url = new URL(`./worker-main${ts ? '.ts' : '.js'}`, import.meta.url);
    await Promise.all(
      Array.from({ length: count }, (_, i) => {
        const workerData = { ...data, shard: i + 1 } satisfies WorkerData;
        // From the TypeScript sources (tests, development) the worker registers tsx itself: Node 20
        // does not apply the parent's --import hooks inside worker threads.
        const worker = ts
          ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`, { eval: true, workerData })
          : new Worker(url, { workerData });
        svc.#workers.push(worker);
        svc.#sizes.push(0);
        return new Promise<void>((resolve, reject) => {
          worker.on('message', (m: WorkerReply | WorkerWarning | { ready: true }) => {
            if ('ready' in m) resolve();
            else if ('warning' in m) onWarning(m.warning);
            else svc.#reply(i, m);
          });
          worker.on('error', (e) => {
            reject(e);
            svc.#failAll(e);
          });
          worker.on('exit', (code) => {
            svc.#dead.add(i);
            const e = new Error(`EAP worker ${i + 1} exited with code ${code}`);
            reject(e);
            svc.#failAll(e);
          });
        });
      }),
    ).catch(async (e: unknown) => {
      await svc.close();
      throw e;
    });
    return svc;
  }

  get size(): number {
    return this.#sizes.reduce((a, b) => a + b, 0);
  }

  process(request: EapRequestContext): Promise<EapOutcome> {
    let index: number;
    if (request.state && request.state.length === 16) {
      index = (request.state[0] ?? 0) - 1;
      if (index < 0 || index >= this.#workers.length) {
        return Promise.resolve(unknownState(request.eap));
      }
    } else {
      index = this.#next;
      this.#next = (this.#next + 1) % this.#workers.length;
    }
    if (this.#dead.has(index)) return Promise.reject(new Error(`EAP worker ${index + 1} is not running`));
    const id = ++this.#id;
    const msg: WorkerRequest = { id, request };
    return new Promise<EapOutcome>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#workers[index]!.postMessage(msg);
    });
  }

  #reply(index: number, m: WorkerReply): void {
    this.#sizes[index] = m.size;
    const p = this.#pending.get(m.id);
    if (!p) return;
    this.#pending.delete(m.id);
    if (m.outcome) p.resolve(reviveOutcome(m.outcome));
    else p.reject(new Error(m.error ?? 'worker failed'));
  }

  #failAll(e: Error): void {
    for (const p of this.#pending.values()) p.reject(e);
    this.#pending.clear();
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
    this.#failAll(new Error('EAP service closed'));
  }
}

/** Buffers cross postMessage as Uint8Arrays; make them Buffers again. */
function reviveOutcome(o: EapOutcome): EapOutcome {
  const b = (u: Uint8Array): Buffer => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  switch (o.kind) {
    case 'discard':
      return o;
    case 'challenge':
      return { ...o, eap: b(o.eap), state: b(o.state) };
    case 'reject':
      return { ...o, eap: b(o.eap) };
    case 'accept':
      return { ...o, eap: b(o.eap), ...(o.msk ? { msk: b(o.msk) } : {}), ...(o.emsk ? { emsk: b(o.emsk) } : {}) };
  }
}
