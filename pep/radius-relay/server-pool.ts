/**
 * The RADIUS servers the gateway relays EAP to, tried in order with failover, as strongSwan's
 * eap-radius plugin does (src/libcharon/plugins/eap_radius/eap_radius_plugin.c: several
 * `servers { ... }`, each a radius_client with retransmission; a server that stops answering
 * loses its preference and the next one is asked).
 *
 * Retransmission per server is RadiusUdpClient's (radius/client.ts, RFC 5080 section 2.2.1: same
 * Identifier and Request Authenticator). When one server's tries run out, the same request is
 * built anew (new Identifier, new Request Authenticator: RFC 2865 section 3 ties both to one
 * server) and sent to the next. A server that timed out is tried last for `retryAfterMs`.
 * When none answers the caller gets a RadiusRelayError 'RADIUS_NO_SERVER'.
 */
import { RadiusClientError, RadiusUdpClient, type RadiusClientReply } from '../../radius/client.js';
import type { RadiusAttribute } from '../../radius/packet.js';

export interface RadiusServerConfig {
  /** Name used in logs (strongSwan logs the server's address). */
  readonly name?: string;
  readonly address: string;
  readonly port?: number;
  readonly secret: string;
}

export interface ServerPoolOptions {
  readonly servers: readonly RadiusServerConfig[];
  /** Per-try timeout and tries per server (strongSwan: retransmit_tries 4, timeout 2 s). */
  readonly timeoutMs?: number;
  readonly tries?: number;
  /** How long a server that did not answer is tried after the others (default 60 s). */
  readonly retryAfterMs?: number;
  readonly bind?: string;
  readonly now?: () => number;
  /** Observers of failover; the relay logs them. */
  readonly onServerDown?: (server: RadiusServerConfig, error: Error) => void;
}

export class RadiusRelayError extends Error {
  constructor(
    readonly code: 'RADIUS_NO_SERVER' | 'RADIUS_BAD_REPLY' | 'RADIUS_CLOSED',
    message: string,
  ) {
    super(message);
  }
}

export interface PoolReply extends RadiusClientReply {
  readonly server: RadiusServerConfig;
}

interface Entry {
  readonly config: RadiusServerConfig;
  /** One socket has 256 Identifiers (RFC 2865 3); more sockets (source ports) for more at once. */
  readonly clients: RadiusUdpClient[];
  downSince?: number;
}

/** Sockets per server: 16 x 256 outstanding requests. */
const MAX_SOCKETS_PER_SERVER = 16;
const IDS_PER_SOCKET = 256;

export class RadiusServerPool {
  readonly #entries: Entry[];
  readonly #opts: ServerPoolOptions;
  readonly #now: () => number;
  #closed = false;

  constructor(options: ServerPoolOptions) {
    if (options.servers.length === 0) throw new RangeError('at least one RADIUS server is required');
    this.#opts = options;
    this.#entries = options.servers.map((config) => ({ config, clients: [] }));
    this.#now = options.now ?? Date.now;
  }

  /** Servers in the order the next request tries them. */
  order(): RadiusServerConfig[] {
    const retryAfter = this.#opts.retryAfterMs ?? 60_000;
    const now = this.#now();
    const up = this.#entries.filter((e) => e.downSince === undefined || now - e.downSince >= retryAfter);
    const down = this.#entries.filter((e) => !up.includes(e)).sort((a, b) => (a.downSince ?? 0) - (b.downSince ?? 0));
    return [...up, ...down].map((e) => e.config);
  }

  /**
   * Sends the request to `preferred` first when given (the server holding this conversation's
   * State), then to the others in order; resolves with the first verified reply.
   */
  async request(code: number, attributes: readonly RadiusAttribute[], preferred?: RadiusServerConfig): Promise<PoolReply> {
    if (this.#closed) throw new RadiusRelayError('RADIUS_CLOSED', 'RADIUS relay closed');
    let order = this.order();
    if (preferred && order.includes(preferred)) order = [preferred, ...order.filter((s) => s !== preferred)];
    const failures: string[] = [];
    for (const config of order) {
      const entry = this.#entries.find((e) => e.config === config)!;
      try {
        const reply = await this.#client(entry).request(code, attributes);
        entry.downSince = undefined;
        return { ...reply, server: config };
      } catch (error) {
        if (error instanceof RadiusClientError && error.code === 'RADIUS_TIMEOUT') {
          entry.downSince = this.#now();
          this.#opts.onServerDown?.(config, error);
          failures.push(`${serverLabel(config)}: no answer`);
          continue;
        }
        if (error instanceof RadiusClientError && error.code === 'RADIUS_NO_IDENTIFIER') {
          failures.push(`${serverLabel(config)}: too many requests outstanding`);
          continue;
        }
        if (error instanceof RadiusClientError && error.code === 'RADIUS_CLOSED') {
          throw new RadiusRelayError('RADIUS_CLOSED', 'RADIUS relay closed');
        }
        throw error;
      }
    }
    throw new RadiusRelayError('RADIUS_NO_SERVER', `no RADIUS server answered (${failures.join('; ')})`);
  }

  close(): void {
    this.#closed = true;
    for (const e of this.#entries) for (const c of e.clients) c.close();
  }

  #client(entry: Entry): RadiusUdpClient {
    const free = entry.clients.find((c) => c.outstanding < IDS_PER_SOCKET);
    if (free) return free;
    if (entry.clients.length >= MAX_SOCKETS_PER_SERVER) return entry.clients[0]!; // it will say RADIUS_NO_IDENTIFIER
    const client = new RadiusUdpClient({
      server: { address: entry.config.address, port: entry.config.port ?? 1812 },
      secret: entry.config.secret,
      timeoutMs: this.#opts.timeoutMs ?? 2000,
      tries: this.#opts.tries ?? 3,
      ...(this.#opts.bind ? { bind: this.#opts.bind } : {}),
    });
    entry.clients.push(client);
    return client;
  }
}

export function serverLabel(s: RadiusServerConfig): string {
  return s.name ?? s.address;
}
