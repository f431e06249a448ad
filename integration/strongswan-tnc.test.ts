/**
 * The reference scenario with strongSwan's REAL PB-TNC client: carol and dave run the TNC-built
 * charon 5.9.8 (lib/strongswan-tnc.ts: tnc-imc, tnc-tnccs, tnccs-20, eap-tnc and the OS, Scanner
 * and Test IMCs, which Debian's packages lack) and connect to moon (Debian's charon, eap-radius,
 * filter_id = yes), which relays EAP to our PDP in alice with posture on (`eap.tnc`).
 *
 * - step 1: IKEv2 IKE_SA_INIT/IKE_AUTH with EAP (moon signs AUTH with its certificate)
 * - step 2: moon relays EAP over RADIUS to alice (10.1.0.10)
 * - step 3: EAP-TTLS, inner EAP-MD5, then PB-TNC inside TTLS: PT-EAP (EAP type 54, RFC 7171) in
 *   one describe block, the legacy EAP-TNC (type 38) in the other (`eap.tnc.method`)
 * - steps 4, 5: the real IMCs (OS: this host's Debian data; Scanner: open ports; Test: the
 *   recommendation set by `libimcv.plugins.imc-test.command`) against our IMVs; carol's Test IMC
 *   says allow, dave's isolate, a third road warrior (eve, in dave's namespace after dave) block.
 *   The client logs "PB-TNC access recommendation is '...'" (libtnccs/plugins/tnccs_20/tnccs_20_client.c)
 * - step 6: Access-Accept Filter-Id allow / isolate from the merged recommendation (all users are
 *   configured with group allow: isolate can come only from posture); Access-Reject for no access
 * - step 7: moon switches dave from rw-allow to rw-isolate; eve's IKE_AUTH fails
 *
 * Always our PDP (FreeRADIUS has no PB-TNC server): the suite says so if PDP_UNDER_TEST asks
 * otherwise. Needs the TNC build (built once per machine, cached; a few minutes the first time).
 *
 *   node --import tsx --test integration/strongswan-tnc.test.ts
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createReferenceTopology, REF, type ReferenceTopology } from './lib/netns.js';
import { makePdpConfig, SERVER_NAME, type PdpUser } from './lib/pdp-config.js';
import { issue, makeCa } from './lib/pki.js';
import { Scope } from './lib/proc.js';
import type { ConversationFinished, RadiusServer } from './lib/radius-server.js';
import { assertPeers } from './lib/require-peers.js';
import { startServerUnderTest } from './lib/server-under-test.js';
import {
  moonCharonSection,
  MOON_PLUGINS,
  moonSwanctlConf,
  roadWarriorSwanctlConf,
  startCharon,
  type Charon,
  type IkeSa,
  type MoonOptions,
  type RoadWarriorOptions,
} from './lib/strongswan.js';
import { ensureStrongswanTnc, TNC_ROAD_WARRIOR_PLUGINS, type StrongswanTnc } from './lib/strongswan-tnc.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'moon-alice-Secret-42';
const MOON_ID = 'moon.strongswan.org';

type ImcTestCommand = 'allow' | 'isolate' | 'block';
type TncMethod = 'pt-eap' | 'eap-tnc';

/** All configured with group allow: only posture can isolate or refuse them. */
const CAROL: PdpUser = { name: 'carol@strongswan.org', password: 'Ar3etTnp', group: 'allow' };
const DAVE: PdpUser = { name: 'dave@strongswan.org', password: 'W7R0g3do', group: 'allow' };
const EVE: PdpUser = { name: 'eve@strongswan.org', password: 'Ev3Bl0ck', group: 'allow' };

/**
 * The client's PB-TNC lines (strongSwan 5.9.8 tnccs_20_client.c; pb_access_recommendation_code_names,
 * TNC_IMV_Evaluation_Result_names), as logged against our PDP.
 */
const CLIENT_RECOMMENDATION: Record<ImcTestCommand, RegExp> = {
  allow: /PB-TNC access recommendation is 'Access Allowed'/,
  isolate: /PB-TNC access recommendation is 'Quarantined'/,
  block: /PB-TNC access recommendation is 'Access Denied'/,
};
const CLIENT_ASSESSMENT: Record<ImcTestCommand, RegExp> = {
  allow: /PB-TNC assessment result is 'compliant'/,
  isolate: /PB-TNC assessment result is 'non-compliant minor'/,
  block: /PB-TNC assessment result is 'non-compliant major'/,
};


function tncCharonSection(tncConfig: string): string {
  // PEERS.md: max_message_count = 0 for long exchanges, batch/message sizes for PB-TNC over EAP.
  return `  tls {
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
    tnc-imc {
      preferred_language = en
    }
  }`;
}

function libimcvSection(command: ImcTestCommand, deviceId: string): string {
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

function findSa(sas: readonly IkeSa[], user: string): IkeSa | undefined {
  return sas.find((sa) => sa.state === 'ESTABLISHED' && (sa.remoteId === user || sa.eapId === user));
}

function lines(c: Charon, since: number, re: RegExp): string[] {
  return c.proc.lines.slice(since).filter((l) => re.test(l));
}

for (const method of ['pt-eap', 'eap-tnc'] as const) describeTnc(method);

function describeTnc(method: TncMethod): void {
  const title = method === 'pt-eap' ? 'PT-EAP (EAP type 54)' : 'legacy EAP-TNC (EAP type 38)';
  describe(`strongSwan's real PB-TNC client (OS, Scanner, Test IMCs) over ${title} through moon to our PDP (REFERENCE-SCENARIO steps 1-7)`, { timeout: 900_000 }, () => {
    const scope = new Scope();
    let ss: StrongswanTnc;
    let topo: ReferenceTopology;
    let server: RadiusServer;
    let moon: Charon;
    let carol: Charon;
    let dave: Charon;
    let dir: string;
    let trusted: string[];

    const roadWarrior = (name: string, user: PdpUser, netns: string, command: ImcTestCommand): Promise<Charon> => {
      const o: RoadWarriorOptions = {
        user: user.name,
        password: user.password,
        gateway: REF.moonOutside,
        gatewayId: MOON_ID,
        gatewayAuth: 'pubkey',
        aaaId: SERVER_NAME,
        remoteTs: '10.0.0.0/8',
      };
      const tncConfig = join(dir, `${name}-tnc_config`);
      writeFileSync(
        tncConfig,
        [
          `IMC "OS" ${join(ss.imcDir, 'imc-os.so')}`,
          `IMC "Scanner" ${join(ss.imcDir, 'imc-scanner.so')}`,
          `IMC "Test" ${join(ss.imcDir, 'imc-test.so')}`,
          '',
        ].join('\n'),
      );
      return startCharon(scope, {
        name,
        netns,
        dir: join(dir, name),
        binary: ss.charon,
        plugins: TNC_ROAD_WARRIOR_PLUGINS,
        charonSection: tncCharonSection(tncConfig),
        extraConfig: libimcvSection(command, `${name}-${method}-device`),
        swanctlConf: roadWarriorSwanctlConf(o),
        files: { caCerts: trusted.map((p, i) => copyAs(p, join(dir, `${name}-ca${i}.crt`))) },
        readyTimeoutMs: 20_000,
      });
    };

    before(async () => {
      if ((process.env['PDP_UNDER_TEST'] ?? 'ours') !== 'ours') {
        process.stderr.write(`strongswan-tnc: always our PDP (PDP_UNDER_TEST=${process.env['PDP_UNDER_TEST']} ignored: FreeRADIUS has no PB-TNC)\n`);
      }
      assertPeers();
      ss = await ensureStrongswanTnc();
      dir = makeTempDir(scope, `tnc-${method}`);
      topo = await createReferenceTopology(scope);

      const config = makePdpConfig({
        stateDir: join(dir, 'alice', 'state'),
        auth: { address: REF.alice, port: 1812 },
        accounting: { address: REF.alice, port: 1813 },
        clients: [{ name: 'moon', address: `${REF.moonInside}/32`, secret: SECRET, requireMessageAuthenticator: true }],
        users: [CAROL, DAVE, EVE],
        maxVersion: 'TLSv1.2',
        tnc: { method },
        posture: { imvs: { os: {}, scanner: { blockedPorts: ['tcp/8000'] }, test: {} }, recommendationPolicy: 'default', noRecommendation: 'isolate' },
      });
      const moonPki = (async () => {
        const ca = await makeCa(join(dir, 'moon-pki'), 'strongSwan Root CA');
        const cert = await issue(join(dir, 'moon-pki'), ca, { name: 'moonCert', cn: MOON_ID, san: [MOON_ID], flags: ['serverAuth'] });
        return { ca, cert };
      })();
      server = await startServerUnderTest(scope, config, { netns: topo.alice.name, kind: 'ours' });
      const pki = await moonPki;
      trusted = [server.caCertPath, pki.ca.certPath];
      const moonOpts: MoonOptions = {
        auth: 'pubkey',
        radius: { address: REF.alice, port: 1812, secret: SECRET },
        moonCert: pki.cert.certPath,
        moonKey: pki.cert.keyPath,
        moonId: MOON_ID,
        outside: REF.moonOutside,
        allowPool: '10.3.0.0/24',
        isolatePool: '10.4.0.0/24',
        allowSubnet: '10.1.0.0/16',
        isolateSubnet: '10.2.0.0/16',
      };
      [moon, carol, dave] = await Promise.all([
        startCharon(scope, {
          name: 'moon',
          netns: topo.moon.name,
          dir: join(dir, 'moon'),
          plugins: MOON_PLUGINS,
          charonSection: moonCharonSection(moonOpts),
          swanctlConf: moonSwanctlConf(moonOpts),
          files: { caCerts: [pki.ca.certPath], certs: [pki.cert.certPath], keys: [pki.cert.keyPath] },
        }),
        roadWarrior('carol', CAROL, topo.carol.name, 'allow'),
        roadWarrior('dave', DAVE, topo.dave.name, 'isolate'),
      ]);
      // The real IMCs are loaded from tnc_config (logged at start-up, before any mark).
      for (const rw of [carol, dave]) {
        for (const imc of ['OS', 'Scanner', 'Test']) {
          assert.ok(lines(rw, 0, new RegExp(`IMC \\d+ "${imc}" loaded from`)).length > 0, `${rw.name}: IMC ${imc} not loaded\n${rw.proc.tail(40)}`);
        }
      }
    });
    after(() => scope.close());

    /** Explains a failed initiate with the evidence of all three sides. */
    const evidence = (rw: Charon, rwSince: number, moonSince: number, serverSince: number): string =>
      `--- ${rw.name} (TNC/EAP lines) ---\n${lines(rw, rwSince, /TNC|IMC|EAP|PB-|PA-TNC|tnccs|error|fail/i).slice(-80).join('\n')}` +
      `\n--- moon ---\n${moon.proc.lines.slice(moonSince).slice(-40).join('\n')}` +
      `\n--- pdp ---\n${server.proc.lines.slice(serverSince).slice(-60).join('\n')}`;

    async function connect(rw: Charon, user: PdpUser, command: ImcTestCommand): Promise<{ conv: ConversationFinished | undefined; rwSince: number; moonSince: number }> {
      const moonSince = moon.proc.mark();
      const rwSince = rw.proc.mark();
      const serverSince = server.mark();
      const r = await rw.initiate('home', 'home', 40);
      const ev = (): string => `${r.stdout}\n${r.stderr}\n${evidence(rw, rwSince, moonSince, serverSince)}`;
      if (command === 'block') assert.notEqual(r.code, 0, `${rw.name} must not establish with Test IMC command block:\n${ev()}`);
      else assert.equal(r.code, 0, `${rw.name} initiate failed:\n${ev()}`);
      // The real PB-TNC client's own view (steps 4-5): the recommendation our PDP sent.
      await rw.waitForLog(CLIENT_RECOMMENDATION[command], rwSince, 5000).catch((err: Error) => {
        throw new Error(`${err.message}\n${ev()}`);
      });
      assert.ok(lines(rw, rwSince, CLIENT_ASSESSMENT[command]).length > 0, `${rw.name}: assessment result line\n${lines(rw, rwSince, /PB-TNC/).join('\n')}`);
      // Which PT our PDP started inside TTLS (eap_ttls_peer.c): PT-EAP = type 54, EAP-TNC = 38.
      const [ptLine, otherPt] =
        method === 'pt-eap'
          ? [/server requested EAP_PT_EAP authentication/, /server requested EAP_TNC authentication/]
          : [/server requested EAP_TNC authentication/, /server requested EAP_PT_EAP authentication/];
      assert.ok(lines(rw, rwSince, ptLine).length > 0, `${rw.name}: no ${ptLine} line\n${lines(rw, rwSince, /EAP/).join('\n')}`);
      assert.deepEqual(lines(rw, rwSince, otherPt), [], `${rw.name}: the other PT was requested`);
      const conv = await server.waitForConversation((c) => c.user === user.name, serverSince, 5000);
      assert.equal(conv?.method, `ttls/${method}`);
      return { conv, rwSince, moonSince };
    }

    it('carol (Test IMC: allow) gets Access Allowed, Filter-Id allow and rw-allow', { timeout: 90_000 }, async () => {
      const { conv, moonSince } = await connect(carol, CAROL, 'allow');
      await moon.waitForLog(/received RADIUS attribute Filter-Id: 'allow'/, moonSince, 5000);
      await moon.waitForLog(/IKE_SA rw-allow\[\d+\] established/, moonSince, 5000);
      const sa = findSa(await moon.listSas(), CAROL.name);
      assert.ok(sa, 'carol IKE_SA on moon');
      assert.equal(sa.name, 'rw-allow');
      assert.ok(sa.vips[0]?.startsWith('10.3.0.'), `carol's virtual IP ${sa.vips.join(',')}`);
      assert.equal(conv?.outcome, 'accept');
      assert.equal(conv?.posture, 'allow');
      assert.equal(conv?.group, 'allow');
    });

    it('dave (Test IMC: isolate) gets Quarantined, Filter-Id isolate and is switched to rw-isolate', { timeout: 90_000 }, async () => {
      const { conv, moonSince } = await connect(dave, DAVE, 'isolate');
      await moon.waitForLog(/received RADIUS attribute Filter-Id: 'isolate'/, moonSince, 5000);
      await moon.waitForLog(/switching to peer config 'rw-isolate'/, moonSince, 5000);
      await moon.waitForLog(/IKE_SA rw-isolate\[\d+\] established/, moonSince, 5000);
      const sa = findSa(await moon.listSas(), DAVE.name);
      assert.ok(sa, 'dave IKE_SA on moon');
      assert.equal(sa.name, 'rw-isolate');
      assert.ok(sa.vips[0]?.startsWith('10.4.0.'), `dave's virtual IP ${sa.vips.join(',')}`);
      assert.deepEqual(sa.children[0]?.localTs, ['10.2.0.0/16']);
      assert.equal(conv?.outcome, 'accept');
      assert.equal(conv?.posture, 'isolate');
      assert.equal(conv?.group, 'isolate');
      const names = (await moon.listSas()).map((s) => `${s.name}:${s.remoteId}`).sort();
      assert.deepEqual(names, [`rw-allow:${CAROL.name}`, `rw-isolate:${DAVE.name}`]);
    });

    it('eve (Test IMC: block, in dave\'s namespace) gets Access Denied, Access-Reject and no IKE_SA', { timeout: 90_000 }, async () => {
      await dave.proc.stop();
      const eve = await roadWarrior('eve', EVE, topo.dave.name, 'block');
      const { conv, moonSince } = await connect(eve, EVE, 'block');
      await moon.waitForLog(/received RADIUS Access-Reject/, moonSince, 5000);
      assert.equal(findSa(await moon.listSas(), EVE.name), undefined, 'eve must have no IKE_SA on moon');
      assert.equal(conv?.outcome, 'reject');
      assert.equal(conv?.posture, 'no-access');
    });
  });
}

function copyAs(from: string, to: string): string {
  copyFileSync(from, to);
  return to;
}
