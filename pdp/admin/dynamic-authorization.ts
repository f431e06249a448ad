/**
 * RFC 5176 Dynamic Authorization client: the PDP (the "Dynamic Authorization Client") sends
 * Disconnect-Request and CoA-Request to a NAS (the "Dynamic Authorization Server", UDP 3799) and
 * gets a typed answer: ACK, NAK with its Error-Cause, or TIMEOUT after every retransmission.
 *
 *   DAC (PDP)                         DAS (NAS: our PEP, strongSwan eap-radius `dae`)
 *     | --- Disconnect-Request (40) ---> |   terminate the session, answer
 *     | <-- Disconnect-ACK (41) / NAK (42)
 *     | --- CoA-Request (43) ----------> |   change the session's authorizations
 *     | <-- CoA-ACK (44) / CoA-NAK (45)  |
 *
 * Packet format (RFC 5176 section 2.3): the RADIUS header; the Request Authenticator is computed
 * like Accounting-Request's, MD5(Code+ID+Length+16 zero octets+Attributes+Secret), and the
 * Message-Authenticator, when present, "MUST be calculated ... before the Request Authenticator"
 * (section 3.4): radius/builder.ts buildRequest does both in that order. The ACK/NAK carries a
 * Response Authenticator over the Request Authenticator (RFC 2865 style), checked here; a reply that
 * fails the check is ignored as a spoofed one would be.
 *
 * Session identification (section 3): User-Name plus whichever of Acct-Session-Id,
 * Calling-Station-Id and Framed-IP-Address the PDP knows; NAS-Identifier when configured, so a
 * NAS can refuse a request meant for another one (Error-Cause 403). Event-Timestamp is included
 * ("SHOULD", section 3.5 and 4.2: replay protection).
 *
 * Retransmission (section 2.3): "the Identifier field MUST be the same" on a retransmission and the
 * packet is byte-identical, so the NAS answers it from its duplicate cache. Transport only here;
 * the codec is radius/.
 */
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { AttributeType, PacketCode, buildRequest, decodePacket, getAttribute, verifyResponse, type RadiusAttribute } from '../../radius/index.js';
import { errorCauseName } from './error-cause.js';

/** Where and how to reach one NAS's dynamic authorization server. */
export interface DaeTarget {
  /** The RADIUS client (NAS) name, for results and logs. */
  readonly name: string;
  readonly address: string;
  /** Default 3799 (RFC 5176 section 2.3). */
  readonly port?: number;
  /** The NAS's shared secret (from the RADIUS client table). Never logged. */
  readonly secret: string;
  readonly nasIdentifier?: string;
}

/** Identifies the session(s) the request is about (RFC 5176 section 3). */
export interface DaeSession {
  readonly userName: string;
  readonly acctSessionId?: string;
  readonly callingStationId?: string;
  /** IPv4 dotted quad. */
  readonly framedIp?: string;
}

export type DaeRequestName = 'Disconnect-Request' | 'CoA-Request';

export interface DaeReply {
  readonly nas: string;
  readonly request: DaeRequestName;
  readonly outcome: 'ack' | 'nak' | 'timeout';
  readonly errorCause?: number;
  readonly errorCauseName?: string;
  /** Transmissions made (1 = answered the first time). */
  readonly tries: number;
}

export interface DynamicAuthorizationOptions {
  /** Per-try timeout (default 2000 ms) and tries (default 3). */
  readonly timeoutMs?: number;
  readonly tries?: number;
  /** Seconds since the epoch for Event-Timestamp (injected clock). */
  readonly now?: () => number;
}

interface Outstanding {
  readonly key: string;
  readonly wire: Buffer;
  readonly authenticator: Buffer;
  readonly target: Required<Pick<DaeTarget, 'address' | 'port' | 'secret' | 'name'>>;
  readonly request: DaeRequestName;
  tries: number;
  timer: NodeJS.Timeout;
  resolve(r: DaeReply): void;
}

const ANSWERS: Readonly<Record<DaeRequestName, { readonly ack: number; readonly nak: number; readonly code: number }>> = {
  'Disconnect-Request': { code: PacketCode.DisconnectRequest, ack: PacketCode.DisconnectACK, nak: PacketCode.DisconnectNAK },
  'CoA-Request': { code: PacketCode.CoARequest, ack: PacketCode.CoAACK, nak: PacketCode.CoANAK },
};

export const DAE_PORT = 3799;

function text(type: number, v: string): RadiusAttribute {
  return { type, value: Buffer.from(v, 'utf8') };
}

function u32(type: number, v: number): RadiusAttribute {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return { type, value: b };
}

/** The identification attributes of RFC 5176 section 3 for `s`; throws RangeError on a bad value. */
export function sessionAttributes(s: DaeSession, nasIdentifier?: string): RadiusAttribute[] {
  if (!s.userName || Buffer.byteLength(s.userName) > 253) throw new RangeError('userName: 1 to 253 octets');
  const attrs = [text(AttributeType.UserName, s.userName)];
  if (nasIdentifier) attrs.push(text(AttributeType.NASIdentifier, nasIdentifier));
  if (s.acctSessionId) attrs.push(text(AttributeType.AcctSessionId, s.acctSessionId));
  if (s.callingStationId) attrs.push(text(AttributeType.CallingStationId, s.callingStationId));
  if (s.framedIp) {
    if (isIP(s.framedIp) !== 4) throw new RangeError(`framedIp: '${s.framedIp}' is not an IPv4 address`);
    attrs.push({ type: AttributeType.FramedIPAddress, value: Buffer.from(s.framedIp.split('.').map(Number)) });
  }
  return attrs;
}

export class DynamicAuthorizationClient {
  readonly #sockets = new Map<4 | 6, { socket: dgram.Socket; ready: Promise<void> }>();
  readonly #outstanding = new Map<string, Outstanding>();
  readonly #nextId = new Map<string, number>();
  readonly #timeoutMs: number;
  readonly #tries: number;
  readonly #now: () => number;
  #closed = false;

  constructor(options: DynamicAuthorizationOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#tries = options.tries ?? 3;
    this.#now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Disconnect-Request (RFC 5176 section 3.1): the NAS ends the session(s). */
  disconnect(target: DaeTarget, session: DaeSession): Promise<DaeReply> {
    return this.#send(target, 'Disconnect-Request', sessionAttributes(session, target.nasIdentifier));
  }

  /**
   * CoA-Request (RFC 5176 section 3.2) with new authorization attributes, e.g. Session-Timeout
   * (strongSwan re-authenticates the IKE_SA when it expires) or Filter-Id.
   */
  coa(target: DaeTarget, session: DaeSession, change: { readonly sessionTimeout?: number; readonly filterId?: string }): Promise<DaeReply> {
    const attrs = sessionAttributes(session, target.nasIdentifier);
    if (change.sessionTimeout !== undefined) {
      if (!Number.isInteger(change.sessionTimeout) || change.sessionTimeout < 1) throw new RangeError('sessionTimeout: a positive integer of seconds');
      attrs.push(u32(AttributeType.SessionTimeout, change.sessionTimeout));
    }
    if (change.filterId !== undefined) attrs.push(text(AttributeType.FilterId, change.filterId));
    return this.#send(target, 'CoA-Request', attrs);
  }

  close(): void {
    this.#closed = true;
    for (const o of this.#outstanding.values()) {
      clearTimeout(o.timer);
      o.resolve({ nas: o.target.name, request: o.request, outcome: 'timeout', tries: o.tries });
    }
    this.#outstanding.clear();
    for (const { socket } of this.#sockets.values()) socket.close();
    this.#sockets.clear();
  }

  #socket(family: 4 | 6): { socket: dgram.Socket; ready: Promise<void> } {
    let s = this.#sockets.get(family);
    if (!s) {
      const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
      socket.on('message', (msg, rinfo) => this.#receive(msg, rinfo.address, rinfo.port));
      socket.on('error', () => undefined);
      s = { socket, ready: new Promise((resolve) => socket.bind(0, () => resolve())) };
      this.#sockets.set(family, s);
    }
    return s;
  }

  async #send(t: DaeTarget, request: DaeRequestName, attributes: readonly RadiusAttribute[]): Promise<DaeReply> {
    if (this.#closed) throw new Error('dynamic authorization client closed');
    const family = isIP(t.address);
    if (family === 0) throw new RangeError(`address: '${t.address}' is not an IP address`);
    const target = { name: t.name, address: t.address, port: t.port ?? DAE_PORT, secret: t.secret };
    const { socket, ready } = this.#socket(family as 4 | 6);
    await ready;
    const peer = `${target.address}|${target.port}`;
    // One Identifier space per NAS: at most 256 requests outstanding to one NAS.
    let id = this.#nextId.get(peer) ?? Math.floor(Math.random() * 256);
    let n = 0;
    while (this.#outstanding.has(`${peer}|${id}`) && n++ < 256) id = (id + 1) & 0xff;
    if (n >= 256) throw new Error(`256 requests outstanding to ${target.name}`);
    this.#nextId.set(peer, (id + 1) & 0xff);
    const wire = buildRequest({
      code: ANSWERS[request].code,
      identifier: id,
      attributes: [...attributes, u32(AttributeType.EventTimestamp, this.#now())],
      secret: target.secret,
      addMessageAuthenticator: true,
    });
    const key = `${peer}|${id}`;
    return new Promise((resolve) => {
      const o: Outstanding = { key, wire, authenticator: Buffer.from(wire.subarray(4, 20)), target, request, tries: 1, timer: setTimeout(() => this.#timeout(key), this.#timeoutMs), resolve };
      this.#outstanding.set(key, o);
      socket.send(wire, target.port, target.address);
    });
  }

  #timeout(key: string): void {
    const o = this.#outstanding.get(key);
    if (!o) return;
    if (o.tries < this.#tries) {
      // RFC 5176 section 2.3 / RFC 5080 section 2.2.1: same Identifier, same bytes.
      o.tries++;
      this.#sockets.get(isIP(o.target.address) as 4 | 6)?.socket.send(o.wire, o.target.port, o.target.address);
      o.timer = setTimeout(() => this.#timeout(key), this.#timeoutMs);
      return;
    }
    this.#outstanding.delete(key);
    o.resolve({ nas: o.target.name, request: o.request, outcome: 'timeout', tries: o.tries });
  }

  #receive(raw: Buffer, address: string, port: number): void {
    if (raw.length < 20) return;
    const o = this.#outstanding.get(`${address}|${port}|${raw[1]}`);
    if (!o) return;
    const { ack, nak } = ANSWERS[o.request];
    if (raw[0] !== ack && raw[0] !== nak) return;
    // A reply whose Response Authenticator (or Message-Authenticator, when present) is wrong is
    // not from the NAS that holds the secret: ignore it and keep waiting.
    if (!verifyResponse(raw, o.authenticator, o.target.secret).valid) return;
    let cause: number | undefined;
    try {
      const v = getAttribute(decodePacket(raw), AttributeType.ErrorCause);
      if (v?.length === 4) cause = v.readUInt32BE(0);
    } catch {
      return;
    }
    clearTimeout(o.timer);
    this.#outstanding.delete(o.key);
    o.resolve({
      nas: o.target.name,
      request: o.request,
      outcome: raw[0] === ack ? 'ack' : 'nak',
      tries: o.tries,
      ...(cause === undefined ? {} : { errorCause: cause, errorCauseName: errorCauseName(cause) }),
    });
  }
}
