/**
 * The PDP configuration contract (`node --import tsx pdp/cli.ts --config FILE.json`) as a type, and
 * the reference users. The same object drives the FreeRADIUS peer (freeradius.ts translates it), so
 * a test says once what the server under test must do, whichever server that is.
 */

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

export interface PdpUser {
  readonly name: string;
  readonly password: string;
  /** Filter-Id sent in the Access-Accept (REFERENCE-SCENARIO step 6). */
  readonly group: string;
}

export interface PdpClient {
  readonly name: string;
  /** CIDR, e.g. 10.1.0.1/32. */
  readonly address: string;
  readonly secret: string;
  readonly requireMessageAuthenticator?: boolean;
}

/** schemas/pdp-config.schema.json `posture` (the parts the tests use). */
export interface PosturePolicyConfig {
  readonly imvs?: {
    readonly os?: {
      readonly allowedProducts?: readonly { readonly name: string; readonly minVersion?: string }[];
      readonly blacklistedPackages?: readonly string[];
      readonly requestInstalledPackages?: boolean;
      readonly requireForwardingDisabled?: boolean;
      readonly requireNoDefaultPassword?: boolean;
    };
    readonly scanner?: { readonly allowedPorts?: readonly string[]; readonly blockedPorts?: readonly string[] };
    readonly test?: { readonly rounds?: number };
  };
  readonly recommendationPolicy?: 'default' | 'any' | 'all';
  readonly noRecommendation?: 'allow' | 'isolate' | 'no-access';
  readonly groups?: { readonly allow?: string; readonly isolate?: string };
  readonly imvTimeoutMs?: number;
  readonly maxRounds?: number;
}

export type TlsVersionName = 'TLSv1.2' | 'TLSv1.3';

export interface PdpConfig {
  readonly stateDir: string;
  readonly radius: {
    readonly auth: Endpoint;
    readonly accounting: Endpoint;
    readonly clients: readonly PdpClient[];
  };
  readonly eap: {
    /** Outer EAP methods (our PDP: default [ttls, md5]); pt-eap / eap-tnc = posture only, no MSK. */
    readonly methods?: readonly ('ttls' | 'md5' | 'pt-eap' | 'eap-tnc')[];
    readonly ttls: { readonly minVersion: TlsVersionName; readonly maxVersion: TlsVersionName; readonly fragmentSize: number };
    readonly innerMethods: readonly ('md5' | 'pap')[];
    /** Cap on EAP conversations in progress (our PDP: default 50,000; freeradius.ts ignores it). */
    readonly maxConversations?: number;
    readonly conversationTimeoutSeconds?: number;
    /** Posture (PB-TNC) inside TTLS after the inner authentication (our PDP only). */
    readonly tnc?: { readonly method?: 'pt-eap' | 'eap-tnc'; readonly maxRounds?: number };
  };
  /** IMV policy, used when eap.tnc is set (our PDP only; absent: OS, Scanner, Test with empty policies). */
  readonly posture?: PosturePolicyConfig;
  readonly pki: { readonly serverName: string };
  readonly users: readonly PdpUser[];
  readonly log: { readonly level: 'trace' | 'debug' | 'info' | 'warn' | 'error' };
}

/** carol is healthy (allow), dave is not (isolate): REFERENCE-SCENARIO "Hosts" and step 8. */
export const REFERENCE_USERS: readonly PdpUser[] = [
  { name: 'carol@strongswan.org', password: 'Ar3etTnp', group: 'allow' },
  { name: 'dave@strongswan.org', password: 'W7R0g3do', group: 'isolate' },
];

export const SERVER_NAME = 'alice.strongswan.org';

export interface PdpConfigOptions {
  readonly stateDir: string;
  readonly auth: Endpoint;
  readonly accounting: Endpoint;
  readonly clients: readonly PdpClient[];
  readonly users?: readonly PdpUser[];
  readonly fragmentSize?: number;
  readonly minVersion?: TlsVersionName;
  readonly maxVersion?: TlsVersionName;
  readonly logLevel?: PdpConfig['log']['level'];
  readonly maxConversations?: number;
  readonly conversationTimeoutSeconds?: number;
  readonly tnc?: NonNullable<PdpConfig['eap']['tnc']>;
  readonly posture?: PosturePolicyConfig;
}

export function makePdpConfig(o: PdpConfigOptions): PdpConfig {
  return {
    stateDir: o.stateDir,
    radius: { auth: o.auth, accounting: o.accounting, clients: o.clients },
    eap: {
      ttls: { minVersion: o.minVersion ?? 'TLSv1.2', maxVersion: o.maxVersion ?? 'TLSv1.3', fragmentSize: o.fragmentSize ?? 1024 },
      innerMethods: ['md5', 'pap'],
      ...(o.maxConversations === undefined ? {} : { maxConversations: o.maxConversations }),
      ...(o.conversationTimeoutSeconds === undefined ? {} : { conversationTimeoutSeconds: o.conversationTimeoutSeconds }),
      ...(o.tnc === undefined ? {} : { tnc: o.tnc }),
    },
    ...(o.posture === undefined ? {} : { posture: o.posture }),
    pki: { serverName: SERVER_NAME },
    users: o.users ?? REFERENCE_USERS,
    log: { level: o.logLevel ?? 'info' },
  };
}
