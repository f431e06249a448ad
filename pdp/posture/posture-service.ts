/**
 * The boundary between the PB-TNC transports (PT-EAP, EAP-TNC, PT-TLS) and the IMVs.
 *
 * A transport creates one PostureSession per assessment and hands it to a PbTncServerSession as
 * its handler (tnc/pb/session.ts). When the PB-TNC session has sent its RESULT, `decision()` is the
 * final, merged action recommendation that the PDP turns into the RADIUS reply:
 *   allow -> Access-Accept, Filter-Id `allow`; isolate -> Filter-Id `isolate`;
 *   no-access (and no-recommendation under a strict policy) -> Access-Reject.
 */
import type { PbTncServerHandler } from '../../tnc/index.js';
import type { SessionPolicyResult } from '../store/store.js';

/** TCG IF-IMV action recommendations, merged. */
export type Recommendation = 'allow' | 'isolate' | 'no-access' | 'no-recommendation';

export interface PostureContext {
  /** The authenticated user identity (TTLS inner identity, PT-TLS client identity ...). */
  readonly user: string;
  /** RADIUS client (NAS) name, or 'pt-tls'. */
  readonly via: string;
  readonly transport: 'pt-eap' | 'eap-tnc' | 'pt-tls';
}

export interface PostureDecision {
  readonly recommendation: Recommendation;
  /** Per-IMV recommendation and evaluation, with reasons, for logs and the admin API. */
  readonly imvs: readonly {
    readonly imv: string;
    readonly recommendation: Recommendation;
    readonly evaluation: string;
    readonly reasons: readonly string[];
  }[];
  /** The IMC's device id when one was sent, else undefined (the identity is then the user). */
  readonly deviceId?: string;
  /** The merged evaluation result ('compliant', 'non-compliant-minor', ... 'dont-know'). */
  readonly evaluation?: string;
  /** What is enforced: `recommendation`, with 'no-recommendation' replaced as the policy says. */
  readonly enforced?: Exclude<Recommendation, 'no-recommendation'>;
  /** The group for Filter-Id, or null for Access-Reject; undefined if the service does not map groups. */
  readonly group?: string | null;
  /** The assessment's id in the store. */
  readonly session?: string;
  /** The device assessed: ITA Device ID (else the user), product, groups nearest first. */
  readonly device?: { readonly id: string; readonly idKind: 'device-id' | 'user'; readonly product?: string; readonly groups: readonly string[] };
  /** Each enforced policy's outcome (skipped ones: a pass within maxAge, with that reason). */
  readonly policies?: readonly SessionPolicyResult[];
  /** "policy: reason" for every policy that did not pass, and for those skipped. */
  readonly reasons?: readonly string[];
}

export interface PostureSession extends PbTncServerHandler {
  /** Available once the session decided (after the RESULT batch); undefined before. */
  decision(): PostureDecision | undefined;
  /** Releases IMV state (connection DELETE); called on success, failure and timeout. */
  close(): void;
}

export interface PostureService {
  createSession(context: PostureContext): PostureSession;
}
