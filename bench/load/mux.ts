/**
 * A NAS-side RADIUS request multiplexer for the load generators: several UDP sockets on 127.0.0.1,
 * 256 Identifiers each (RFC 2865 section 3), a per-try timeout and optional retransmission of the
 * same bytes (same Identifier and Request Authenticator, RFC 5080 section 2.2.1). A reply is taken
 * only from the server's address and port, for an outstanding Identifier, with a valid Response
 * Authenticator and a Message-Authenticator that is valid (or, where allowed, absent).
 */
import dgram from 'node:dgram';
import { decodePacket, verifyResponse, type RadiusPacket } from '../../radius/index.js';

export interface MuxOptions {
  readonly address: string;
  readonly port: number;
  readonly secret: string;
  readonly sockets: number;
  readonly timeoutMs: number;
  /** Attempts per request (1 = no retransmission). */
  readonly tries: number;
}

export type MuxReply =
  | { readonly kind: 'reply'; readonly packet: RadiusPacket; readonly raw: Buffer; readonly requestAuthenticator: Buffer }
  | { readonly kind: 'timeout' };

interface Outstanding {
  readonly wire: Buffer;
  readonly authenticator: Buffer;
  readonly requireMessageAuthenticator: boolean;
  triesLeft: number;
  timer: NodeJS.Timeout;
  resolve(r: MuxReply): void;
}

class IdSocket {
  readonly socket = dgram.createSocket('udp4');
  readonly outstanding = new Map<number, Outstanding>();
  next = 0;

  allocate(): number | undefined {
    for (let i = 0; i < 256; i++) {
      const id = this.next;
      this.next = (this.next + 1) & 0xff;
      if (!this.outstanding.has(id)) return id;
    }
    return undefined;
  }
}

export class RadiusMux {
  readonly #o: MuxOptions;
  readonly #sockets: IdSocket[] = [];
  #rr = 0;
  #closed = false;
  retransmissions = 0;
  /** Replies dropped: unknown Identifier (late after a timeout), bad authenticator, undecodable. */
  strays = 0;

  private constructor(o: MuxOptions) {
    this.#o = o;
  }

  static async open(o: MuxOptions): Promise<RadiusMux> {
    const mux = new RadiusMux(o);
    for (let i = 0; i < o.sockets; i++) {
      const s = new IdSocket();
      mux.#sockets.push(s);
      s.socket.on('message', (raw, rinfo) => mux.#receive(s, raw, rinfo.address, rinfo.port));
      s.socket.on('error', () => undefined);
      await new Promise<void>((resolve) => s.socket.bind(0, '127.0.0.1', () => resolve()));
    }
    return mux;
  }

  /**
   * Sends the request `build(identifier)` returns (its octets 4..19 are the Request Authenticator)
   * and resolves with the verified reply or a timeout. Never rejects.
   */
  request(build: (identifier: number) => Buffer, requireMessageAuthenticator: boolean): Promise<MuxReply> {
    if (this.#closed) return Promise.resolve({ kind: 'timeout' });
    for (let i = 0; i < this.#sockets.length; i++) {
      const s = this.#sockets[(this.#rr + i) % this.#sockets.length] as IdSocket;
      const id = s.allocate();
      if (id === undefined) continue;
      this.#rr = (this.#rr + i + 1) % this.#sockets.length;
      const wire = build(id);
      return new Promise((resolve) => {
        const entry: Outstanding = {
          wire,
          authenticator: Buffer.from(wire.subarray(4, 20)),
          requireMessageAuthenticator,
          triesLeft: this.#o.tries - 1,
          timer: setTimeout(() => this.#timeout(s, id), this.#o.timeoutMs),
          resolve,
        };
        s.outstanding.set(id, entry);
        s.socket.send(wire, this.#o.port, this.#o.address);
      });
    }
    throw new Error('RadiusMux: all Identifiers of all sockets are outstanding (window larger than sockets x 256)');
  }

  close(): void {
    this.#closed = true;
    for (const s of this.#sockets) {
      for (const [, o] of s.outstanding) {
        clearTimeout(o.timer);
        o.resolve({ kind: 'timeout' });
      }
      s.outstanding.clear();
      s.socket.close();
    }
  }

  #timeout(s: IdSocket, id: number): void {
    const o = s.outstanding.get(id);
    if (!o) return;
    if (o.triesLeft-- > 0 && !this.#closed) {
      this.retransmissions++;
      s.socket.send(o.wire, this.#o.port, this.#o.address);
      o.timer = setTimeout(() => this.#timeout(s, id), this.#o.timeoutMs);
      return;
    }
    s.outstanding.delete(id);
    o.resolve({ kind: 'timeout' });
  }

  #receive(s: IdSocket, raw: Buffer, address: string, port: number): void {
    if (port !== this.#o.port || address !== this.#o.address || raw.length < 20) {
      this.strays++;
      return;
    }
    const id = raw[1] as number;
    const o = s.outstanding.get(id);
    if (!o) {
      this.strays++;
      return;
    }
    const check = verifyResponse(raw, o.authenticator, this.#o.secret);
    if (!check.valid || (o.requireMessageAuthenticator && check.messageAuthenticator !== 'valid')) {
      this.strays++;
      return;
    }
    let packet: RadiusPacket;
    try {
      packet = decodePacket(raw);
    } catch {
      this.strays++;
      return;
    }
    clearTimeout(o.timer);
    s.outstanding.delete(id);
    o.resolve({ kind: 'reply', packet, raw, requestAuthenticator: o.authenticator });
  }
}
