/**
 * The IKE daemon's UDP sockets: port 500 (IKE) and port 4500 (IKE with the non-ESP marker, ESP in
 * UDP and NAT keepalives), RFC 3948 section 2 and RFC 7296 section 2.23.
 *
 * Port 4500 demultiplexing (RFC 3948 2.2, 2.3):
 *    0                   1                   2                   3
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      Non-ESP Marker (0)                       |   -> IKE message follows
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   a single octet 0xFF                                                  -> NAT-keepalive, dropped
 *   anything else (first four octets = a non-zero SPI)                   -> ESP, to the data path
 */
import dgram from 'node:dgram';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface ReceivedIke {
  readonly data: Buffer;
  readonly local: Endpoint;
  readonly remote: Endpoint;
  /** Arrived on the NAT-T port (RFC 7296 2.23: then answer with the non-ESP marker on 4500). */
  readonly natt: boolean;
}

export interface UdpTransportOptions {
  readonly address: string;
  readonly ikePort?: number;
  readonly nattPort?: number;
  onIke(msg: ReceivedIke): void;
  /** ESP-in-UDP datagrams (without anything stripped). */
  onEsp?(data: Buffer, remote: Endpoint): void;
}

const NON_ESP_MARKER = Buffer.alloc(4);

export class UdpTransport {
  readonly #o: UdpTransportOptions;
  #ike: dgram.Socket | undefined;
  #natt: dgram.Socket | undefined;
  #local: { ike: Endpoint; natt: Endpoint } | undefined;

  constructor(o: UdpTransportOptions) {
    this.#o = o;
  }

  async listen(): Promise<{ ike: Endpoint; natt: Endpoint }> {
    const type = this.#o.address.includes(':') ? 'udp6' : 'udp4';
    this.#ike = dgram.createSocket({ type, reuseAddr: false });
    this.#natt = dgram.createSocket({ type, reuseAddr: false });
    const ike = await bind(this.#ike, this.#o.address, this.#o.ikePort ?? 500);
    const natt = await bind(this.#natt, this.#o.address, this.#o.nattPort ?? 4500);
    this.#local = { ike, natt };
    this.#ike.on('message', (data, r) => this.#o.onIke({ data, local: ike, remote: { address: r.address, port: r.port }, natt: false }));
    this.#natt.on('message', (data, r) => {
      const remote = { address: r.address, port: r.port };
      if (data.length === 1 && data[0] === 0xff) return; // NAT-keepalive, RFC 3948 2.3
      if (data.length >= 4 && data.readUInt32BE(0) === 0) {
        this.#o.onIke({ data: data.subarray(4), local: natt, remote, natt: true });
        return;
      }
      if (data.length >= 8) this.#o.onEsp?.(data, remote);
    });
    return this.#local;
  }

  get local(): { ike: Endpoint; natt: Endpoint } | undefined {
    return this.#local;
  }

  /** Sends an IKE message; on the NAT-T port it gets the non-ESP marker. */
  sendIke(data: Buffer, remote: Endpoint, natt: boolean): void {
    const s = natt ? this.#natt : this.#ike;
    if (!s) return;
    s.send(natt ? [NON_ESP_MARKER, data] : data, remote.port, remote.address);
  }

  /** Sends ESP in UDP (RFC 3948) from port 4500. */
  sendEsp(data: Buffer, remote: Endpoint): void {
    this.#natt?.send(data, remote.port, remote.address);
  }

  async close(): Promise<void> {
    await Promise.all([this.#ike, this.#natt].map((s) => (s ? new Promise<void>((r) => s.close(() => r())) : undefined)));
    this.#ike = this.#natt = undefined;
  }
}

function bind(s: dgram.Socket, address: string, port: number): Promise<Endpoint> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, address, () => {
      s.off('error', reject);
      s.on('error', () => undefined);
      const a = s.address();
      resolve({ address: a.address, port: a.port });
    });
  });
}
