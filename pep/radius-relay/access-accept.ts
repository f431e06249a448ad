/**
 * What the gateway takes from a RADIUS Access-Accept that ends an EAP conversation, the way
 * strongSwan's eap-radius does (eap_radius.c process(), eap_radius_plugin.c):
 *
 * - the MSK: "MS-MPPE-Recv-Key || MS-MPPE-Send-Key" (RFC 2548 sections 2.4.2-2.4.3, RFC 5216
 *   section 2.3 order; radius_message_get_msk()); without them (a method that derives no keys, e.g.
 *   EAP-MD5) the IKE AUTH payloads use SK_pi/SK_pr instead (RFC 7296 section 2.16), as charon does;
 * - groups: Filter-Id (RFC 2865 section 5.11) becomes a group ONLY when the same Accept carries a
 *   Tunnel-Type (RFC 2868 section 3.1) of ESP (9) (process_filter_id(): `is_esp_tunnel`);
 * - Class (RFC 2865 section 5.25): kept, echoed in accounting (RFC 2865: "SHOULD be sent
 *   unmodified by the client to the accounting server").
 */
import { AttributeType } from '../../radius/attribute-types.js';
import type { RadiusPacket } from '../../radius/packet.js';
import { decodeTaggedInteger } from '../../radius/tagged.js';
import { decodeMppeKeys } from '../../radius/vendors/microsoft.js';

/** RFC 2868 section 3.1 Tunnel-Type value 9: "Encapsulation Security Payload (ESP)". */
export const TUNNEL_TYPE_ESP = 9;

export interface AcceptAttributes {
  /** Groups for the peer's auth config (strongSwan: AUTH_RULE_GROUP). */
  readonly groups: readonly string[];
  readonly classes: readonly Buffer[];
  /** For logging, in strongSwan's wording. */
  readonly tunnelTypes: readonly { tag: number; value: number }[];
  readonly filterIds: readonly string[];
  readonly sessionTimeout?: number;
}

export function acceptAttributes(accept: RadiusPacket): AcceptAttributes {
  const tunnelTypes: { tag: number; value: number }[] = [];
  const filterIds: string[] = [];
  const classes: Buffer[] = [];
  let sessionTimeout: number | undefined;
  for (const a of accept.attributes) {
    switch (a.type) {
      case AttributeType.TunnelType:
        if (a.value.length === 4) {
          try {
            tunnelTypes.push(decodeTaggedInteger(a.value));
          } catch {
            // a Tunnel-Type that does not decode is not ESP
          }
        }
        break;
      case AttributeType.FilterId:
        filterIds.push(a.value.toString('utf8'));
        break;
      case AttributeType.Class:
        classes.push(Buffer.from(a.value));
        break;
      case AttributeType.SessionTimeout:
        if (a.value.length === 4) sessionTimeout = a.value.readUInt32BE(0);
        break;
    }
  }
  const esp = tunnelTypes.some((t) => t.value === TUNNEL_TYPE_ESP);
  const groups = esp ? filterIds.filter((f) => f.length > 0) : [];
  return { groups, classes, tunnelTypes, filterIds, ...(sessionTimeout !== undefined ? { sessionTimeout } : {}) };
}

/** The 64-octet MSK from the MPPE keys, or undefined when either key is missing. */
export function mskFromAccept(accept: RadiusPacket, secret: string, requestAuthenticator: Uint8Array): Buffer | undefined {
  const keys = decodeMppeKeys(accept, secret, requestAuthenticator);
  return keys ? Buffer.concat([keys.recvKey, keys.sendKey]) : undefined;
}
