/**
 * Debian's strongSwan charon (5.9.8, /usr/lib/ipsec/charon) as the IKEv2 RESPONDER the bench
 * initiator talks to, in a network namespace (integration/lib/strongswan.ts starts it: private
 * /run, vici socket in its dir, kernel-libipsec for the CHILD_SAs since there is no kernel ESP).
 *
 * Two connections on 127.0.0.1, chosen by the initiator's identity domain:
 * - `psk`:  `*@psk.bench` with a pre-shared key both ways;
 * - `eap`:  `*@eap.bench`, charon authenticates with the certificate, the client with EAP-MD5:
 *           `eap-radius` (relayed to a RADIUS server; `eap_start = no`, so charon itself asks
 *           EAP-Identity first since `eap_id = %any`) or charon's own `eap-md5` server with the
 *           users' secrets (integration test).
 * Both hand out virtual IPs from one pool and narrow the CHILD_SA to `local_ts`.
 *
 * The DoS thresholds are raised: by default charon answers with COOKIEs once 10 IKE_SAs are
 * half-open and drops a peer address with more than 5 (`block_threshold`), which with one load
 * process on 127.0.0.1 would measure the defence, not the set-up path.
 */
import { basename } from 'node:path';
import { startCharon, type Charon } from '../../integration/lib/strongswan.js';
import type { Netns } from '../../integration/lib/netns.js';
import type { Scope } from '../../integration/lib/proc.js';

export const CHARON_RESPONDER_PLUGINS =
  'random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey kernel-libipsec kernel-netlink socket-default vici eap-identity eap-md5 eap-radius';

export interface CharonResponderOptions {
  readonly name: string;
  readonly netns: string;
  readonly dir: string;
  readonly address: string;
  /** Our identity (FQDN; also the certificate's subjectAltName). */
  readonly id: string;
  readonly psk: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caCertPath: string;
  /** strongSwan proposal strings. */
  readonly ikeProposal: string;
  readonly espProposal: string;
  readonly pool: string;
  readonly localTs: string;
  /** EAP-MD5 through RADIUS, or charon's own eap-md5 server with these users. */
  readonly eap: { readonly kind: 'radius'; readonly address: string; readonly port: number; readonly secret: string } | { readonly kind: 'local'; readonly users: readonly { readonly name: string; readonly password: string }[] };
  /** IKE worker threads (charon default 16). */
  readonly threads?: number;
  /** Half-open IKE_SAs from which charon answers with COOKIEs (default: practically never). */
  readonly cookieThreshold?: number;
  /** Log level of the ike/cfg groups (default 1, charon's normal level). */
  readonly logLevel?: number;
}

function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function charonResponderSwanctl(o: CharonResponderOptions): string {
  const child = (name: string): string => `    children {
      ${name} {
        local_ts = ${o.localTs}
        esp_proposals = ${o.espProposal}
      }
    }`;
  const users = o.eap.kind === 'local' ? o.eap.users.map((u, i) => `  eap-${i} {\n    id = ${u.name}\n    secret = ${q(u.password)}\n  }`).join('\n') : '';
  return `connections {
  psk {
    version = 2
    local_addrs = ${o.address}
    proposals = ${o.ikeProposal}
    pools = bench
    send_certreq = no
    local {
      auth = psk
      id = ${o.id}
    }
    remote {
      auth = psk
      id = *@psk.bench
    }
${child('psk')}
  }
  eap {
    version = 2
    local_addrs = ${o.address}
    proposals = ${o.ikeProposal}
    pools = bench
    send_certreq = no
    send_cert = always
    local {
      auth = pubkey
      certs = ${basename(o.certPath)}
      id = ${o.id}
    }
    remote {
      auth = ${o.eap.kind === 'radius' ? 'eap-radius' : 'eap-md5'}
      id = *@eap.bench
      eap_id = %any
    }
${child('eap')}
  }
}
pools {
  bench {
    addrs = ${o.pool}
  }
}
secrets {
  ike-psk {
    secret = ${q(o.psk)}
  }
${users}
}
`;
}

export function charonResponderSection(o: CharonResponderOptions): string {
  const radius = o.eap.kind === 'radius'
    ? `    eap-radius {
      eap_start = no
      retransmit_tries = 3
      retransmit_timeout = 2.0
      servers {
        pdp {
          address = ${o.eap.address}
          auth_port = ${o.eap.port}
          secret = ${q(o.eap.secret)}
          nas_identifier = bench-charon
          sockets = 8
        }
      }
    }`
    : '';
  return `  threads = ${o.threads ?? 16}
  install_routes = no
  install_virtual_ip = no
  cookie_threshold = ${o.cookieThreshold ?? 1000000}
  # per source IP (default 3): one load generator is one IP, so without this charon answers almost
  # every IKE_SA_INIT with a COOKIE and pays an extra round trip our PEP (threshold raised) does not
  cookie_threshold_ip = ${o.cookieThreshold ?? 1000000}
  block_threshold = 1000000
  init_limit_half_open = 0
  retransmit_tries = 3
  plugins {
${radius}
  }`;
}

/**
 * kernel-libipsec installs a route for each CHILD_SA and refuses one whose local traffic selector
 * holds no address of this host: `gateway` (e.g. 10.1.0.1/16 for local_ts 10.1.0.0/16) goes on an
 * empty bridge of the namespace (this kernel has no dummy driver, as in integration/lib/netns.ts).
 */
export async function addLocalTsAddress(ns: Netns, gateway: string): Promise<void> {
  await ns.addBridge('bench0', [], gateway);
}

export async function startCharonResponder(scope: Scope, o: CharonResponderOptions): Promise<Charon> {
  const level = o.logLevel ?? 1;
  return startCharon(scope, {
    name: o.name,
    netns: o.netns,
    dir: o.dir,
    plugins: CHARON_RESPONDER_PLUGINS,
    charonSection: charonResponderSection(o),
    swanctlConf: charonResponderSwanctl(o),
    files: { caCerts: [o.caCertPath], certs: [o.certPath], keys: [o.keyPath] },
    logLevels: `default = ${Math.min(level, 1)}\n      ike = ${level}\n      cfg = ${level}\n      net = ${Math.min(level, 1)}`,
    readyTimeoutMs: 30_000,
  });
}
