/**
 * A small PT-TLS client (RFC 6876): TLS to the server, Version Request, the server's SASL
 * Mechanisms (SASL PLAIN when credentials are given, until an empty list ends authentication),
 * then a PB-TNC exchange driven by a PbTncClientSession (tnc/pb/client-session.ts) until the
 * session ends. It drives our server in tests and will back the `tnc-client` command; it follows
 * the same order as strongSwan's pt_tls_client.c, so it also talks to strongSwan's PDP.
 */
import { constants } from 'node:crypto';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { PbTncClientSession, PbTncSessionEvent } from '../../tnc/index.js';
import { PtTlsError, PtTlsErrorCode } from './errors.js';
import type { PtTlsErrorMessage } from './error-message.js';
import { PtTlsFramer, PtTlsFramerError } from './framer.js';
import { PT_TLS_DEFAULT_PORT, PT_TLS_HEADER_SIZE, PT_TLS_VERSION } from './message-type.js';
import { decodeMessage, encodeMessage, type PtTlsMessage, type PtTlsValue } from './registry.js';
import { SASL_PLAIN, encodeSaslPlain } from './sasl-plain.js';
import { SaslResultCode } from './sasl-result.js';
import { PT_TLS_LIMITS } from '../../tnc/index.js';

export interface PtTlsClientOptions {
  readonly host: string;
  readonly port?: number;
  /** Name the server certificate must carry (and SNI); default `host`. */
  readonly servername?: string;
  /** PEM CA(s) that sign the server certificate. */
  readonly ca?: string | readonly string[];
  /** TLS client certificate and key (for a server in 'certificate' mode). */
  readonly cert?: string;
  readonly key?: string;
  /** SASL PLAIN credentials, used if the server offers PLAIN. */
  readonly sasl?: { readonly user: string; readonly password: string };
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Deadline for the exchange up to the first RESULT (default 30 s). */
  readonly timeoutMs?: number;
  readonly maxMessageSize?: number;
  /**
   * Stay connected after the RESULT (the session must be created with afterResult 'stay'): the
   * server may then retry (SRETRY) and each new RESULT is reported through `onResult`. Ends with
   * a CLOSE batch when `signal` aborts, or when the server closes (then resolves, not rejects).
   */
  readonly keepOpen?: {
    readonly signal?: AbortSignal;
    readonly onResult?: (result: { readonly assessmentResult: number; readonly accessRecommendation: number | undefined }) => void;
  };
}

export type PtTlsClientErrorCode =
  | 'PTTLS_CLIENT_CLOSED'
  | 'PTTLS_CLIENT_TIMEOUT'
  | 'PTTLS_CLIENT_PEER_ERROR'
  | 'PTTLS_CLIENT_UNEXPECTED'
  | 'PTTLS_CLIENT_AUTH_FAILED'
  | 'PTTLS_CLIENT_DECODE';

export class PtTlsClientError extends Error {
  override readonly name = 'PtTlsClientError';
  constructor(
    readonly code: PtTlsClientErrorCode,
    message: string,
    readonly peerError?: PtTlsErrorMessage,
  ) {
    super(`${code}: ${message}`);
  }
}

export interface PtTlsClientResult {
  /** SASL mechanism used, if any. */
  readonly saslMechanism: string | undefined;
  /** From the (last) RESULT batch. */
  readonly assessmentResult: number | undefined;
  readonly accessRecommendation: number | undefined;
  readonly pbEvents: readonly PbTncSessionEvent[];
  /** Non-fatal PT-TLS Errors the server sent (Type Not Supported). */
  readonly peerErrors: readonly PtTlsErrorMessage[];
  readonly tlsProtocol: string | null;
}

/** Reads whole messages from a socket, one at a time. */
class MessageReader {
  readonly #framer: PtTlsFramer;
  readonly #queue: (PtTlsMessage | Error)[] = [];
  #waiter: ((m: PtTlsMessage | Error) => void) | undefined;
  #ended: Error | undefined;

  constructor(socket: TLSSocket, maxMessageSize: number) {
    this.#framer = new PtTlsFramer(maxMessageSize);
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const f of this.#framer.push(chunk)) this.#put(decodeMessage(f.bytes));
      } catch (e) {
        const error = e instanceof PtTlsFramerError ? e.error : e instanceof PtTlsError ? e : new Error(String(e));
        this.#put(new PtTlsClientError('PTTLS_CLIENT_DECODE', error.message));
        socket.destroy();
      }
    });
    socket.on('close', () => this.fail(new PtTlsClientError('PTTLS_CLIENT_CLOSED', 'the server closed the connection')));
    socket.on('error', (e) => this.fail(new PtTlsClientError('PTTLS_CLIENT_CLOSED', e.message)));
  }

  fail(error: Error): void {
    this.#ended ??= error;
    this.#put(error);
  }

  #put(m: PtTlsMessage | Error): void {
    const w = this.#waiter;
    if (w) {
      this.#waiter = undefined;
      w(m);
    } else this.#queue.push(m);
  }

  async next(): Promise<PtTlsMessage> {
    const m = this.#queue.shift() ?? (this.#ended && this.#queue.length === 0 ? this.#ended : await new Promise<PtTlsMessage | Error>((r) => (this.#waiter = r)));
    if (m instanceof Error) throw m;
    return m;
  }
}

/** Runs one PT-TLS assessment with `session`. Rejects with a PtTlsClientError. */
export async function runPtTlsClient(options: PtTlsClientOptions, session: PbTncClientSession): Promise<PtTlsClientResult> {
  const tlsOptions: ConnectionOptions = {
    host: options.host,
    port: options.port ?? PT_TLS_DEFAULT_PORT,
    servername: options.servername ?? options.host,
    minVersion: options.minVersion ?? 'TLSv1.2',
    maxVersion: options.maxVersion ?? 'TLSv1.3',
    ...(options.ca ? { ca: options.ca as string | string[] } : {}),
    ...(options.cert ? { cert: options.cert } : {}),
    ...(options.key ? { key: options.key } : {}),
    // PT-TLS never renegotiates; strongSwan 5.9's TLS 1.2 server sends no RFC 5746 extension.
    secureOptions: constants.SSL_OP_LEGACY_SERVER_CONNECT,
  };
  const socket = connect(tlsOptions);
  const reader = new MessageReader(socket, options.maxMessageSize ?? PT_TLS_LIMITS.maxBatchSize + PT_TLS_HEADER_SIZE);
  const timer = setTimeout(() => {
    reader.fail(new PtTlsClientError('PTTLS_CLIENT_TIMEOUT', `no result within ${options.timeoutMs ?? 30_000} ms`));
    socket.destroy();
  }, options.timeoutMs ?? 30_000);
  let identifier = 0;
  const send = (value: PtTlsValue): void => {
    socket.write(encodeMessage({ identifier: identifier++, value }));
  };
  const peerErrors: PtTlsErrorMessage[] = [];
  /** The next message that is not a non-fatal error. */
  const next = async (): Promise<PtTlsValue> => {
    for (;;) {
      const { value } = await reader.next();
      if (value.kind === 'error') {
        if (value.errorVendorId === 0 && value.errorCode === PtTlsErrorCode.TypeNotSupported) {
          peerErrors.push(value);
          continue;
        }
        throw new PtTlsClientError('PTTLS_CLIENT_PEER_ERROR', `PT-TLS Error ${value.errorCode}`, value);
      }
      if (value.kind === 'unknown') continue; // vendor-specific: ignored, like strongSwan
      return value;
    }
  };
  const unexpected = (v: PtTlsValue, wanted: string): PtTlsClientError => new PtTlsClientError('PTTLS_CLIENT_UNEXPECTED', `${v.kind} instead of ${wanted}`);

  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    // Negotiation phase (RFC 6876 section 3.6).
    send({ kind: 'version-request', minVersion: PT_TLS_VERSION, maxVersion: PT_TLS_VERSION, preferredVersion: PT_TLS_VERSION });
    const version = await next();
    if (version.kind !== 'version-response' || version.version !== PT_TLS_VERSION) throw unexpected(version, 'Version Response 1');

    // Client authentication (section 3.8): until an empty SASL Mechanisms list.
    let saslMechanism: string | undefined;
    for (;;) {
      const mechs = await next();
      if (mechs.kind !== 'sasl-mechanisms') throw unexpected(mechs, 'SASL Mechanisms');
      if (mechs.mechanisms.length === 0) break;
      if (!options.sasl || !mechs.mechanisms.includes(SASL_PLAIN)) {
        send({ kind: 'error', errorVendorId: 0, errorCode: PtTlsErrorCode.SaslMechanismError, originalMessage: new Uint8Array(0) });
        throw new PtTlsClientError('PTTLS_CLIENT_AUTH_FAILED', `no usable SASL mechanism in [${mechs.mechanisms.join(', ')}]`);
      }
      saslMechanism = SASL_PLAIN;
      const plain = encodeSaslPlain(options.sasl.user, options.sasl.password);
      send({ kind: 'sasl-mechanism-selection', mechanism: SASL_PLAIN, initialData: plain });
      for (;;) {
        const m = await next();
        if (m.kind === 'sasl-authentication-data') {
          send({ kind: 'sasl-authentication-data', data: plain });
          continue;
        }
        if (m.kind !== 'sasl-result') throw unexpected(m, 'SASL Result');
        if (m.result !== SaslResultCode.Success) throw new PtTlsClientError('PTTLS_CLIENT_AUTH_FAILED', `SASL Result ${m.result}`);
        break;
      }
    }

    // Data transport phase (section 3.7): PB-TNC batches until the session ends.
    const pbEvents: PbTncSessionEvent[] = [];
    const keepOpen = options.keepOpen;
    const aborted = new Promise<'aborted'>((resolve) => {
      if (keepOpen?.signal?.aborted) resolve('aborted');
      keepOpen?.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    let step = session.start();
    pbEvents.push(...step.events);
    for (;;) {
      if (step.reply) send({ kind: 'pb-tnc-batch', batch: step.reply });
      if (step.done) break;
      let m: PtTlsValue | 'aborted';
      try {
        // Watching, the user may stop while the server is silent: a CLOSE batch ends it politely.
        m = keepOpen && session.state === 'decided' ? await Promise.race([next(), aborted]) : await next();
      } catch (e) {
        // The server may end a long-lived connection after a RESULT: that is the end, not a failure.
        if (keepOpen && session.state === 'decided' && e instanceof PtTlsClientError && e.code === 'PTTLS_CLIENT_CLOSED') break;
        throw e;
      }
      if (m === 'aborted') {
        step = await session.close();
        continue;
      }
      if (m.kind !== 'pb-tnc-batch') throw unexpected(m, 'PB-TNC Batch');
      step = await session.receive(m.batch);
      pbEvents.push(...step.events);
      for (const e of step.events) {
        if (e.type !== 'result' || !keepOpen) continue;
        // The first deadline is for the first assessment; later ones are the server's to start.
        clearTimeout(timer);
        keepOpen.onResult?.({ assessmentResult: e.assessmentResult, accessRecommendation: e.accessRecommendation });
      }
    }
    const result = pbEvents.filter((e): e is Extract<PbTncSessionEvent, { type: 'result' }> => e.type === 'result').at(-1);
    return {
      saslMechanism,
      assessmentResult: result?.assessmentResult,
      accessRecommendation: result?.accessRecommendation,
      pbEvents,
      peerErrors,
      tlsProtocol: socket.getProtocol(),
    };
  } finally {
    clearTimeout(timer);
    socket.end();
    setTimeout(() => socket.destroy(), 1_000).unref();
  }
}
