/**
 * REFERENCE-SCENARIO step 8 with a real gateway: an administrator quarantines a connected
 * strongSwan client through the GraphQL admin API, and the PDP carries it out with an RFC 5176
 * Disconnect-Request to the NAS.
 *
 * moon (Debian charon 5.9.8, eap-radius with `dae { enable = yes }` and accounting) relays carol's
 * EAP-TTLS/MD5 to our PDP in alice; carol gets rw-allow and a virtual IP. Then, from alice's
 * namespace, `mutation { quarantineEndpoint(endpoint: "carol@strongswan.org") }` with an admin
 * token: the PDP finds carol's active session (opened on Access-Accept, kept current by moon's
 * accounting), takes moon's secret from the RADIUS client table and sends a Disconnect-Request
 * (User-Name, Acct-Session-Id, Framed-IP-Address, Message-Authenticator) to 10.1.0.1:3799. moon logs
 * "received RADIUS DAE Disconnect-Request for carol@strongswan.org", closes the IKE_SA, answers
 * Disconnect-ACK (the mutation's result), and `swanctl --list-sas` no longer shows carol.
 * Before that, reassessEndpoint sends a CoA-Request with Session-Timeout 5: moon applies it as the
 * IKE_SA's authentication lifetime (CoA-ACK) and tells carol, who re-authenticates at once (a new
 * EAP-TTLS conversation with the PDP, a new IKE_SA). A read-only token gets FORBIDDEN and nothing is sent; quarantining an endpoint that is not
 * connected gets NOT_CONNECTED. (Our own PEP honours Disconnect-Request later: pep/.)
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createReferenceTopology, REF, type ReferenceTopology } from './lib/netns.js';
import { makePdpConfig, REFERENCE_USERS, SERVER_NAME } from './lib/pdp-config.js';
import { Scope } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import type { RadiusServer } from './lib/radius-server.js';
import { startServerUnderTest } from './lib/server-under-test.js';
import { moonCharonSection, MOON_PLUGINS, moonSwanctlConf, ROAD_WARRIOR_PLUGINS, roadWarriorCharonSection, roadWarriorSwanctlConf, startCharon, type Charon, type MoonOptions } from './lib/strongswan.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'moon-alice-Dae-Secret-7';
const ADMIN_TOKEN = 'coa-test-admin-token-0123456789';
const READER_TOKEN = 'coa-test-reader-token-0123456789';
const ADMIN_PORT = 18080;
const MOON_ID = 'moon.strongswan.org';
const carolUser = REFERENCE_USERS[0]!;

/** moon's eap-radius with the Dynamic Authorization Extension and accounting switched on. */
function moonWithDae(o: MoonOptions): string {
  const section = moonCharonSection(o);
  assert.ok(section.includes('filter_id = yes'));
  return section.replace(
    'filter_id = yes',
    `filter_id = yes
      accounting = yes
      dae {
        enable = yes
        listen = ${REF.moonInside}
        port = 3799
        secret = "${SECRET}"
      }`,
  );
}

describe('GraphQL quarantineEndpoint disconnects a strongSwan client through moon (RFC 5176 Disconnect-Request, REFERENCE-SCENARIO step 8)', { timeout: 150_000 }, () => {
  const scope = new Scope();
  let topo: ReferenceTopology;
  let server: RadiusServer;
  let moon: Charon;
  let carol: Charon;

  /** POST a GraphQL request to the admin API inside alice's namespace (curl there). */
  async function gql(query: string, token: string): Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
    const r = await topo.alice.exec('curl', ['-sS', '--max-time', '20', '-H', 'content-type: application/json', '-H', `authorization: Bearer ${token}`, '--data', JSON.stringify({ query }), `http://127.0.0.1:${ADMIN_PORT}/graphql`], 25_000);
    return JSON.parse(r.stdout) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  }

  before(async () => {
    assertPeers();
    const dir = makeTempDir(scope, 'admin-coa');
    topo = await createReferenceTopology(scope);
    const base = makePdpConfig({
      stateDir: join(dir, 'alice', 'state'),
      auth: { address: REF.alice, port: 1812 },
      accounting: { address: REF.alice, port: 1813 },
      clients: [{ name: 'moon', address: `${REF.moonInside}/32`, secret: SECRET, requireMessageAuthenticator: true }],
    });
    const config = {
      ...base,
      admin: {
        listen: { address: '127.0.0.1', port: ADMIN_PORT },
        tokens: [
          { name: 'ops', token: ADMIN_TOKEN, role: 'admin' },
          { name: 'auditor', token: READER_TOKEN, role: 'read-only' },
        ],
      },
    };
    server = await startServerUnderTest(scope, config, { netns: topo.alice.name, kind: 'ours' });
    await server.proc.waitForJson((o) => o['event'] === 'admin.listening', { timeoutMs: 10_000, what: 'admin.listening' });
    const moonOpts: MoonOptions = {
      auth: 'eap-only',
      radius: { address: REF.alice, port: 1812, secret: SECRET },
      moonId: MOON_ID,
      outside: REF.moonOutside,
      allowPool: '10.3.0.0/24',
      isolatePool: '10.4.0.0/24',
      allowSubnet: '10.1.0.0/16',
      isolateSubnet: '10.2.0.0/16',
    };
    const carolOpts = { user: carolUser.name, password: carolUser.password, gateway: REF.moonOutside, gatewayId: MOON_ID, gatewayAuth: 'eap-only' as const, aaaId: SERVER_NAME, remoteTs: '10.0.0.0/8' };
    const ca = join(dir, 'carol-ca0.crt');
    copyFileSync(server.caCertPath, ca);
    [moon, carol] = await Promise.all([
      startCharon(scope, { name: 'moon', netns: topo.moon.name, dir: join(dir, 'moon'), plugins: MOON_PLUGINS, charonSection: moonWithDae(moonOpts), swanctlConf: moonSwanctlConf(moonOpts) }),
      startCharon(scope, { name: 'carol', netns: topo.carol.name, dir: join(dir, 'carol'), plugins: ROAD_WARRIOR_PLUGINS, charonSection: roadWarriorCharonSection(carolOpts), swanctlConf: roadWarriorSwanctlConf(carolOpts), files: { caCerts: [ca] } }),
    ]);
  });
  after(() => scope.close());

  it('carol connects, the admin API shows her active session with moon\'s accounting (virtual IP)', { timeout: 60_000 }, async () => {
    const since = moon.proc.mark();
    const r = await carol.initiate('home', 'home', 20);
    assert.equal(r.code, 0, `carol initiate failed:\n${r.stdout}\n${r.stderr}\n--- moon ---\n${moon.proc.tail(60)}`);
    await moon.waitForLog(/IKE_SA rw-allow\[\d+\] established/, since, 5000);
    const sa = (await moon.listSas()).find((s) => s.remoteId === carolUser.name || s.eapId === carolUser.name);
    assert.ok(sa, 'carol IKE_SA on moon');
    const vip = sa.vips[0];
    // moon sends Accounting-Start with Framed-IP-Address once the IKE_SA is up.
    await server.proc.waitForJson((o) => o['event'] === 'accounting.recorded' && o['status'] === 'start', { timeoutMs: 10_000, what: 'Accounting-Start from moon' });
    const a = await gql(`{ activeSessions(user: "${carolUser.name}") { edges { node { user nas nasAddress framedIp acctSessionId filterGroup state } } } }`, READER_TOKEN);
    assert.equal(a.errors, undefined, JSON.stringify(a.errors));
    const node = a.data.activeSessions.edges[0]?.node;
    assert.equal(node?.user, carolUser.name);
    assert.equal(node?.nas, 'moon');
    assert.equal(node?.nasAddress, REF.moonInside);
    assert.equal(node?.filterGroup, 'allow');
    assert.equal(node?.framedIp, vip);
  });

  it('a read-only token may not quarantine: FORBIDDEN, and moon receives nothing', async () => {
    const since = moon.proc.mark();
    const r = await gql(`mutation { quarantineEndpoint(endpoint: "${carolUser.name}") { endpoint } }`, READER_TOKEN);
    assert.equal(r.errors?.[0]?.extensions?.['code'], 'FORBIDDEN');
    await new Promise((res) => setTimeout(res, 500));
    assert.ok(!moon.proc.lines.slice(since).some((l) => /RADIUS DAE/.test(l)), 'no DAE request reached moon');
    assert.ok((await moon.listSas()).some((s) => s.remoteId === carolUser.name));
  });

  it('reassessEndpoint sends CoA-Request with Session-Timeout: carol re-authenticates through moon to the PDP', { timeout: 60_000 }, async () => {
    const since = moon.proc.mark();
    const carolSince = carol.proc.mark();
    const serverSince = server.mark();
    const r = await gql(`mutation { reassessEndpoint(endpoint: "${carolUser.name}", afterSeconds: 5) { replies { nas request outcome tries } } }`, ADMIN_TOKEN);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.deepEqual(r.data.reassessEndpoint.replies, [{ nas: 'moon', request: 'CoA-Request', outcome: 'ACK', tries: 1 }]);
    await moon.waitForLog(/applying 5s lifetime to 1 IKE_SA matching CoA-Request, sending CoA-ACK/, since, 5000);
    // moon tells carol (AUTH_LIFETIME notify); 5 s is below the IKE_SA's over time, so carol
    // re-authenticates at once: a new EAP-TTLS conversation with the PDP, a new rw-allow IKE_SA.
    await carol.waitForLog(/received AUTH_LIFETIME of \d+s, starting reauthentication/, carolSince, 10_000);
    const c = await server.waitForConversation((x) => x.user === carolUser.name, serverSince, 20_000);
    assert.equal(c?.group, 'allow');
    await moon.waitForLog(/IKE_SA rw-allow\[\d+\] established/, since, 20_000);
    await server.proc.waitForJson((o) => o['event'] === 'accounting.recorded' && o['status'] === 'start', { since: serverSince, timeoutMs: 10_000, what: 'Accounting-Start of the new IKE_SA' });
    const a = await gql(`{ activeSessions(user: "${carolUser.name}") { edges { node { state framedIp } } } }`, READER_TOKEN);
    assert.equal(a.data.activeSessions.edges.length, 1, `one open session after re-authentication: ${JSON.stringify(a.data)}`);
  });

  it('quarantineEndpoint sends Disconnect-Request; moon closes carol\'s IKE_SA and answers Disconnect-ACK', { timeout: 60_000 }, async () => {
    const since = moon.proc.mark();
    const serverSince = server.mark();
    const r = await gql(`mutation { quarantineEndpoint(endpoint: "${carolUser.name}") { endpoint replies { nas request outcome errorCause tries } } }`, ADMIN_TOKEN);
    assert.equal(r.errors, undefined, `${JSON.stringify(r.errors)}\n--- moon ---\n${moon.proc.tail(30)}`);
    assert.deepEqual(r.data.quarantineEndpoint, { endpoint: carolUser.name, replies: [{ nas: 'moon', request: 'Disconnect-Request', outcome: 'ACK', errorCause: null, tries: 1 }] });
    await moon.waitForLog(new RegExp(`received RADIUS DAE Disconnect-Request for ${carolUser.name.replace('.', '\\.')} from ${REF.alice.replace(/\./g, '\\.')}`), since, 5000);
    await moon.waitForLog(/closing 1 IKE_SA matching Disconnect-Request, sending Disconnect-ACK/, since, 5000);
    await moon.waitForLog(/deleting IKE_SA rw-allow\[\d+\]/, since, 10_000);
    // The IKE_SA is gone from moon (and carol was told with an INFORMATIONAL DELETE).
    let sas = await moon.listSas();
    for (let i = 0; i < 50 && sas.some((s) => s.remoteId === carolUser.name); i++) {
      await new Promise((res) => setTimeout(res, 100));
      sas = await moon.listSas();
    }
    assert.ok(!sas.some((s) => s.remoteId === carolUser.name || s.eapId === carolUser.name), `carol still on moon: ${JSON.stringify(sas)}`);
    await carol.waitForLog(/received DELETE for IKE_SA home\[\d+\]/, 0, 10_000);
    // The PDP logged the exchange with its outcome, and the stop from moon's accounting closed the session.
    await server.proc.waitForJson((o) => o['event'] === 'admin.dynamic-authorization' && o['outcome'] === 'ack' && o['actor'] === 'ops', { since: serverSince, timeoutMs: 5000, what: 'admin.dynamic-authorization' });
    await server.proc.waitForJson((o) => o['event'] === 'accounting.recorded' && o['status'] === 'stop', { since: serverSince, timeoutMs: 10_000, what: 'Accounting-Stop from moon' });
  });

  it('an endpoint that is not connected any more gets NOT_CONNECTED', async () => {
    const r = await gql(`mutation { quarantineEndpoint(endpoint: "${carolUser.name}") { endpoint } }`, ADMIN_TOKEN);
    assert.equal(r.errors?.[0]?.extensions?.['code'], 'NOT_CONNECTED', JSON.stringify(r));
  });
});
