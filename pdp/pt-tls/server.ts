/**
 * The PT-TLS server (RFC 6876): TLS 1.2/1.3 over TCP (default 127.0.0.1:271) with the PDP's
 * certificate, one PtTlsConnection (connection.ts) per TLS connection. The socket edge lives here:
 * connection cap, TLS handshake timeout, idle timeout, an overall session deadline, and the
 * verified client certificate's identity in 'certificate' mode (RFC 6876 section 3.2: the server
 * may require TLS client authentication).
 *
 * A connection stays open after its RESULT while the client keeps it open; `reassess()` then asks
 * the chosen endpoints for a new assessment on their open connections (PB-TNC SRETRY) and resolves
 * with the new decisions. The idle timeout does not apply to a connection waiting in Decided (the
 * client has nothing to say until the server retries); the overall session deadline does.
 *
 * Events (typed, EventEmitter): listening, connection, authenticated, auth-failed, decision,
 * peer-error, error, closed, rejected. `error` is emitted only when someone listens for it, so a
 * hostile client can never crash the process through an unhandled 'error' event.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { PostureDecision, PostureService } from '../posture/posture-service.js';
import type { UserDirectory } from '../users.js';
import { PtTlsConnection, PtTlsReassessError, type PtTlsConnectionLimits, type PtTlsDecision } from './connection.js';
import type { PtTlsErrorMessage } from './error-message.js';
import { PT_TLS_DEFAULT_PORT } from './message-type.js';
import type { AuthMethod, ClientAuth } from './state-machine.js';

export interface PtTlsServerIdentity {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** CA certificate(s): sent nowhere, used to verify client certificates unless `clientCa` is set. */
  readonly caPem: string;
}

export interface PtTlsServerOptions {
  readonly address?: string;
  readonly port?: number;
  readonly identity: PtTlsServerIdentity;
  readonly clientAuth: ClientAuth;
  /** PEM CA(s) that sign client certificates ('certificate' mode); default identity.caPem. */
  readonly clientCa?: string;
  readonly users: UserDirectory;
  readonly postureService: PostureService;
  readonly minVersion?: 'TLSv1.2' | 'TLSv1.3';
  readonly maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Open connections at most; more are dropped at once (default 256). */
  readonly maxConnections?: number;
  /** TLS handshake deadline (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  /** Longest silence from the client (default 30 s). */
  readonly idleTimeoutMs?: number;
  /** Longest a connection may last in total (default 10 min). */
  readonly sessionTimeoutMs?: number;
  readonly limits?: Partial<PtTlsConnectionLimits>;
}

interface Peer {
  readonly id: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** An open connection as reassess() selects it. */
export interface PtTlsConnectionInfo extends Peer {
  /** Undefined until the client authenticated. */
  readonly user: string | undefined;
  /** Waiting after a RESULT: can be reassessed. */
  readonly decided: boolean;
}

/** The outcome of reassessing one connection. */
export type PtTlsReassessment =
  | (Peer & { readonly ok: true } & PtTlsDecision)
  | (Peer & { readonly ok: false; readonly code: string; readonly reason: string });

export interface PtTlsServerEvents {
  listening: [{ readonly address: string; readonly port: number }];
  connection: [Peer];
  authenticated: [Peer & { readonly user: string; readonly method: AuthMethod }];
  'auth-failed': [Peer & { readonly user: string | undefined; readonly reason: string }];
  decision: [
    Peer & {
      readonly user: string;
      readonly decision: PostureDecision | undefined;
      readonly accessRecommendation: number | undefined;
      readonly assessmentResult: number;
    },
  ];
  'peer-error': [Peer & { readonly error: PtTlsErrorMessage }];
  /** A protocol error (reported to the client), a TLS or socket failure, or an internal one. */
  error: [Partial<Peer> & { readonly code: string; readonly error: Error; readonly fatal: boolean }];
  closed: [Peer & { readonly reason: string; readonly durationMs: number }];
  /** A connection refused before TLS (connection cap). */
  rejected: [{ readonly remoteAddress: string | undefined; readonly reason: 'max-connections' }];
}

export class PtTlsServer extends EventEmitter<PtTlsServerEvents> {
  readonly #options: PtTlsServerOptions;
  readonly #server: Server;
  readonly #sockets = new Map<TLSSocket, PtTlsConnection | undefined>();
  readonly #byId = new Map<number, { readonly peer: Peer; readonly conn: PtTlsConnection }>();
  #nextId = 1;

  constructor(options: PtTlsServerOptions) {
    super();
    this.#options = options;
    const certificateMode = options.clientAuth === 'certificate';
    this.#server = createServer({
      key: options.identity.privateKeyPem,
      cert: options.identity.certificatePem,
      minVersion: options.minVersion ?? 'TLSv1.2',
      maxVersion: options.maxVersion ?? 'TLSv1.3',
      handshakeTimeout: options.handshakeTimeoutMs ?? 10_000,
      requestCert: certificateMode,
      rejectUnauthorized: certificateMode,
      ...(certificateMode ? { ca: options.clientCa ?? options.identity.caPem } : {}),
    });
    this.#server.maxConnections = options.maxConnections ?? 256;
    this.#server.on('drop', (data) => this.emit('rejected', { remoteAddress: data?.remoteAddress, reason: 'max-connections' }));
    this.#server.on('secureConnection', (socket) => this.#accept(socket));
    this.#server.on('tlsClientError', (error, socket) => {
      this.#error({ code: 'PTTLS_TLS_HANDSHAKE', error, fatal: true, ...(socket.remoteAddress ? { remoteAddress: socket.remoteAddress } : {}) });
      socket.destroy();
    });
    this.#server.on('error', (error) => this.#error({ code: 'PTTLS_SERVER', error, fatal: true }));
  }

  /** Binds (default 127.0.0.1:271) and resolves with the bound address. */
  listen(): Promise<{ address: string; port: number }> {
    const port = this.#options.port ?? PT_TLS_DEFAULT_PORT;
    const host = this.#options.address ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        const a = this.#server.address() as AddressInfo;
        const bound = { address: a.address, port: a.port };
        this.emit('listening', bound);
        resolve(bound);
      });
    });
  }

  get connections(): number {
    return this.#sockets.size;
  }

  /** The open connections (authenticated or not). */
  list(): PtTlsConnectionInfo[] {
    return [...this.#byId.values()].map(({ peer, conn }) => ({ ...peer, user: conn.user, decided: conn.decided }));
  }

  /**
   * Re-assesses open connections: `select` is a connection id or a predicate over list()'s
   * entries. Each selected connection gets a PB-TNC SRETRY; resolves once every one has a new
   * decision or failed (not in Decided, closed, or no RESULT within `timeoutMs`, default 60 s;
   * the connection stays as it is then). An unknown id gives one PTTLS_NO_SUCH_CONNECTION entry.
   */
  async reassess(select: number | ((c: PtTlsConnectionInfo) => boolean), options: { readonly timeoutMs?: number } = {}): Promise<PtTlsReassessment[]> {
    const chosen = typeof select === 'number' ? this.list().filter((c) => c.id === select) : this.list().filter(select);
    if (typeof select === 'number' && chosen.length === 0) {
      return [{ id: select, remoteAddress: '', remotePort: 0, ok: false, code: 'PTTLS_NO_SUCH_CONNECTION', reason: `no open connection ${select}` }];
    }
    const timeoutMs = options.timeoutMs ?? 60_000;
    return Promise.all(
      chosen.map(async (info): Promise<PtTlsReassessment> => {
        const entry = this.#byId.get(info.id);
        const peer: Peer = { id: info.id, remoteAddress: info.remoteAddress, remotePort: info.remotePort };
        if (!entry) return { ...peer, ok: false, code: 'PTTLS_CLOSED', reason: 'closed' };
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new PtTlsReassessError('PTTLS_REASSESS_TIMEOUT', `no decision within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          const d = await Promise.race([entry.conn.reassess(), timeout]);
          return { ...peer, ok: true, ...d };
        } catch (e) {
          const code = (e as { code?: unknown }).code;
          return { ...peer, ok: false, code: typeof code === 'string' ? code : 'PTTLS_INTERNAL', reason: e instanceof Error ? e.message : String(e) };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }

  /** Stops listening and ends every connection (their posture sessions are closed). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const [socket, conn] of this.#sockets) {
      conn?.terminate('server-closing');
      socket.destroy();
    }
    await closed;
  }

  #error(ev: PtTlsServerEvents['error'][0]): void {
    if (this.listenerCount('error') > 0) this.emit('error', ev);
  }

  #accept(socket: TLSSocket): void {
    const peer: Peer = { id: this.#nextId++, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 };
    const started = Date.now();
    this.#sockets.set(socket, undefined);
    this.emit('connection', peer);

    const conn = new PtTlsConnection({
      io: {
        write: (bytes) => {
          if (!socket.destroyed) socket.write(bytes);
        },
        end: () => {
          socket.end();
          // A client that never closes its side does not keep the socket.
          setTimeout(() => socket.destroy(), 2_000).unref();
        },
      },
      clientAuth: this.#options.clientAuth,
      certificateIdentity: this.#options.clientAuth === 'certificate' ? certificateIdentity(socket) : undefined,
      users: this.#options.users,
      postureService: this.#options.postureService,
      ...(this.#options.limits ? { limits: this.#options.limits } : {}),
      onEvent: (ev) => {
        switch (ev.type) {
          case 'authenticated':
            this.emit('authenticated', { ...peer, user: ev.user, method: ev.method });
            break;
          case 'auth-failed':
            this.emit('auth-failed', { ...peer, user: ev.user, reason: ev.reason });
            break;
          case 'decision':
            this.emit('decision', { ...peer, user: ev.user, decision: ev.decision, accessRecommendation: ev.accessRecommendation, assessmentResult: ev.assessmentResult });
            break;
          case 'peer-error':
            this.emit('peer-error', { ...peer, error: ev.error });
            break;
          case 'error':
            this.#error({ ...peer, code: ev.code, error: ev.error, fatal: ev.fatal });
            break;
          case 'closed':
            this.emit('closed', { ...peer, reason: ev.reason, durationMs: Date.now() - started });
            break;
        }
      },
    });
    this.#sockets.set(socket, conn);
    this.#byId.set(peer.id, { peer, conn });

    const deadline = setTimeout(() => {
      conn.terminate('session-timeout');
      socket.destroy();
    }, this.#options.sessionTimeoutMs ?? 600_000);
    deadline.unref();
    socket.setTimeout(this.#options.idleTimeoutMs ?? 30_000, () => {
      // After a RESULT the client waits for us (a retry) and is silent by design.
      if (conn.decided) return;
      conn.terminate('idle-timeout');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => conn.receive(chunk));
    socket.on('end', () => conn.terminate('peer-closed'));
    socket.on('error', (error) => {
      this.#error({ ...peer, code: 'PTTLS_SOCKET', error, fatal: true });
      conn.terminate('socket-error');
    });
    socket.on('close', () => {
      clearTimeout(deadline);
      conn.terminate('peer-closed');
      this.#sockets.delete(socket);
      this.#byId.delete(peer.id);
    });
  }
}

/** The verified client certificate's subject CN (else the whole subject), as the user identity. */
function certificateIdentity(socket: TLSSocket): string | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (cert === null || typeof cert !== 'object' || Object.keys(cert).length === 0) return undefined;
  const cn: unknown = cert.subject?.CN;
  if (typeof cn === 'string' && cn !== '') return cn;
  if (Array.isArray(cn) && typeof cn[0] === 'string') return cn[0];
  return Object.entries(cert.subject ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ') || undefined;
}
