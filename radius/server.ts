/**
 * RADIUS server transport: UDP sockets, client secrets, request authentication, duplicate
 * detection, Status-Server, and reply signing. No policy: requests go to a `RadiusHandler`.
 *
 * The checks, in the order a datagram meets them:
 * 1. RFC 2865 section 3: a packet from an unknown client is silently discarded.
 * 2. RFC 2865 section 3: shorter than 20 octets or longer than 4096 → silently discarded; a Length
 *    field larger than the datagram → silently discarded (decodePacket throws).
 * 3. Codes a port does not serve are silently discarded (Access-* on the auth port, Accounting on
 *    the accounting port, Status-Server on both, RFC 5997 section 3).
 * 4. RFC 3579 section 3.2: "A RADIUS server receiving an Access-Request with a Message-Authenticator
 *    attribute present MUST calculate the correct value ... and silently discard the packet if it
 *    does not match". Access-Requests with EAP-Message and no Message-Authenticator MUST be
 *    discarded too; the per-client `requireMessageAuthenticator` switch extends that to every
 *    Access-Request (BlastRADIUS hardening, draft-ietf-radext-deprecating-radius).
 *    RFC 2866 section 3: an Accounting-Request whose Request Authenticator does not verify is
 *    silently discarded. RFC 5997 section 3: Status-Server without a valid Message-Authenticator
 *    MUST be silently discarded.
 * 5. RFC 5080 section 2.2.2: duplicates get the cached reply.
 * 6. RFC 2865 section 5.33: Proxy-State attributes are copied to the reply, unmodified, in order.
 *
 * Several PDP instances (pdp/cluster, docs/cluster.md): an EAP conversation lives in the instance
 * that issued its State. An instance that receives a packet of another instance's conversation
 * forwards the raw datagram (`RadiusRequest.raw`) to the owner, which runs it through this same
 * pipeline with `processForwarded` (client lookup, authenticators with the NAS's secret, the one
 * duplicate cache, the in-flight bound) and gets the signed reply back instead of sending it; the
 * receiving instance then sends those bytes unchanged (`RadiusReply.signed`) from the socket the
 * NAS sent to.
 */
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { ClientTable, type RadiusClient } from './client-table.js';
import { DuplicateCache } from './duplicate-cache.js';
import { AttributeType } from './attribute-types.js';
import { PacketCode } from './codes.js';
import { RadiusDecodeError } from './errors.js';
import { decodePacket, getAttribute, type RadiusAttribute, type RadiusPacket } from './packet.js';
import { verifyMessageAuthenticator } from './message-authenticator.js';
import { verifyRequestAuthenticator } from './authenticator.js';
import { signResponse } from './builder.js';

export type RadiusService = 'auth' | 'accounting';

export interface RadiusRequest {
  readonly service: RadiusService;
  readonly client: RadiusClient;
  readonly address: string;
  readonly port: number;
  readonly packet: RadiusPacket;
  /** The datagram as received (what a cluster peer verifies again when it is forwarded). */
  readonly raw?: Buffer;
  /** Set when cluster instance `forwardedBy` forwarded this datagram: it must not be forwarded again. */
  readonly forwardedBy?: number;
}

export interface RadiusReply {
  readonly code: number;
  readonly attributes: readonly RadiusAttribute[];
  /**
   * A reply already signed for this very request by the cluster instance that owns the
   * conversation: sent as is (after a check of its code and identifier); `code` must match it.
   */
  readonly signed?: Buffer;
}

/** What the server asks of its owner. Returning null drops the request (no reply). */
export interface RadiusHandler {
  access(request: RadiusRequest): Promise<RadiusReply | null> | RadiusReply | null;
  accounting(request: RadiusRequest): Promise<RadiusReply | null> | RadiusReply | null;
}

export interface ListenAddress {
  readonly address: string;
  readonly port: number;
}

export interface RadiusServerOptions {
  readonly auth: ListenAddress;
  readonly accounting?: ListenAddress;
  readonly clients: readonly RadiusClient[];
  readonly handler: RadiusHandler;
  /** RFC 5080 suggests a few seconds to a minute; default 30 s. */
  readonly duplicateWindowMs?: number;
  readonly maxDuplicateEntries?: number;
  /** Requests being processed at once; more are dropped (the NAS retransmits). */
  readonly maxInFlight?: number;
  readonly now?: () => number;
}

export type DropReason =
  | 'unknown-client'
  | 'malformed'
  | 'unexpected-code'
  | 'bad-message-authenticator'
  | 'missing-message-authenticator'
  | 'bad-request-authenticator'
  | 'duplicate-in-progress'
  | 'overloaded'
  | 'handler-error'
  | 'handler-declined';

export interface DropEvent {
  readonly service: RadiusService;
  readonly reason: DropReason;
  readonly address: string;
  readonly port: number;
  readonly client?: string;
  readonly code?: number;
  readonly identifier?: number;
  readonly detail?: string;
  readonly error?: unknown;
}

export interface RadiusServerEvents {
  listening: [{ service: RadiusService; address: string; port: number }];
  dropped: [DropEvent];
  replayed: [{ service: RadiusService; client: string; address: string; port: number; identifier: number }];
  replied: [{ service: RadiusService; client: string; code: number; identifier: number; requestCode: number }];
}

export class RadiusServer extends EventEmitter<RadiusServerEvents> {
  readonly #options: RadiusServerOptions;
  #clients: ClientTable;
  readonly #duplicates: DuplicateCache;
  readonly #sockets = new Map<RadiusService, dgram.Socket>();
  readonly #maxInFlight: number;
  #inFlight = 0;

  constructor(options: RadiusServerOptions) {
    super();
    this.#options = options;
    this.#clients = new ClientTable(options.clients);
    this.#duplicates = new DuplicateCache({
      windowMs: options.duplicateWindowMs ?? 30_000,
      maxEntries: options.maxDuplicateEntries ?? 100_000,
      ...(options.now ? { now: options.now } : {}),
    });
    this.#maxInFlight = options.maxInFlight ?? 20_000;
  }

  /** Binds the sockets; resolves with the bound ports (useful with port 0). */
  async listen(): Promise<{ auth: ListenAddress; accounting?: ListenAddress }> {
    const auth = await this.#bind('auth', this.#options.auth);
    const accounting = this.#options.accounting ? await this.#bind('accounting', this.#options.accounting) : undefined;
    return accounting ? { auth, accounting } : { auth };
  }

  async close(): Promise<void> {
    const closing = [...this.#sockets.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    this.#sockets.clear();
    await Promise.all(closing);
  }

  /**
   * Replaces the client table at once (clients created, changed or removed at run time). The new
   * table is built first, so a bad entry throws ClientTableError and leaves the old one in place.
   * A request already accepted keeps the client (and secret) it was matched with: its reply is
   * signed with that secret; the next datagram is matched against the new table.
   */
  replaceClients(clients: readonly RadiusClient[]): void {
    this.#clients = new ClientTable(clients);
  }

  /** How many clients (addresses or prefixes) the table holds. */
  get clientCount(): number {
    return this.#clients.size;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  #bind(service: RadiusService, where: ListenAddress): Promise<ListenAddress> {
    const socket = dgram.createSocket({ type: isIP(where.address) === 6 ? 'udp6' : 'udp4', recvBufferSize: 4 << 20 });
    this.#sockets.set(service, socket);
    socket.on('message', (msg, rinfo) => this.#receive(service, msg, rinfo.address, rinfo.port, (wire) => wire && socket.send(wire, rinfo.port, rinfo.address)));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(where.port, where.address, () => {
        socket.off('error', reject);
        // After binding, socket errors (e.g. ICMP-induced) must not crash the process.
        socket.on('error', () => undefined);
        const bound = socket.address();
        this.emit('listening', { service, address: bound.address, port: bound.port });
        resolve({ address: bound.address, port: bound.port });
      });
    });
  }

  /**
   * Runs a datagram that cluster instance `forwardedBy` received from the NAS at address:port
   * through the same checks, duplicate cache and handler as one from the socket; resolves with the
   * signed reply (to be sent by that instance) or null when the request was dropped.
   */
  processForwarded(service: RadiusService, raw: Buffer, address: string, port: number, forwardedBy: number): Promise<Buffer | null> {
    return new Promise((resolve) => this.#receive(service, raw, address, port, resolve, forwardedBy));
  }

  #drop(ev: DropEvent, send?: (wire: Buffer | null) => void): void {
    this.emit('dropped', ev);
    send?.(null);
  }

  #receive(service: RadiusService, raw: Buffer, address: string, port: number, send: (wire: Buffer | null) => void, forwardedBy?: number): void {
    const client = this.#clients.lookup(address);
    if (!client) return this.#drop({ service, reason: 'unknown-client', address, port }, send);

    let packet: RadiusPacket;
    try {
      packet = decodePacket(raw);
    } catch (error) {
      // decodePacket only throws RadiusDecodeError (fuzz-tested); anything else is still a drop,
      // never a crash of the server.
      const detail = error instanceof RadiusDecodeError ? error.message : String(error);
      return this.#drop({ service, reason: 'malformed', address, port, client: client.name, detail }, send);
    }
    const base = { service, address, port, client: client.name, code: packet.code, identifier: packet.identifier };

    const verdict = this.#authenticate(service, raw, packet, client);
    if (verdict) return this.#drop({ ...base, reason: verdict }, send);

    const key = DuplicateCache.key(address, port, packet.identifier, packet.authenticator, packet.code);
    const seen = this.#duplicates.check(key);
    if (seen.kind === 'replay') {
      this.emit('replayed', { service, client: client.name, address, port, identifier: packet.identifier });
      send(seen.reply);
      return;
    }
    if (seen.kind === 'pending') return this.#drop({ ...base, reason: 'duplicate-in-progress' }, send);
    if (this.#inFlight >= this.#maxInFlight) {
      this.#duplicates.complete(key, null);
      return this.#drop({ ...base, reason: 'overloaded' }, send);
    }

    const request: RadiusRequest = { service, client, address, port, packet, raw, ...(forwardedBy !== undefined ? { forwardedBy } : {}) };
    this.#inFlight++;
    let pending: ReturnType<RadiusHandler['access']>;
    try {
      pending = this.#dispatch(request);
    } catch (error) {
      pending = Promise.reject(error);
    }
    Promise.resolve(pending).then(
      (reply) => {
        this.#inFlight--;
        if (!reply) {
          this.#duplicates.complete(key, null);
          return this.#drop({ ...base, reason: 'handler-declined' }, send);
        }
        let wire: Buffer;
        try {
          wire = this.#sign(request, reply);
        } catch (error) {
          this.#duplicates.complete(key, null);
          return this.#drop({ ...base, reason: 'handler-error', error }, send);
        }
        this.#duplicates.complete(key, wire);
        send(wire);
        this.emit('replied', { service, client: client.name, code: reply.code, identifier: packet.identifier, requestCode: packet.code });
      },
      (error: unknown) => {
        this.#inFlight--;
        this.#duplicates.complete(key, null);
        this.#drop({ ...base, reason: 'handler-error', error }, send);
      },
    );
  }

  #authenticate(service: RadiusService, raw: Buffer, packet: RadiusPacket, client: RadiusClient): DropReason | undefined {
    switch (packet.code) {
      case PacketCode.AccessRequest: {
        if (service !== 'auth') return 'unexpected-code';
        const ma = verifyMessageAuthenticator(raw, client.secret);
        if (ma === 'invalid') return 'bad-message-authenticator';
        if (ma === 'absent') {
          // RFC 3579 section 3.2: Access-Request with EAP-Message MUST carry Message-Authenticator.
          if (getAttribute(packet, AttributeType.EAPMessage) !== undefined) return 'missing-message-authenticator';
          if (client.requireMessageAuthenticator) return 'missing-message-authenticator';
        }
        return undefined;
      }
      case PacketCode.AccountingRequest: {
        if (service !== 'accounting') return 'unexpected-code';
        if (!verifyRequestAuthenticator(raw, client.secret)) return 'bad-request-authenticator';
        // RFC 2869 s5.14: if present it must be valid.
        return verifyMessageAuthenticator(raw, client.secret) === 'invalid' ? 'bad-message-authenticator' : undefined;
      }
      case PacketCode.StatusServer: {
        // RFC 5997 section 3: "MUST ... silently discard Status-Server packets ... without Message-Authenticator".
        const ma = verifyMessageAuthenticator(raw, client.secret);
        if (ma === 'invalid') return 'bad-message-authenticator';
        if (ma === 'absent') return 'missing-message-authenticator';
        return undefined;
      }
      default:
        return 'unexpected-code';
    }
  }

  #dispatch(request: RadiusRequest): ReturnType<RadiusHandler['access']> {
    const { packet, service } = request;
    if (packet.code === PacketCode.StatusServer) {
      // RFC 5997 section 3: answer with Access-Accept on the auth port, Accounting-Response on the
      // accounting port.
      return { code: service === 'auth' ? PacketCode.AccessAccept : PacketCode.AccountingResponse, attributes: [] };
    }
    return packet.code === PacketCode.AccessRequest
      ? this.#options.handler.access(request)
      : this.#options.handler.accounting(request);
  }

  #sign(request: RadiusRequest, reply: RadiusReply): Buffer {
    if (reply.signed) {
      // Signed by the owning cluster instance for this request: only its code and Identifier are
      // checked here (the cluster channel authenticated the instance that signed it).
      if (reply.signed.length < 20 || reply.signed[0] !== reply.code || reply.signed[1] !== request.packet.identifier) {
        throw new Error('forwarded reply does not answer this request');
      }
      return reply.signed;
    }
    const proxyStates = request.packet.attributes.filter((a) => a.type === AttributeType.ProxyState);
    const attributes = proxyStates.length ? [...reply.attributes, ...proxyStates] : reply.attributes;
    return signResponse({
      code: reply.code,
      identifier: request.packet.identifier,
      requestAuthenticator: request.packet.authenticator,
      attributes,
      secret: request.client.secret,
      // Accounting-Response carries no Message-Authenticator unless the request had one; Access
      // replies always do (RFC 3579 s3.2 for EAP, and the BlastRADIUS hardening for all).
      addMessageAuthenticator: request.service === 'auth',
    });
  }
}
