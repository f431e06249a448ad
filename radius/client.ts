/**
 * RADIUS client transport (the NAS side): identifiers, retransmission and response matching.
 *
 * RFC 2865 section 3: the Identifier matches a reply to its request; a retransmission of the same
 * request keeps the same Identifier and Request Authenticator (RFC 5080 section 2.2.1), so the
 * server's duplicate detection answers it from cache. Replies are accepted only from the server
 * address the request went to and only with a valid Response Authenticator (and, when present or
 * required, Message-Authenticator): anything else is ignored, as a spoofed reply would be.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { buildRequest, verifyResponse } from './builder.js';
import { decodePacket, type RadiusAttribute, type RadiusPacket } from './packet.js';

export class RadiusClientError extends Error {
  constructor(
    readonly code: 'RADIUS_TIMEOUT' | 'RADIUS_NO_IDENTIFIER' | 'RADIUS_CLOSED',
    message: string,
  ) {
    super(message);
  }
}

export interface RadiusClientOptions {
  readonly server: { readonly address: string; readonly port: number };
  readonly secret: string;
  /** Per-try timeout (default 2000 ms) and tries (default 3). */
  readonly timeoutMs?: number;
  readonly tries?: number;
  /** Local address to bind (default: any). */
  readonly bind?: string;
}

export interface RadiusClientReply {
  readonly packet: RadiusPacket;
  readonly raw: Buffer;
  /** The Request Authenticator the reply answers (needed to decrypt MS-MPPE keys). */
  readonly requestAuthenticator: Buffer;
}

interface Outstanding {
  readonly authenticator: Buffer;
  readonly wire: Buffer;
  readonly requireMessageAuthenticator: boolean;
  triesLeft: number;
  timer: NodeJS.Timeout;
  resolve(r: RadiusClientReply): void;
  reject(e: Error): void;
}

export class RadiusUdpClient {
  readonly #socket: dgram.Socket;
  readonly #opts: Required<Omit<RadiusClientOptions, 'bind'>> & { bind?: string };
  readonly #outstanding = new Map<number, Outstanding>();
  #nextId = Math.floor(Math.random() * 256);
  #ready: Promise<void>;
  #closed = false;

  constructor(options: RadiusClientOptions) {
    this.#opts = { timeoutMs: 2000, tries: 3, ...options };
    this.#socket = dgram.createSocket(isIP(options.server.address) === 6 ? 'udp6' : 'udp4');
    this.#socket.on('message', (msg, rinfo) => this.#receive(msg, rinfo.address, rinfo.port));
    this.#socket.on('error', () => undefined);
    this.#ready = new Promise((resolve) => this.#socket.bind({ port: 0, ...(options.bind ? { address: options.bind } : {}) }, () => resolve()));
  }

  /** Sends a request and resolves with the verified reply. */
  async request(code: number, attributes: readonly RadiusAttribute[]): Promise<RadiusClientReply> {
    await this.#ready;
    if (this.#closed) throw new RadiusClientError('RADIUS_CLOSED', 'client closed');
    const id = this.#allocateId();
    const wire = buildRequest({ code, identifier: id, attributes, secret: this.#opts.secret });
    const authenticator = Buffer.from(wire.subarray(4, 20));
    return new Promise((resolve, reject) => {
      const entry: Outstanding = {
        authenticator,
        wire,
        requireMessageAuthenticator: true,
        triesLeft: this.#opts.tries - 1,
        timer: setTimeout(() => this.#timeout(id), this.#opts.timeoutMs),
        resolve,
        reject,
      };
      this.#outstanding.set(id, entry);
      this.#send(wire);
    });
  }

  get outstanding(): number {
    return this.#outstanding.size;
  }

  close(): void {
    this.#closed = true;
    for (const [, o] of this.#outstanding) {
      clearTimeout(o.timer);
      o.reject(new RadiusClientError('RADIUS_CLOSED', 'client closed'));
    }
    this.#outstanding.clear();
    this.#socket.close();
  }

  #allocateId(): number {
    for (let i = 0; i < 256; i++) {
      const id = this.#nextId;
      this.#nextId = (this.#nextId + 1) & 0xff;
      if (!this.#outstanding.has(id)) return id;
    }
    throw new RadiusClientError('RADIUS_NO_IDENTIFIER', 'all 256 identifiers are outstanding; use another client (source port)');
  }

  #send(wire: Buffer): void {
    this.#socket.send(wire, this.#opts.server.port, this.#opts.server.address);
  }

  #timeout(id: number): void {
    const o = this.#outstanding.get(id);
    if (!o) return;
    if (o.triesLeft-- > 0) {
      this.#send(o.wire);
      o.timer = setTimeout(() => this.#timeout(id), this.#opts.timeoutMs);
      return;
    }
    this.#outstanding.delete(id);
    o.reject(new RadiusClientError('RADIUS_TIMEOUT', `no reply from ${this.#opts.server.address}:${this.#opts.server.port} after ${this.#opts.tries} tries`));
  }

  #receive(raw: Buffer, address: string, port: number): void {
    if (port !== this.#opts.server.port || address !== this.#opts.server.address) return;
    if (raw.length < 20) return;
    const o = this.#outstanding.get(raw[1]!);
    if (!o) return;
    const check = verifyResponse(raw, o.authenticator, this.#opts.secret);
    if (!check.valid || (o.requireMessageAuthenticator && check.messageAuthenticator !== 'valid' && raw[0] !== 5)) return;
    let packet: RadiusPacket;
    try {
      packet = decodePacket(raw);
    } catch {
      return;
    }
    clearTimeout(o.timer);
    this.#outstanding.delete(raw[1]!);
    o.resolve({ packet, raw, requestAuthenticator: o.authenticator });
  }
}
