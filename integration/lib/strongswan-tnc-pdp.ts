/**
 * strongSwan's own PDP (the TNC-built charon 5.9.8 of strongswan-tnc.ts with tnc-pdp, tnc-imv,
 * tnc-tnccs, tnccs-20, eap-ttls, eap-md5, eap-tnc (which holds PT-EAP)) with its OS and Scanner IMVs evaluating a real policy,
 * configured after strongSwan's testing/tests/tnc/tnccs-20-pdp-eap (alice):
 *
 * - libimcv.database: an SQLite file built from the source's src/libimcv/imv/tables.sql and
 *   data.sql (products, groups, policies), plus {@link StrongswanImvPolicy}: the enforcements of
 *   data.sql are replaced by the given ones on group 1 ('Default', the group of every device the
 *   database does not know yet), and blacklisted packages become `versions` rows with
 *   blacklist = 1 and release '*' for the product (e.g. 'Debian 12 x86_64').
 * - libimcv.policy_script = the build's imv_policy_manager: charon runs it (popen) at the start of
 *   every session to turn the enforcements into work items, and at the end to store the results.
 *   Without these two the OS and Scanner IMVs decide nothing (shared/docs/PEERS.md).
 * - tnc-pdp answers RADIUS on `radiusPort` (EAP-TTLS, inner EAP-MD5 then PT-EAP, Filter-Id allow /
 *   isolate in the Access-Accept); the PT-TLS server stays off.
 *
 * charon runs in the given network namespace (it needs socket-default and kernel-libipsec to
 * start; both stay inside the namespace) through lib/strongswan.ts startCharon.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Scope } from './proc.js';
import { startCharon, type Charon } from './strongswan.js';
import type { StrongswanTnc } from './strongswan-tnc.js';

/** Debian's orig tarball, cached by build-strongswan-tnc.sh. */
export const STRONGSWAN_ORIG_TARBALL = '/var/cache/tnc-nea/sources/strongswan_5.9.8.orig.tar.bz2';

const PLUGINS =
  'random nonce openssl md5 sha1 sha2 hmac pem pkcs1 pkcs8 x509 revocation constraints pubkey vici kernel-libipsec kernel-netlink socket-default ' +
  'sqlite eap-identity eap-md5 eap-ttls eap-tnc tnc-pdp tnc-imv tnc-tnccs tnccs-20';

/** strongSwan's imv_workitem_type_t (src/libimcv/imv/imv_workitem.h) used here. */
export const WorkitemType = { packages: 1, forwarding: 3, defaultPassword: 4, tcpPortOpen: 11, tcpPortBlock: 12, udpPortOpen: 13, udpPortBlock: 14 } as const;
/** TNC_IMV_Action_Recommendation: 0 allow, 1 no access, 2 isolate, 3 no recommendation. */
export const ImvRec = { allow: 0, noAccess: 1, isolate: 2, none: 3 } as const;

export interface StrongswanEnforcement {
  readonly type: number;
  readonly name: string;
  readonly argument?: string;
  readonly recFail: number;
  readonly recNoResult: number;
  /** Seconds a passed result is not re-checked (0: every session). */
  readonly maxAge: number;
}

export interface StrongswanImvPolicy {
  /** Product name as the OS IMV forms it: os-release name, VERSION_ID, machine ('Debian 12 x86_64'). */
  readonly product: string;
  readonly blacklistedPackages: readonly string[];
  readonly enforcements: readonly StrongswanEnforcement[];
}

const sqlText = (s: string): string => `'${s.replaceAll("'", "''")}'`;

/**
 * Builds `dbPath` from the tarball's tables.sql + data.sql and `policy` (sqlite3 CLI). Throws with
 * sqlite3's message when something is missing.
 */
export function buildImvDatabase(dir: string, dbPath: string, policy: StrongswanImvPolicy, tarball = STRONGSWAN_ORIG_TARBALL): void {
  const src = join(dir, 'imv-sql');
  mkdirSync(src, { recursive: true });
  const inTar = ['strongswan-5.9.8/src/libimcv/imv/tables.sql', 'strongswan-5.9.8/src/libimcv/imv/data.sql'];
  execFileSync('tar', ['xjf', tarball, '-C', src, ...inTar], { timeout: 60_000, stdio: ['ignore', 'ignore', 'pipe'] });
  const ours = [
    '/* the benchmark policy: replaces data.sql enforcements */',
    'DELETE FROM enforcements;',
    `INSERT INTO products (name) SELECT ${sqlText(policy.product)} WHERE NOT EXISTS (SELECT 1 FROM products WHERE name = ${sqlText(policy.product)});`,
    ...policy.blacklistedPackages.flatMap((p) => [
      `INSERT INTO packages (name) VALUES (${sqlText(p)});`,
      `INSERT INTO versions (product, package, release, security, blacklist, time) SELECT (SELECT id FROM products WHERE name = ${sqlText(policy.product)}), (SELECT max(id) FROM packages WHERE name = ${sqlText(p)}), '*', 0, 1, 0;`,
    ]),
    ...policy.enforcements.flatMap((e) => [
      `INSERT INTO policies (type, name, argument, rec_fail, rec_noresult) VALUES (${e.type}, ${sqlText(`bench: ${e.name}`)}, ${sqlText(e.argument ?? '')}, ${e.recFail}, ${e.recNoResult});`,
      `INSERT INTO enforcements (policy, group_id, max_age, rec_fail, rec_noresult) VALUES ((SELECT max(id) FROM policies), 1, ${e.maxAge}, ${e.recFail}, ${e.recNoResult});`,
    ]),
  ].join('\n');
  const script = [join(src, inTar[0] as string), join(src, inTar[1] as string)].map((f) => `.read ${f}`).join('\n');
  execFileSync('sqlite3', ['-bail', dbPath], { input: `${script}\n${ours}\n`, timeout: 60_000, stdio: ['pipe', 'ignore', 'pipe'] });
  if (!existsSync(dbPath)) throw new Error(`sqlite3 did not create ${dbPath}`);
}

export interface StrongswanTncPdpOptions {
  readonly name: string;
  readonly netns: string;
  readonly dir: string;
  readonly ss: StrongswanTnc;
  /** Identity of the server certificate (tnc-pdp.server). */
  readonly serverName: string;
  readonly caCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly radiusPort: number;
  readonly radiusSecret: string;
  /** EAP-MD5 secrets (inner identity -> password). */
  readonly users: readonly { readonly name: string; readonly password: string }[];
  readonly policy: StrongswanImvPolicy;
  /** TLS of EAP-TTLS (libtls.version_max), default 1.2. */
  readonly tlsVersionMax?: '1.2' | '1.3';
  /** charon stdout log levels (default: its defaults, level 1). */
  readonly logLevels?: string;
  readonly readyTimeoutMs?: number;
}

export interface StrongswanTncPdp {
  readonly charon: Charon;
  readonly dbPath: string;
}

export async function startStrongswanTncPdp(scope: Scope, o: StrongswanTncPdpOptions): Promise<StrongswanTncPdp> {
  mkdirSync(o.dir, { recursive: true });
  const dbPath = join(o.dir, 'imv-config.db');
  buildImvDatabase(o.dir, dbPath, o.policy);
  const tncConfig = join(o.dir, 'tnc_config');
  writeFileSync(tncConfig, `IMV "OS" ${join(o.ss.imcDir, 'imv-os.so')}\nIMV "Scanner" ${join(o.ss.imcDir, 'imv-scanner.so')}\n`);
  const policyScript = join(o.ss.prefix, 'libexec', 'ipsec', 'imv_policy_manager');
  if (!existsSync(policyScript)) throw new Error(`${policyScript} missing: the TNC build has no imv_policy_manager`);
  const secrets = o.users.map((u, i) => `  eap-u${i} {\n    id = ${u.name}\n    secret = "${u.password.replaceAll('"', '')}"\n  }`).join('\n');
  const charon = await startCharon(scope, {
    name: o.name,
    netns: o.netns,
    dir: join(o.dir, 'charon'),
    binary: o.ss.charon,
    plugins: PLUGINS,
    charonSection: `  tnc {
    tnc_config = ${tncConfig}
  }
  plugins {
    tnc-pdp {
      server = ${o.serverName}
      pt_tls {
        enable = no
      }
      radius {
        enable = yes
        port = ${o.radiusPort}
        secret = ${o.radiusSecret}
      }
    }
    tnc-imv {
      dlclose = no
    }
    eap-ttls {
      phase2_method = md5
      phase2_piggyback = yes
      phase2_tnc = yes
      max_message_count = 0
    }
    eap-tnc {
      max_message_count = 0
    }
  }`,
    logLevels: o.logLevels ?? 'default = 1',
    swanctlConf: `secrets {\n${secrets}\n}\n`,
    files: { caCerts: [o.caCertPath], certs: [o.certPath], keys: [o.keyPath] },
    extraConfig: `libtls {
  version_max = ${o.tlsVersionMax ?? '1.2'}
}
libimcv {
  database = sqlite://${dbPath}
  policy_script = ${policyScript}
}
imv_policy_manager {
  database = sqlite://${dbPath}
}
`,
    readyTimeoutMs: o.readyTimeoutMs ?? 20_000,
  });
  return { charon, dbPath };
}
