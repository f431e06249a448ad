/**
 * EAP conversations in this thread: one EapAuthenticator per RADIUS State value.
 *
 * The first Access-Request of a conversation carries no State and (RFC 3579 section 2.6.1) an
 * EAP-Response/Identity or an empty EAP-Message (EAP-Start). Every challenge gets a fresh State;
 * the conversation is found again by the State the NAS echoes (RFC 2865 section 5.24).
 */
import {
  EAP_TNC,
  EapAuthenticator,
  PT_EAP,
  eapTncMethod,
  md5ChallengeMethod,
  postureOf,
  ptEapMethod,
  ttlsMethod,
  type EapMethodFactory,
  type MethodStage,
} from '../eap/index.js';
import type { PdpConfig } from '../config/types.js';
import type { PostureService } from '../posture/posture-service.js';
import type { TlsIdentity } from '../pki/demo-pki.js';
import type { UserDirectory } from '../users.js';
import { ConversationTable } from './conversation-table.js';
import type { EapOutcome, EapRequestContext, EapService } from './eap-service.js';

export interface LocalEapServiceOptions {
  readonly config: PdpConfig;
  readonly identity: TlsIdentity;
  readonly users: UserDirectory;
  /** First octet of every State this service issues (0 when unsharded). */
  readonly shard: number;
  readonly now?: () => number;
  /**
   * Inner EAP method stages inside TTLS (default: MD5-Challenge). The posture issue appends a
   * PT-EAP stage here; TTLS itself does not change.
   */
  readonly innerStages?: () => readonly MethodStage[];
  /**
   * Required when `config.eap.tnc` is set (and only used then): TTLS then runs the inner stages
   * [[MD5], [PT-EAP or EAP-TNC]], and PAP is followed by [[PT-EAP or EAP-TNC]]. The outer methods
   * 'pt-eap' / 'eap-tnc' (config.eap.methods) use it too, for the outer EAP identity.
   */
  readonly posture?: PostureService;
}

/** EAP header (5) + TTLS Flags (1) + TLS Message Length (4). */
const TTLS_OVERHEAD = 10;
/**
 * With posture, one TTLS message carries a whole PB-TNC batch (up to 65522 octets) in TLS records:
 * strongSwan's bound, 4 * (TLS_MAX_FRAGMENT_LEN + 2048) (src/libtls/tls_eap.c).
 */
const TTLS_MAX_MESSAGE_WITH_POSTURE = 4 * (16384 + 2048);

interface Conversation {
  readonly auth: EapAuthenticator;
  readonly startedAt: number;
  readonly client: string;
}

export class LocalEapService implements EapService {
  readonly #table: ConversationTable<Conversation>;
  readonly #methods: readonly EapMethodFactory[];
  readonly #users: UserDirectory;
  readonly #now: () => number;
  readonly #maxRounds: number | undefined;
  /** Outer methods allowed to succeed without an MSK: PT-EAP / EAP-TNC (posture only, no keys). */
  readonly #keyless: ReadonlySet<string>;
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: LocalEapServiceOptions) {
    const { config, identity } = options;
    this.#users = options.users;
    this.#now = options.now ?? Date.now;
    this.#table = new ConversationTable<Conversation>({
      idleTimeoutMs: config.eap.conversationTimeoutSeconds * 1000,
      maxConversations: config.eap.maxConversations,
      shard: options.shard,
      // With several PDP instances the State names this one too (pdp/cluster forwards by it).
      ...(config.cluster ? { instance: config.cluster.instanceId } : {}),
      now: this.#now,
      onExpire: (c) => c.auth.abort(),
    });
    const inner = config.eap.innerMethods;
    const tnc = config.eap.tnc;
    if (tnc && !options.posture) throw new Error('eap.tnc is configured, but the EAP service was given no posture service');
    const posture = options.posture;
    // As strongSwan's PDP: with the PT-TLS server on, the first server batch over EAP carries a
    // TCG PB-PDP-Referral naming this PDP (TLS server name) and its PT-TLS port.
    const pdpReferral = config.ptTls ? { fqdn: config.pki.serverName, port: config.ptTls.port } : undefined;
    const outerTnc = (make: typeof ptEapMethod) => (): EapMethodFactory => {
      if (!posture) throw new Error('eap.methods has an outer pt-eap/eap-tnc method, but the EAP service was given no posture service');
      return make({ posture, ...(pdpReferral ? { pdpReferral } : {}) });
    };
    const tncMethod =
      tnc && options.posture
        ? (tnc.method === 'eap-tnc' ? eapTncMethod : ptEapMethod)({ posture: options.posture, ...(pdpReferral ? { pdpReferral } : {}) })
        : undefined;
    const innerStages = options.innerStages ?? (() => (tncMethod ? [[md5ChallengeMethod()], [tncMethod]] : [[md5ChallengeMethod()]]));
    this.#maxRounds = tnc?.maxRounds;
    const factories: Record<string, () => EapMethodFactory> = {
      ttls: () =>
        ttlsMethod({
          tls: {
            cert: identity.certificatePem,
            key: identity.privateKeyPem,
            minVersion: config.eap.ttls.minVersion,
            maxVersion: config.eap.ttls.maxVersion,
          },
          // The configured size bounds the whole EAP packet, as FreeRADIUS's and wpa_supplicant's
          // fragment_size do: 5 octets of EAP header, 1 of Flags, 4 of Message Length come off.
          fragmentSize: config.eap.ttls.fragmentSize - TTLS_OVERHEAD,
          tls13KeyDerivation: config.eap.ttls.tls13KeyDerivation,
          ...(tncMethod ? { maxMessageLength: TTLS_MAX_MESSAGE_WITH_POSTURE } : {}),
          phase2: {
            allowPap: inner.includes('pap'),
            allowEap: inner.includes('md5'),
            innerStages: () => innerStages(),
            // Posture after PAP too: otherwise PAP would be a way around the assessment.
            ...(tnc && tncMethod ? { afterPap: () => [[tncMethod]], maxInnerRounds: tnc.maxRounds } : {}),
          },
        }),
      md5: () => md5ChallengeMethod(),
      'pt-eap': outerTnc(ptEapMethod),
      'eap-tnc': outerTnc(eapTncMethod),
    };
    this.#methods = config.eap.methods.map((m) => factories[m]!());
    this.#keyless = new Set(this.#methods.filter((f) => f.type === PT_EAP.type || f.type === EAP_TNC.type).map((f) => f.name));
    this.#sweeper = setInterval(() => this.#table.sweep(), 5_000).unref();
  }

  get size(): number {
    return this.#table.size;
  }

  async process(request: EapRequestContext): Promise<EapOutcome> {
    let state = request.state;
    let conv: Conversation | undefined;
    if (state) {
      conv = this.#table.get(state);
      // RFC 2865 section 5.24: a State we did not issue (or that expired) names no conversation.
      // FreeRADIUS answers the same way: a definite Access-Reject beats a NAS retrying into silence.
      if (!conv) return unknownState(request.eap);
    }
    let step;
    if (!conv) {
      if (!this.#table.hasRoom()) return { kind: 'discard', reason: 'too many conversations in progress' };
      conv = {
        auth: new EapAuthenticator({
          credentials: { lookup: (name) => this.#users.get(name) },
          methods: this.#methods,
          ...(this.#maxRounds !== undefined ? { maxRounds: this.#maxRounds } : {}),
        }),
        startedAt: this.#now(),
        client: request.client,
      };
      step = await conv.auth.start(request.eap);
    } else {
      step = await conv.auth.handle(request.eap);
    }
    switch (step.kind) {
      case 'discard':
        return step;
      case 'challenge': {
        const next = this.#table.newState();
        if (state) this.#table.rekey(state, next);
        else if (!this.#table.add(next, conv)) {
          conv.auth.abort();
          return { kind: 'discard', reason: 'too many conversations in progress' };
        }
        return { kind: 'challenge', eap: step.eap, state: next };
      }
      case 'reject':
        if (state) this.#table.delete(state);
        return {
          kind: 'reject',
          eap: step.eap,
          reason: step.reason,
          startedAt: conv.startedAt,
          ...(safeIdentity(conv) !== undefined ? { identity: safeIdentity(conv)! } : {}),
        };
      case 'accept': {
        if (state) this.#table.delete(state);
        const posture = postureOf(step.attributes);
        // Outer methods without keys (plain MD5) cannot protect a tunnel: the gateway needs MPPE keys.
        // The outer PT-EAP / EAP-TNC methods are the exception: posture only (its decision is the
        // group, pdp/access-handler.ts), accepted without keys.
        if (!step.msk && !(this.#keyless.has(step.method) && posture)) {
          return { kind: 'reject', eap: failure(step.eap), reason: `${step.method} derives no MSK`, identity: step.identity, startedAt: conv.startedAt, method: step.method };
        }
        return {
          kind: 'accept',
          eap: step.eap,
          ...(step.msk ? { msk: step.msk } : {}),
          ...(step.emsk ? { emsk: step.emsk } : {}),
          identity: step.identity,
          authenticatedAs: step.innerIdentity ?? step.identity,
          method: typeof step.attributes['innerMethod'] === 'string' ? `${step.method}/${step.attributes['innerMethod']}`.toLowerCase() : step.method.toLowerCase(),
          startedAt: conv.startedAt,
          ...(posture ? { posture } : {}),
        };
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }
}

function safeIdentity(conv: Conversation): string | undefined {
  try {
    return conv.auth.identity || undefined;
  } catch {
    return undefined;
  }
}

/** Access-Reject with EAP-Failure for a response whose conversation is gone (RFC 3748 s4.2). */
export function unknownState(eap: Buffer): EapOutcome {
  if (eap.length < 4 || eap[0] !== 2) return { kind: 'discard', reason: 'unknown or expired State, and no EAP-Response' };
  return { kind: 'reject', eap: Buffer.from([4, eap[1]!, 0, 4]), reason: 'unknown or expired State' };
}

function failure(success: Buffer): Buffer {
  return Buffer.from([4, success[1] ?? 0, 0, 4]);
}
