/**
 * EAP relayed to RADIUS: the gateway side of RFC 3579 as strongSwan's eap-radius plugin does it
 * (src/libcharon/plugins/eap_radius/eap_radius.c). The gateway does not run the EAP method: it
 * asks for the EAP identity itself (EAP-Request/Identity, RFC 3748 section 5.1), then every EAP
 * response from the IKE peer goes to the RADIUS server in an Access-Request and every
 * Access-Challenge's EAP request goes back, until Access-Accept (EAP-Success, MSK) or
 * Access-Reject (EAP-Failure).
 *
 * Each Access-Request carries (eap_radius_build_attributes()):
 *   User-Name = the EAP identity; EAP-Message (split into 253-octet attributes, RFC 3579 s3.1);
 *   Message-Authenticator (RFC 3579 s3.2: "MUST" with EAP-Message; RadiusUdpClient adds it);
 *   State echoed from the last Access-Challenge (RFC 2865 s5.24: "MUST be sent unmodified");
 *   NAS-Port-Type = Virtual (5); Service-Type = Framed (2); NAS-Port = the IKE_SA's unique id;
 *   NAS-Port-Id = the peer config name; NAS-IP-Address; NAS-Identifier; Called-Station-Id = "gateway[port]";
 *   Calling-Station-Id = "peer[port]" (strongSwan's %#H format).
 */
import { AttributeType } from '../../radius/attribute-types.js';
import { PacketCode } from '../../radius/codes.js';
import { joinEapMessage, splitEapMessage } from '../../radius/eap-message.js';
import type { RadiusAttribute } from '../../radius/packet.js';
import { acceptAttributes, mskFromAccept } from './access-accept.js';
import { RadiusRelayError, serverLabel, type RadiusServerConfig, type RadiusServerPool } from './server-pool.js';

export const EapCode = { Request: 1, Response: 2, Success: 3, Failure: 4 } as const;
export const EAP_TYPE_IDENTITY = 1;

/** strongSwan's names for EAP types (eap_type_names). */
const EAP_TYPE_NAMES: Record<number, string> = {
  1: 'EAP_IDENTITY', 2: 'EAP_NOTIFICATION', 3: 'EAP_NAK', 4: 'EAP_MD5', 5: 'EAP_OTP', 6: 'EAP_GTC',
  13: 'EAP_TLS', 18: 'EAP_SIM', 21: 'EAP_TTLS', 23: 'EAP_AKA', 25: 'EAP_PEAP', 26: 'EAP_MSCHAPV2',
  38: 'EAP_TNC', 54: 'EAP_PT_EAP', 55: 'EAP_TEAP',
};
export function eapTypeName(t: number): string {
  return EAP_TYPE_NAMES[t] ?? `EAP_${t}`;
}

/** The subset of a pino Logger the relay uses. */
export interface RelayLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface HostPort {
  readonly address: string;
  readonly port: number;
}

export interface EapRadiusSessionOptions {
  /** The IKE identity of the peer; used as User-Name if its EAP identity is empty. */
  readonly peerId: string;
  readonly ikeSaName: string;
  readonly uniqueId: number;
  readonly local: HostPort;
  readonly remote: HostPort;
  /** EAP Identifier of the EAP-Request/Identity this session starts with. */
  readonly firstIdentifier?: number;
  /** NAS-Identifier (RFC 2865 5.32); strongSwan sends "strongSwan" unless configured. */
  readonly nasIdentifier?: string;
  /** strongSwan's eap-radius filter_id: take groups from Filter-Id (default true). */
  readonly filterId?: boolean;
}

export type EapRelayResult =
  | { readonly kind: 'challenge'; readonly eap: Buffer }
  | {
      readonly kind: 'success';
      readonly eap: Buffer;
      /** Absent for an EAP method that derives none (EAP-MD5, PT-EAP): AUTH then uses SK_p (RFC 7296 2.16). */
      readonly msk?: Buffer;
      readonly groups: readonly string[];
      readonly classes: readonly Buffer[];
      readonly method: string;
      readonly identity: string;
    }
  | { readonly kind: 'failure'; readonly eap: Buffer; readonly reason: string };

function eapPacket(code: number, id: number, type?: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const len = 4 + (type === undefined ? 0 : 1 + data.length);
  const b = Buffer.alloc(len);
  b[0] = code;
  b[1] = id & 0xff;
  b.writeUInt16BE(len, 2);
  if (type !== undefined) {
    b[4] = type;
    data.copy(b, 5);
  }
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function ipv4Bytes(address: string): Buffer | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const nums = parts.map(Number);
  return nums.every((n) => Number.isInteger(n) && n >= 0 && n <= 255) ? Buffer.from(nums) : undefined;
}

export class EapRadiusSession {
  readonly #pool: RadiusServerPool;
  readonly #opts: EapRadiusSessionOptions;
  readonly #log: RelayLogger;
  #identifier: number;
  #identity: string | undefined;
  #state: Buffer | undefined;
  #server: RadiusServerConfig | undefined;
  #method = 0;
  #done = false;

  constructor(pool: RadiusServerPool, options: EapRadiusSessionOptions, log: RelayLogger) {
    this.#pool = pool;
    this.#opts = options;
    this.#log = log;
    this.#identifier = options.firstIdentifier ?? 0;
  }

  get identity(): string | undefined {
    return this.#identity;
  }

  /** The EAP-Request/Identity that opens the conversation. */
  initiate(): Buffer {
    return eapPacket(EapCode.Request, this.#identifier, EAP_TYPE_IDENTITY);
  }

  /** Relays one EAP response from the IKE peer; resolves with what goes back to it. */
  async process(eapResponse: Buffer): Promise<EapRelayResult> {
    if (this.#done) return this.#fail('EAP conversation already finished');
    if (eapResponse.length < 4 || eapResponse[0] !== EapCode.Response || eapResponse.readUInt16BE(2) !== eapResponse.length) {
      return this.#fail('received an invalid EAP response');
    }
    if (this.#identity === undefined) {
      if (eapResponse.length < 5 || eapResponse[4] !== EAP_TYPE_IDENTITY) return this.#fail('expected an EAP-Response/Identity');
      const id = eapResponse.subarray(5).toString('utf8');
      this.#identity = id.length > 0 ? id : this.#opts.peerId;
      this.#log.info({ event: 'eap.identity', identity: this.#identity }, `received EAP identity '${this.#identity}'`);
    }
    const request = this.#attributes(eapResponse);
    let reply;
    try {
      reply = await this.#pool.request(PacketCode.AccessRequest, request, this.#server);
    } catch (error) {
      if (error instanceof RadiusRelayError) return this.#fail(error.message);
      throw error;
    }
    const server = reply.server;
    this.#server = server;
    const from = serverLabel(server);
    let eap: Buffer | undefined;
    try {
      eap = joinEapMessage(reply.packet.attributes);
    } catch (error) {
      this.#log.warn({ event: 'radius.bad-eap', server: from, error: (error as Error).message }, `received RADIUS reply with invalid EAP-Message from server '${from}'`);
      return this.#fail('invalid EAP-Message in RADIUS reply');
    }
    switch (reply.packet.code) {
      case PacketCode.AccessChallenge: {
        this.#state = reply.packet.attributes.find((a) => a.type === AttributeType.State)?.value;
        if (!eap || eap[0] !== EapCode.Request) return this.#fail(`RADIUS Access-Challenge from server '${from}' without an EAP request`);
        if (eap.length > 4) this.#method = eap[4]!;
        this.#log.debug({ event: 'radius.challenge', server: from }, `received RADIUS Access-Challenge from server '${from}'`);
        return { kind: 'challenge', eap };
      }
      case PacketCode.AccessAccept: {
        this.#done = true;
        this.#log.info({ event: 'radius.accept', server: from }, `received RADIUS Access-Accept from server '${from}'`);
        const attrs = acceptAttributes(reply.packet);
        for (const t of attrs.tunnelTypes) {
          this.#log.info({ event: 'radius.attribute', attribute: 'Tunnel-Type', tag: t.tag, value: t.value }, `received RADIUS attribute Tunnel-Type: tag = ${t.tag}, value = ${t.value}`);
        }
        for (const f of attrs.filterIds) {
          this.#log.info({ event: 'radius.attribute', attribute: 'Filter-Id', value: f }, `received RADIUS attribute Filter-Id: '${f}'`);
        }
        let msk: Buffer | undefined;
        try {
          msk = mskFromAccept(reply.packet, server.secret, reply.requestAuthenticator);
        } catch {
          // Keys present but undecodable (wrong secret, tampering): never fall back to "no MSK".
          this.#log.warn({ event: 'radius.bad-mppe-keys', server: from }, `RADIUS Access-Accept from server '${from}' carries malformed MS-MPPE keys, EAP method ${eapTypeName(this.#method)} failed`);
          return { kind: 'failure', eap: eapPacket(EapCode.Failure, this.#identifier), reason: 'malformed MS-MPPE keys in Access-Accept' };
        }
        const identity = this.#identity ?? this.#opts.peerId;
        this.#log.info({ event: 'radius.success', identity }, `RADIUS authentication of '${identity}' successful`);
        // As strongSwan's eap-radius: a method without keys (EAP-MD5, PT-EAP) still succeeds; the
        // AUTH payloads are then computed with SK_pi/SK_pr (RFC 7296 section 2.16).
        if (msk) this.#log.info({ event: 'eap.success', method: eapTypeName(this.#method), msk: true }, `EAP method ${eapTypeName(this.#method)} succeeded, MSK established`);
        else this.#log.info({ event: 'eap.success', method: eapTypeName(this.#method), msk: false }, `EAP method ${eapTypeName(this.#method)} succeeded, no MSK established`);
        const success = eap && eap[0] === EapCode.Success ? eap : eapPacket(EapCode.Success, this.#identifier);
        return { kind: 'success', eap: success, ...(msk ? { msk } : {}), groups: this.#opts.filterId === false ? [] : attrs.groups, classes: attrs.classes, method: eapTypeName(this.#method), identity };
      }
      case PacketCode.AccessReject: {
        this.#done = true;
        const identity = this.#identity ?? this.#opts.peerId;
        this.#log.info({ event: 'radius.reject', server: from, identity }, `received RADIUS Access-Reject from server '${from}'`);
        this.#log.info({ event: 'radius.failed', identity }, `RADIUS authentication of '${identity}' failed`);
        const failure = eap && eap[0] === EapCode.Failure ? eap : eapPacket(EapCode.Failure, this.#identifier);
        return { kind: 'failure', eap: failure, reason: 'Access-Reject' };
      }
      default:
        return this.#fail(`unexpected RADIUS code ${reply.packet.code} from server '${from}'`);
    }
  }

  #fail(reason: string): EapRelayResult {
    this.#done = true;
    this.#log.warn({ event: 'radius.failed', reason }, `RADIUS authentication failed: ${reason}`);
    return { kind: 'failure', eap: eapPacket(EapCode.Failure, this.#identifier), reason };
  }

  #attributes(eap: Buffer): RadiusAttribute[] {
    this.#identifier = eap[1]!;
    const o = this.#opts;
    const attrs: RadiusAttribute[] = [
      { type: AttributeType.UserName, value: Buffer.from(this.#identity ?? o.peerId, 'utf8') },
      { type: AttributeType.NASPortType, value: u32(5) },
      { type: AttributeType.ServiceType, value: u32(2) },
      { type: AttributeType.NASPort, value: u32(o.uniqueId) },
      { type: AttributeType.NASPortId, value: Buffer.from(o.ikeSaName, 'utf8') },
    ];
    const nasIp = ipv4Bytes(o.local.address);
    if (nasIp) attrs.push({ type: AttributeType.NASIPAddress, value: nasIp });
    if (o.nasIdentifier) attrs.push({ type: AttributeType.NASIdentifier, value: Buffer.from(o.nasIdentifier, 'utf8') });
    attrs.push({ type: AttributeType.CalledStationId, value: Buffer.from(`${o.local.address}[${o.local.port}]`) });
    attrs.push({ type: AttributeType.CallingStationId, value: Buffer.from(`${o.remote.address}[${o.remote.port}]`) });
    attrs.push(...splitEapMessage(eap));
    if (this.#state) attrs.push({ type: AttributeType.State, value: this.#state });
    return attrs;
  }
}
