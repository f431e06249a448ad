/**
 * The PT-TLS server (RFC 6876): TLS 1.2/1.3 over TCP (default 127.0.0.1:271) with the PDP's
 * certificate, one PtTlsConnection (connection.ts) per TLS connection. The socket edge lives here:
 * connection cap, TLS handshake timeout, idle timeout, an overall session deadline, and the
 * verified client certificate's identity in 'certificate' mode (RFC 6876 section 3.2: the server
 * may require TLS client authentication).
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
import { PtTlsConnection, type PtTlsConnectionLimits } from './connection.js';
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

    const deadline = setTimeout(() => {
      conn.terminate('session-timeout');
      socket.destroy();
    }, this.#options.sessionTimeoutMs ?? 600_000);
    deadline.unref();
    socket.setTimeout(this.#options.idleTimeoutMs ?? 30_000, () => {
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
