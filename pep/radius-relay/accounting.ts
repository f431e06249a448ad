/**
 * RADIUS accounting from the gateway (RFC 2866), as strongSwan's eap-radius `accounting = yes`
 * does it (src/libcharon/plugins/eap_radius/eap_radius_accounting.c): one accounting session per
 * IKE_SA whose peer authenticated through RADIUS.
 *
 *   IKE_SA established ---> Accounting-Request, Acct-Status-Type = Start (1)
 *   every interval     ---> Interim-Update (3), counters of the IKE_SA's CHILD_SAs
 *   IKE_SA deleted     ---> Stop (2), counters, Acct-Session-Time, Acct-Terminate-Cause
 *
 * RFC 2866 section 4.1 Accounting-Request:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Code (4)     |  Identifier   |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Request Authenticator = MD5(Code+ID+Length+16 zero octets   |
 *   |                               +Attributes+Secret)              |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Attributes ...
 *
 * Attributes: Acct-Status-Type; Acct-Session-Id (RFC 2866 5.5: "MUST be ... unique", here the
 * daemon's start time and the IKE_SA unique id, "5f3e2a10-00000007"); User-Name (the EAP
 * identity); Framed-IP-Address (the virtual IP); NAS-IP-Address, NAS-Identifier, NAS-Port-Type
 * Virtual (5), NAS-Port (the IKE_SA unique id), Called-Station-Id / Calling-Station-Id exactly as in
 * the Access-Requests (eap-radius.ts); Class from the Access-Accept, unmodified (RFC 2865 5.25:
 * "SHOULD be sent unmodified by the client to the accounting server"); Event-Timestamp (RFC 2869
 * 5.3); with Interim/Stop: Acct-Session-Time, Acct-Input/Output-Octets, -Gigawords (RFC 2869 5.1-5.2,
 * the upper 32 bits), -Packets, and with Stop Acct-Terminate-Cause (RFC 2866 5.10).
 *
 * Transport: the same RADIUS servers on their accounting port, in order with failover and per-server
 * retransmission (server-pool.ts). "A RADIUS accounting server MUST NOT respond if it could not
 * successfully record" (RFC 2866 s2): a request no server answered is logged and given up.
 * Requests of one session go out one after the other, so a Stop never overtakes its Start.
 */
import { AttributeType } from '../../radius/attribute-types.js';
import { PacketCode } from '../../radius/codes.js';
import type { RadiusAttribute } from '../../radius/packet.js';
import type { HostPort, RelayLogger } from './eap-radius.js';
import { RadiusRelayError, serverLabel, type RadiusServerPool } from './server-pool.js';

/** RFC 2866 section 5.1. */
export const AcctStatusType = { Start: 1, Stop: 2, InterimUpdate: 3 } as const;

/** RFC 2866 section 5.10 Acct-Terminate-Cause values the gateway uses. */
export const AcctTerminateCause = {
  UserRequest: 1,
  LostService: 3,
  IdleTimeout: 4,
  SessionTimeout: 5,
  AdminReset: 6,
  AdminReboot: 7,
  NasError: 9,
  NasRequest: 10,
} as const;

export interface AccountingCounters {
  /** From the peer (our inbound SAs) and to it. */
  readonly bytesIn: number;
  readonly packetsIn: number;
  readonly bytesOut: number;
  readonly packetsOut: number;
}

/** What the gateway knows about an IKE_SA when it is established. */
export interface AccountingSessionInfo {
  readonly uniqueId: number;
  readonly userName: string;
  /** The first IPv4 virtual IP, if any. */
  readonly framedIp?: string;
  readonly local: HostPort;
  readonly remote: HostPort;
  readonly classes: readonly Buffer[];
}

export interface RadiusAccountingOptions {
  /** Servers on their accounting ports. */
  readonly pool: RadiusServerPool;
  readonly log: RelayLogger;
  readonly nasIdentifier?: string;
  /** 0 = no Interim-Update. */
  readonly interimIntervalSeconds: number;
  /** Counters of the IKE_SA with this unique id (all its CHILD_SAs, also removed ones). */
  readonly counters: (uniqueId: number) => Promise<AccountingCounters>;
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  /** Repeating timer (returns its cancel function); default setInterval, unref'd. */
  readonly every?: (ms: number, f: () => void) => () => void;
}

interface Session {
  readonly info: AccountingSessionInfo;
  readonly id: string;
  readonly startedAt: number;
  /** The chain of this session's requests. */
  queue: Promise<void>;
  cancelInterim?: () => void;
}

const MAX_OCTETS_32 = 0x1_0000_0000;

function u32(type: number, v: number): RadiusAttribute {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(Math.max(0, Math.min(0xffff_ffff, Math.floor(v))) >>> 0, 0);
  return { type, value: b };
}

function text(type: number, v: string): RadiusAttribute {
  return { type, value: Buffer.from(v, 'utf8').subarray(0, 253) };
}

export function ipv4(address: string): Buffer | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const n = parts.map(Number);
  return n.every((x, i) => Number.isInteger(x) && x >= 0 && x <= 255 && /^\d{1,3}$/.test(parts[i]!)) ? Buffer.from(n) : undefined;
}

const STATUS_NAMES: Record<number, string> = { 1: 'Start', 2: 'Stop', 3: 'Interim-Update' };

export class RadiusAccounting {
  readonly #o: RadiusAccountingOptions;
  readonly #now: () => number;
  readonly #prefix: string;
  readonly #sessions = new Map<number, Session>();
  #closed = false;

  constructor(o: RadiusAccountingOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#prefix = Math.floor(this.#now() / 1000).toString(16).padStart(8, '0');
  }

  /** The Acct-Session-Id of an IKE_SA with an accounting session. */
  sessionId(uniqueId: number): string | undefined {
    return this.#sessions.get(uniqueId)?.id;
  }

  /** Sends Start (and schedules the Interim-Updates); resolves when the Start is answered or given up. */
  start(info: AccountingSessionInfo): Promise<void> {
    if (this.#closed || this.#sessions.has(info.uniqueId)) return Promise.resolve();
    const s: Session = { info, id: `${this.#prefix}-${info.uniqueId.toString(16).padStart(8, '0')}`, startedAt: this.#now(), queue: Promise.resolve() };
    this.#sessions.set(info.uniqueId, s);
    const interval = this.#o.interimIntervalSeconds;
    if (interval > 0) {
      const every = this.#o.every ?? ((ms: number, f: () => void) => {
        const t = setInterval(f, ms);
        t.unref?.();
        return () => clearInterval(t);
      });
      s.cancelInterim = every(interval * 1000, () => void this.#enqueue(s, AcctStatusType.InterimUpdate));
    }
    return this.#enqueue(s, AcctStatusType.Start);
  }

  /** Sends Stop with the final counters; resolves when answered or given up. */
  stop(uniqueId: number, cause: number): Promise<void> {
    const s = this.#sessions.get(uniqueId);
    if (!s) return Promise.resolve();
    this.#sessions.delete(uniqueId);
    s.cancelInterim?.();
    return this.#enqueue(s, AcctStatusType.Stop, cause);
  }

  /** Sends an Interim-Update now (also what the timer does). */
  interim(uniqueId: number): Promise<void> {
    const s = this.#sessions.get(uniqueId);
    return s ? this.#enqueue(s, AcctStatusType.InterimUpdate) : Promise.resolve();
  }

  close(): void {
    this.#closed = true;
    for (const s of this.#sessions.values()) s.cancelInterim?.();
    this.#sessions.clear();
  }

  #enqueue(s: Session, status: number, cause?: number): Promise<void> {
    s.queue = s.queue.then(() => this.#send(s, status, cause));
    return s.queue;
  }

  async #send(s: Session, status: number, cause?: number): Promise<void> {
    const attrs = this.#common(s, status);
    let counters: AccountingCounters | undefined;
    if (status !== AcctStatusType.Start) {
      counters = await this.#o.counters(s.info.uniqueId).catch(() => ({ bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0 }));
      attrs.push(
        u32(AttributeType.AcctSessionTime, (this.#now() - s.startedAt) / 1000),
        u32(AttributeType.AcctInputOctets, counters.bytesIn % MAX_OCTETS_32),
        u32(AttributeType.AcctInputGigawords, counters.bytesIn / MAX_OCTETS_32),
        u32(AttributeType.AcctInputPackets, counters.packetsIn),
        u32(AttributeType.AcctOutputOctets, counters.bytesOut % MAX_OCTETS_32),
        u32(AttributeType.AcctOutputGigawords, counters.bytesOut / MAX_OCTETS_32),
        u32(AttributeType.AcctOutputPackets, counters.packetsOut),
      );
      if (status === AcctStatusType.Stop) attrs.push(u32(AttributeType.AcctTerminateCause, cause ?? AcctTerminateCause.NasRequest));
    }
    const name = STATUS_NAMES[status]!;
    const fields = { sessionId: s.id, user: s.info.userName, framedIp: s.info.framedIp, ...(counters ?? {}), ...(cause !== undefined ? { terminateCause: cause } : {}) };
    try {
      const reply = await this.#o.pool.request(PacketCode.AccountingRequest, attrs);
      if (reply.packet.code !== PacketCode.AccountingResponse) {
        this.#o.log.warn({ event: 'accounting.bad-reply', status: name, code: reply.packet.code, ...fields }, `RADIUS accounting ${name} for '${s.info.userName}' answered with code ${reply.packet.code}`);
        return;
      }
      this.#o.log.info({ event: 'accounting.sent', status: name, server: serverLabel(reply.server), ...fields }, `RADIUS accounting ${name} for '${s.info.userName}' (session ${s.id}) acknowledged by '${serverLabel(reply.server)}'`);
    } catch (error) {
      if (!(error instanceof RadiusRelayError)) throw error;
      this.#o.log.warn({ event: 'accounting.failed', status: name, error: error.message, ...fields }, `RADIUS accounting ${name} for '${s.info.userName}' failed: ${error.message}`);
    }
  }

  #common(s: Session, status: number): RadiusAttribute[] {
    const i = s.info;
    const attrs: RadiusAttribute[] = [
      u32(AttributeType.AcctStatusType, status),
      text(AttributeType.AcctSessionId, s.id),
      text(AttributeType.UserName, i.userName),
      u32(AttributeType.NASPortType, 5),
      u32(AttributeType.NASPort, i.uniqueId),
    ];
    const nasIp = ipv4(i.local.address);
    if (nasIp) attrs.push({ type: AttributeType.NASIPAddress, value: nasIp });
    if (this.#o.nasIdentifier) attrs.push(text(AttributeType.NASIdentifier, this.#o.nasIdentifier));
    attrs.push(text(AttributeType.CalledStationId, `${i.local.address}[${i.local.port}]`));
    attrs.push(text(AttributeType.CallingStationId, `${i.remote.address}[${i.remote.port}]`));
    const framed = i.framedIp ? ipv4(i.framedIp) : undefined;
    if (framed) attrs.push({ type: AttributeType.FramedIPAddress, value: framed });
    for (const c of i.classes) attrs.push({ type: AttributeType.Class, value: c.subarray(0, 253) });
    attrs.push(u32(AttributeType.EventTimestamp, this.#now() / 1000));
    return attrs;
  }
}
