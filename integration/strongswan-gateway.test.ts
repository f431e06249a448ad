/**
 * The whole reference scenario with real strongSwan peers, one network namespace per host:
 * carol and dave (Debian charon, EAP-TTLS/MD5) connect to moon (Debian charon, eap-radius,
 * filter_id = yes), which relays EAP to the server under test in alice.
 *
 * - step 1: IKEv2 IKE_SA_INIT/IKE_AUTH with EAP, in both modes the scenario requires (one describe
 *   block per mode, each with its own namespaces, PDP and charons):
 *   - 'pubkey' (`leftauth=pubkey`): moon signs its AUTH payload with its certificate;
 *   - 'eap-only' (the published `leftauth=eap-ttls`, RFC 5998 EAP-only authentication): moon has
 *     no certificate and sends no AUTH before EAP; carol and dave accept that only because
 *     EAP-TTLS is mutual (the PDP's TLS certificate, checked against aaa_id, proves the server
 *     side), and moon's final AUTH is derived from the MSK the PDP sent in MS-MPPE keys; a road
 *     warrior that insists on moon's certificate (`remote.auth = pubkey`) refuses such a moon.
 * - step 2: moon relays EAP over RADIUS to alice (10.1.0.10)
 * - step 3: EAP-TTLS with inner EAP-MD5 (no PB-TNC: Debian's strongSwan client has none)
 * - step 6: Access-Accept with Filter-Id, Tunnel-Type ESP and MS-MPPE keys
 * - step 7: moon switches dave from rw-allow to rw-isolate, assigns virtual IPs, installs CHILD_SAs
 * - step 8: carol on the full network (ping alice through the tunnel), dave on the isolate network
 *
 * PDP_UNDER_TEST=ours|freeradius selects the server in alice (default ours).
 */
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createReferenceTopology, REF, type ReferenceTopology } from './lib/netns.js';
import { makePdpConfig, REFERENCE_USERS, SERVER_NAME } from './lib/pdp-config.js';
import { issue, makeCa } from './lib/pki.js';
import { Scope } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import type { RadiusServer } from './lib/radius-server.js';
import { startServerUnderTest } from './lib/server-under-test.js';
import {
  moonCharonSection,
  MOON_PLUGINS,
  moonSwanctlConf,
  ROAD_WARRIOR_PLUGINS,
  roadWarriorCharonSection,
  roadWarriorSwanctlConf,
  startCharon,
  type Charon,
  type CharonFiles,
  type GatewayAuth,
  type IkeSa,
  type MoonOptions,
  type RoadWarriorOptions,
} from './lib/strongswan.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'moon-alice-Secret-42';
const MOON_ID = 'moon.strongswan.org';
const [carolUser, daveUser] = REFERENCE_USERS as [(typeof REFERENCE_USERS)[0], (typeof REFERENCE_USERS)[0]];

const MODE_TITLE: Record<GatewayAuth, string> = {
  pubkey: 'moon signs AUTH with its certificate (leftauth=pubkey)',
  'eap-only': 'EAP-only, moon without a certificate (leftauth=eap-ttls, RFC 5998)',
};

/**
 * How the road warrior authenticated moon, from its charon log (5.9.8, ike_auth.c): in 'pubkey'
 * mode moon's first IKE_AUTH response carries CERT and AUTH, checked as a signature; in 'eap-only'
 * mode that response has no CERT and no AUTH (RFC 5998 section 2) and the initiator allows it
 * because its EAP method is mutual. In both modes moon's last AUTH is the MSK-based one ("with
 * EAP"), so that line proves the MSK from the PDP's MS-MPPE keys matches the client's.
 */
const GATEWAY_PROOF: Record<GatewayAuth, { readonly expect: readonly RegExp[]; readonly never: RegExp }> = {
  pubkey: {
    expect: [
      /parsed IKE_AUTH response 1 \[ IDr CERT AUTH EAP\/REQ\/ID \]/,
      /authentication of 'moon\.strongswan\.org' with (RSA|ECDSA|ED25519|ED448)\S* successful/,
      /authentication of 'moon\.strongswan\.org' with EAP successful/,
    ],
    never: /EAP-only authentication/,
  },
  'eap-only': {
    expect: [
      /parsed IKE_AUTH response 1 \[ IDr EAP\/REQ\/ID \]/,
      /allow mutual EAP-only authentication/,
      /authentication of 'moon\.strongswan\.org' with EAP successful/,
    ],
    never: /authentication of 'moon\.strongswan\.org' with (RSA|ECDSA|ED25519|ED448)/,
  },
};

/** Waits for the mode's proof lines in a road warrior's log, in order, and for no contrary line. */
async function assertGatewayProof(rw: Charon, gatewayAuth: GatewayAuth, since: number): Promise<void> {
  let from = since;
  for (const re of GATEWAY_PROOF[gatewayAuth].expect) {
    await rw.waitForLog(re, from, 5000);
    from = rw.proc.lines.findIndex((l, i) => i >= from && re.test(l)) + 1;
  }
  const contrary = rw.proc.lines.slice(since).find((l) => GATEWAY_PROOF[gatewayAuth].never.test(l));
  assert.equal(contrary, undefined, `${rw.name} logged a line of the other gateway mode`);
}

function inPool(vip: string | undefined, prefix: string): boolean {
  return vip !== undefined && vip.startsWith(prefix);
}

function findSa(sas: readonly IkeSa[], user: string): IkeSa | undefined {
  return sas.find((sa) => sa.state === 'ESTABLISHED' && (sa.remoteId === user || sa.eapId === user));
}

for (const mode of ['pubkey', 'eap-only'] as const) describeGateway(mode);

function describeGateway(gatewayAuth: GatewayAuth): void {
  describe(`strongSwan gateway moon relays EAP-TTLS to alice, ${MODE_TITLE[gatewayAuth]} (REFERENCE-SCENARIO steps 1-3, 6-8)`, { timeout: 150_000 }, () => {
    const scope = new Scope();
    let topo: ReferenceTopology;
    let server: RadiusServer;
    let moon: Charon;
    let carol: Charon;
    let dave: Charon;
    let carolOptions: RoadWarriorOptions;

    before(async () => {
      assertPeers();
      const dir = makeTempDir(scope, `gateway-${gatewayAuth}`);
      topo = await createReferenceTopology(scope);

      const config = makePdpConfig({
        stateDir: join(dir, 'alice', 'state'),
        auth: { address: REF.alice, port: 1812 },
        accounting: { address: REF.alice, port: 1813 },
        clients: [{ name: 'moon', address: `${REF.moonInside}/32`, secret: SECRET, requireMessageAuthenticator: true }],
      });
      // moon's certificate and CA (IKEv2 AUTH signature, step 1), made while alice starts. In
      // EAP-only mode moon has no certificate at all: nothing but EAP-TTLS can prove it.
      const moonPki =
        gatewayAuth === 'pubkey'
          ? (async () => {
              const ca = await makeCa(join(dir, 'moon-pki'), 'strongSwan Root CA');
              const cert = await issue(join(dir, 'moon-pki'), ca, { name: 'moonCert', cn: MOON_ID, san: [MOON_ID], flags: ['serverAuth'] });
              return { ca, cert };
            })()
          : Promise.resolve(undefined);
      server = await startServerUnderTest(scope, config, { netns: topo.alice.name });
      const pki = await moonPki;

      const moonOpts: MoonOptions = {
        auth: gatewayAuth,
        radius: { address: REF.alice, port: 1812, secret: SECRET },
        ...(pki ? { moonCert: pki.cert.certPath, moonKey: pki.cert.keyPath } : {}),
        moonId: MOON_ID,
        outside: REF.moonOutside,
        allowPool: '10.3.0.0/24',
        isolatePool: '10.4.0.0/24',
        allowSubnet: '10.1.0.0/16',
        isolateSubnet: '10.2.0.0/16',
      };
      const moonFiles: CharonFiles = pki ? { caCerts: [pki.ca.certPath], certs: [pki.cert.certPath], keys: [pki.cert.keyPath] } : {};
      // The road warriors trust the PDP's CA (TTLS server certificate) and, in pubkey mode, moon's CA.
      const trusted = [server.caCertPath, ...(pki ? [pki.ca.certPath] : [])];
      const roadWarrior = (name: string, user: (typeof REFERENCE_USERS)[0], netns: string): Promise<Charon> => {
        const o: RoadWarriorOptions = {
          user: user.name,
          password: user.password,
          gateway: REF.moonOutside,
          gatewayId: MOON_ID,
          gatewayAuth,
          aaaId: SERVER_NAME,
          remoteTs: '10.0.0.0/8',
        };
        if (name === 'carol') carolOptions = o;
        return startCharon(scope, {
          name,
          netns,
          dir: join(dir, name),
          plugins: ROAD_WARRIOR_PLUGINS,
          charonSection: roadWarriorCharonSection(o),
          swanctlConf: roadWarriorSwanctlConf(o),
          files: { caCerts: trusted.map((p, i) => copyAs(p, join(dir, `${name}-ca${i}.crt`))) },
        });
      };
      [moon, carol, dave] = await Promise.all([
        startCharon(scope, {
          name: 'moon',
          netns: topo.moon.name,
          dir: join(dir, 'moon'),
          plugins: MOON_PLUGINS,
          charonSection: moonCharonSection(moonOpts),
          swanctlConf: moonSwanctlConf(moonOpts),
          files: moonFiles,
        }),
        roadWarrior('carol', carolUser, topo.carol.name),
        roadWarrior('dave', daveUser, topo.dave.name),
      ]);
    });
    after(() => scope.close());

    it('carol (group allow) gets rw-allow, a virtual IP from 10.3.0.0/24 and reaches alice through the tunnel', { timeout: 60_000 }, async () => {
      const since = moon.proc.mark();
      const carolSince = carol.proc.mark();
      const serverSince = server.mark();
      const r = await carol.initiate('home', 'home', 20);
      assert.equal(r.code, 0, `carol initiate failed:\n${r.stdout}\n${r.stderr}\n--- moon ---\n${moon.proc.tail(60)}`);
      await assertGatewayProof(carol, gatewayAuth, carolSince);
      await moon.waitForLog(/received RADIUS attribute Filter-Id: 'allow'/, since, 5000);
      await moon.waitForLog(/IKE_SA rw-allow\[\d+\] established/, since, 5000);
      const sa = findSa(await moon.listSas(), carolUser.name);
      assert.ok(sa, 'carol IKE_SA on moon');
      assert.equal(sa.name, 'rw-allow');
      assert.ok(inPool(sa.vips[0], '10.3.0.'), `carol's virtual IP ${sa.vips.join(',')}`);
      const child = sa.children[0];
      assert.equal(child?.state, 'INSTALLED');
      assert.deepEqual(child?.localTs, ['10.1.0.0/16']);

      // step 8: carol on the full network — ping alice through the userspace ESP tunnel.
      const ping = await carol.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', REF.alice]);
      assert.equal(ping.code, 0, `ping alice from carol:\n${ping.stdout}\n${ping.stderr}`);
      const after = findSa(await moon.listSas(), carolUser.name);
      assert.ok((after?.children[0]?.bytesIn ?? 0) > 0, 'ESP bytes counted on moon');

      const c = await server.waitForConversation((x) => x.user === carolUser.name, serverSince, 5000);
      if (server.kind === 'ours') assert.equal(c?.group, 'allow');
    });

    it('dave (group isolate) is switched from rw-allow to rw-isolate and lands on the isolate network', { timeout: 60_000 }, async () => {
      const since = moon.proc.mark();
      const daveSince = dave.proc.mark();
      const serverSince = server.mark();
      const r = await dave.initiate('home', 'home', 20);
      assert.equal(r.code, 0, `dave initiate failed:\n${r.stdout}\n${r.stderr}\n--- moon ---\n${moon.proc.tail(60)}`);
      await assertGatewayProof(dave, gatewayAuth, daveSince);
      await moon.waitForLog(/received RADIUS attribute Tunnel-Type: tag = 0, value = 9/, since, 5000);
      await moon.waitForLog(/received RADIUS attribute Filter-Id: 'isolate'/, since, 5000);
      await moon.waitForLog(/constraint check failed: group membership to 'allow' required/, since, 5000);
      await moon.waitForLog(/switching to peer config 'rw-isolate'/, since, 5000);
      await moon.waitForLog(/IKE_SA rw-isolate\[\d+\] established/, since, 5000);
      const sa = findSa(await moon.listSas(), daveUser.name);
      assert.ok(sa, 'dave IKE_SA on moon');
      assert.equal(sa.name, 'rw-isolate');
      assert.ok(inPool(sa.vips[0], '10.4.0.'), `dave's virtual IP ${sa.vips.join(',')}`);
      assert.deepEqual(sa.children[0]?.localTs, ['10.2.0.0/16']);

      // step 8: the isolate network answers (moon's own 10.2.0.1), the full network is not routed.
      const ping = await dave.exec('ping', ['-c', '2', '-i', '0.2', '-W', '2', REF.moonIsolate]);
      assert.equal(ping.code, 0, `ping isolate network from dave:\n${ping.stdout}\n${ping.stderr}`);
      const blocked = await dave.exec('ping', ['-c', '1', '-W', '1', REF.alice]);
      assert.notEqual(blocked.code, 0, 'dave must not reach alice on the full network');

      const c = await server.waitForConversation((x) => x.user === daveUser.name, serverSince, 5000);
      if (server.kind === 'ours') assert.equal(c?.group, 'isolate');

      // carol is still there, on rw-allow: both road warriors side by side on moon.
      const names = (await moon.listSas()).map((s) => `${s.name}:${s.remoteId}`).sort();
      assert.deepEqual(names, [`rw-allow:${carolUser.name}`, `rw-isolate:${daveUser.name}`]);
    });

    if (gatewayAuth === 'eap-only') {
      it('a road warrior that insists on a certificate from moon (remote.auth = pubkey) refuses the EAP-only moon', { timeout: 30_000 }, async () => {
        // Carol's config swapped for one that requires moon's signature: the mutual EAP-TTLS run
        // alone must not satisfy it (RFC 5998 leaves that decision to the initiator's policy).
        writeFileSync(join(carol.dir, 'swanctl', 'swanctl.conf'), roadWarriorSwanctlConf({ ...carolOptions, gatewayAuth: 'pubkey' }));
        await carol.swanctl(['--load-conns']);
        const since = carol.proc.mark();
        const r = await carol.initiate('home', 'home', 10);
        assert.notEqual(r.code, 0, `carol must not establish with an EAP-only moon:\n${r.stdout}`);
        await carol.waitForLog(/constraint requires public key authentication, but EAP was used/, since, 5000);
      });
    }
  });
}

function copyAs(from: string, to: string): string {
  // Both CAs may be called ca.crt; give each a unique file name in x509ca/.
  copyFileSync(from, to);
  return to;
}
