/**
 * strongSwan configurations of the reference scenario (REFERENCE-SCENARIO "The PEP configuration
 * this mirrors", in swanctl syntax): moon with eap-radius to alice and the rw-allow / rw-isolate
 * peer configs, and the road warriors carol and dave with EAP-TTLS/MD5.
 *
 * moon authenticates in one of the two modes of REFERENCE-SCENARIO step 1 ({@link GatewayAuth}):
 * - 'pubkey' (`leftauth=pubkey`): moon signs its AUTH payload with its certificate; the road
 *   warrior has `remote { auth = pubkey }`.
 * - 'eap-only' (`leftauth=eap-ttls`, RFC 5998 EAP-only authentication): moon has no certificate
 *   at all; its swanctl `local { auth = eap-ttls }` makes charon's ike_auth responder omit AUTH
 *   from its first IKE_AUTH response (the "EAP-only authentication" branch, which requires the
 *   initiator's EAP_ONLY_AUTHENTICATION notify; strongSwan initiators always send it) and send
 *   only the MSK-derived AUTH at the end. The road warrior has `remote { auth = eap-ttls }`: it
 *   accepts a responder without AUTH only when its own EAP method is mutual ("allow mutual
 *   EAP-only authentication"), which EAP-TTLS is, the server side being proved by the PDP's TLS
 *   certificate (checked against aaa_id). moon's `remote { auth = eap-radius }` is the same in both
 *   modes: every EAP message still goes to alice over RADIUS.
 *
 * Explicit plugin lists (no modular loading): kernel-libipsec before kernel-netlink (no kernel ESP
 * here), and `kdf`, without which IKE fails with "KDF_PRF with PRF_HMAC_SHA2_256 not supported".
 */
import { basename } from 'node:path';

const COMMON_PLUGINS = 'random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey';
const KERNEL_PLUGINS = 'kernel-libipsec kernel-netlink socket-default vici';

/** How moon proves itself to the road warriors (REFERENCE-SCENARIO step 1). */
export type GatewayAuth = 'pubkey' | 'eap-only';

export interface MoonOptions {
  /** Default 'pubkey'. In 'eap-only' mode moonCert/moonKey are not used. */
  readonly auth?: GatewayAuth;
  readonly radius: { readonly address: string; readonly port: number; readonly secret: string };
  readonly moonCert?: string;
  readonly moonKey?: string;
  readonly moonId: string;
  readonly outside: string;
  /** Virtual IP pools: allow and isolate. */
  readonly allowPool: string;
  readonly isolatePool: string;
  readonly allowSubnet: string;
  readonly isolateSubnet: string;
}

export const MOON_PLUGINS = `${COMMON_PLUGINS} ${KERNEL_PLUGINS} eap-identity eap-radius attr`;

export function moonCharonSection(o: MoonOptions): string {
  return `  plugins {
    eap-radius {
      filter_id = yes
      eap_start = no
      retransmit_tries = 3
      retransmit_timeout = 1.0
      servers {
        alice {
          address = ${o.radius.address}
          auth_port = ${o.radius.port}
          secret = "${o.radius.secret}"
          nas_identifier = moon
        }
      }
    }
  }`;
}

/** moon's `local` section: certificate signature, or EAP-only (`leftauth=eap-ttls`). */
function moonLocal(o: MoonOptions): string {
  if ((o.auth ?? 'pubkey') === 'eap-only') {
    return `    local {
      auth = eap-ttls
      id = ${o.moonId}
    }`;
  }
  if (o.moonCert === undefined) throw new Error('moon with auth = pubkey needs moonCert');
  return `    local {
      auth = pubkey
      certs = ${basename(o.moonCert)}
      id = ${o.moonId}
    }`;
}

/**
 * REFERENCE-SCENARIO "The PEP configuration": moon signing AUTH with its certificate (default) or
 * EAP-only (`auth: 'eap-only'`, the published `leftauth=eap-ttls`).
 */
export function moonSwanctlConf(o: MoonOptions): string {
  const conn = (name: string, group: string, subnet: string, pool: string): string => `  ${name} {
    version = 2
    local_addrs = ${o.outside}
    pools = ${pool}
    encap = yes
    send_certreq = no
${moonLocal(o)}
    remote {
      auth = eap-radius
      id = *@strongswan.org
      eap_id = %any
      groups = ${group}
    }
    children {
      ${name} {
        local_ts = ${subnet}
      }
    }
  }`;
  return `connections {
${conn('rw-allow', 'allow', o.allowSubnet, 'pool-allow')}
${conn('rw-isolate', 'isolate', o.isolateSubnet, 'pool-isolate')}
}
pools {
  pool-allow {
    addrs = ${o.allowPool}
  }
  pool-isolate {
    addrs = ${o.isolatePool}
  }
}
`;
}

export interface RoadWarriorOptions {
  readonly user: string;
  readonly password: string;
  readonly gateway: string;
  readonly gatewayId: string;
  /** The PDP's TLS server name: the client insists on a certificate for it (aaa_id). */
  readonly aaaId: string;
  /** Remote TS to propose; moon narrows it to its group's subnet. */
  readonly remoteTs: string;
  readonly tlsVersionMax?: '1.2' | '1.3';
  /** How moon authenticates (must match moon's {@link MoonOptions.auth}); default 'pubkey'. */
  readonly gatewayAuth?: GatewayAuth;
}

export const ROAD_WARRIOR_PLUGINS = `${COMMON_PLUGINS} ${KERNEL_PLUGINS} eap-identity eap-md5 eap-ttls`;

export function roadWarriorCharonSection(o: RoadWarriorOptions): string {
  return `  tls {
    version_max = ${o.tlsVersionMax ?? '1.2'}
  }
  plugins {
    eap-ttls {
      phase2_method = md5
      max_message_count = 0
    }
  }`;
}

export function roadWarriorSwanctlConf(o: RoadWarriorOptions): string {
  return `connections {
  home {
    version = 2
    remote_addrs = ${o.gateway}
    vips = 0.0.0.0
    encap = yes
    local {
      auth = eap-ttls
      id = ${o.user}
      eap_id = ${o.user}
      aaa_id = ${o.aaaId}
    }
    remote {
      auth = ${(o.gatewayAuth ?? 'pubkey') === 'eap-only' ? 'eap-ttls' : 'pubkey'}
      id = ${o.gatewayId}
    }
    children {
      home {
        remote_ts = ${o.remoteTs}
      }
    }
  }
}
secrets {
  eap-user {
    id = ${o.user}
    secret = "${o.password}"
  }
}
`;
}
