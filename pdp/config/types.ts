/** The PDP configuration after validation and defaults (schemas/pdp-config.schema.json). */
import type { AdminConfig } from '../admin/server.js';
import type { RadiusClient } from '../../radius/client-table.js';
import type { PosturePolicy } from '../posture/policy.js';
import type { IfmapConfig } from '../ifmap/config.js';

export type TlsVersion = 'TLSv1.2' | 'TLSv1.3';
/** 'pt-eap' / 'eap-tnc' as outer methods: posture alone, no keys (need eap.tnc for the posture service). */
export type OuterMethod = 'ttls' | 'md5' | 'pt-eap' | 'eap-tnc';
export type InnerMethod = 'md5' | 'pap';
/** The EAP method that carries PB-TNC inside TTLS: PT-EAP (RFC 7171, type 54) or legacy EAP-TNC (38). */
export type TncMethod = 'pt-eap' | 'eap-tnc';

export interface UserEntry {
  readonly name: string;
  readonly password: string;
  readonly group: string;
}

export interface PdpConfig {
  /** Where the config came from, for messages ('embedded default' or a path). */
  readonly source: string;
  readonly stateDir: string;
  readonly radius: {
    readonly auth: { readonly address: string; readonly port: number };
    readonly accounting: { readonly address: string; readonly port: number } | false;
    readonly clients: readonly RadiusClient[];
    readonly duplicateWindowSeconds: number;
    readonly maxInFlight: number;
  };
  readonly eap: {
    readonly methods: readonly OuterMethod[];
    readonly innerMethods: readonly InnerMethod[];
    readonly conversationTimeoutSeconds: number;
    readonly maxConversations: number;
    readonly ttls: {
      readonly minVersion: TlsVersion;
      readonly maxVersion: TlsVersion;
      readonly fragmentSize: number;
      readonly tls13KeyDerivation: 'rfc9427' | 'legacy-tls13';
    };
    /**
     * Posture assessment inside TTLS after the inner authentication (absent: no posture). Needs a
     * PostureService (pdp/eap-service/create.ts). Also required by the outer methods 'pt-eap' and
     * 'eap-tnc' (their posture runs through the same service).
     */
    readonly tnc?: {
      readonly method: TncMethod;
      /** Upper bound on EAP round trips of one conversation, outer and inner (default 1000). */
      readonly maxRounds: number;
    };
  };
  readonly pki: {
    readonly serverName: string;
    readonly certificate?: string;
    readonly privateKey?: string;
    readonly ca?: string;
    readonly keyType: 'ecdsa-p256' | 'rsa-2048' | 'rsa-3072';
  };
  readonly users: readonly UserEntry[];
  /** IMV policy and policy model; used when eap.tnc is set and by PT-TLS. */
  readonly posture: PosturePolicy;
  /**
   * The state store (pdp/store): the embedded one under stateDir/store, or Redis shared by several
   * PDPs. The config's posture model, users and RADIUS clients seed it once; then it is authoritative.
   */
  readonly store: {
    readonly backend: 'embedded' | 'redis';
    /** backend redis (pdp/store/redis-store.ts RedisStoreOptions; tls.ca is a PEM file path, resolved). */
    readonly redis?: {
      readonly url?: string;
      readonly host?: string;
      readonly port?: number;
      readonly cluster?: readonly { readonly host: string; readonly port: number }[];
      readonly keyPrefix?: string;
      readonly username?: string;
      readonly password?: string;
      readonly tls?: boolean | { readonly ca?: string; readonly serverName?: string };
      readonly commandTimeoutMs?: number;
      readonly connectTimeoutMs?: number;
      readonly outboxSize?: number;
    };
    readonly maxSessions: number;
    readonly maxDevices: number;
    readonly snapshotEvery: number;
  };
  readonly workers: number | 'auto';
  readonly log: { readonly level: string };
  /** PT-TLS server (RFC 6876, pdp/pt-tls/); absent = disabled. */
  readonly ptTls?: {
    readonly address: string;
    readonly port: number;
    readonly clientAuth: 'none' | 'sasl-plain' | 'certificate';
  };
  /**
   * Several PDP instances sharing one store (docs/cluster.md, pdp/cluster/): each EAP conversation
   * stays in the instance whose id its State carries; the others forward its packets there.
   * Absent = a single instance.
   */
  readonly cluster?: ClusterConfig;
  /** TNC MAP export: IF-MAP 2.x publishes to a MAP server (pdp/ifmap/config.ts); absent = disabled. */
  readonly ifmap?: IfmapConfig;
  /** GraphQL admin API (pdp/admin/server.ts); absent = disabled. */
  readonly admin?: AdminConfig;
  /** True for the built-in demo configuration. */
  readonly demo: boolean;
}

export interface ClusterPeerConfig {
  readonly id: number;
  readonly address: string;
  readonly port: number;
}

export interface ClusterConfig {
  /** 1..255, unique in the cluster; the second octet of every State this instance issues. */
  readonly instanceId: number;
  /** The UDP address and port of this instance's cluster channel. */
  readonly listen: { readonly address: string; readonly port: number };
  /** The other instances (each one's own `listen`). */
  readonly peers: readonly ClusterPeerConfig[];
  /** Shared cluster key (every message is HMAC-SHA-256'd with a key derived from it). */
  readonly secret: string;
  /** How long a forwarded request waits for the owner's answer (default 2000 ms). */
  readonly forwardTimeoutMs: number;
  /** Forwards waiting for an answer at once (default 1024); more are dropped, the NAS retransmits. */
  readonly maxInFlight: number;
  /** Hello interval (default 1000 ms); a peer not heard for peerDeadAfterMs (default 3500) is down. */
  readonly helloIntervalMs: number;
  readonly peerDeadAfterMs: number;
  /** Messages older or newer than this (clock skew included) are refused as replays (default 30000). */
  readonly replayWindowMs: number;
}
