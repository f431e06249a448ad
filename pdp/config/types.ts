/** The PDP configuration after validation and defaults (schemas/pdp-config.schema.json). */
import type { RadiusClient } from '../../radius/client-table.js';
import type { PosturePolicy } from '../posture/policy.js';

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
  /** Devices, sessions and results (pdp/store): the embedded store under stateDir/store. */
  readonly store: {
    readonly backend: 'embedded';
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
  /** True for the built-in demo configuration. */
  readonly demo: boolean;
}
