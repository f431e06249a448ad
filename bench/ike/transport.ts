/**
 * UDP for the bench initiator: one connected socket to the responder's port 500 and, once a NAT is
 * detected, one to its port 4500 (RFC 3948 2.2 / RFC 7296 2.23: IKE on 4500 carries a 4-octet
 * zero "non-ESP marker" before the IKE header). Many IKE_SAs share the sockets; a datagram goes
 * to its SA by the IKE SA Initiator's SPI (octets 0..7 of the header), which we chose unique.
 *
 * Requests are retransmitted with the same octets (RFC 7296 2.1: "the retransmission MUST be
 * bitwise identical") after `timeoutMs`, doubling, up to `tries` sends; a response is taken only
 * with the R flag and the Message ID of the outstanding request. Nothing here decrypts: the SA
 * checks the response (sk.ts) and may ask to keep waiting (a forged or damaged answer).
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { isIPv6 } from 'node:net';
import { HeaderFlag, IKE_HEADER_LENGTH } from '../../pep/ike/index.js';

export const NON_ESP_MARKER_LENGTH = 4;

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface TransportOptions {
  readonly remote: Endpoint;
  /** The responder's NAT-T port (default 4500). */
  readonly natPort?: number;
  /** Local address to bind (default: any; the kernel picks by route when connecting). */
  readonly localAddress?: string;
}

/** A response datagram (marker stripped) and the socket it came in on. */
export interface Incoming {
  readonly data: Buffer;
  readonly natT: boolean;
}

/** What the SA layer registers per initiator SPI. */
export interface SaEndpoint {
  /** A response (R flag) arrived for this SPI. */
  onResponse(messageId: number, d: Incoming): void;
  /** A request from the responder (R flag clear). */
  onRequest(messageId: number, d: Incoming): void;
}

export class TransportError extends Error {
  constructor(readonly code: 'TIMEOUT' | 'CLOSED', message: string) {
    super(message);
  }
}

export interface TransportCounters {
  sent: number;
  retransmits: number;
  received: number;
  /** Datagrams too short, for an unknown SPI, or not IKE. */
  dropped: number;
}

export class Transport {
  readonly counters: TransportCounters = { sent: 0, retransmits: 0, received: 0, dropped: 0 };
  readonly #sas = new Map<string, SaEndpoint>();
  #ike: Socket;
  #natT: Socket | undefined;
  #natTOpening: Promise<Socket> | undefined;
  #closed = false;

  private constructor(
    readonly options: TransportOptions,
    ike: Socket,
  ) {
    this.#ike = ike;
  }

  static async open(o: TransportOptions): Promise<Transport> {
    const s = await openSocket(o, o.remote.port);
    const t = new Transport(o, s);
    s.on('message', (m) => t.#dispatch(m, false));
    return t;
  }

  /** Our address and port as the responder sees them on port 500 (for NAT detection). */
  get local(): Endpoint {
    const a = this.#ike.address();
    return { address: a.address, port: a.port };
  }

  register(spiI: Uint8Array, sa: SaEndpoint): void {
    this.#sas.set(Buffer.from(spiI.buffer, spiI.byteOffset, 8).toString('hex'), sa);
  }

  unregister(spiI: Uint8Array): void {
    this.#sas.delete(Buffer.from(spiI.buffer, spiI.byteOffset, 8).toString('hex'));
  }

  get registered(): number {
    return this.#sas.size;
  }

  /** Sends `msg` (an IKE message) on port 500, or 4500 with the marker. */
  async send(msg: Uint8Array, natT: boolean): Promise<void> {
    if (this.#closed) throw new TransportError('CLOSED', 'transport closed');
    this.counters.sent++;
    if (!natT) {
      this.#ike.send(msg);
      return;
    }
    const s = await this.#natTSocket();
    s.send([Buffer.alloc(NON_ESP_MARKER_LENGTH), msg]);
  }

  /**
   * Sends a request and resolves with what the SA delivers: `wait` registers the SA's handler and
   * returns its cancel function; the SA calls `deliver` only with a response that verified (a
   * datagram that does not is dropped and we keep waiting). Retransmits bitwise identical copies.
   */
  request<T>(msg: Uint8Array, natT: boolean, timeoutMs: number, tries: number, wait: (deliver: (v: T) => void) => () => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let sent = 0;
      let done = false;
      const finish = (): void => {
        done = true;
        if (timer) clearTimeout(timer);
        cancel();
      };
      const cancel = wait((v) => {
        if (done) return;
        finish();
        resolve(v);
      });
      const fire = (): void => {
        if (done) return;
        if (sent >= tries) {
          finish();
          reject(new TransportError('TIMEOUT', `no response after ${tries} transmissions`));
          return;
        }
        if (sent > 0) this.counters.retransmits++;
        const delay = timeoutMs * 2 ** sent;
        sent++;
        this.send(msg, natT).catch((e: unknown) => {
          if (!done) {
            finish();
            reject(e as Error);
          }
        });
        timer = setTimeout(fire, delay);
      };
      fire();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const close = (s: Socket): Promise<unknown> => new Promise((r) => s.close(() => r(undefined)));
    await close(this.#ike);
    if (this.#natT) await close(this.#natT);
  }

  #natTSocket(): Promise<Socket> {
    if (this.#natT) return Promise.resolve(this.#natT);
    this.#natTOpening ??= openSocket(this.options, this.options.natPort ?? 4500).then((s) => {
      s.on('message', (m) => this.#dispatch(m, true));
      this.#natT = s;
      return s;
    });
    return this.#natTOpening;
  }

  #dispatch(raw: Buffer, natT: boolean): void {
    this.counters.received++;
    let data = raw;
    if (natT) {
      // RFC 3948 2.2: a datagram on 4500 whose first four octets are zero carries IKE.
      if (raw.length < NON_ESP_MARKER_LENGTH + IKE_HEADER_LENGTH || raw.readUInt32BE(0) !== 0) {
        this.counters.dropped++;
        return;
      }
      data = raw.subarray(NON_ESP_MARKER_LENGTH);
    }
    if (data.length < IKE_HEADER_LENGTH) {
      this.counters.dropped++;
      return;
    }
    const sa = this.#sas.get(data.toString('hex', 0, 8));
    if (!sa) {
      this.counters.dropped++;
      return;
    }
    const messageId = data.readUInt32BE(20);
    if ((data[19]! & HeaderFlag.RESPONSE) !== 0) sa.onResponse(messageId, { data, natT });
    else sa.onRequest(messageId, { data, natT });
  }
}

async function openSocket(o: TransportOptions, port: number): Promise<Socket> {
  const s = createSocket({ type: isIPv6(o.remote.address) ? 'udp6' : 'udp4', recvBufferSize: 8 << 20, sendBufferSize: 8 << 20 });
  s.bind({ port: 0, ...(o.localAddress ? { address: o.localAddress } : {}) });
  await once(s, 'listening');
  s.connect(port, o.remote.address);
  await once(s, 'connect');
  return s;
}
