/**
 * What the gateway does with a verified RFC 5176 Disconnect-Request or CoA-Request (the decision
 * only; dae-server.ts has the socket, the authenticators and the duplicate cache). Modelled on
 * strongSwan's eap-radius DAE (src/libcharon/plugins/eap_radius/eap_radius_dae.c), which matches
 * IKE_SAs by User-Name against the EAP identity, deletes them for a Disconnect-Request and, for a
 * CoA-Request, applies a Session-Timeout as the IKE_SA's re-authentication lifetime.
 *
 * RFC 5176 section 3, identification: the session is named by User-Name, Acct-Session-Id,
 * Framed-IP-Address, Calling-Station-Id (and NAS-Port); every one present must match (a request
 * naming a user AND an address does not hit the user's other IKE_SAs). The NAS is named by
 * NAS-IP-Address / NAS-Identifier: "If ... the NAS identification attributes do not match the
 * NAS, [it] MUST respond with a ... NAK ... Error-Cause 403" (NAS Identification Mismatch).
 *
 *   Disconnect-Request  sessions found -> ACK, each IKE_SA deleted (INFORMATIONAL Delete to the peer)
 *                       none           -> NAK 503 Session Context Not Found
 *   CoA-Request         Session-Timeout N -> ACK; the IKE_SA is deleted after N s (0: now), so the
 *                         client re-authenticates (strongSwan: set_auth_lifetime)
 *                       Filter-Id G (the new group, with or without Tunnel-Type ESP) -> ACK; an
 *                         IKE_SA whose peer config still accepts G keeps running with group G; one
 *                         whose config requires another group (rightgroups) is deleted, so the
 *                         client re-authenticates and lands in the config the group satisfies
 *                         (the config switch of IKE_AUTH)
 *                       neither -> NAK 402 Missing Attribute; none found -> NAK 503
 *   Service-Type (e.g. Authorize-Only, section 3.1) -> NAK 405 Unsupported Service
 *   any other attribute                          -> NAK 401 Unsupported Attribute
 *   no session identification at all             -> NAK 402 Missing Attribute
 */
import { AttributeType } from '../../radius/attribute-types.js';
import { PacketCode } from '../../radius/codes.js';
import type { RadiusPacket } from '../../radius/packet.js';
import { decodeTaggedInteger } from '../../radius/tagged.js';
import { TUNNEL_TYPE_ESP } from './access-accept.js';

/** RFC 5176 section 3.5 Error-Cause values used here. */
export const DaeErrorCause = {
  UnsupportedAttribute: 401,
  MissingAttribute: 402,
  NasIdentificationMismatch: 403,
  InvalidRequest: 404,
  UnsupportedService: 405,
  InvalidAttributeValue: 407,
  SessionContextNotFound: 503,
} as const;

/** An IKE_SA as the DAE server sees it. */
export interface DaeSession {
  readonly uniqueId: number;
  /** strongSwan's "name[uniqueId]". */
  readonly label: string;
  /** The EAP identity (what the Access-Request's User-Name carried). */
  readonly userName: string;
  readonly acctSessionId?: string;
  readonly framedIps: readonly string[];
  /** "address[port]", as in the Access-Requests. */
  readonly callingStationId: string;
  /** Would the IKE_SA's peer config accept these groups (rightgroups)? */
  accepts(groups: readonly string[]): boolean;
}

export type DaeAction =
  | { readonly kind: 'delete'; readonly uniqueId: number; readonly reason: string }
  | { readonly kind: 'set-groups'; readonly uniqueId: number; readonly groups: readonly string[] }
  | { readonly kind: 'lifetime'; readonly uniqueId: number; readonly seconds: number };

export interface DaeDecision {
  readonly code: number;
  readonly errorCause?: number;
  /** For the log line: what happened, in strongSwan's words where it has some. */
  readonly summary: string;
  readonly actions: readonly DaeAction[];
  /** The sessions the request named. */
  readonly matched: readonly string[];
}

export interface DaeContext {
  readonly sessions: readonly DaeSession[];
  /** Our NAS-Identifier (pep.yaml radius.nasIdentifier); a request naming another one gets 403. */
  readonly nasIdentifier?: string;
  /** Our addresses; a NAS-IP-Address not among them gets 403. */
  readonly nasAddresses: readonly string[];
}

const IDENTIFICATION: ReadonlySet<number> = new Set([
  AttributeType.UserName,
  AttributeType.AcctSessionId,
  AttributeType.FramedIPAddress,
  AttributeType.CallingStationId,
  AttributeType.NASPort,
]);
const ALWAYS_ALLOWED: ReadonlySet<number> = new Set([
  AttributeType.NASIPAddress,
  AttributeType.NASIdentifier,
  AttributeType.EventTimestamp,
  AttributeType.MessageAuthenticator,
  AttributeType.ProxyState,
]);
const COA_CHANGES: ReadonlySet<number> = new Set([AttributeType.FilterId, AttributeType.SessionTimeout, AttributeType.TunnelType]);

const str = (b: Buffer): string => b.toString('utf8');
const ip4 = (b: Buffer): string | undefined => (b.length === 4 ? [...b].join('.') : undefined);

export function decideDae(packet: RadiusPacket, ctx: DaeContext): DaeDecision {
  const coa = packet.code === PacketCode.CoARequest;
  const ack = coa ? PacketCode.CoAACK : PacketCode.DisconnectACK;
  const nak = coa ? PacketCode.CoANAK : PacketCode.DisconnectNAK;
  const what = coa ? 'CoA-Request' : 'Disconnect-Request';
  const refuse = (errorCause: number, summary: string): DaeDecision => ({ code: nak, errorCause, summary, actions: [], matched: [] });

  for (const a of packet.attributes) {
    if (a.type === AttributeType.ServiceType) return refuse(DaeErrorCause.UnsupportedService, `${what} with Service-Type is not supported`);
    if (!IDENTIFICATION.has(a.type) && !ALWAYS_ALLOWED.has(a.type) && !(coa && COA_CHANGES.has(a.type))) {
      return refuse(DaeErrorCause.UnsupportedAttribute, `${what} carries unsupported attribute ${a.type}`);
    }
  }
  // NAS identification (RFC 5176 section 3).
  for (const a of packet.attributes) {
    if (a.type === AttributeType.NASIdentifier && ctx.nasIdentifier !== undefined && str(a.value) !== ctx.nasIdentifier) {
      return refuse(DaeErrorCause.NasIdentificationMismatch, `${what} for NAS-Identifier '${str(a.value)}', we are '${ctx.nasIdentifier}'`);
    }
    if (a.type === AttributeType.NASIPAddress && !ctx.nasAddresses.includes(ip4(a.value) ?? '')) {
      return refuse(DaeErrorCause.NasIdentificationMismatch, `${what} for NAS-IP-Address ${ip4(a.value) ?? '(invalid)'}`);
    }
  }
  // Session identification: every attribute given must match.
  const tests: ((s: DaeSession) => boolean)[] = [];
  for (const a of packet.attributes) {
    switch (a.type) {
      case AttributeType.UserName:
        tests.push((s) => s.userName === str(a.value));
        break;
      case AttributeType.AcctSessionId:
        tests.push((s) => s.acctSessionId === str(a.value));
        break;
      case AttributeType.CallingStationId:
        tests.push((s) => s.callingStationId === str(a.value));
        break;
      case AttributeType.FramedIPAddress: {
        const ip = ip4(a.value);
        if (!ip) return refuse(DaeErrorCause.InvalidAttributeValue, `${what} with a Framed-IP-Address of ${a.value.length} octets`);
        tests.push((s) => s.framedIps.includes(ip));
        break;
      }
      case AttributeType.NASPort:
        if (a.value.length !== 4) return refuse(DaeErrorCause.InvalidAttributeValue, `${what} with a NAS-Port of ${a.value.length} octets`);
        tests.push((s) => s.uniqueId === a.value.readUInt32BE(0));
        break;
    }
  }
  if (!tests.length) return refuse(DaeErrorCause.MissingAttribute, `${what} identifies no session (User-Name, Acct-Session-Id, Framed-IP-Address, Calling-Station-Id or NAS-Port)`);
  const found = ctx.sessions.filter((s) => tests.every((t) => t(s)));
  const matched = found.map((s) => s.label);
  const plural = found.length > 1 ? 's' : '';
  if (!found.length) return { ...refuse(DaeErrorCause.SessionContextNotFound, `no IKE_SA matches ${what}, sending ${coa ? 'CoA-NAK' : 'Disconnect-NAK'}`) };

  if (!coa) {
    return {
      code: ack,
      summary: `closing ${found.length} IKE_SA${plural} matching Disconnect-Request, sending Disconnect-ACK`,
      actions: found.map((s) => ({ kind: 'delete', uniqueId: s.uniqueId, reason: 'RADIUS Disconnect-Request' })),
      matched,
    };
  }

  let lifetime: number | undefined;
  const filterIds: string[] = [];
  for (const a of packet.attributes) {
    if (a.type === AttributeType.SessionTimeout) {
      if (a.value.length !== 4) return refuse(DaeErrorCause.InvalidAttributeValue, `CoA-Request with a Session-Timeout of ${a.value.length} octets`);
      lifetime = a.value.readUInt32BE(0);
    } else if (a.type === AttributeType.FilterId && a.value.length > 0) {
      filterIds.push(str(a.value));
    } else if (a.type === AttributeType.TunnelType) {
      // Accepted as in the Access-Accept; only ESP makes sense for this gateway.
      let t: number | undefined;
      try {
        t = a.value.length === 4 ? decodeTaggedInteger(a.value).value : undefined;
      } catch {
        t = undefined;
      }
      if (t !== TUNNEL_TYPE_ESP) return refuse(DaeErrorCause.InvalidAttributeValue, 'CoA-Request with a Tunnel-Type other than ESP');
    }
  }
  if (lifetime === undefined && !filterIds.length) {
    return refuse(DaeErrorCause.MissingAttribute, 'no Session-Timeout or Filter-Id attribute found in CoA-Request, sending CoA-NAK');
  }
  const actions: DaeAction[] = [];
  const notes: string[] = [];
  for (const s of found) {
    if (filterIds.length) {
      if (s.accepts(filterIds)) actions.push({ kind: 'set-groups', uniqueId: s.uniqueId, groups: filterIds });
      else {
        actions.push({ kind: 'delete', uniqueId: s.uniqueId, reason: `RADIUS CoA-Request: group '${filterIds.join(', ')}' requires re-authentication` });
        notes.push(`${s.label} re-authenticates for group '${filterIds.join(', ')}'`);
        continue;
      }
    }
    if (lifetime !== undefined) actions.push({ kind: 'lifetime', uniqueId: s.uniqueId, seconds: lifetime });
  }
  const applied = [
    ...(lifetime !== undefined ? [`applying ${lifetime}s lifetime`] : []),
    ...(filterIds.length ? [`applying group '${filterIds.join(', ')}'`] : []),
  ].join(' and ');
  return {
    code: ack,
    summary: `${applied} to ${found.length} IKE_SA${plural} matching CoA-Request${notes.length ? ` (${notes.join('; ')})` : ''}, sending CoA-ACK`,
    actions,
    matched,
  };
}
