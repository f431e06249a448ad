/**
 * The gateway's RFC 5176 Dynamic Authorization Server (DAS): UDP port 3799, where the PDP (the
 * Dynamic Authorization Client) sends Disconnect-Request (40) and CoA-Request (43); strongSwan's
 * eap-radius `dae { enable = yes, listen, port = 3799, secret }`. The decision is
 * dynamic-authorization.ts; this file is the transport and the checks, in the order a datagram
 * meets them:
 *
 * 1. Only from a configured DAE client (the PDPs): "the NAS MUST silently discard" requests from
 *    unknown clients (RFC 5176 section 5, "Disconnect/CoA-Requests ... from a source ... not ...
 *    configured"); strongSwan accepts anyone knowing the secret, we also check the address.
 * 2. Decodes (RFC 2865 section 3 length rules, radius/packet.ts); other codes are ignored.
 * 3. Request Authenticator (RFC 5176 section 3.5 / 2.3): MD5(Code+ID+Length+16 zero octets+
 *    Attributes+Secret) must equal the field, else the request is silently discarded. A
 *    Message-Authenticator, when present, must verify (section 3.4, computed with the
 *    Authenticator field zeroed); `requireMessageAuthenticator` drops requests without one.
 * 4. Event-Timestamp (section 3.5): "If the Event-Timestamp attribute is not current [within an
 *    acceptable time window, 300 s by default] the message MUST be silently discarded";
 *    `requireEventTimestamp` drops requests without one (replay protection).
 * 5. Duplicates (section 2.3: a retransmission keeps the Identifier and the packet; RFC 5080
 *    section 2.2.2): same client address, port, code, Identifier and Request Authenticator within
 *    `duplicateWindowMs` get the reply sent the first time, byte for byte, and nothing is done again.
 * 6. The reply is signed: Response Authenticator over the request's authenticator (RFC 2865
 *    section 3 formula); Message-Authenticator added when the request had one; Proxy-State
 *    copied unmodified, in order (RFC 2865 section 5.33); Error-Cause in NAKs (section 3.5).
 * The actions (deleting IKE_SAs ...) run after the reply went out, as strongSwan queues jobs.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { AttributeType } from '../../radius/attribute-types.js';
import { verifyRequest, signResponse } from '../../radius/builder.js';
import { PacketCode, packetCodeName } from '../../radius/codes.js';
import { DuplicateCache } from '../../radius/duplicate-cache.js';
import { decodePacket, type RadiusAttribute, type RadiusPacket } from '../../radius/packet.js';
import { decideDae, type DaeAction, type DaeContext } from './dynamic-authorization.js';
import type { RelayLogger } from './eap-radius.js';

export const DAE_PORT = 3799;

export interface DaeClient {
  readonly address: string;
  /** The shared secret (never logged). */
  readonly secret: Uint8Array | string;
}

export interface DaeServerOptions {
  readonly listen: { readonly address: string; readonly port: number };
  readonly clients: readonly DaeClient[];
  readonly requireMessageAuthenticator?: boolean;
  /** Seconds; 0 = no check. Default 300 (RFC 5176 section 3.5). */
  readonly eventTimestampWindowSeconds?: number;
  readonly requireEventTimestamp?: boolean;
  /** The sessions and our identity, asked for each request. */
  readonly context: () => DaeContext;
  /** Carries out a decision's actions (after the reply is sent). */
  readonly apply: (actions: readonly DaeAction[]) => Promise<void> | void;
  readonly log: RelayLogger;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  readonly duplicateWindowMs?: number;
}

export interface DaeOutcome {
  /** The reply bytes to send back, or undefined when the request is silently discarded. */
  readonly reply?: Buffer;
  readonly actions: readonly DaeAction[];
  readonly duplicate?: boolean;
}

function u32(type: number, v: number): RadiusAttribute {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return { type, value: b };
}

export class DaeServer {
  readonly #o: DaeServerOptions;
  readonly #now: () => number;
  readonly #duplicates: DuplicateCache;
  #socket: dgram.Socket | undefined;

  constructor(o: DaeServerOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#duplicates = new DuplicateCache({ windowMs: o.duplicateWindowMs ?? 30_000, maxEntries: 4096, now: this.#now });
  }

  async listen(): Promise<{ address: string; port: number }> {
    const socket = dgram.createSocket(isIP(this.#o.listen.address) === 6 ? 'udp6' : 'udp4');
    this.#socket = socket;
    socket.on('message', (msg, rinfo) => void this.#receive(socket, msg, rinfo.address, rinfo.port));
    socket.on('error', (e) => this.#o.log.warn({ event: 'dae.socket-error', error: e.message }, `RADIUS DAE socket error: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: this.#o.listen.address, port: this.#o.listen.port }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const a = socket.address();
    return { address: a.address, port: a.port };
  }

  close(): void {
    this.#socket?.close();
    this.#socket = undefined;
  }

  async #receive(socket: dgram.Socket, raw: Buffer, address: string, port: number): Promise<void> {
    const out = this.handle(raw, address, port);
    if (out.reply) socket.send(out.reply, port, address);
    if (out.actions.length) {
      try {
        await this.#o.apply(out.actions);
      } catch (e) {
        this.#o.log.warn({ event: 'dae.apply-failed', error: (e as Error).message }, `RADIUS DAE action failed: ${(e as Error).message}`);
      }
    }
  }

  /** One datagram from `address`:`port`: the reply to send (if any) and the actions to carry out. */
  handle(raw: Buffer, address: string, port: number): DaeOutcome {
    const log = this.#o.log;
    const from = `${address}[${port}]`;
    const drop = (event: string, why: string): DaeOutcome => {
      log.warn({ event, client: from }, `ignoring RADIUS DAE request from ${from}: ${why}`);
      return { actions: [] };
    };
    const client = this.#o.clients.find((c) => c.address === address);
    if (!client) return drop('dae.unknown-client', 'not a configured DAE client');
    let packet: RadiusPacket;
    try {
      packet = decodePacket(raw);
    } catch (e) {
      return drop('dae.invalid', `invalid RADIUS message (${(e as { code?: string }).code ?? (e as Error).message})`);
    }
    if (packet.code !== PacketCode.DisconnectRequest && packet.code !== PacketCode.CoARequest) {
      return drop('dae.unsupported', `unsupported RADIUS DAE ${packetCodeName(packet.code) ?? `code ${packet.code}`} message`);
    }
    const name = packetCodeName(packet.code)!;
    const check = verifyRequest(raw, client.secret);
    if (check.authenticator !== 'valid') return drop('dae.bad-authenticator', `${name} with an invalid Request Authenticator`);
    if (check.messageAuthenticator === 'invalid') return drop('dae.bad-message-authenticator', `${name} with an invalid Message-Authenticator`);
    if (check.messageAuthenticator === 'absent' && this.#o.requireMessageAuthenticator) return drop('dae.missing-message-authenticator', `${name} without the required Message-Authenticator`);
    const ts = packet.attributes.find((a) => a.type === AttributeType.EventTimestamp);
    const window = this.#o.eventTimestampWindowSeconds ?? 300;
    if (!ts && this.#o.requireEventTimestamp) return drop('dae.missing-timestamp', `${name} without the required Event-Timestamp`);
    if (ts && window > 0) {
      const skew = ts.value.length === 4 ? Math.abs(this.#now() / 1000 - ts.value.readUInt32BE(0)) : Infinity;
      if (skew > window) return drop('dae.stale', `${name} with an Event-Timestamp ${Number.isFinite(skew) ? `${Math.round(skew)} s` : 'of a bad length'} off (window ${window} s)`);
    }

    const key = DuplicateCache.key(address, port, packet.identifier, packet.authenticator, packet.code);
    const seen = this.#duplicates.check(key);
    if (seen.kind === 'replay') {
      log.info({ event: 'dae.retransmit', client: from, request: name }, `received retransmit of RADIUS ${name}, retransmitting the reply to ${from}`);
      return { reply: seen.reply, actions: [], duplicate: true };
    }
    if (seen.kind === 'pending') return { actions: [], duplicate: true };

    const userNames = packet.attributes.filter((a) => a.type === AttributeType.UserName).map((a) => a.value.toString('utf8'));
    log.info({ event: 'dae.request', client: from, request: name, users: userNames }, `received RADIUS DAE ${name}${userNames.length ? ` for '${userNames.join("', '")}'` : ''} from ${from}`);
    const decision = decideDae(packet, this.#o.context());
    const attributes: RadiusAttribute[] = [];
    if (decision.errorCause !== undefined) attributes.push(u32(AttributeType.ErrorCause, decision.errorCause));
    for (const a of packet.attributes) if (a.type === AttributeType.ProxyState) attributes.push(a);
    const reply = signResponse({
      code: decision.code,
      identifier: packet.identifier,
      requestAuthenticator: packet.authenticator,
      attributes,
      secret: client.secret,
      addMessageAuthenticator: check.messageAuthenticator === 'valid',
    });
    this.#duplicates.complete(key, reply);
    const replyName = packetCodeName(decision.code)!;
    const fields = { event: 'dae.reply', client: from, request: name, reply: replyName, matched: decision.matched, ...(decision.errorCause !== undefined ? { errorCause: decision.errorCause } : {}) };
    log.info(fields, decision.errorCause !== undefined ? `${decision.summary} (Error-Cause ${decision.errorCause})` : decision.summary);
    return { reply, actions: decision.actions };
  }
}
