/**
 * The typed, frozen peer configuration the IKEv2 responder works from: one per ipsec.conf
 * `conn` with auto != ignore, after `conn %default` and `also=` are merged (conn-resolve.ts).
 * Field names follow the local/remote view (ipsec.conf's left = this gateway, right = the peer).
 */
import type { Address, AddressRange } from './addresses.js';
import type { Identity } from './identity.js';
import { matchIdentity } from './identity.js';
import type { Proposal, ProposalList } from './proposals.js';

export { matchIdentity };

/** Where a value came from, for messages and logs. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

/** `left=` / `right=`: an address, a range or subnet of acceptable peers, a DNS name, or %any. */
export type EndpointAddress =
  | { readonly kind: 'any'; readonly family?: 4 | 6 }
  | { readonly kind: 'address'; readonly address: Address; readonly allowAny: boolean }
  | { readonly kind: 'range'; readonly range: AddressRange }
  | { readonly kind: 'fqdn'; readonly name: string; readonly allowAny: boolean };

/**
 * leftauth/rightauth. 'eap' with a method: `eap-radius` relays EAP to the RADIUS servers;
 * `leftauth=eap-ttls` on the gateway is EAP-only authentication (RFC 5998): the gateway sends no
 * AUTH signature of its own, the mutually authenticating EAP method proves it.
 */
export type AuthMethod =
  | { readonly class: 'pubkey' }
  | { readonly class: 'psk' }
  | { readonly class: 'eap'; readonly method?: string; readonly methodType?: number };

/** leftsubnet/rightsubnet entries: a subnet with an optional [protocol/port], or %dynamic. */
export type TrafficSelectorSpec =
  | { readonly kind: 'subnet'; readonly range: AddressRange; readonly protocol?: number; readonly ports?: readonly [number, number] }
  | { readonly kind: 'dynamic'; readonly protocol?: number; readonly ports?: readonly [number, number] };

/** rightsourceip entries. */
export type SourceIpSpec =
  /** `10.3.0.0/24` or `10.3.0.1-10.3.0.99`: an in-memory pool named after the text. */
  | { readonly kind: 'pool'; readonly name: string; readonly range: AddressRange }
  /** `%bigpool`: a named pool from the tnc-pep config (persistent). */
  | { readonly kind: 'named'; readonly name: string }
  /** `%config`: echo the address the initiator proposes. */
  | { readonly kind: 'config'; readonly family?: 4 | 6 };

export type SendCert = 'never' | 'ifasked' | 'always';

export interface LocalEnd {
  readonly addrs: readonly EndpointAddress[];
  /** leftid; undefined = the certificate's subject, or the address. */
  readonly id?: Identity;
  readonly auth: AuthMethod;
  /** leftcert resolved against ipsec.d/certs. */
  readonly cert?: string;
  readonly subnets: readonly TrafficSelectorSpec[];
  readonly firewall: boolean;
  readonly sendcert: SendCert;
}

export interface RemoteEnd {
  readonly addrs: readonly EndpointAddress[];
  /** rightid; `*@strongswan.org` style patterns, %any when unset. Use matchIdentity(). */
  readonly id: Identity;
  readonly auth: AuthMethod;
  /** rightgroups: the peer must be a member of at least one (empty = no constraint). */
  readonly groups: readonly string[];
  readonly sendcert: SendCert;
  readonly sourceip: readonly SourceIpSpec[];
  readonly dns: readonly Address[];
  /** rightsubnet; empty = the peer's (virtual) address. */
  readonly subnets: readonly TrafficSelectorSpec[];
}

export type AutoAction = 'add' | 'start' | 'route';
export type DpdAction = 'none' | 'clear' | 'hold' | 'restart';
export type Fragmentation = 'yes' | 'accept' | 'force' | 'no';

export interface PeerConfig {
  readonly name: string;
  readonly auto: AutoAction;
  readonly source: SourceRef;
  readonly local: LocalEnd;
  readonly remote: RemoteEnd;
  /** As configured (undefined: not set); see effective lists below. */
  readonly ikeConfigured?: ProposalList;
  readonly espConfigured?: ProposalList;
  /** What to accept in order: configured proposals then strongSwan's defaults unless `!`. */
  readonly ike: readonly Proposal[];
  readonly esp: readonly Proposal[];
  readonly ikeLifetimeSeconds: number;
  readonly lifetimeSeconds: number;
  /** margintime / rekeymargin. */
  readonly rekeyMarginSeconds: number;
  readonly rekeyFuzzPercent: number;
  readonly rekey: boolean;
  readonly reauth: boolean;
  readonly dpdDelaySeconds: number;
  readonly dpdAction: DpdAction;
  readonly fragmentation: Fragmentation;
  readonly mobike: boolean;
  /** eap_identity: '%identity' asks the client with EAP-Identity; otherwise a fixed identity; undefined = the IKE identity. */
  readonly eapIdentity?: { readonly kind: 'request' } | { readonly kind: 'fixed'; readonly id: Identity };
  readonly aaaIdentity?: Identity;
}

/**
 * rightgroups: "If the rightgroups parameter is present then the peer must be a member of at
 * least one of the groups". Groups compare case-insensitively (strongSwan compares them as
 * identities). `groups` come from RADIUS (Filter-Id, Class).
 */
export function satisfiesGroups(config: PeerConfig, groups: readonly string[]): boolean {
  if (!config.remote.groups.length) return true;
  const have = new Set(groups.map((g) => g.toLowerCase()));
  return config.remote.groups.some((g) => have.has(g.toLowerCase()));
}
