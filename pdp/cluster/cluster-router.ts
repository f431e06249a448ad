/**
 * Which instance answers an Access-Request: the RADIUS handler of a clustered PDP.
 *
 * An EAP conversation's TLS state lives in the instance that issued its State (octet 1,
 * ../eap-service/conversation-state.ts). This instance answers a request itself when it carries no
 * State (a new conversation: any instance may start it), a State this instance issued, a State that
 * names no configured instance (not ours: the local EAP service rejects it as any unknown State), or
 * when another instance forwarded it here already (never forwarded twice: no loops). Otherwise the
 * datagram, exactly as the NAS sent it, goes to the owner (cluster-node.ts), which checks it with
 * the NAS's secret, answers it from its duplicate cache or its conversation, and signs the reply for
 * this request; this instance sends those bytes to the NAS from the socket the NAS sent to.
 *
 * When the owner cannot answer:
 *   owner down (no hello for peerDeadAfterMs)  -> Access-Reject with EAP-Failure. The conversation's
 *       TLS state died with the owner: no instance can continue it, and silence would only make the
 *       NAS retry (and fail over to servers that cannot serve that State either) until the
 *       supplicant times out. A definite reject makes the supplicant start again at once, and a new
 *       conversation (no State) is served by any live instance. A single PDP answers an unknown State
 *       the same way (local-eap-service.ts unknownState), and so does FreeRADIUS.
 *   timeout, owner dropped it, too many forwards waiting -> no reply (silence). The owner may be
 *       alive and still working on it, or a datagram was lost: the NAS retransmits, the
 *       retransmission is forwarded again and the owner answers it from its duplicate cache
 *       (RFC 5080 section 2.2.2), so a lost packet costs one NAS retry instead of the session.
 *
 * The alternative is sticky routing: a load balancer or the NAS's server selection keeps every
 * packet of one conversation (same NAS, same State, or same Calling-Station-Id) on one instance.
 * That needs no channel between instances but fails whenever the balancer re-hashes or the NAS
 * fails over mid-conversation; forwarding works behind any distribution (docs/cluster.md).
 */
import { AttributeType, PacketCode, RadiusDecodeError, getAttribute, joinEapMessage, splitEapMessage } from '../../radius/index.js';
import type { RadiusReply, RadiusRequest } from '../../radius/server.js';
import { stateOwner } from '../eap-service/conversation-state.js';
import type { ClusterNode, ForwardOutcome } from './cluster-node.js';

export interface ForwardEvent {
  readonly owner: number;
  readonly client: string;
  readonly outcome: ForwardOutcome['kind'];
}

export interface ClusterRouterOptions {
  readonly node: ClusterNode;
  /** This instance's handler (access-handler.ts). */
  readonly local: (request: RadiusRequest) => Promise<RadiusReply | null>;
  readonly onForward?: (event: ForwardEvent) => void;
}

export function clusterAccessHandler(options: ClusterRouterOptions): (request: RadiusRequest) => Promise<RadiusReply | null> {
  const { node, local } = options;
  return async (request) => {
    const owner = ownerToAsk(request, node);
    if (owner === undefined || !request.raw) return local(request);
    const outcome = await node.forward(owner, request.raw, { address: request.address, port: request.port });
    options.onForward?.({ owner, client: request.client.name, outcome: outcome.kind });
    switch (outcome.kind) {
      case 'reply':
        return { code: outcome.wire[0]!, attributes: [], signed: outcome.wire };
      case 'owner-down':
        return ownerGone(request);
      case 'no-reply':
      case 'timeout':
      case 'overloaded':
        return null;
    }
  };
}

/** The other instance that owns this request's conversation, or undefined to answer here. */
export function ownerToAsk(request: RadiusRequest, node: Pick<ClusterNode, 'instanceId' | 'knows'>): number | undefined {
  if (request.forwardedBy !== undefined) return undefined;
  const state = getAttribute(request.packet, AttributeType.State);
  const owner = state ? stateOwner(state)?.instance : undefined;
  if (owner === undefined || owner === node.instanceId || !node.knows(owner)) return undefined;
  return owner;
}

/** Access-Reject with EAP-Failure (RFC 3579 section 2.6.3) for the EAP-Response's Identifier. */
function ownerGone(request: RadiusRequest): RadiusReply {
  let eap: Buffer | undefined;
  try {
    eap = joinEapMessage(request.packet.attributes);
  } catch (e) {
    if (!(e instanceof RadiusDecodeError)) throw e;
  }
  const failure = eap && eap.length >= 4 ? Buffer.from([4, eap[1]!, 0, 4]) : undefined;
  return { code: PacketCode.AccessReject, attributes: failure ? splitEapMessage(failure) : [] };
}
