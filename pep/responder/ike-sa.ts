/**
 * One IKE SA as the responder keeps it (RFC 7296 section 2; strongSwan's ike_sa_t): SPIs, the
 * negotiated transforms and keys, the messages AUTH signs, the peer config, the message-ID
 * window, the EAP conversation and the CHILD_SAs.
 *
 *   state diagram (responder):
 *
 *     (IKE_SA_INIT request) --> CONNECTING --(IKE_AUTH, EAP rounds)--> ESTABLISHED
 *                                   |                                    |
 *                                   +--(failure / timeout)--> DELETED <--+--(Delete / DPD)
 */
import type { PeerConfig } from '../config/peer-config.js';
import type { IkeSaKeys, IkeSaTransforms } from '../crypto/key-derivation.js';
import type { SealedCipher } from '../crypto/cipher.js';
import type { EapRadiusSession } from '../radius-relay/eap-radius.js';
import type { IkePayload } from './payload-types.js';
import type { ChildSa } from './child-sa.js';
import type { SelectedProposal } from './proposal-selection.js';
import { ResponderWindow } from './message-window.js';
import type { FragmentReassembly } from './ike-fragmentation.js';
import type { Endpoint } from '../daemon/udp-transport.js';

export type IkeSaState = 'CONNECTING' | 'ESTABLISHED' | 'DELETING' | 'DELETED';

/** What the first IKE_AUTH request asked for, answered in the last IKE_AUTH response (EAP). */
export interface PendingChildRequest {
  readonly sa?: IkePayload;
  readonly tsi?: IkePayload;
  readonly tsr?: IkePayload;
  readonly cp?: IkePayload;
  readonly notifies: readonly IkePayload[];
}

export class IkeSa {
  readonly uniqueId: number;
  readonly spiI: Buffer;
  readonly spiR: Buffer;
  state: IkeSaState = 'CONNECTING';
  local: Endpoint;
  remote: Endpoint;
  /** IKE now runs on port 4500 with the non-ESP marker (RFC 7296 2.23). */
  natt = false;
  /** The peer is behind a NAT (its NAT_DETECTION_SOURCE_IP did not match), or we are. */
  remoteBehindNat = false;
  localBehindNat = false;
  readonly createdAt: number;
  establishedAt?: number;
  lastInbound: number;

  proposal!: SelectedProposal;
  transforms!: IkeSaTransforms;
  keys!: IkeSaKeys;
  /** Initiator->responder cipher (SK_ei/SK_ai) and responder->initiator (SK_er/SK_ar). */
  inbound!: SealedCipher;
  outbound!: SealedCipher;
  nonceI!: Buffer;
  nonceR!: Buffer;
  /** The IKE_SA_INIT request and response as sent, for the AUTH octets (RFC 7296 2.15). */
  initRequest!: Buffer;
  initResponse!: Buffer;

  /** Candidate peer configs (IKE_SA_INIT) and the selected one (IKE_AUTH). */
  config?: PeerConfig;
  remoteId?: string;
  /** The IDi payload body (ID Type, 3 reserved octets, data), for the AUTH octets. */
  idiBody?: Buffer;
  idrBody?: Buffer;
  localId?: string;
  eap?: EapRadiusSession;
  eapIdentity?: string;
  /** Set once the relayed EAP method succeeded; `msk` only if it derived one (else AUTH uses SK_p). */
  eapSucceeded?: boolean;
  msk?: Buffer;
  groups: readonly string[] = [];
  classes: readonly Buffer[] = [];
  pendingChild?: PendingChildRequest;
  eapOnly = false;
  /** RFC 7427 hash algorithms the initiator announced in IKE_SA_INIT (SIGNATURE_HASH_ALGORITHMS). */
  signatureHashes: readonly number[] = [];
  /** Both sides announced IKEV2_FRAGMENTATION_SUPPORTED in IKE_SA_INIT (RFC 7383 2.3). */
  fragmentation = false;
  /** The request being reassembled from SKF fragments (RFC 7383 2.6), if any. */
  reassembly?: FragmentReassembly;
  vips: string[] = [];
  /** Pool the virtual IPs came from, to release them. */
  vipPool?: string;
  readonly children: ChildSa[] = [];

  readonly window = new ResponderWindow();
  /** "SPIi|peer address:port": its key in the responder's half-open and IKE_SA_INIT indexes. */
  initKey?: string;
  /** Our next request's message ID (INFORMATIONAL we initiate: delete, liveness). */
  nextRequestId = 0;
  /** Our outstanding request (window size 1), retransmitted until answered (RFC 7296 2.1). */
  pendingRequest?: { readonly messageId: number; readonly packet: Buffer; sentAt: number; tries: number; readonly purpose: 'liveness' | 'delete' };

  constructor(init: { uniqueId: number; spiI: Buffer; spiR: Buffer; local: Endpoint; remote: Endpoint; now: number }) {
    this.uniqueId = init.uniqueId;
    this.spiI = init.spiI;
    this.spiR = init.spiR;
    this.local = init.local;
    this.remote = init.remote;
    this.createdAt = init.now;
    this.lastInbound = init.now;
  }

  get name(): string {
    return this.config?.name ?? 'unknown';
  }

  /** strongSwan's "name[uniqueId]". */
  get label(): string {
    return `${this.name}[${this.uniqueId}]`;
  }
}
