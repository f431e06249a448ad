/**
 * OUR tnc-client (pdp/tnc-client/cli.ts, with its OS, Scanner and Test IMCs) against strongSwan's OWN
 * PDP: the TNC-built charon 5.9.8 (lib/strongswan-tnc.ts) with tnc-pdp, tnc-imv, tnc-tnccs, tnccs-20
 * and only strongSwan's Test IMV (imv-test.so), which decides from the Test IMC's command alone and
 * needs no SQLite policy database (the OS and Scanner IMVs would: PEERS.md); the OS and Scanner
 * messages of our client are logged by charon as "not supported by any IMV". Configured after
 * strongSwan's testing/tests/tnc/tnccs-20-pdp-pt-tls and tnccs-20-pdp-eap (alice):
 * `charon.plugins.tnc-pdp.server` names the certificate charon loads through swanctl (x509 +
 * private), and carol's SASL PLAIN / EAP-MD5 password is an EAP secret in swanctl.conf.
 * `libimcv.plugins.imv-test.rounds = 1` adds one SDATA/CDATA round before the RESULT batch.
 *
 * charon runs in its own network namespace (loopback only, so the configured PT-TLS and RADIUS ports
 * cannot collide with anything; charon 5.9.8 will not start without a socket and a kernel-ipsec
 * plugin, hence socket-default and kernel-libipsec) and a private mount namespace with its own /run
 * (lib/strongswan.ts startCharon); the client runs in the same network namespace via `ip netns exec`.
 *
 * - PT-TLS (RFC 6876) with SASL PLAIN as carol, TLS 1.3 (`libtls.version_max = 1.3`, as in
 *   strongSwan's own PT-TLS scenario): Test IMC allow → exit 0 "Recommendation: Access Allowed",
 *   isolate → exit 1 "Recommendation: Quarantined"; charon logs the matching final recommendation.
 * - RADIUS (our client as NAS + supplicant): EAP-TTLS (TLS 1.2) / EAP-MD5, then PT-EAP (charon:
 *   "phase2 method EAP_PT_EAP selected"), Access-Accept with the same recommendations.
 *
 * Interop finding (regression guard): strongSwan 5.9.8's libtls server sends no renegotiation_info
 * extension (RFC 5746) in a TLS 1.2 ServerHello, which Node's OpenSSL 3 client refuses by default
 * (ERR_SSL_UNSAFE_LEGACY_RENEGOTIATION_DISABLED). Our EAP-TTLS and PT-TLS clients set
 * SSL_OP_LEGACY_SERVER_CONNECT (neither protocol renegotiates), so the RADIUS runs below, over
 * TLS 1.2, fail if that is ever removed.
 *
 *   node --import tsx --test integration/tnc-client-vs-strongswan-pdp.test.ts
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { NetnsSet, nsExec, type Netns } from './lib/netns.js';
import { issue, makeCa, type Ca, type Issued } from './lib/pki.js';
import { run, Scope, type RunResult } from './lib/proc.js';
import { startCharon, type Charon } from './lib/strongswan.js';
import { ensureStrongswanTnc, type StrongswanTnc } from './lib/strongswan-tnc.js';
import { makeTempDir } from './lib/tmp.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(REPO, 'pdp', 'tnc-client', 'cli.ts');

const SERVER_NAME = 'aaa.strongswan.test';
const PT_TLS_PORT = 19271;
const RADIUS_PORT = 18120;
const RADIUS_SECRET = 'gv6URkSs-test';
const USER = 'carol';
const PASSWORD = 'Ar3etTnp';

const PDP_PLUGINS =
  'random nonce openssl md5 sha1 sha2 hmac pem pkcs1 pkcs8 x509 revocation constraints pubkey vici kernel-libipsec kernel-netlink socket-default ' +
  'eap-identity eap-md5 eap-ttls eap-tnc tnc-pdp tnc-imv tnc-tnccs tnccs-20';

function pdpCharonSection(tncConfig: string): string {
  return `  tnc {
    tnc_config = ${tncConfig}
  }
  plugins {
    tnc-pdp {
      server = ${SERVER_NAME}
      pt_tls {
        enable = yes
        port = ${PT_TLS_PORT}
      }
      radius {
        enable = yes
        port = ${RADIUS_PORT}
        secret = ${RADIUS_SECRET}
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
  }`;
}

const PDP_SWANCTL = `secrets {
  eap-carol {
    id = ${USER}
    secret = "${PASSWORD}"
  }
}
`;

interface ClientResult {
  readonly code: number | null;
  readonly out: string;
}

describe("our tnc-client against strongSwan's own PDP (charon tnc-pdp, Test IMV)", { timeout: 600_000 }, () => {
  const scope = new Scope();
  let ss: StrongswanTnc;
  let dir: string;
  let ca: Ca;
  let server: Issued;
  let ns: Netns;
  let pdp: Charon;

  before(async () => {
    ss = await ensureStrongswanTnc();
    dir = makeTempDir(scope, 'tnc-client-vs-ss-pdp');
    ca = await makeCa(join(dir, 'pki'), 'tnc-client test CA');
    server = await issue(join(dir, 'pki'), ca, { name: 'aaa', cn: SERVER_NAME, san: [SERVER_NAME], flags: ['serverAuth'] });
    const tncConfig = join(dir, 'tnc_config');
    writeFileSync(tncConfig, `IMV "Test" ${join(ss.imcDir, 'imv-test.so')}\n`);
    const nets = new NetnsSet(scope);
    ns = await nets.add('pdp');
    pdp = await startCharon(scope, {
      name: 'ss-pdp',
      netns: ns.name,
      dir: join(dir, 'charon'),
      binary: ss.charon,
      plugins: PDP_PLUGINS,
      charonSection: pdpCharonSection(tncConfig),
      logLevels: 'default = 1\n      cfg = 2\n      tnc = 2\n      imv = 2\n      tls = 1',
      swanctlConf: PDP_SWANCTL,
      files: { caCerts: [ca.certPath], certs: [server.certPath], keys: [server.keyPath] },
      extraConfig: `libtls {
  version_max = 1.3
}
libimcv {
  plugins {
    imv-test {
      rounds = 1
    }
  }
}
`,
      readyTimeoutMs: 20_000,
    });
  });
  after(() => scope.close());

  async function tncClient(transport: string[], command: 'allow' | 'isolate'): Promise<ClientResult & { since: number }> {
    const since = pdp.proc.lines.length;
    const [cmd, args] = nsExec(ns.name, process.execPath, [
      '--import',
      'tsx',
      CLI,
      ...transport,
      '--user',
      USER,
      '--password',
      PASSWORD,
      '--ca',
      ca.certPath,
      '--server-name',
      SERVER_NAME,
      '--test-command',
      command,
      '--device-id',
      `tnc-client-vs-ss-${command}`,
      '--timeout',
      '20',
    ]);
    const r: RunResult = await run(cmd, args, { timeoutMs: 40_000, check: false, cwd: REPO });
    assert.ok(!r.timedOut, `tnc-client timed out\n${r.stdout}${r.stderr}`);
    const out = `${r.stdout}\n--- stderr ---\n${r.stderr}\n--- strongSwan PDP log ---\n${pdp.proc.lines.slice(since).join('\n')}`;
    if (process.env['INTEGRATION_VERBOSE'] === '1') process.stderr.write(`${out}\n`);
    return { code: r.code, out, since };
  }

  /** Waits (bounded) for charon's line: its log may trail the client's exit by a few ms. */
  async function pdpLog(r: ClientResult & { since: number }, re: RegExp): Promise<void> {
    try {
      await pdp.waitForLog(re, r.since, 5_000);
    } catch (e) {
      assert.fail(`${(e as Error).message}\n${r.out}\n${pdp.proc.lines.slice(r.since).join('\n')}`);
    }
  }

  const ptTls = ['--pt-tls', `127.0.0.1:${PT_TLS_PORT}`];
  const radius = ['--radius', `127.0.0.1:${RADIUS_PORT}`, '--secret', RADIUS_SECRET];

  it('PT-TLS, SASL PLAIN, Test IMC allow: exit 0, "Recommendation: Access Allowed"', async () => {
    const r = await tncClient(ptTls, 'allow');
    assert.match(r.out, /Recommendation: Access Allowed/, r.out);
    assert.equal(r.code, 0, r.out);
    await pdpLog(r, /negotiated TLS 1\.3/);
    await pdpLog(r, /SASL client identity is 'carol'/);
    await pdpLog(r, /final recommendation is 'allow' and evaluation is 'compliant'/);
  });

  it('PT-TLS, SASL PLAIN, Test IMC isolate: exit 1, "Recommendation: Quarantined"', async () => {
    const r = await tncClient(ptTls, 'isolate');
    assert.match(r.out, /Recommendation: Quarantined/, r.out);
    assert.equal(r.code, 1, r.out);
    await pdpLog(r, /final recommendation is 'isolate' and evaluation is 'non-compliant minor'/);
  });

  it('RADIUS (EAP-TTLS/MD5 + PT-EAP), Test IMC allow: exit 0, "Recommendation: Access Allowed"', async () => {
    const r = await tncClient(radius, 'allow');
    assert.match(r.out, /Recommendation: Access Allowed/, r.out);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /RADIUS: +Access-Accept/, r.out);
    await pdpLog(r, /phase2 method EAP_PT_EAP selected/);
    await pdpLog(r, /final recommendation is 'allow' and evaluation is 'compliant'/);
  });

  it('RADIUS (EAP-TTLS/MD5 + PT-EAP), Test IMC isolate: exit 1, "Recommendation: Quarantined"', async () => {
    const r = await tncClient(radius, 'isolate');
    assert.match(r.out, /Recommendation: Quarantined/, r.out);
    assert.equal(r.code, 1, r.out);
    await pdpLog(r, /phase2 method EAP_PT_EAP selected/);
    await pdpLog(r, /final recommendation is 'isolate' and evaluation is 'non-compliant minor'/);
  });
});
