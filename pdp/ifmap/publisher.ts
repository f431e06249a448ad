/**
 * Pushes endpoint metadata to a MAP server (IF-MAP Binding for SOAP 2.2, section 3.7): newSession
 * (then purgePublisher once per process, so a restarted PDP starts clean), publish from the
 * persisted queue in batches, renewSession on a timer, endSession on stop.
 *
 * Outages: a failed request leaves the queue as it is and the pump waits (exponential backoff,
 * capped), then tries again; the queue (publish-queue.ts) is bounded and on disk. A lost session
 * (errorResult InvalidSessionID, or a failed renewSession) is replaced by a new one, and the
 * endpoints still active are published again (session metadata died with the old session).
 * A document the server refuses for good (InvalidMetadata, SOAP Sender fault ...) is narrowed to
 * the one entry at fault and dropped with a log line, so it cannot block the queue.
 * Nothing here throws into the PDP: RADIUS keeps running whatever the MAP server does.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { EndpointSnapshot } from './endpoint-snapshot.js';
import { IfmapError } from './errors.js';
import type { IfmapTransport } from './https-transport.js';
import { PublishQueue, type QueueEntry, type QueueEvent } from './publish-queue.js';
import { publishElement, publishItems, type PublishContext, type PublishOperation } from './publish-request.js';
import { endSessionRequest, newSessionRequest, publishRequestDocument, purgePublisherRequest, renewSessionRequest } from './soap-envelope.js';
import { parseNewSessionResult, parseResponse, type ResultName } from './soap-response.js';
import type { XmlElement } from './xml-writer.js';

/** The subset of a pino logger the publisher writes to. */
export interface IfmapLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface PublisherEvents {
  session: [{ sessionId: string; publisherId: string; maxPollResultSize?: number }];
  published: [{ entries: number; items: number }];
  failed: [{ request: string; error: IfmapError }];
  dropped: [{ sessionKey: string; reason: string }];
}

export interface IfmapPublisherOptions {
  readonly transport: IfmapTransport;
  /** Directory for the queue file (stateDir/ifmap). */
  readonly dir: string;
  readonly queueLimit: number;
  readonly renewSeconds: number;
  readonly pdpDevice: string;
  readonly administrativeDomain?: string;
  readonly log: IfmapLog;
  /** Queue entries per publish request (default 20). */
  readonly batchSize?: number;
  readonly backoffMs?: { readonly initial: number; readonly max: number };
  readonly purgeOnStart?: boolean;
  readonly now?: () => number;
}

interface Session {
  readonly sessionId: string;
  readonly publisherId: string;
}

export class IfmapPublisher extends EventEmitter<PublisherEvents> {
  readonly #o: IfmapPublisherOptions;
  readonly #queue: PublishQueue;
  readonly #active = new Map<string, EndpointSnapshot>();
  #session: Session | undefined;
  #sessions = 0;
  #purged = false;
  #pumping: Promise<void> | undefined;
  #stopped = false;
  #failures = 0;
  #narrow = 0;
  #wake: (() => void) | undefined;
  #renewTimer: NodeJS.Timeout | undefined;

  constructor(options: IfmapPublisherOptions) {
    super();
    this.#o = options;
    this.#queue = new PublishQueue({ file: join(options.dir, 'queue.json'), limit: options.queueLimit, onEvent: (e) => this.#queueEvent(e) });
  }

  get queued(): number {
    return this.#queue.size;
  }

  get sessionId(): string | undefined {
    return this.#session?.sessionId;
  }

  /** Connects (newSession, purgePublisher) and sends what the queue holds; returns at once. */
  start(): void {
    this.#renewTimer = setInterval(() => void this.#renew(), Math.max(1, this.#o.renewSeconds) * 1000);
    this.#renewTimer.unref();
    this.#kick();
  }

  /** Queues an update (decision made) or delete (session ended) for one endpoint. */
  publish(op: PublishOperation, snapshot: EndpointSnapshot): void {
    if (this.#stopped) return;
    if (op === 'update') {
      this.#active.delete(snapshot.sessionKey);
      this.#active.set(snapshot.sessionKey, snapshot);
      while (this.#active.size > this.#o.queueLimit) this.#active.delete(this.#active.keys().next().value!);
    } else this.#active.delete(snapshot.sessionKey);
    this.#queue.push({ op, snapshot, enqueuedAt: (this.#o.now ?? Date.now)() });
    this.#kick();
  }

  /** Resolves when the queue is empty and a session is up (tests), or rejects after timeoutMs. */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.#queue.size || !this.#session) {
      if (Date.now() > deadline) throw new Error(`IF-MAP publisher not idle after ${timeoutMs} ms (${this.#queue.size} queued)`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.#queue.flush();
  }

  /** Stops the pump and the timer, ends the session (best effort), keeps the queue on disk. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#renewTimer);
    this.#wake?.();
    await this.#pumping;
    const s = this.#session;
    this.#session = undefined;
    if (s) {
      try {
        // A MAP server that does not answer must not hold up the PDP's shutdown for long.
        let t: NodeJS.Timeout | undefined;
        await Promise.race([
          this.#call(endSessionRequest(s.sessionId), 'endSessionResult', 'endSession').finally(() => clearTimeout(t)),
          new Promise((_, reject) => (t = setTimeout(() => reject(new Error('endSession timed out')), 2000))),
        ]);
        this.#o.log.info({ event: 'ifmap.session-ended', sessionId: s.sessionId }, 'IF-MAP session ended');
      } catch {
        /* logged by #call */
      }
    }
    await this.#queue.flush();
    this.#o.transport.close();
  }

  #queueEvent(e: QueueEvent): void {
    const { type, ...rest } = e;
    if (type === 'ifmap.queue-dropped') this.#o.log.warn({ event: type, ...rest }, `IF-MAP queue full (${e.limit}): dropped the oldest ${e.op} of ${e.sessionKey}`);
    else if (type === 'ifmap.queue-loaded') this.#o.log.info({ event: type, ...rest }, `IF-MAP queue: ${e.entries} unsent publishes from before the restart`);
    else this.#o.log.error({ event: type, ...rest }, `IF-MAP queue file: ${e.reason}`);
  }

  async #call(document: string, expected: ResultName, request: string): Promise<ReturnType<typeof parseResponse>> {
    try {
      const res = await this.#o.transport.post(document);
      try {
        return parseResponse(res.body, expected);
      } catch (e) {
        // SOAP 1.2 HTTP binding: faults come with 400/500; other statuses without SOAP are HTTP errors.
        if (res.status !== 200 && e instanceof IfmapError && (e.code === 'IFMAP_BAD_XML' || e.code === 'IFMAP_BAD_RESPONSE')) {
          throw new IfmapError('IFMAP_HTTP', `MAP server answered HTTP ${res.status} to ${request}`, { status: res.status });
        }
        throw e;
      }
    } catch (e) {
      const err = e instanceof IfmapError ? e : new IfmapError('IFMAP_TRANSPORT', String(e), { cause: e });
      this.#o.log.warn(
        { event: 'ifmap.request-failed', request, code: err.code, ...(err.errorCode ? { errorCode: err.errorCode } : {}), ...(err.faultCode ? { faultCode: err.faultCode } : {}), ...(err.status ? { status: err.status } : {}), retryable: err.retryable },
        `IF-MAP ${request} failed: ${err.message}`,
      );
      this.emit('failed', { request, error: err });
      throw err;
    }
  }

  async #ensureSession(): Promise<Session> {
    if (this.#session) return this.#session;
    const res = await this.#o.transport.post(newSessionRequest()).catch((e: unknown) => {
      throw e instanceof IfmapError ? e : new IfmapError('IFMAP_TRANSPORT', String(e));
    });
    let r;
    try {
      r = parseNewSessionResult(res.body);
    } catch (e) {
      const err = e instanceof IfmapError && res.status !== 200 && (e.code === 'IFMAP_BAD_XML' || e.code === 'IFMAP_BAD_RESPONSE') ? new IfmapError('IFMAP_HTTP', `MAP server answered HTTP ${res.status} to newSession`, { status: res.status }) : e;
      throw err;
    }
    const session = { sessionId: r.sessionId, publisherId: r.publisherId };
    this.#o.log.info({ event: 'ifmap.session', ...r }, `IF-MAP session ${r.sessionId} (publisher ${r.publisherId})`);
    if (this.#o.purgeOnStart !== false && !this.#purged) {
      await this.#call(purgePublisherRequest(session.sessionId, session.publisherId), 'purgePublisherReceived', 'purgePublisher');
      this.#purged = true;
    }
    if (this.#sessions++ > 0) {
      // The metadata of the lost session is gone (lifetime "session"): publish the live endpoints again.
      const queued = new Set(this.#queue.peek(this.#queue.size).map((e) => e.snapshot.sessionKey));
      for (const s of this.#active.values()) if (!queued.has(s.sessionKey)) this.#queue.push({ op: 'update', snapshot: s, enqueuedAt: (this.#o.now ?? Date.now)() });
    }
    this.#session = session;
    this.emit('session', r);
    return session;
  }

  async #renew(): Promise<void> {
    const s = this.#session;
    if (!s || this.#stopped) return;
    try {
      await this.#call(renewSessionRequest(s.sessionId), 'renewSessionResult', 'renewSession');
    } catch {
      if (this.#session === s) this.#session = undefined;
      this.#kick();
    }
  }

  #kick(): void {
    if (this.#stopped) return;
    this.#wake?.();
    if (!this.#pumping) this.#pumping = this.#pump().finally(() => (this.#pumping = undefined));
  }

  #context(s: Session): PublishContext {
    return { pdpDevice: this.#o.pdpDevice, publisherId: s.publisherId, ...(this.#o.administrativeDomain ? { administrativeDomain: this.#o.administrativeDomain } : {}) };
  }

  async #pump(): Promise<void> {
    while (!this.#stopped && (this.#queue.size || !this.#session)) {
      let batch: readonly QueueEntry[] = [];
      try {
        const s = await this.#ensureSession();
        batch = this.#queue.peek(this.#narrow > 0 ? 1 : (this.#o.batchSize ?? 20));
        if (!batch.length) continue;
        const items: XmlElement[] = [];
        const bad: QueueEntry[] = [];
        for (const e of batch) {
          try {
            items.push(...publishItems(e.snapshot, e.op, this.#context(s)));
          } catch (err) {
            bad.push(e);
            this.#drop(e, `cannot build the document: ${(err as Error).message}`);
          }
        }
        if (bad.length) this.#queue.remove(bad);
        if (!items.length) continue;
        await this.#call(publishRequestDocument(publishElement(s.sessionId, items)), 'publishReceived', 'publish');
        this.#queue.remove(batch);
        if (this.#narrow > 0) this.#narrow--;
        this.#failures = 0;
        this.emit('published', { entries: batch.length, items: items.length });
        this.#o.log.debug({ event: 'ifmap.published', entries: batch.length, items: items.length }, 'IF-MAP publish received');
      } catch (e) {
        const err = e instanceof IfmapError ? e : new IfmapError('IFMAP_TRANSPORT', String(e));
        if (err.sessionLost) this.#session = undefined;
        if (!err.retryable && batch.length > 1) {
          this.#narrow = batch.length; // find the entry at fault: one per request
          continue;
        }
        if (!err.retryable && batch.length === 1 && this.#session) {
          this.#queue.remove(batch);
          this.#drop(batch[0]!, err.message);
          if (this.#narrow > 0) this.#narrow--;
          continue;
        }
        if (err.sessionLost && this.#failures++ < 2) continue; // a new session right away (twice, then wait)
        if (!this.#session) this.#o.log.warn({ event: 'ifmap.unavailable', code: err.code, queued: this.#queue.size }, `MAP server unavailable: ${err.message}`);
        await this.#backoff();
      }
    }
  }

  #drop(e: QueueEntry, reason: string): void {
    this.#o.log.error({ event: 'ifmap.publish-dropped', op: e.op, sessionKey: e.snapshot.sessionKey, reason }, `IF-MAP ${e.op} of ${e.snapshot.sessionKey} refused by the MAP server, dropped: ${reason}`);
    this.emit('dropped', { sessionKey: e.snapshot.sessionKey, reason });
  }

  async #backoff(): Promise<void> {
    const { initial, max } = this.#o.backoffMs ?? { initial: 1000, max: 60_000 };
    const ms = Math.min(max, initial * 2 ** Math.min(this.#failures++, 20));
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.#wake = () => {
        // New entries do not cut the wait short; stop does.
        if (this.#stopped) done();
      };
    });
    this.#wake = undefined;
  }
}
