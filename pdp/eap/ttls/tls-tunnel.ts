/**
 * A TLS connection without a transport: Node's `tls.TLSSocket` over an in-memory Duplex.
 *
 * `feed()` hands received TLS records to OpenSSL; the result holds what TLS wrote back (records
 * for the other side), the application data that was decrypted, and whether the handshake is
 * complete. The TLS layer does not know its payload (RFC 5281 phase 2 runs above it).
 *
 * How completion is detected: OpenSSL work runs synchronously inside the stream callbacks of the
 * in-memory transport; Node defers only the hand-offs (the read dispatch by process.nextTick, each
 * write completion by setImmediate, after which the next pending record batch is written). So a
 * step waits, one event-loop turn at a time, until a whole turn passes with no stream activity and
 * the input is consumed. That is bounded (MAX_SETTLE_TURNS) and never spins: every wait yields to
 * the event loop. Handshake completion itself comes from the 'secure'/'secureConnect' events.
 *
 * Failures (alerts, garbage records, certificate verification) end in `error`, never in an
 * exception escaping from here.
 */
import { constants as cryptoConstants } from 'node:crypto';
import { Duplex } from 'node:stream';
import tls from 'node:tls';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';
type PemInput = string | Buffer | readonly (string | Buffer)[];

export interface TlsLimits {
  /** Application data accepted per step (default 64 KiB). */
  readonly maxPlaintext?: number;
  /** TLS output produced per step (default 256 KiB). */
  readonly maxOutput?: number;
}

export interface TlsServerConfig {
  /** Server certificate (PEM; may include the chain to send). */
  readonly cert: PemInput;
  readonly key: string | Buffer;
  readonly passphrase?: string;
  /** CA certificates (only for client-certificate verification, unused by TTLS phase 1 here). */
  readonly ca?: PemInput;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  readonly ciphers?: string;
}

export interface TlsClientConfig extends TlsLimits {
  /** Trust anchors for the server certificate. */
  readonly ca: PemInput;
  /** Name the server certificate must match (SNI is sent only for DNS names). */
  readonly serverName: string;
  readonly minVersion?: TlsVersion;
  readonly maxVersion?: TlsVersion;
  readonly ciphers?: string;
  /** Default true. Only tests should turn verification off. */
  readonly rejectUnauthorized?: boolean;
  /** NSS key log lines (secrets!) for test vectors and debugging; never log them. */
  readonly keylog?: (line: Buffer) => void;
}

export interface TlsStepResult {
  /** TLS records to send to the other side (may be empty). */
  readonly output: Buffer;
  /** Application data decrypted during this step. */
  readonly plaintext: Buffer;
  readonly established: boolean;
  /** Set once the connection has failed; stable error code from Node/OpenSSL. */
  readonly error?: string;
}

export const DEFAULT_TLS_MIN_VERSION: TlsVersion = 'TLSv1.2';
/** FreeRADIUS 3.x defaults tls_max_version to 1.2; TLS 1.3 for TTLS is opt-in (see keys.ts). */
export const DEFAULT_TLS_MAX_VERSION: TlsVersion = 'TLSv1.2';
const MAX_SETTLE_TURNS = 1000;

/**
 * Builds the server context once per configuration (certificate parsing is the expensive part).
 * Session tickets are disabled as hostapd does for TTLS (SSL_OP_NO_TICKET). With TLS 1.3 OpenSSL
 * still sends two (stateful, unusable) NewSessionTicket messages after the client Finished; Node
 * exposes no SSL_CTX_set_num_tickets. wpa_supplicant treats such a request as "no application data"
 * and starts phase 2, exactly as with hostapd.
 */
export function createServerContext(config: TlsServerConfig): tls.SecureContext {
  return tls.createSecureContext({
    cert: config.cert as string | Buffer | (string | Buffer)[],
    key: config.key,
    ...(config.passphrase !== undefined ? { passphrase: config.passphrase } : {}),
    ...(config.ca !== undefined ? { ca: config.ca as string | Buffer | (string | Buffer)[] } : {}),
    ...(config.ciphers !== undefined ? { ciphers: config.ciphers } : {}),
    minVersion: config.minVersion ?? DEFAULT_TLS_MIN_VERSION,
    maxVersion: config.maxVersion ?? DEFAULT_TLS_MAX_VERSION,
    secureOptions: cryptoConstants.SSL_OP_NO_TICKET | (cryptoConstants.SSL_OP_NO_RENEGOTIATION ?? 0),
  });
}

/** The in-memory transport below the TLSSocket. */
class MemoryTransport extends Duplex {
  #out: Buffer[] = [];
  #outBytes = 0;
  activity = 0;

  override _read(): void {
    // data is pushed by feed()
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#out.push(chunk);
    this.#outBytes += chunk.length;
    this.activity++;
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    callback();
  }

  feed(records: Buffer): void {
    this.activity++;
    this.push(records);
  }

  get outBytes(): number {
    return this.#outBytes;
  }

  drainOutput(): Buffer {
    const out = Buffer.concat(this.#out);
    this.#out = [];
    this.#outBytes = 0;
    return out;
  }
}

export class TlsTunnel {
  readonly #transport: MemoryTransport;
  readonly #socket: tls.TLSSocket;
  readonly #maxPlaintext: number;
  readonly #maxOutput: number;
  #activity = 0;
  #established = false;
  #error: string | undefined;
  #plain: Buffer[] = [];
  #plainBytes = 0;

  private constructor(transport: MemoryTransport, socket: tls.TLSSocket, limits: TlsLimits) {
    this.#transport = transport;
    this.#socket = socket;
    this.#maxPlaintext = limits.maxPlaintext ?? 65536;
    this.#maxOutput = limits.maxOutput ?? 262144;
    transport.on('error', () => {}); // surfaced through the socket
    socket.on('error', (e: Error & { code?: string }) => this.#fail(e.code ?? e.message));
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => this.#fail('tls-closed-by-peer'));
    socket.on('close', () => {
      this.#activity++;
    });
  }

  /** Server side: waits for the ClientHello. */
  static server(context: tls.SecureContext, limits: TlsLimits = {}): TlsTunnel {
    const transport = new MemoryTransport();
    const socket = new tls.TLSSocket(transport, { isServer: true, secureContext: context, requestCert: false });
    const tunnel = new TlsTunnel(transport, socket, limits);
    socket.on('secure', () => tunnel.#onEstablished());
    return tunnel;
  }

  /** Client side: `start()` produces the ClientHello. The server certificate is verified. */
  static client(config: TlsClientConfig): TlsTunnel {
    const transport = new MemoryTransport();
    const isIp = /^[0-9.]+$|:/.test(config.serverName);
    const socket = tls.connect({
      socket: transport,
      ca: config.ca as string | Buffer | (string | Buffer)[],
      ...(isIp ? { host: config.serverName } : { servername: config.serverName }),
      minVersion: config.minVersion ?? DEFAULT_TLS_MIN_VERSION,
      maxVersion: config.maxVersion ?? DEFAULT_TLS_MAX_VERSION,
      ...(config.ciphers !== undefined ? { ciphers: config.ciphers } : {}),
      rejectUnauthorized: config.rejectUnauthorized ?? true,
      // EAP never renegotiates, and strongSwan 5.9's TLS 1.2 server sends no RFC 5746
      // renegotiation_info: OpenSSL 3 would abort the handshake (UNSAFE_LEGACY_RENEGOTIATION_DISABLED).
      secureOptions: cryptoConstants.SSL_OP_LEGACY_SERVER_CONNECT,
    });
    const tunnel = new TlsTunnel(transport, socket, config);
    if (config.keylog) socket.on('keylog', config.keylog);
    socket.on('secureConnect', () => tunnel.#onEstablished());
    return tunnel;
  }

  get established(): boolean {
    return this.#established;
  }

  get error(): string | undefined {
    return this.#error;
  }

  /** 'TLSv1.2' or 'TLSv1.3' once established. */
  get version(): string | undefined {
    return this.#established ? (this.#socket.getProtocol() ?? undefined) : undefined;
  }

  /** Observes the server's key log (secrets!) for test vectors. */
  onKeylog(listener: (line: Buffer) => void): void {
    this.#socket.on('keylog', listener);
  }

  /** Client: the first flight (ClientHello). Server: nothing until fed. */
  async start(): Promise<TlsStepResult> {
    return this.#step(() => {});
  }

  async feed(records: Buffer): Promise<TlsStepResult> {
    if (this.#error) return this.#result();
    return this.#step(() => {
      if (records.length > 0) this.#transport.feed(records);
    });
  }

  /** Encrypts application data into records. */
  async send(plaintext: Buffer): Promise<TlsStepResult> {
    if (this.#error) return this.#result();
    if (!this.#established) {
      this.#fail('tls-not-established');
      return this.#result();
    }
    return this.#step(() => {
      if (plaintext.length > 0) this.#socket.write(plaintext);
    });
  }

  /** RFC 5705 / RFC 8446 section 7.5 exporter; `context` undefined means "no context". */
  exportKeyingMaterial(length: number, label: string, context?: Buffer): Buffer {
    if (!this.#established) throw new Error('TLS not established');
    // @types/node declares context as required; Node passes "no context" when it is undefined.
    return Buffer.from(this.#socket.exportKeyingMaterial(length, label, context as unknown as Buffer));
  }

  close(): void {
    this.#socket.destroy();
    this.#transport.destroy();
  }

  async #step(action: () => void): Promise<TlsStepResult> {
    try {
      action();
    } catch (e) {
      this.#fail(e instanceof Error ? e.message : String(e));
    }
    await this.#settle();
    return this.#result();
  }

  #result(): TlsStepResult {
    const output = this.#transport.drainOutput();
    const plaintext = Buffer.concat(this.#plain);
    this.#plain = [];
    this.#plainBytes = 0;
    return this.#error
      ? { output, plaintext, established: this.#established, error: this.#error }
      : { output, plaintext, established: this.#established };
  }

  async #settle(): Promise<void> {
    let idleTurns = 0;
    let seen = -1;
    for (let turn = 0; turn < MAX_SETTLE_TURNS; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#transport.outBytes > this.#maxOutput) {
        this.#fail('tls-output-too-large');
        return;
      }
      const now = this.#activity + this.#transport.activity;
      if (now === seen && this.#transport.readableLength === 0) {
        if (++idleTurns >= 2) return;
      } else {
        idleTurns = 0;
        seen = now;
      }
    }
    this.#fail('tls-stalled');
  }

  #onEstablished(): void {
    this.#activity++;
    if (!this.#error) this.#established = true;
  }

  #onData(chunk: Buffer): void {
    this.#activity++;
    this.#plainBytes += chunk.length;
    if (this.#plainBytes > this.#maxPlaintext) {
      this.#fail('tls-plaintext-too-large');
      return;
    }
    this.#plain.push(chunk);
  }

  #fail(code: string): void {
    this.#activity++;
    if (this.#error) return;
    this.#error = code;
    this.#socket.destroy();
  }
}
