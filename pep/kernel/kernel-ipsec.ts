/**
 * The kernel interface: the one module through which every CHILD_SA reaches the data path, modelled
 * on strongSwan's kernel_ipsec_t (src/libcharon/kernel/kernel_ipsec.h). Two backends implement it:
 *
 * - {@link XfrmKernelIpsec} (kernel-xfrm.ts): states and policies in the Linux kernel via XFRM.
 * - {@link UserspaceDataPath} (userspace-data-path.ts): ESP (RFC 4303) in this process over a TUN
 *   device, ESP-in-UDP (RFC 3948) on the IKE daemon's port 4500 socket, for kernels without ESP.
 *
 * The IKE daemon installs the inbound and the outbound SA of each CHILD_SA (SA direction follows
 * from src/dst as in XFRM: an inbound SA has the peer as `src`), then the out, in and fwd policies
 * whose templates name the SA endpoints and reqid.
 */
import type { EspEncrAlg, EspIntegAlg } from '../esp/esp-cipher.js';

export type IpsecMode = 'tunnel';
export type PolicyDirection = 'in' | 'out' | 'fwd';

export interface SaLifetime {
  readonly softBytes?: number;
  readonly hardBytes?: number;
  readonly softPackets?: number;
  readonly hardPackets?: number;
  /** Seconds since install. */
  readonly softSeconds?: number;
  readonly hardSeconds?: number;
}

export interface SaConfig {
  /** Outer addresses (IKE endpoints as the SA sees them, after NAT). */
  readonly src: string;
  readonly dst: string;
  readonly spi: number;
  readonly protocol: 'esp';
  readonly mode: IpsecMode;
  /** UDP encapsulation (RFC 3948), normally sport = dport = 4500 or the NATed peer port. */
  readonly encap?: { readonly sport: number; readonly dport: number };
  /** For aes-gcm-16 `key` is the AES key followed by the 4-octet salt (RFC 4106 8.1). */
  readonly encr: { readonly alg: EspEncrAlg; readonly key: Uint8Array };
  readonly integ?: { readonly alg: EspIntegAlg; readonly key: Uint8Array };
  readonly reqid: number;
  /** Anti-replay window in packets (64..1024; 0 = off, outbound SAs). */
  readonly replayWindow: number;
  readonly lifetime?: SaLifetime;
}

export interface SaId {
  readonly dst: string;
  readonly spi: number;
  readonly protocol: 'esp';
}

/** A traffic selector: an address prefix ("10.1.0.0/16", "fd00::/64", "10.3.0.1/32") and optional protocol/port. */
export interface Selector {
  readonly src: string;
  readonly dst: string;
  /** IP protocol number (0/undefined: any). */
  readonly proto?: number;
  readonly sport?: number;
  readonly dport?: number;
}

export interface PolicyTemplate {
  /** Outer tunnel endpoints of the SA this policy uses. */
  readonly src: string;
  readonly dst: string;
  readonly protocol: 'esp';
  readonly mode: IpsecMode;
  readonly reqid: number;
}

export interface PolicyConfig {
  readonly selector: Selector;
  readonly dir: PolicyDirection;
  readonly tmpl: PolicyTemplate;
  readonly reqid: number;
  /** Lower value wins (XFRM semantics). */
  readonly priority: number;
  /**
   * XFRM interface id (Linux 4.19+, `if_id`): a policy with one only applies to packets routed
   * through an xfrm interface with the same id (route-based VPN), never to other traffic. The
   * userspace data path ignores it. See pep/daemon/child-installer.ts for why the gateway uses it.
   */
  readonly ifId?: number;
}

export interface PolicyId {
  readonly selector: Selector;
  readonly dir: PolicyDirection;
  /** Part of the policy's identity in XFRM: a delete must name the same if_id. */
  readonly ifId?: number;
}

export interface SaUsage {
  readonly bytes: number;
  readonly packets: number;
  /** Last use (ms since the epoch, or the injected clock's unit), undefined if never used. */
  readonly lastUse: number | undefined;
}

export interface KernelIpsec {
  readonly kind: 'xfrm' | 'userspace';
  installSa(sa: SaConfig): Promise<void>;
  deleteSa(id: SaId): Promise<void>;
  querySa(id: SaId): Promise<SaUsage>;
  installPolicy(policy: PolicyConfig): Promise<void>;
  deletePolicy(id: PolicyId): Promise<void>;
  /** Remove every SA and policy with one of these reqids (CHILD_SA teardown, daemon shutdown). */
  flush(reqids: readonly number[]): Promise<void>;
  close(): Promise<void>;
}
