/**
 * The reference scenario with OUR gateway: Debian's strongSwan clients carol and dave (EAP-TTLS
 * with inner EAP-MD5, kernel-libipsec, encap = yes) connect to our PEP (tnc-pep) in namespace moon,
 * which relays EAP over RADIUS to our PDP in alice (PDP_UNDER_TEST=freeradius puts FreeRADIUS
 * there instead: the PEP is not tied to our PDP).
 *
 * - step 1: IKE_SA_INIT / IKE_AUTH in both modes of the scenario (one describe block each, with
 *   its own namespaces, PDP, PEP and charons): 'eap-only' (the published `leftauth=eap-ttls`,
 *   RFC 5998: moon sends no AUTH before EAP, its final AUTH is derived from the MSK) and 'pubkey'
 *   (`leftauth=pubkey`: moon's first IKE_AUTH response carries its certificate and an RFC 7427
 *   signature);
 * - step 2: moon relays every EAP message to alice (Access-Request / Access-Challenge, State,
 *   Message-Authenticator);
 * - step 6: Access-Accept with Filter-Id, Tunnel-Type ESP and the MS-MPPE keys;
 * - step 7: dave's group 'isolate' fails rw-allow's constraint: moon logs strongSwan's events and
 *   switches to rw-isolate; virtual IPs from each config's pool; CHILD_SAs narrowed to the config's
 *   leftsubnet; the kernel has no ESP, so the XFRM state install fails (asserted) and our
 *   userspace ESP carries the traffic;
 * - step 8: carol reaches alice through the tunnel; dave reaches only the isolate network;
 * - next to the userspace data path, `ip xfrm policy` in moon lists each CHILD_SA's in/out/fwd
 *   policies, installed with an XFRM if_id (route-based, so they leave the TUN path alone);
 * - RADIUS accounting (`radius.accounting: true`): our PDP records carol's Start with her
 *   Framed-IP-Address (the virtual IP);
 * - RFC 5176: radclient in alice sends a Disconnect-Request for carol to moon's DAE port 3799;
 *   moon answers Disconnect-ACK, deletes her IKE_SA (carol's charon logs the DELETE) and accounts
 *   the Stop.
 * Compare integration/strongswan-gateway.test.ts: the same scenario with strongSwan as moon.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createReferenceTopology, REF, type ReferenceTopology } from './lib/netns.js';
import { makePdpConfig, REFERENCE_USERS, SERVER_NAME } from './lib/pdp-config.js';
import { issue, makeCa } from './lib/pki.js';
import { referenceIpsecConf, startPep, type Pep } from './lib/pep.js';
import { Scope } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import { serverKindFromEnv, type RadiusServer, type ServerKind } from './lib/radius-server.js';
import { startServerUnderTest } from './lib/server-under-test.js';
import { ROAD_WARRIOR_PLUGINS, roadWarriorCharonSection, roadWarriorSwanctlConf, startCharon, type Charon, type GatewayAuth, type RoadWarriorOptions } from './lib/strongswan.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'moon-alice-Secret-42';
const DAE_PORT = 3799;
/** What pep.yaml xfrmIfId defaults to (pep/daemon/child-installer.ts DEFAULT_XFRM_IF_ID = 4096). */
const IF_ID = /if_id 0x1000\b/;
const MOON_ID = 'moon.strongswan.org';
const [carolUser, daveUser] = REFERENCE_USERS as [(typeof REFERENCE_USERS)[0], (typeof REFERENCE_USERS)[0]];


function rawVip(listSas: string): string | undefined {
  return /local {2}'[^']*' @ \S+ \[([0-9.]+)\]/.exec(listSas)?.[1];
}

/** How carol's log shows moon's proof in each mode (strongSwan 5.9.8 ike_auth.c). */
const GATEWAY_PROOF: Record<GatewayAuth, readonly RegExp[]> = {
  'eap-only': [/parsed IKE_AUTH response 1 \[ IDr EAP\/REQ\/ID \]/, /allow mutual EAP-only authentication/, /authentication of 'moon\.strongswan\.org' with EAP successful/],
  pubkey: [
    /parsed IKE_AUTH response 1 \[ IDr CERT AUTH EAP\/REQ\/ID \]/,
    /authentication of 'moon\.strongswan\.org' with RSA_EMSA_PKCS1_SHA2_256 successful/,
    /authentication of 'moon\.strongswan\.org' with EAP successful/,
  ],
};

for (const mode of ['eap-only', 'pubkey'] as const) describeGateway(mode);
// The PEP is not tied to our PDP: FreeRADIUS in alice (EAP-TTLS/MD5, Filter-Id, Tunnel-Type, MPPE
// keys from its users file), unless the whole run already uses it.
if (serverKindFromEnv() !== 'freeradius') describeGateway('eap-only', 'freeradius');

function describeGateway(mode: GatewayAuth, kind?: ServerKind): void {
describe(`our PEP in moon relays EAP-TTLS to ${kind === 'freeradius' ? 'FreeRADIUS' : 'the PDP'} in alice, ${mode === 'pubkey' ? 'moon signs with its certificate (leftauth=pubkey)' : 'EAP-only (leftauth=eap-ttls, RFC 5998)'} (REFERENCE-SCENARIO steps 1-3, 6-8)`, { timeout: 180_000 }, () => {
  const scope = new Scope();
  let topo: ReferenceTopology;
  let server: RadiusServer;
  let pep: Pep;
  let carol: Charon;
  let dave: Charon;

  before(async () => {
    assertPeers();
    const dir = makeTempDir(scope, `pep-gateway-${mode}-${kind ?? 'env'}`);
    const moonPki =
      mode === 'pubkey'
        ? (async () => {
            const ca = await makeCa(join(dir, 'moon-pki'), 'strongSwan Root CA');
            const cert = await issue(join(dir, 'moon-pki'), ca, { name: 'moonCert', cn: MOON_ID, san: [MOON_ID], flags: ['serverAuth'] });
            return { ca, cert };
          })()
        : Promise.resolve(undefined);
    topo = await createReferenceTopology(scope);
    const config = makePdpConfig({
      stateDir: join(dir, 'alice', 'state'),
      auth: { address: REF.alice, port: 1812 },
      accounting: { address: REF.alice, port: 1813 },
      clients: [{ name: 'moon', address: `${REF.moonInside}/32`, secret: SECRET, requireMessageAuthenticator: true }],
    });
    server = await startServerUnderTest(scope, config, { netns: topo.alice.name, ...(kind ? { kind } : {}) });
    const pki = await moonPki;
    pep = await startPep(scope, {
      netns: topo.moon.name,
      dir: join(dir, 'moon'),
      ipsecConf: referenceIpsecConf({ gatewayAuth: mode, moonId: MOON_ID }),
      ipsecSecrets: pki ? ': RSA moonKey.pem\n' : '# EAP-only: moon has no key of its own\n',
      ...(pki ? { ipsecD: { certs: { 'moonCert.pem': readFileSync(pki.cert.certPath, 'utf8') }, private: { 'moonKey.pem': readFileSync(pki.cert.keyPath, 'utf8') } } } : {}),
      listen: REF.moonOutside,
      radius: [{ address: REF.alice, port: 1812, secret: SECRET }],
      kernel: 'auto',
      accounting: { interimIntervalSeconds: 0 },
      dae: { port: DAE_PORT },
    });
    const roadWarrior = (name: string, user: (typeof REFERENCE_USERS)[0], netns: string): Promise<Charon> => {
      const o: RoadWarriorOptions = {
        user: user.name,
        password: user.password,
        gateway: REF.moonOutside,
        gatewayId: MOON_ID,
        gatewayAuth: mode,
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
        files: { caCerts: [server.caCertPath, ...(pki ? [copyAs(pki.ca.certPath, join(dir, `${name}-moon-ca.crt`))] : [])] },
      });
    };
    [carol, dave] = await Promise.all([roadWarrior('carol', carolUser, topo.carol.name), roadWarrior('dave', daveUser, topo.dave.name)]);
  });
  after(() => scope.close());

  it('carol (group allow) gets rw-allow, a virtual IP from 10.3.0.0/24 and reaches alice through the tunnel', { timeout: 60_000 }, async () => {
    const since = pep.mark();
    const carolSince = carol.proc.mark();
    const r = await carol.initiate('home', 'home', 20);
    assert.equal(r.code, 0, `carol initiate failed:\n${r.stdout}\n--- pep ---\n${pep.messages(since).join('\n')}`);
    // How carol authenticated moon: RFC 5998 (no AUTH before EAP) or moon's certificate; in both
    // modes moon's last AUTH is derived from the MSK the PDP sent in the MS-MPPE keys.
    for (const re of GATEWAY_PROOF[mode]) await carol.waitForLog(re, carolSince, 5000);
    await pep.waitForMsg(/^received RADIUS Access-Accept from server '10\.1\.0\.10'$/, since, 5000);
    await pep.waitForMsg(/^received RADIUS attribute Filter-Id: 'allow'$/, since, 5000);
    await pep.waitForMsg(/^RADIUS authentication of 'carol@strongswan\.org' successful$/, since, 5000);
    await pep.waitForMsg(/^EAP method EAP_TTLS succeeded, MSK established$/, since, 5000);
    await pep.waitForMsg(/^IKE_SA rw-allow\[\d+\] established between 192\.168\.0\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.100\[carol@strongswan\.org\]$/, since, 5000);
    assert.ok(!pep.messages(since).some((m) => m.startsWith('switching to peer config')), 'carol is not switched');

    const raw = (await carol.swanctl(['--list-sas'])).stdout;
    assert.ok(rawVip(raw)?.startsWith('10.3.0.'), `carol's virtual IP:\n${raw}`);
    const child = (await carol.listSas())[0]?.children[0];
    assert.equal(child?.state, 'INSTALLED');
    assert.deepEqual(child?.remoteTs, ['10.1.0.0/16']);

    const status = await pep.cli(['status']);
    assert.match(status.stdout, /^rw-allow: #\d+, ESTABLISHED, IKEv2/m, status.stdout);
    assert.match(status.stdout, /remote 'carol@strongswan\.org' @ 192\.168\.0\.100\[4500\] EAP: 'carol@strongswan\.org' \[10\.3\.0\.\d+\]/, status.stdout);

    // The kernel here has no ESP: the XFRM state install fails, clearly, and userspace ESP takes over.
    await pep.waitForMsg(/^installing CHILD_SA states via XFRM failed: NO_ESP: the kernel has no ESP/, since, 2000);
    const ping = await carol.exec('ping', ['-c', '2', '-i', '0.3', '-W', '2', REF.alice]);
    assert.equal(ping.code, 0, `ping alice from carol:\n${ping.stdout}`);
    // ... while `ip xfrm policy` in moon shows carol's CHILD_SA: in/out/fwd between her virtual IP
    // and leftsubnet, templates naming moon and carol, with the if_id that keeps them off the TUN path.
    const vip = rawVip(raw)!;
    const policies = (await topo.moon.exec('ip', ['xfrm', 'policy'], 5000)).stdout;
    const block = (src: string, dst: string, dir: string) => new RegExp(`src ${src.replace(/\./g, '\\.')} dst ${dst.replace(/\./g, '\\.')} \\n\\s+dir ${dir} priority \\d+ ptype main \\n\\s+tmpl src [0-9.]+ dst [0-9.]+\\n\\s+proto esp reqid \\d+ mode tunnel\\n\\s+${IF_ID.source}`);
    assert.match(policies, block('10.1.0.0/16', `${vip}/32`, 'out'), policies);
    assert.match(policies, block(`${vip}/32`, '10.1.0.0/16', 'in'), policies);
    assert.match(policies, block(`${vip}/32`, '10.1.0.0/16', 'fwd'), policies);
    const ping2 = await carol.exec('ping', ['-c', '1', '-W', '2', REF.alice]);
    assert.equal(ping2.code, 0, `ping alice from carol with the policies listed:\n${ping2.stdout}`);
    if (server.kind === 'ours') {
      // RADIUS accounting: our PDP recorded carol's Start with her virtual IP as Framed-IP-Address.
      const rec = await server.proc.waitForJson((j) => j['event'] === 'accounting.recorded' && j['status'] === 'start' && j['userName'] === 'carol@strongswan.org', { since: 0, timeoutMs: 5000, what: 'PDP accounting start for carol' });
      assert.equal(rec['framedIp'], vip);
      assert.match(String(rec['sessionId']), /^[0-9a-f]{8}-[0-9a-f]{8}$/);
    }
    await pep.waitForMsg(/^RADIUS accounting Start for 'carol@strongswan\.org' \(session [0-9a-f-]+\) acknowledged by '10\.1\.0\.10'$/, since, 5000);
    const after = await pep.cli(['status']);
    assert.ok(Number(/in  [0-9a-f]{8}, +(\d+) bytes/.exec(after.stdout)?.[1] ?? 0) > 0, `ESP bytes counted on moon:\n${after.stdout}`);
  });

  it('dave (group isolate) is switched from rw-allow to rw-isolate with strongSwan\'s log events and lands on the isolate network', { timeout: 60_000 }, async () => {
    const since = pep.mark();
    const r = await dave.initiate('home', 'home', 20);
    assert.equal(r.code, 0, `dave initiate failed:\n${r.stdout}\n--- pep ---\n${pep.messages(since).join('\n')}`);
    await pep.waitForMsg(/^received RADIUS attribute Tunnel-Type: tag = 0, value = 9$/, since, 5000);
    await pep.waitForMsg(/^received RADIUS attribute Filter-Id: 'isolate'$/, since, 5000);
    await pep.waitForMsg(/^constraint check failed: group membership to 'allow' required$/, since, 5000);
    await pep.waitForMsg(/^selected peer config 'rw-allow' inacceptable/, since, 5000);
    await pep.waitForMsg(/^switching to peer config 'rw-isolate'$/, since, 5000);
    await pep.waitForMsg(/^IKE_SA rw-isolate\[\d+\] established between 192\.168\.0\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.200\[dave@strongswan\.org\]$/, since, 5000);
    const order = pep.messages(since);
    const idx = (re: RegExp) => order.findIndex((m) => re.test(m));
    assert.ok(idx(/^constraint check failed/) < idx(/^selected peer config 'rw-allow' inacceptable/), 'events in strongSwan order');
    assert.ok(idx(/^selected peer config 'rw-allow' inacceptable/) < idx(/^switching to peer config 'rw-isolate'/), 'events in strongSwan order');
    assert.ok(idx(/^switching to peer config/) < idx(/^IKE_SA rw-isolate/), 'events in strongSwan order');

    const raw = (await dave.swanctl(['--list-sas'])).stdout;
    assert.ok(rawVip(raw)?.startsWith('10.4.0.'), `dave's virtual IP:\n${raw}`);
    assert.deepEqual((await dave.listSas())[0]?.children[0]?.remoteTs, ['10.2.0.0/16']);

    const ping = await dave.exec('ping', ['-c', '2', '-i', '0.3', '-W', '2', REF.moonIsolate]);
    assert.equal(ping.code, 0, `ping isolate network from dave:\n${ping.stdout}`);
    const blocked = await dave.exec('ping', ['-c', '1', '-W', '1', REF.alice]);
    assert.notEqual(blocked.code, 0, 'dave must not reach alice on the full network');

    const status = await pep.cli(['status']);
    const names = [...status.stdout.matchAll(/^(\S+): #\d+, ESTABLISHED/gm)].map((m) => m[1]).sort();
    assert.deepEqual(names, ['rw-allow', 'rw-isolate'], status.stdout);
    const pools = await pep.cli(['pool', '--status']);
    assert.equal(pools.code, 0, pools.stderr);
    assert.match(pools.stdout, /10\.3\.0\.0\/24/);
    assert.match(pools.stdout, /10\.4\.0\.0\/24/);
  });

  it('no XFRM state in moon (the kernel has no ESP); the XFRM policies carry an if_id so they leave the userspace path alone', { timeout: 20_000 }, async () => {
    const states = await topo.moon.exec('ip', ['xfrm', 'state'], 5000, false);
    assert.equal(states.code, 0, states.stderr);
    assert.equal(states.stdout.trim(), '', 'no XFRM state: the kernel has no ESP');
    // kernel: auto after NO_ESP: the policies are route-based (if_id): plain required-level
    // policies without states would drop what the userspace ESP path carries.
    const policies = await topo.moon.exec('ip', ['xfrm', 'policy'], 5000, false);
    assert.equal(policies.code, 0, policies.stderr);
    const blocks = policies.stdout.split(/\n(?=src )/).filter((b) => /10\.[34]\.0\./.test(b));
    assert.equal(blocks.length, 6, `in/out/fwd for carol and dave:\n${policies.stdout}`);
    for (const b of blocks) assert.match(b, IF_ID, b);
  });

  it('RFC 5176: radclient in alice disconnects carol through moon\'s DAE port: Disconnect-ACK, her IKE_SA is deleted and carol logs the DELETE', { timeout: 30_000 }, async () => {
    const since = pep.mark();
    const carolSince = carol.proc.mark();
    const nak = await topo.alice.exec('sh', ['-c', `echo 'User-Name = mallory@strongswan.org' | radclient -x -r 1 -t 2 ${REF.moonInside}:${DAE_PORT} disconnect '${SECRET}'`], 10_000, false);
    assert.match(nak.stdout, /Received Disconnect-NAK/, `${nak.stdout}\n${nak.stderr}`);
    assert.match(nak.stdout, /Error-Cause = Session-Context-Not-Found/, nak.stdout);
    const r = await topo.alice.exec('sh', ['-c', `echo 'User-Name = carol@strongswan.org' | radclient -x -r 1 -t 2 ${REF.moonInside}:${DAE_PORT} disconnect '${SECRET}'`], 10_000, false);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Received Disconnect-ACK/, r.stdout);
    await pep.waitForMsg(/^received RADIUS DAE Disconnect-Request for 'carol@strongswan\.org' from 10\.1\.0\.10\[\d+\]$/, since, 5000);
    await pep.waitForMsg(/^closing 1 IKE_SA matching Disconnect-Request, sending Disconnect-ACK$/, since, 5000);
    await pep.waitForMsg(/^IKE_SA rw-allow\[\d+\] deleted \(RADIUS Disconnect-Request\)$/, since, 5000);
    await carol.waitForLog(/received DELETE for IKE_SA home\[\d+\]/, carolSince, 10_000);
    const status = await pep.cli(['status']);
    assert.doesNotMatch(status.stdout, /carol@strongswan\.org/, status.stdout);
    assert.match(status.stdout, /dave@strongswan\.org/, 'dave is untouched');
    await pep.waitForMsg(/^RADIUS accounting Stop for 'carol@strongswan\.org' \(session [0-9a-f-]+\) acknowledged/, since, 5000);
    if (server.kind === 'ours') {
      await server.proc.waitForJson((j) => j['event'] === 'accounting.recorded' && j['status'] === 'stop' && j['userName'] === 'carol@strongswan.org', { since: 0, timeoutMs: 5000, what: 'PDP accounting stop for carol' });
    }
    // carol's XFRM policies went with her IKE_SA.
    const policies = (await topo.moon.exec('ip', ['xfrm', 'policy'], 5000)).stdout;
    assert.doesNotMatch(policies, /10\.3\.0\./, policies);
  });
});
}

function copyAs(from: string, to: string): string {
  // Both CAs may be called ca.crt; give each a unique file name in x509ca/.
  copyFileSync(from, to);
  return to;
}
