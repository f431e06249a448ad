/**
 * Our PEP is not tied to our PDP: strongSwan's OWN PDP (the TNC-built charon 5.9.8 with tnc-pdp
 * and the Test IMV, lib/strongswan-tnc.ts) in alice, strongSwan's real PB-TNC clients (TNC-built
 * charon with the Test IMC) as carol and dave, and our PEP (tnc-pep) as moon in between, relaying
 * every EAP message (EAP-TTLS, inner EAP-MD5, then PT-EAP with PB-TNC) over RADIUS.
 * REFERENCE-SCENARIO steps 1-7 with every piece but moon being strongSwan's.
 *
 * - carol (Test IMC: allow): strongSwan's PDP answers Access-Accept with Filter-Id 'allow' and
 *   Tunnel-Type ESP: rw-allow, a virtual IP from 10.3.0.0/24;
 * - dave (Test IMC: isolate): Filter-Id 'isolate': moon switches him to rw-isolate, with the log
 *   events of the reference.
 *
 *   node --import tsx --test integration/pep-strongswan-pdp.test.ts
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createReferenceTopology, REF, type ReferenceTopology } from './lib/netns.js';
import { referenceIpsecConf, startPep, type Pep } from './lib/pep.js';
import { issue, makeCa } from './lib/pki.js';
import { Scope } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import { roadWarriorSwanctlConf, startCharon, type Charon, type RoadWarriorOptions } from './lib/strongswan.js';
import { ensureStrongswanTnc, TNC_ROAD_WARRIOR_PLUGINS, type StrongswanTnc } from './lib/strongswan-tnc.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'moon-alice-Secret-42';
const MOON_ID = 'moon.strongswan.org';
const SERVER_NAME = 'alice.strongswan.org';
const CAROL = { name: 'carol@strongswan.org', password: 'Ar3etTnp' };
const DAVE = { name: 'dave@strongswan.org', password: 'W7R0g3do' };

const PDP_PLUGINS =
  'random nonce openssl md5 sha1 sha2 hmac pem pkcs1 pkcs8 x509 revocation constraints pubkey vici kernel-libipsec kernel-netlink socket-default ' +
  'eap-identity eap-md5 eap-ttls eap-tnc tnc-pdp tnc-imv tnc-tnccs tnccs-20';


describe("our PEP between strongSwan's PB-TNC clients and strongSwan's own PDP (tnc-pdp)", { timeout: 600_000 }, () => {
  const scope = new Scope();
  let ss: StrongswanTnc;
  let topo: ReferenceTopology;
  let pdp: Charon;
  let pep: Pep;
  let carol: Charon;
  let dave: Charon;

  before(async () => {
    assertPeers();
    ss = await ensureStrongswanTnc();
    const dir = makeTempDir(scope, 'pep-ss-pdp');
    topo = await createReferenceTopology(scope);
    const ca = await makeCa(join(dir, 'pki'), 'strongSwan PDP CA');
    const server = await issue(join(dir, 'pki'), ca, { name: 'aaa', cn: SERVER_NAME, san: [SERVER_NAME], flags: ['serverAuth'] });
    const imvConfig = join(dir, 'pdp-tnc_config');
    writeFileSync(imvConfig, `IMV "Test" ${join(ss.imcDir, 'imv-test.so')}\n`);
    pdp = await startCharon(scope, {
      name: 'ss-pdp',
      netns: topo.alice.name,
      dir: join(dir, 'alice'),
      binary: ss.charon,
      plugins: PDP_PLUGINS,
      charonSection: `  tnc {
    tnc_config = ${imvConfig}
  }
  plugins {
    tnc-pdp {
      server = ${SERVER_NAME}
      radius {
        enable = yes
        port = 1812
        secret = ${SECRET}
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
      logLevels: 'default = 1\n      cfg = 2\n      tnc = 2\n      imv = 2',
      swanctlConf: `secrets {\n  eap-carol {\n    id = ${CAROL.name}\n    secret = "${CAROL.password}"\n  }\n  eap-dave {\n    id = ${DAVE.name}\n    secret = "${DAVE.password}"\n  }\n}\n`,
      files: { caCerts: [ca.certPath], certs: [server.certPath], keys: [server.keyPath] },
      extraConfig: 'libtls {\n  version_max = 1.2\n}\n',
      readyTimeoutMs: 20_000,
    });
    pep = await startPep(scope, {
      netns: topo.moon.name,
      dir: join(dir, 'moon'),
      ipsecConf: referenceIpsecConf({ gatewayAuth: 'eap-only', moonId: MOON_ID, proposals: false, published: false }),
      ipsecSecrets: '# EAP-only\n',
      listen: REF.moonOutside,
      radius: [{ address: REF.alice, port: 1812, secret: SECRET }],
      kernel: 'auto',
    });
    const roadWarrior = (name: string, user: { name: string; password: string }, netns: string, command: 'allow' | 'isolate'): Promise<Charon> => {
      const o: RoadWarriorOptions = { user: user.name, password: user.password, gateway: REF.moonOutside, gatewayId: MOON_ID, gatewayAuth: 'eap-only', aaaId: SERVER_NAME, remoteTs: '10.0.0.0/8' };
      const tncConfig = join(dir, `${name}-tnc_config`);
      writeFileSync(tncConfig, `IMC "Test" ${join(ss.imcDir, 'imc-test.so')}\n`);
      return startCharon(scope, {
        name,
        netns,
        dir: join(dir, name),
        binary: ss.charon,
        plugins: TNC_ROAD_WARRIOR_PLUGINS,
        charonSection: `  tls {
    version_max = 1.2
  }
  tnc {
    tnc_config = ${tncConfig}
  }
  plugins {
    eap-ttls {
      phase2_method = md5
      max_message_count = 0
    }
    eap-tnc {
      protocol = tnccs-2.0
      max_message_count = 0
    }
    tnccs-20 {
      max_batch_size = 65522
      max_message_size = 65490
    }
  }`,
        extraConfig: `libimcv {\n  plugins {\n    imc-test {\n      command = ${command}\n    }\n  }\n}\n`,
        swanctlConf: roadWarriorSwanctlConf(o),
        files: { caCerts: [ca.certPath] },
        readyTimeoutMs: 20_000,
      });
    };
    [carol, dave] = await Promise.all([roadWarrior('carol', CAROL, topo.carol.name, 'allow'), roadWarrior('dave', DAVE, topo.dave.name, 'isolate')]);
  });
  after(() => scope.close());

  const evidence = (rw: Charon, rwSince: number, pepSince: number, pdpSince: number): string =>
    `--- ${rw.name} ---\n${rw.proc.lines.slice(rwSince).filter((l) => /EAP|TNC|IKE_AUTH|fail|error/i.test(l)).slice(-40).join('\n')}` +
    `\n--- pep ---\n${pep.messages(pepSince).slice(-30).join('\n')}\n--- strongSwan PDP ---\n${pdp.proc.lines.slice(pdpSince).slice(-30).join('\n')}`;

  it("carol (Test IMC allow): strongSwan's PDP says Filter-Id 'allow', rw-allow and a virtual IP", { timeout: 90_000 }, async () => {
    const since = pep.mark();
    const rwSince = carol.proc.mark();
    const pdpSince = pdp.proc.mark();
    const r = await carol.initiate('home', 'home', 40);
    assert.equal(r.code, 0, `carol initiate failed:\n${r.stdout}\n${evidence(carol, rwSince, since, pdpSince)}`);
    await carol.waitForLog(/PB-TNC access recommendation is 'Access Allowed'/, rwSince, 5000);
    // strongSwan's PDP ran PB-TNC over PT-EAP inside the tunnel our PEP relayed.
    await carol.waitForLog(/server requested EAP_PT_EAP authentication/, rwSince, 1000);
    await pep.waitForMsg(/^received RADIUS attribute Filter-Id: 'allow'$/, since, 5000);
    await pep.waitForMsg(/^EAP method EAP_TTLS succeeded, MSK established$/, since, 5000);
    await pep.waitForMsg(/^IKE_SA rw-allow\[\d+\] established between 192\.168\.0\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.100\[carol@strongswan\.org\]$/, since, 5000);
    const status = (await pep.cli(['status'])).stdout;
    assert.match(status, /remote 'carol@strongswan\.org' @ 192\.168\.0\.100\[4500\] EAP: 'carol@strongswan\.org' \[10\.3\.0\.\d+\]/, status);
  });

  it("dave (Test IMC isolate): Filter-Id 'isolate', the config switch to rw-isolate", { timeout: 90_000 }, async () => {
    const since = pep.mark();
    const rwSince = dave.proc.mark();
    const pdpSince = pdp.proc.mark();
    const r = await dave.initiate('home', 'home', 40);
    assert.equal(r.code, 0, `dave initiate failed:\n${r.stdout}\n${evidence(dave, rwSince, since, pdpSince)}`);
    await dave.waitForLog(/PB-TNC access recommendation is 'Quarantined'/, rwSince, 5000);
    await pep.waitForMsg(/^received RADIUS attribute Filter-Id: 'isolate'$/, since, 5000);
    await pep.waitForMsg(/^constraint check failed: group membership to 'allow' required$/, since, 5000);
    await pep.waitForMsg(/^switching to peer config 'rw-isolate'$/, since, 5000);
    await pep.waitForMsg(/^IKE_SA rw-isolate\[\d+\] established/, since, 5000);
    const status = (await pep.cli(['status'])).stdout;
    assert.match(status, /remote 'dave@strongswan\.org' @ 192\.168\.0\.200\[4500\] EAP: 'dave@strongswan\.org' \[10\.4\.0\.\d+\]/, status);
  });
});
