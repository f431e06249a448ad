/**
 * strongSwan's PB-TNC client with PT-EAP (EAP type 54, RFC 7171) or the legacy EAP-TNC (type 38)
 * as the OUTER IKEv2 EAP method, no EAP-TTLS around it: configuration for the TNC-built charon
 * 5.9.8 (strongswan-tnc.ts) as a road warrior whose `local.auth` is `eap-tnc` or `eap-pt`.
 *
 * What strongSwan 5.9.8 has (source: strongswan_5.9.8.orig.tar.bz2):
 * - No separate PT-EAP plugin: the eap-tnc plugin (src/libcharon/plugins/eap_tnc/eap_tnc_plugin.c)
 *   registers EAP_PEER/EAP_SERVER for both EAP_TNC (38) and EAP_PT_EAP (54), each with
 *   PLUGIN_DEPENDS(EAP_PEER, EAP_TTLS): the eap-ttls plugin must be loaded, although TTLS is not
 *   used. In swanctl the methods are `eap-tnc` and `eap-pt` (libstrongswan/eap/eap.c
 *   eap_type_from_string: "tnc", "pt").
 * - The method derives no MSK: tnccs_20.c get_eap_msk returns chunk_empty, and eap_tnc.c get_msk
 *   then returns FAILED, so the client's eap_authenticator.c logs "received EAP_SUCCESS but failed
 *   to establish MSK" and IKE_AUTH fails on the client, after PB-TNC has completed.
 * - The gateway's eap-radius get_msk returns NOT_SUPPORTED without MS-MPPE keys ("we assume the
 *   selected method did not establish an MSK"): moon logs "EAP method EAP_TNC succeeded, no MSK
 *   established" and sends EAP-Success (it would then verify AUTH with SK_p, keymat_v2.c).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The client's outer TNC method in swanctl syntax. */
export type OuterTncAuth = 'eap-tnc' | 'eap-pt';

/** TNC-built road warrior: eap-ttls only because eap-tnc's plugin features depend on it. */
export const TNC_OUTER_ROAD_WARRIOR_PLUGINS =
  'random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey ' +
  'kernel-libipsec kernel-netlink socket-default vici ' +
  'eap-identity eap-ttls eap-tnc tnc-imc tnc-tnccs tnccs-20';

export type ImcTestCommand = 'allow' | 'isolate' | 'block';

/** The client's PB-TNC lines (libtnccs/plugins/tnccs_20/tnccs_20_client.c). */
export const CLIENT_RECOMMENDATION: Record<ImcTestCommand, RegExp> = {
  allow: /PB-TNC access recommendation is 'Access Allowed'/,
  isolate: /PB-TNC access recommendation is 'Quarantined'/,
  block: /PB-TNC access recommendation is 'Access Denied'/,
};
export const CLIENT_ASSESSMENT: Record<ImcTestCommand, RegExp> = {
  allow: /PB-TNC assessment result is 'compliant'/,
  isolate: /PB-TNC assessment result is 'non-compliant minor'/,
  block: /PB-TNC assessment result is 'non-compliant major'/,
};

/** strongSwan's name of the EAP type (libstrongswan/eap/eap.c eap_type_names). */
export function eapTypeName(auth: OuterTncAuth): 'EAP_TNC' | 'EAP_PT_EAP' {
  return auth === 'eap-tnc' ? 'EAP_TNC' : 'EAP_PT_EAP';
}

/** `charon { ... }` body: TLS untouched, PB-TNC sizes for EAP (shared/docs/PEERS.md). */
export function tncOuterCharonSection(tncConfig: string): string {
  return `  tnc {
    tnc_config = ${tncConfig}
  }
  plugins {
    eap-tnc {
      protocol = tnccs-2.0
      max_message_count = 0
    }
    tnccs-20 {
      max_batch_size = 65522
      max_message_size = 65490
    }
    tnc-imc {
      preferred_language = en
    }
  }`;
}

export function libimcvSection(command: ImcTestCommand, deviceId: string): string {
  return `libimcv {
  plugins {
    imc-test {
      command = ${command}
    }
    imc-os {
      device_id = ${deviceId}
    }
  }
}
`;
}

/** Writes a tnc_config with strongSwan's OS, Scanner and Test IMCs; returns its path. */
export function writeTncConfig(path: string, imcDir: string): string {
  writeFileSync(
    path,
    [`IMC "OS" ${join(imcDir, 'imc-os.so')}`, `IMC "Scanner" ${join(imcDir, 'imc-scanner.so')}`, `IMC "Test" ${join(imcDir, 'imc-test.so')}`, ''].join('\n'),
  );
  return path;
}

export interface OuterRoadWarriorOptions {
  /** IKE and EAP identity (the PDP sees it as the EAP-Response/Identity). */
  readonly user: string;
  readonly gateway: string;
  readonly gatewayId: string;
  readonly auth: OuterTncAuth;
  readonly remoteTs: string;
}

/**
 * swanctl.conf: the road warrior authenticates ONLY by posture (`local.auth = eap-tnc|eap-pt`, no
 * password, no TTLS); moon signs with its certificate (`remote.auth = pubkey`), because the TNC
 * methods are not mutual (eap_tnc.c is_mutual: FALSE), so EAP-only (RFC 5998) is out.
 */
export function tncOuterRoadWarriorSwanctlConf(o: OuterRoadWarriorOptions): string {
  return `connections {
  home {
    version = 2
    remote_addrs = ${o.gateway}
    vips = 0.0.0.0
    encap = yes
    local {
      auth = ${o.auth}
      id = ${o.user}
      eap_id = ${o.user}
    }
    remote {
      auth = pubkey
      id = ${o.gatewayId}
    }
    children {
      home {
        remote_ts = ${o.remoteTs}
      }
    }
  }
}
`;
}
