/**
 * One PT-TLS connection on the server side, without sockets: bytes in (`receive`), bytes out
 * through the injected `io`. It frames the stream (framer.ts), decodes messages (registry.ts),
 * runs the pure state machine (state-machine.ts) and carries out its actions: SASL PLAIN against
 * the PDP's users, a PostureSession from the PostureService once the client is authenticated, and
 * one PbTncServerSession (tnc/pb/session.ts, PT_TLS_LIMITS) that gets every PB-TNC batch.
 *
 * After a RESULT the connection stays open as long as the client keeps it open (strongSwan's client
 * closes with a CLOSE batch; ours in watch mode does not): `reassess()` then starts a new
 * assessment with a PB-TNC SRETRY batch and resolves with the next decision (RFC 5793 section 3.2).
 *
 * Received messages are handled strictly in order (a PB-TNC batch may take a while); at most
 * `maxPendingMessages` may wait, which a half-duplex PB-TNC client never comes near. Nothing here
 * throws to the caller: a malformed message becomes a PT-TLS Error and a close, and an internal
 * failure closes the connection and is reported as an `error` event.
 */
import { PT_TLS_LIMITS, PbTncServerSession, type PbTncLimits } from '../../tnc/index.js';
import type { PostureDecision, PostureService, PostureSession } from '../posture/posture-service.js';
import type { UserDirectory } from '../users.js';
import { PtTlsError, PtTlsErrorCode } from './errors.js';
import { errorMessageFor, type PtTlsErrorMessage } from './error-message.js';
import { PtTlsFramer, PtTlsFramerError } from './framer.js';
import { PT_TLS_HEADER_SIZE } from './message-type.js';
import { decodeMessage, encodeMessage, type PtTlsValue } from './registry.js';
import { verifySaslPlain } from './sasl-plain.js';
import { initialState, step, type AuthMethod, type ClientAuth, type PtTlsServerAction, type PtTlsServerEvent, type PtTlsServerState } from './state-machine.js';

/** Where the connection's bytes go: a TLS socket in server.ts, an array in tests. */
export interface PtTlsConnectionIo {
  write(bytes: Uint8Array): void;
  /** Closes the connection once written data is flushed. */
  end(): void;
}

export type PtTlsConnectionEvent =
  | { readonly type: 'authenticated'; readonly user: string; readonly method: AuthMethod }
  | { readonly type: 'auth-failed'; readonly user: string | undefined; readonly reason: string }
  | {
      readonly type: 'decision';
      readonly user: string;
      /** PostureSession.decision() after the RESULT batch (undefined if it has none). */
      readonly decision: PostureDecision | undefined;
      /** PB-Access-Recommendation sent (1 allowed, 2 no access, 3 isolate), if any. */
      readonly accessRecommendation: number | undefined;
      readonly assessmentResult: number;
    }
  /** A protocol error we found (and reported to the client with a PT-TLS Error), or an internal one. */
  | { readonly type: 'error'; readonly code: string; readonly error: Error; readonly fatal: boolean }
  | { readonly type: 'peer-error'; readonly error: PtTlsErrorMessage }
  | { readonly type: 'closed'; readonly reason: string };

/** A decision (PB-TNC RESULT) on this connection. */
export type PtTlsDecision = Omit<Extract<PtTlsConnectionEvent, { type: 'decision' }>, 'type'>;

export interface PtTlsConnectionLimits {
  /** Largest PT-TLS message of any type, header included (default: PT_TLS_LIMITS batch + 16). */
  readonly maxMessageSize: number;
  readonly pbTnc: PbTncLimits;
  readonly maxSaslAttempts: number;
  readonly maxIgnoredMessages: number;
  readonly maxPendingMessages: number;
}

export const DEFAULT_CONNECTION_LIMITS: PtTlsConnectionLimits = Object.freeze({
  maxMessageSize: PT_TLS_LIMITS.maxBatchSize + PT_TLS_HEADER_SIZE,
  pbTnc: PT_TLS_LIMITS,
  maxSaslAttempts: 1,
  maxIgnoredMessages: 16,
  maxPendingMessages: 4,
});

export interface PtTlsConnectionOptions {
  readonly io: PtTlsConnectionIo;
  readonly clientAuth: ClientAuth;
  /** Identity from the TLS client certificate the TLS layer verified, if any. */
  readonly certificateIdentity?: string | undefined;
  readonly users: UserDirectory;
  readonly postureService: PostureService;
  readonly limits?: Partial<PtTlsConnectionLimits>;
  readonly onEvent: (event: PtTlsConnectionEvent) => void;
}

export class PtTlsReassessError extends Error {
  override readonly name = 'PtTlsReassessError';
  constructor(
    readonly code: 'PTTLS_NOT_DECIDED' | 'PTTLS_CLOSED' | 'PTTLS_NO_SUCH_CONNECTION' | 'PTTLS_REASSESS_TIMEOUT',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export class PtTlsConnection {
  readonly #io: PtTlsConnectionIo;
  readonly #users: UserDirectory;
  readonly #postureService: PostureService;
  readonly #limits: PtTlsConnectionLimits;
  readonly #emit: (event: PtTlsConnectionEvent) => void;
  readonly #framer: PtTlsFramer;
  #state: PtTlsServerState;
  #identifier = 0;
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #user: string | undefined;
  #posture: PostureSession | undefined;
  #pb: PbTncServerSession | undefined;
  #closed = false;
  /** Set after a framing error: the stream cannot be resynchronised. */
  #broken = false;
  /** reassess() calls waiting for the next RESULT. */
  #waiters: { resolve: (d: PtTlsDecision) => void; reject: (e: Error) => void }[] = [];

  constructor(options: PtTlsConnectionOptions) {
    this.#io = options.io;
    this.#users = options.users;
    this.#postureService = options.postureService;
    this.#limits = { ...DEFAULT_CONNECTION_LIMITS, ...options.limits };
    this.#emit = options.onEvent;
    this.#framer = new PtTlsFramer(this.#limits.maxMessageSize);
    this.#state = initialState({
      clientAuth: options.clientAuth,
      certificateIdentity: options.certificateIdentity,
      maxSaslAttempts: this.#limits.maxSaslAttempts,
      maxIgnoredMessages: this.#limits.maxIgnoredMessages,
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get phase(): PtTlsServerState['phase'] {
    return this.#state.phase;
  }

  /** Bytes from the client. Never throws. */
  receive(chunk: Uint8Array): void {
    if (this.#closed || this.#broken) return;
    let frames;
    try {
      frames = this.#framer.push(chunk);
    } catch (e) {
      this.#broken = true;
      const error = e instanceof PtTlsFramerError ? e : undefined;
      this.#enqueue(error ? { type: 'decode-error', error: error.error, raw: error.partial } : undefined, e);
      return;
    }
    for (const frame of frames) {
      let event: PtTlsServerEvent;
      try {
        event = { type: 'message', message: decodeMessage(frame.bytes), raw: frame.bytes };
      } catch (e) {
        if (!(e instanceof PtTlsError)) {
          this.#enqueue(undefined, e);
          return;
        }
        event = { type: 'decode-error', error: e, raw: frame.bytes };
      }
      if (this.#pending >= this.#limits.maxPendingMessages) {
        // Not queued behind the messages it refuses: the client is told and dropped at once.
        const error = new PtTlsError('PTTLS_LIMIT_EXCEEDED', PtTlsErrorCode.InvalidParameter, 0, `more than ${this.#limits.maxPendingMessages} messages waiting`);
        this.#send(errorMessageFor(error, frame.bytes));
        this.#emit({ type: 'error', code: error.code, error, fatal: true });
        this.#finish(error.code, true);
        return;
      }
      this.#enqueue(event);
    }
  }

  /** The transport is gone (peer closed, timeout, TLS error): release the posture session. */
  terminate(reason: string): void {
    if (this.#closed) return;
    this.#finish(reason, false);
  }

  /** The user the connection authenticated as, once it has. */
  get user(): string | undefined {
    return this.#user;
  }

  /** The PB-TNC session has sent its RESULT and waits (Decided): a reassess() is possible. */
  get decided(): boolean {
    return !this.#closed && this.#pb?.state === 'decided';
  }

  /**
   * Server-initiated retry: sends a PB-TNC SRETRY batch and resolves with the decision of the new
   * assessment (the client answers with CRETRY and the exchange runs to a new RESULT). Rejects if
   * the connection is not in Decided (no RESULT yet, an exchange under way, or closed: the PB-TNC
   * error code PB_SEND_NOT_ALLOWED), or closes before the new RESULT. Queued behind received
   * messages.
   */
  reassess(): Promise<PtTlsDecision> {
    return new Promise<PtTlsDecision>((resolve, reject) => {
      const run = this.#queue.then(async () => {
        const pb = this.#pb;
        if (this.#closed || pb === undefined) throw new PtTlsReassessError('PTTLS_NOT_DECIDED', 'the connection is closed or not authenticated');
        const step = await pb.requestRetry();
        this.#waiters.push({ resolve, reject });
        if (step.reply !== undefined) this.#send({ kind: 'pb-tnc-batch', batch: step.reply });
      });
      this.#queue = run.catch((e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
    });
  }

  /** Resolves when every received message so far is handled (for tests). */
  idle(): Promise<void> {
    return this.#queue;
  }

  #enqueue(event: PtTlsServerEvent | undefined, internal?: unknown): void {
    this.#pending++;
    this.#queue = this.#queue
      .then(async () => {
        if (this.#closed) return;
        if (event === undefined) throw internal;
        await this.#run(event);
      })
      .catch((e: unknown) => this.#internalError(e))
      .finally(() => {
        this.#pending--;
      });
  }

  async #run(event: PtTlsServerEvent): Promise<void> {
    const next = step(this.#state, event);
    this.#state = next.state;
    for (const action of next.actions) {
      if (this.#closed) return;
      await this.#act(action);
    }
  }

  async #act(action: PtTlsServerAction): Promise<void> {
    switch (action.type) {
      case 'send':
        this.#send(action.value);
        return;
      case 'send-error':
        this.#send(errorMessageFor(action.error, action.original));
        this.#emit({ type: 'error', code: action.error.code, error: action.error, fatal: action.error.fatal });
        return;
      case 'verify-sasl-plain':
        await this.#run({ type: 'sasl-verified', outcome: verifySaslPlain(action.data, this.#users) });
        return;
      case 'authenticated':
        this.#user = action.user;
        this.#posture = this.#postureService.createSession({ user: action.user, via: 'pt-tls', transport: 'pt-tls' });
        this.#pb = new PbTncServerSession({ handler: this.#posture, limits: this.#limits.pbTnc });
        this.#emit({ type: 'authenticated', user: action.user, method: action.method });
        return;
      case 'auth-failed':
        this.#emit({ type: 'auth-failed', user: action.user, reason: action.reason });
        return;
      case 'deliver-batch':
        await this.#deliver(action.batch);
        return;
      case 'peer-error':
        this.#emit({ type: 'peer-error', error: action.error });
        return;
      case 'close':
        this.#finish(action.reason, true);
        return;
    }
  }

  async #deliver(batch: Uint8Array): Promise<void> {
    const pb = this.#pb;
    if (pb === undefined) throw new Error('PB-TNC batch before authentication');
    const result = await pb.receive(batch);
    if (this.#closed) return;
    for (const ev of result.events) {
      if (ev.type === 'result') {
        const decision: PtTlsDecision = {
          user: this.#user ?? '',
          decision: this.#posture?.decision(),
          accessRecommendation: ev.accessRecommendation,
          assessmentResult: ev.assessmentResult,
        };
        this.#emit({ type: 'decision', ...decision });
        for (const w of this.#waiters.splice(0)) w.resolve(decision);
      }
      if (ev.type === 'protocol-error') this.#emit({ type: 'error', code: ev.error.code, error: ev.error, fatal: true });
    }
    if (result.reply !== undefined) this.#send({ kind: 'pb-tnc-batch', batch: result.reply });
    if (result.done) await this.#run({ type: 'pb-tnc-done' });
  }

  #send(value: PtTlsValue): void {
    if (this.#closed) return;
    const identifier = this.#identifier;
    this.#identifier = (this.#identifier + 1) >>> 0;
    this.#io.write(encodeMessage({ identifier, value }));
  }

  #internalError(e: unknown): void {
    const error = e instanceof Error ? e : new Error(String(e));
    this.#emit({ type: 'error', code: 'PTTLS_INTERNAL', error, fatal: true });
    if (!this.#closed) this.#finish('internal-error', true);
  }

  #finish(reason: string, endTransport: boolean): void {
    this.#closed = true;
    this.#state = { ...this.#state, phase: 'closed' };
    try {
      this.#posture?.close();
    } catch (e) {
      this.#emit({ type: 'error', code: 'PTTLS_POSTURE_CLOSE', error: e instanceof Error ? e : new Error(String(e)), fatal: false });
    }
    this.#posture = undefined;
    for (const w of this.#waiters.splice(0)) w.reject(new PtTlsReassessError('PTTLS_CLOSED', `the connection closed (${reason}) before a new decision`));
    if (endTransport) this.#io.end();
    this.#emit({ type: 'closed', reason });
  }
}
