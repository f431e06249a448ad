/**
 * The RADIUS State value this PDP issues with every Access-Challenge (RFC 2865 section 5.24), and
 * what it says about the conversation's owner.
 *
 * RFC 2865 section 5.24: State "MUST be sent unmodified from the client to the server in the new
 * Access-Request reply to that challenge"; the server may encode anything in it. Ours is 16 octets:
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Shard     |   Instance    |         Random (14 octets)    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 *   |                                                               |
 *   +                                                               +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Shard     0 = conversations run in the RADIUS thread; 1..N = EAP worker thread N
 *             (worker-eap-service.ts routes by it).
 *   Instance  0 = no cluster (then this octet is random too); 1..255 = the PDP instance
 *             (config `cluster.instanceId`) that holds the conversation's TLS state
 *             (pdp/cluster routes by it).
 *   Random    112 bits from the CSPRNG: a State cannot be guessed, and a fresh one per round.
 *
 * The owner octets are not secret and not authenticated: a NAS can only send a State it was given
 * (its Access-Request is authenticated with its secret), and a State naming the wrong owner finds no
 * conversation there, which ends in Access-Reject as any unknown State does.
 */
import { randomFillSync } from 'node:crypto';

export const STATE_LENGTH = 16;
export const MAX_INSTANCE_ID = 255;

export interface StateOwner {
  readonly shard: number;
  /** Undefined when the State was issued without a cluster instance id (the octet is random then). */
  readonly instance?: number;
}

/** A fresh State: shard, instance (or random without a cluster), 14 random octets. */
export function newConversationState(owner: StateOwner): Buffer {
  const { shard, instance } = owner;
  if (!Number.isInteger(shard) || shard < 0 || shard > 255) throw new RangeError(`shard ${shard} does not fit in one octet`);
  if (instance !== undefined && (!Number.isInteger(instance) || instance < 1 || instance > MAX_INSTANCE_ID)) {
    throw new RangeError(`cluster instance id ${instance} is outside 1..${MAX_INSTANCE_ID}`);
  }
  const s = Buffer.allocUnsafe(STATE_LENGTH);
  randomFillSync(s, 1);
  s[0] = shard;
  if (instance !== undefined) s[1] = instance;
  return s;
}

/**
 * The owner a State names, read as issued by a clustered PDP; undefined for a State of any other
 * length (not ours: it names no conversation anywhere, the local service rejects it).
 */
export function stateOwner(state: Uint8Array): Required<StateOwner> | undefined {
  if (state.length !== STATE_LENGTH) return undefined;
  return { shard: state[0]!, instance: state[1]! };
}
