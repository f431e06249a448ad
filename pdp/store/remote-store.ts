/**
 * The store for worker threads: one owner (the EmbeddedStore in the main thread) and a proxy in
 * each EAP worker, so a result recorded through one worker is seen by an assessment in another.
 *
 *   worker (RemoteStore)                         main thread (serveStore)
 *     { kind: 'req', client, id, method, args } ->  store[method](...args)
 *                                               <-  { kind: 'res', client, id, ok, value | code, message }
 *
 * Transport: a node:worker_threads BroadcastChannel with a per-PDP random name. The worker
 * plumbing (pdp/eap-service/worker-*.ts) hands a worker only its configuration and the posture
 * module's specifier; a channel is found by name, so the name travels in that specifier
 * (posture-provider.ts) and nothing else about the workers changes. A broadcast reaches every
 * worker: each ignores replies to other clients. Two or three small messages per assessment,
 * next to a TLS handshake, cost nothing measurable; a dedicated MessagePort per worker (needs a
 * transferList in worker-eap-service.ts) would be the same protocol over a narrower pipe.
 *
 * Every call has a deadline (default 2 s): a main thread that does not answer gives STORE_TIMEOUT,
 * which the posture session treats as "no store" for that assessment.
 */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { StoreError, type Store, type StoreChange } from './store.js';

const METHODS = [
  'getDevice',
  'recordDevice',
  'updateDevice',
  'moveDevice',
  'deleteDevice',
  'listDevices',
  'getPolicyResults',
  'recordSession',
  'getSession',
  'listSessions',
  'get',
  'list',
  'create',
  'update',
  'remove',
  'getCredential',
  'seed',
  'modelVersion',
  'openActiveSession',
  'getActiveSession',
  'listActiveSessions',
  'recordAccounting',
  'listAccounting',
  'saveLeases',
  'listLeases',
  'listAudit',
] as const satisfies readonly (keyof Store)[];
type Method = (typeof METHODS)[number];

interface Request {
  readonly kind: 'req';
  readonly client: string;
  readonly id: number;
  readonly method: Method;
  readonly args: readonly unknown[];
}

type Reply =
  | { readonly kind: 'res'; readonly client: string; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'res'; readonly client: string; readonly id: number; readonly ok: false; readonly code: StoreError['code']; readonly message: string };

/** A fresh channel name for one PDP's store. */
export function newStoreChannelName(): string {
  return `tnc-pdp-store-${randomUUID()}`;
}

/** Answers store requests arriving on `channelName` with `store`, and relays its changes. Close it before the store. */
export function serveStore(store: Store, channelName: string): { close(): void } {
  const channel = new BroadcastChannel(channelName);
  channel.unref();
  const unwatch = store.watch((change) => channel.postMessage({ kind: 'change', change }));
  channel.onmessage = (ev: unknown) => {
    const m = (ev as { data: unknown }).data as Partial<Request>;
    if (m?.kind !== 'req' || typeof m.client !== 'string' || typeof m.id !== 'number') return;
    type Body = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly code: StoreError['code']; readonly message: string };
    const reply = (r: Body) => channel.postMessage({ kind: 'res', client: m.client, id: m.id, ...r });
    if (!METHODS.includes(m.method as Method) || !Array.isArray(m.args)) {
      reply({ ok: false, code: 'STORE_BAD_REQUEST', message: `unknown store method '${String(m.method)}'` });
      return;
    }
    const fn = store[m.method as Method] as (...a: unknown[]) => Promise<unknown>;
    fn.apply(store, m.args).then(
      (value) => reply({ ok: true, value }),
      (e: unknown) => reply({ ok: false, code: e instanceof StoreError ? e.code : 'STORE_IO', message: (e as Error)?.message ?? String(e) }),
    );
  };
  return {
    close: () => {
      unwatch();
      channel.close();
    },
  };
}

export interface RemoteStoreOptions {
  readonly timeoutMs?: number;
}

/** The Store interface over the channel; the main thread owns the data. */
export class RemoteStore implements Store {
  readonly #channel: BroadcastChannel;
  readonly #client = randomUUID();
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  readonly #timeoutMs: number;
  readonly #listeners = new Set<(c: StoreChange) => void>();
  #id = 0;
  #closed = false;

  constructor(channelName: string, options: RemoteStoreOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#channel = new BroadcastChannel(channelName);
    this.#channel.unref();
    this.#channel.onmessage = (ev: unknown) => {
      const m = (ev as { data: unknown }).data as Partial<Reply> | { kind: 'change'; change: StoreChange };
      if (m?.kind === 'change') {
        for (const l of this.#listeners) l((m as { change: StoreChange }).change);
        return;
      }
      if (m?.kind !== 'res' || m.client !== this.#client || typeof m.id !== 'number') return;
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve((m as { value: unknown }).value);
      else p.reject(new StoreError((m as { code: StoreError['code'] }).code ?? 'STORE_IO', (m as { message?: string }).message ?? 'store error'));
    };
  }

  #call<T>(method: Method, ...args: unknown[]): Promise<T> {
    if (this.#closed) return Promise.reject(new StoreError('STORE_CLOSED', 'the store is closed'));
    const id = ++this.#id;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new StoreError('STORE_TIMEOUT', `store ${method}: no answer from the main thread within ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      // The timer stays ref'd: a pending call keeps the event loop alive until its answer or deadline.
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#channel.postMessage({ kind: 'req', client: this.#client, id, method, args } satisfies Request);
    });
  }

  getDevice: Store['getDevice'] = (id) => this.#call('getDevice', id);
  recordDevice: Store['recordDevice'] = (s) => this.#call('recordDevice', s);
  updateDevice: Store['updateDevice'] = (id, change, meta) => this.#call('updateDevice', id, change, meta);
  listDevices: Store['listDevices'] = (q) => this.#call('listDevices', q);
  getPolicyResults: Store['getPolicyResults'] = (d) => this.#call('getPolicyResults', d);
  recordSession: Store['recordSession'] = (s, r) => this.#call('recordSession', s, r);
  getSession: Store['getSession'] = (id) => this.#call('getSession', id);
  listSessions: Store['listSessions'] = (q) => this.#call('listSessions', q);
  moveDevice: Store['moveDevice'] = (id, groups, meta) => this.#call('moveDevice', id, groups, meta);
  deleteDevice: Store['deleteDevice'] = (id, meta) => this.#call('deleteDevice', id, meta);
  get: Store['get'] = (kind, key) => this.#call('get', kind, key);
  list: Store['list'] = (kind, q) => this.#call('list', kind, q);
  create: Store['create'] = (kind, input, meta) => this.#call('create', kind, input, meta);
  update: Store['update'] = (kind, key, change, meta) => this.#call('update', kind, key, change, meta);
  remove: Store['remove'] = (kind, key, meta) => this.#call('remove', kind, key, meta);
  getCredential: Store['getCredential'] = (kind, key) => this.#call('getCredential', kind, key);
  seed: Store['seed'] = (data, meta) => this.#call('seed', data, meta);
  modelVersion: Store['modelVersion'] = () => this.#call('modelVersion');
  openActiveSession: Store['openActiveSession'] = (s) => this.#call('openActiveSession', s);
  getActiveSession: Store['getActiveSession'] = (id) => this.#call('getActiveSession', id);
  listActiveSessions: Store['listActiveSessions'] = (q) => this.#call('listActiveSessions', q);
  recordAccounting: Store['recordAccounting'] = (e) => this.#call('recordAccounting', e);
  listAccounting: Store['listAccounting'] = (q) => this.#call('listAccounting', q);
  saveLeases: Store['saveLeases'] = (pool, leases) => this.#call('saveLeases', pool, leases);
  listLeases: Store['listLeases'] = (q) => this.#call('listLeases', q);
  listAudit: Store['listAudit'] = (q) => this.#call('listAudit', q);

  /** Changes relayed by the owner (serveStore). */
  watch(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new StoreError('STORE_CLOSED', 'the store is closed'));
    }
    this.#pending.clear();
    this.#listeners.clear();
    this.#channel.close();
  }
}
