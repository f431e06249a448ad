/**
 * Access-Request handling: EAP (RFC 3579) through the EapService, or PAP (RFC 2865 User-Password),
 * then the decision and the reply.
 *
 * Access-Accept carries what a gateway needs to enforce a group (REFERENCE-SCENARIO step 6):
 *   Filter-Id = the group (RFC 2865 section 5.11),
 *   Tunnel-Type = ESP (9), tag 0 (RFC 2868 section 3.1; strongSwan's eap-radius only turns Filter-Id
 *   into a group when Tunnel-Type ESP is in the same Access-Accept),
 *   MS-MPPE-Recv-Key / MS-MPPE-Send-Key = the MSK's first and second 32 octets (RFC 2548 section
 *   2.4, salt-encrypted), EAP-Message with EAP-Success, and Message-Authenticator (added by the
 *   transport when signing).
 * Access-Reject carries EAP-Failure when EAP was used (RFC 3579 section 2.6.3).
 *
 * When posture ran (eap.tnc: PT-EAP / EAP-TNC inside TTLS, or as the outer method), its
 * recommendation replaces the user's configured group: allow -> Filter-Id `allow`, isolate ->
 * Filter-Id `isolate`; no-access and no-recommendation -> Access-Reject with EAP-Failure instead
 * of the method's EAP-Success, as strongSwan's PDP answers (its PT-EAP fails on no access:
 * eap_tnc.c enforce_recommendation).
 */
import { EventEmitter } from 'node:events';
import {
  AttributeType,
  PacketCode,
  RadiusDecodeError,
  getAttribute,
  joinEapMessage,
  mppeKeyAttributes,
  revealPassword,
  splitEapMessage,
  type RadiusAttribute,
} from '../radius/index.js';
import type { RadiusReply, RadiusRequest } from '../radius/server.js';
import type { EapOutcome, EapService } from './eap-service/eap-service.js';
import type { PostureDecision, Recommendation } from './posture/posture-service.js';
import type { UserDirectory } from './users.js';

/** RFC 2868 section 3.1 Tunnel-Type value 9: Encapsulation Security Payload (ESP). */
const TUNNEL_TYPE_ESP = 9;

export interface ConversationFinished {
  readonly user: string;
  readonly identity?: string;
  readonly client: string;
  readonly method: string;
  readonly outcome: 'accept' | 'reject';
  readonly group?: string;
  readonly reason?: string;
  /** The posture recommendation, when posture ran. */
  readonly posture?: Recommendation;
  readonly durationMs: number;
}

export interface AccessHandlerEvents {
  finished: [ConversationFinished];
  discarded: [{ client: string; reason: string }];
}

export interface AccessHandlerOptions {
  readonly eap: EapService;
  readonly users: UserDirectory;
  readonly now?: () => number;
}

export class AccessHandler extends EventEmitter<AccessHandlerEvents> {
  readonly #eap: EapService;
  readonly #users: UserDirectory;
  readonly #now: () => number;

  constructor(options: AccessHandlerOptions) {
    super();
    this.#eap = options.eap;
    this.#users = options.users;
    this.#now = options.now ?? Date.now;
  }

  async access(request: RadiusRequest): Promise<RadiusReply | null> {
    const { packet } = request;
    let eap: Buffer | undefined;
    try {
      eap = joinEapMessage(packet.attributes);
    } catch (error) {
      if (!(error instanceof RadiusDecodeError)) throw error;
      // RFC 3579 section 3.1: EAP-Message attributes that do not form one EAP packet cannot be
      // answered with an EAP packet; the request is discarded and the NAS times out.
      this.emit('discarded', { client: request.client.name, reason: `EAP-Message: ${error.code}` });
      return null;
    }
    if (eap) return this.#eapRequest(request, eap);
    if (getAttribute(packet, AttributeType.UserPassword)) return this.#pap(request);
    const user = getAttribute(packet, AttributeType.UserName)?.toString('utf8') ?? '';
    this.#finished({ user, client: request.client.name, method: 'none', outcome: 'reject', reason: 'no supported authentication attribute', durationMs: 0 });
    return { code: PacketCode.AccessReject, attributes: [] };
  }

  async #eapRequest(request: RadiusRequest, eap: Buffer): Promise<RadiusReply | null> {
    const { packet } = request;
    const state = getAttribute(packet, AttributeType.State);
    const userName = getAttribute(packet, AttributeType.UserName)?.toString('utf8');
    const outcome: EapOutcome = await this.#eap.process({
      eap,
      client: request.client.name,
      ...(state ? { state } : {}),
      ...(userName !== undefined ? { userName } : {}),
    });
    switch (outcome.kind) {
      case 'discard':
        this.emit('discarded', { client: request.client.name, reason: outcome.reason });
        return null;
      case 'challenge':
        return {
          code: PacketCode.AccessChallenge,
          attributes: [...splitEapMessage(outcome.eap), { type: AttributeType.State, value: outcome.state }],
        };
      case 'reject':
        this.#finished({
          user: outcome.authenticatedAs ?? outcome.identity ?? userName ?? '',
          client: request.client.name,
          method: outcome.method ?? 'eap',
          outcome: 'reject',
          reason: outcome.reason,
          durationMs: outcome.startedAt === undefined ? 0 : this.#now() - outcome.startedAt,
          ...(outcome.identity !== undefined ? { identity: outcome.identity } : {}),
        });
        return { code: PacketCode.AccessReject, attributes: splitEapMessage(outcome.eap) };
      case 'accept': {
        const user = this.#users.get(outcome.authenticatedAs);
        const durationMs = this.#now() - outcome.startedAt;
        const base = {
          user: outcome.authenticatedAs,
          identity: outcome.identity,
          client: request.client.name,
          method: outcome.method,
          durationMs,
          ...(outcome.posture ? { posture: outcome.posture.recommendation } : {}),
        };
        const group = outcome.posture ? postureGroup(outcome.posture) : user?.group;
        if (outcome.posture && !group) {
          // The endpoint received the RESULT inside the tunnel; the NAS gets Access-Reject.
          this.#finished({ ...base, outcome: 'reject', reason: `posture: ${outcome.posture.recommendation}` });
          return { code: PacketCode.AccessReject, attributes: splitEapMessage(failureFor(outcome.eap)) };
        }
        if (!group) {
          // Authenticated but not authorised: no group to enforce. Tell the peer EAP-Failure.
          this.#finished({ ...base, outcome: 'reject', reason: 'user has no group' });
          return { code: PacketCode.AccessReject, attributes: splitEapMessage(failureFor(outcome.eap)) };
        }
        this.#finished({ ...base, outcome: 'accept', group });
        return {
          code: PacketCode.AccessAccept,
          attributes: [
            ...splitEapMessage(outcome.eap),
            // The authenticated (inner) identity, for the NAS's accounting when the outer one is
            // anonymous (RFC 2865 section 5.1: the server MAY send User-Name in Access-Accept).
            { type: AttributeType.UserName, value: Buffer.from(outcome.authenticatedAs, 'utf8').subarray(0, 253) },
            ...this.#authorization(request, group),
            // The outer PT-EAP / EAP-TNC methods derive no MSK: no MS-MPPE keys then.
            ...(outcome.msk ? mppeKeyAttributes(outcome.msk, request.client.secret, packet.authenticator) : []),
          ],
        };
      }
    }
  }

  #pap(request: RadiusRequest): RadiusReply {
    const started = this.#now();
    const { packet } = request;
    const name = getAttribute(packet, AttributeType.UserName)?.toString('utf8') ?? '';
    const hidden = getAttribute(packet, AttributeType.UserPassword);
    let ok = false;
    let reason = 'wrong password';
    const user = this.#users.get(name);
    if (!user) reason = 'unknown user';
    else if (hidden) {
      try {
        ok = this.#users.verifyPassword(user, revealPassword(hidden, request.client.secret, packet.authenticator));
      } catch (error) {
        if (!(error instanceof RadiusDecodeError)) throw error;
        reason = `User-Password: ${error.code}`;
      }
    }
    if (!ok || !user) {
      this.#finished({ user: name, client: request.client.name, method: 'pap', outcome: 'reject', reason, durationMs: this.#now() - started });
      return { code: PacketCode.AccessReject, attributes: [] };
    }
    this.#finished({ user: name, client: request.client.name, method: 'pap', outcome: 'accept', group: user.group, durationMs: this.#now() - started });
    return { code: PacketCode.AccessAccept, attributes: this.#authorization(request, user.group) };
  }

  #authorization(_request: RadiusRequest, group: string): RadiusAttribute[] {
    return [
      { type: AttributeType.FilterId, value: Buffer.from(group, 'utf8') },
      // RFC 2868 section 3.1: Tag 0 (no tag), Value 3 octets.
      { type: AttributeType.TunnelType, value: Buffer.from([0, 0, 0, TUNNEL_TYPE_ESP]) },
    ];
  }

  #finished(event: ConversationFinished): void {
    this.emit('finished', event);
  }
}

/** The group a posture recommendation grants; undefined means no access. */
export function postureGroup(decision: PostureDecision): string | undefined {
  // The posture manager resolved the policy (noRecommendation, group names): null is no access.
  if (decision.group !== undefined) return decision.group ?? undefined;
  switch (decision.recommendation) {
    case 'allow':
      return 'allow';
    case 'isolate':
      return 'isolate';
    case 'no-access':
    case 'no-recommendation':
      return undefined;
  }
}

/** EAP-Failure with the identifier of the EAP-Success the method produced (RFC 3748 section 4.2). */
function failureFor(success: Buffer): Buffer {
  return Buffer.from([4, success[1] ?? 0, 0, 4]);
}
