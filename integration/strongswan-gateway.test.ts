/**
 * The whole reference scenario with real strongSwan peers, one network namespace per host:
 * carol and dave (Debian charon, EAP-TTLS/MD5) connect to moon (Debian charon, eap-radius,
 * filter_id = yes), which relays EAP to the server under test in alice.
 *
 * - step 1: IKEv2 IKE_SA_INIT/IKE_AUTH with EAP, moon signing AUTH with its certificate
 * - step 2: moon relays EAP over RADIUS to alice (10.1.0.10)
 * - step 3: EAP-TTLS with inner EAP-MD5 (no PB-TNC: Debian's strongSwan client has none)
 * - step 6: Access-Accept with Filter-Id, Tunnel-Type ESP and MS-MPPE keys
 * - step 7: moon switches dave from rw-allow to rw-isolate, assigns virtual IPs, installs CHILD_SAs
 * - step 8: carol on the full network (ping alice through the tunnel), dave on the isolate network
 *
 * PDP_UNDER_TEST=ours|freeradius selects the server in alice (default ours).
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
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
  type IkeSa,
  type MoonOptions,
} from './lib/strongswan.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'moon-alice-Secret-42';
const MOON_ID = 'moon.strongswan.org';
const [carolUser, daveUser] = REFERENCE_USERS as [(typeof REFERENCE_USERS)[0], (typeof REFERENCE_USERS)[0]];

function inPool(vip: string | undefined, prefix: string): boolean {
  return vip !== undefined && vip.startsWith(prefix);
}

function findSa(sas: readonly IkeSa[], user: string): IkeSa | undefined {
  return sas.find((sa) => sa.state === 'ESTABLISHED' && (sa.remoteId === user || sa.eapId === user));
}

describe('strongSwan gateway moon relays EAP-TTLS to alice (REFERENCE-SCENARIO steps 1-3, 6-8)', { timeout: 150_000 }, () => {
  const scope = new Scope();
  let topo: ReferenceTopology;
  let server: RadiusServer;
  let moon: Charon;
  let carol: Charon;
  let dave: Charon;

  before(async () => {
    assertPeers();
    const dir = makeTempDir(scope, 'gateway');
    topo = await createReferenceTopology(scope);

    const config = makePdpConfig({
      stateDir: join(dir, 'alice', 'state'),
      auth: { address: REF.alice, port: 1812 },
      accounting: { address: REF.alice, port: 1813 },
      clients: [{ name: 'moon', address: `${REF.moonInside}/32`, secret: SECRET, requireMessageAuthenticator: true }],
    });
    // moon's certificate and CA (IKEv2 AUTH, step 1), made while alice starts.
    const moonPki = (async () => {
      const ca = await makeCa(join(dir, 'moon-pki'), 'strongSwan Root CA');
      const cert = await issue(join(dir, 'moon-pki'), ca, { name: 'moonCert', cn: MOON_ID, san: [MOON_ID], flags: ['serverAuth'] });
      return { ca, cert };
    })();
    server = await startServerUnderTest(scope, config, { netns: topo.alice.name });
    const { ca, cert } = await moonPki;

    const moonOpts: MoonOptions = {
      radius: { address: REF.alice, port: 1812, secret: SECRET },
      moonCert: cert.certPath,
      moonKey: cert.keyPath,
      moonId: MOON_ID,
      outside: REF.moonOutside,
      allowPool: '10.3.0.0/24',
      isolatePool: '10.4.0.0/24',
      allowSubnet: '10.1.0.0/16',
      isolateSubnet: '10.2.0.0/16',
    };
    const roadWarrior = (name: string, user: (typeof REFERENCE_USERS)[0], netns: string): Promise<Charon> => {
      const o = {
        user: user.name,
        password: user.password,
        gateway: REF.moonOutside,
        gatewayId: MOON_ID,
        aaaId: SERVER_NAME,
        remoteTs: '10.0.0.0/8',
      };
      return startCharon(scope, {
        name,
        netns,
        dir: join(dir, name),
        plugins: ROAD_WARRIOR_PLUGINS,
        charonSection: roadWarriorCharonSection(o),
        swanctlConf: roadWarriorSwanctlConf(o),
        files: { caCerts: [ca.certPath, server.caCertPath].map((p, i) => copyAs(p, join(dir, `${name}-ca${i}.crt`))) },
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
        files: { caCerts: [ca.certPath], certs: [cert.certPath], keys: [cert.keyPath] },
      }),
      roadWarrior('carol', carolUser, topo.carol.name),
      roadWarrior('dave', daveUser, topo.dave.name),
    ]);
  });
  after(() => scope.close());

  it('carol (group allow) gets rw-allow, a virtual IP from 10.3.0.0/24 and reaches alice through the tunnel', { timeout: 60_000 }, async () => {
    const since = moon.proc.mark();
    const serverSince = server.mark();
    const r = await carol.initiate('home', 'home', 20);
    assert.equal(r.code, 0, `carol initiate failed:\n${r.stdout}\n${r.stderr}\n--- moon ---\n${moon.proc.tail(60)}`);
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

  it("dave (group isolate) is switched from rw-allow to rw-isolate and lands on the isolate network", { timeout: 60_000 }, async () => {
    const since = moon.proc.mark();
    const serverSince = server.mark();
    const r = await dave.initiate('home', 'home', 20);
    assert.equal(r.code, 0, `dave initiate failed:\n${r.stdout}\n${r.stderr}\n--- moon ---\n${moon.proc.tail(60)}`);
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
});

function copyAs(from: string, to: string): string {
  // Both CAs may be called ca.crt; give each a unique file name in x509ca/.
  copyFileSync(from, to);
  return to;
}
