/**
 * A hand-driven RADIUS client socket for the integration tests (moon's side of REFERENCE-SCENARIO
 * step 2, without moon): one UDP socket bound to a chosen loopback address, every datagram it
 * receives recorded with its arrival time, and helpers to send a request and wait for the reply
 * with the same Identifier, or to check that nothing came back. Closed by the scope.
 *
 * Linux routes all of 127.0.0.0/8 to lo, so binding 127.0.0.2 needs no address configuration: that
 * is how a test speaks as a host the server does not know.
 */
import { createSocket, type Socket } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from './pdp-config.js';
import type { Scope } from './proc.js';

export interface Received {
  readonly at: number;
  /** Index in arrival order. */
  readonly seq: number;
  readonly data: Buffer;
}

export class RadiusSocket {
  readonly received: Received[] = [];
  readonly #listeners = new Set<(r: Received) => void>();

  private constructor(
    readonly socket: Socket,
    readonly address: string,
    readonly port: number,
  ) {
    socket.on('message', (msg) => {
      const r = { at: Date.now(), seq: this.received.length, data: Buffer.from(msg) };
      this.received.push(r);
      for (const l of this.#listeners) l(r);
    });
  }

  static async open(scope: Scope, bindAddress = '127.0.0.1'): Promise<RadiusSocket> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, bindAddress, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // Large enough for a flood's replies arriving while the test is busy.
    socket.setRecvBufferSize(4 << 20);
    const s = new RadiusSocket(socket, bindAddress, socket.address().port);
    scope.defer(`close RADIUS socket ${bindAddress}:${s.port}`, () => s.close());
    return s;
  }

  /** Position in `received`; pass to the other methods to look only at later datagrams. */
  mark(): number {
    return this.received.length;
  }

  since(mark: number): Buffer[] {
    return this.received.slice(mark).map((r) => r.data);
  }

  onMessage(listener: (r: Received) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async send(datagram: Buffer, to: Endpoint): Promise<void> {
    await new Promise<void>((resolve, reject) => this.socket.send(datagram, to.port, to.address, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Sends `request` and resolves with the first later datagram whose Identifier is the request's
   * (octet 1), or undefined after `timeoutMs`.
   */
  async request(request: Buffer, to: Endpoint, timeoutMs = 3000): Promise<Buffer | undefined> {
    const from = this.mark();
    const id = request[1];
    const found = (): Buffer | undefined => this.received.slice(from).find((r) => r.data.length >= 2 && r.data[1] === id)?.data;
    await this.send(request, to);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = found();
      if (r || Date.now() >= deadline) return r;
      await sleep(5);
    }
  }

  /** Datagrams received since `mark` after waiting `ms` more (for "the server stayed silent"). */
  async after(mark: number, ms: number): Promise<Buffer[]> {
    await sleep(ms);
    return this.since(mark);
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // already closed
      }
    });
  }
}
