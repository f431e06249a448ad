/**
 * REFERENCE-SCENARIO step 8 end to end on our own products: an administrator quarantines a
 * connected strongSwan client through our PDP's GraphQL admin API, and OUR PEP (tnc-pep in moon)
 * carries out the RFC 5176 request.
 *
 *   client (strongSwan charon) --IKEv2--> moon (tnc-pep: rw-allow / rw-isolate, EAP-only,
 *   radius.accounting, radius.dae) --RADIUS 1812/1813--> alice (our PDP, admin API on 127.0.0.1)
 *   alice --Disconnect-Request / CoA-Request (UDP 3799, Message-Authenticator required)--> moon
 *
 * Debian carol (EAP-TTLS/MD5, no posture):
 * - carol connects: rw-allow, a virtual IP; our PEP's Accounting-Start (Framed-IP-Address, its
 *   Acct-Session-Id) makes the PDP's activeSessions show her session with that IP and id;
 * - quarantineEndpoint(sticky: false): Disconnect-Request (User-Name, Acct-Session-Id,
 *   Framed-IP-Address, Message-Authenticator); our PEP logs it, answers Disconnect-ACK (the
 *   mutation's typed result), deletes carol's IKE_SA (carol's charon logs the DELETE, `tnc-pep
 *   status` no longer lists her) and accounts the Stop, which closes the PDP's session;
 * - carol connects again; reassessEndpoint: CoA-Request with Session-Timeout N. Our PEP's CoA
 *   semantics (pep/radius-relay/dynamic-authorization.ts): CoA-ACK, the IKE_SA is deleted N seconds
 *   later so the client re-authenticates (strongSwan as moon instead sends AUTH_LIFETIME and the
 *   client re-authenticates by itself: integration/admin-coa.test.ts); with no session left, the
 *   API refuses with NOT_CONNECTED and sends nothing.
 * strongSwan's PB-TNC client (the TNC-built charon 5.9.8, Test IMC 'allow') as dave, with posture:
 * - sticky quarantineEndpoint (the default) on a healthy connected dave: Disconnect-ACK, and his
 *   next connection lands in rw-isolate with the reference log lines (Filter-Id 'isolate',
 *   constraint check failed, switching to peer config 'rw-isolate'), PB-TNC 'Quarantined';
 *   releaseEndpoint: CoA-ACK, our PEP ends the isolate IKE_SA, and dave is back in rw-allow.
 *
 *   node --import tsx --test integration/admin-pep.test.ts
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdminClient } from './lib/admin-client.js';
import { createReferenceTopology, REF, type Netns, type ReferenceTopology } from './lib/netns.js';
import { makePdpConfig, REFERENCE_USERS, SERVER_NAME, type PdpConfigOptions, type PdpUser } from './lib/pdp-config.js';
import { referenceIpsecConf, startPep, type Pep } from './lib/pep.js';
import { Scope } from './lib/proc.js';
import { assertPeers } from './lib/require-peers.js';
import type { RadiusServer } from './lib/radius-server.js';
import { startServerUnderTest } from './lib/server-under-test.js';
import { ROAD_WARRIOR_PLUGINS, roadWarriorCharonSection, roadWarriorSwanctlConf, startCharon, type Charon, type RoadWarriorOptions } from './lib/strongswan.js';
import { ensureStrongswanTnc, TNC_ROAD_WARRIOR_PLUGINS } from './lib/strongswan-tnc.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'moon-alice-Pep-Dae-Secret-9';
const ADMIN_TOKEN = 'admin-pep-test-admin-token-0123456789';
const ADMIN_PORT = 18081;
const MOON_ID = 'moon.strongswan.org';
const CAROL: PdpUser = REFERENCE_USERS[0]!;
/** Configured with group allow: only posture (or a quarantine) isolates him. */
const DAVE: PdpUser = { name: 'dave@strongswan.org', password: 'W7R0g3do', group: 'allow' };



const ACTIVE_SESSIONS = `query($user: String!, $all: Boolean) {
  activeSessions(user: $user, all: $all) { edges { node { user nas nasAddress framedIp acctSessionId filterGroup state end } } }
}`;

interface ActiveSessionNode {
  user: string;
  nas: string;
  nasAddress: string;
  framedIp: string | null;
  acctSessionId: string | null;
  filterGroup: string;
  state: string;
  end: string | null;
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** One reference topology with our PDP (admin API) in alice, our PEP in moon and one client. */
class Fixture {
  topo!: ReferenceTopology;
  server!: RadiusServer;
  pep!: Pep;
  client!: Charon;
  admin!: AdminClient;

  constructor(
    readonly scope: Scope,
    readonly user: PdpUser,
  ) {}

  get userRe(): string {
    return reEscape(this.user.name);
  }

  async start(label: string, pdp: Partial<PdpConfigOptions>, client: (dir: string, ns: Netns, o: RoadWarriorOptions, ca: string) => Promise<Charon>, clientNs: 'carol' | 'dave'): Promise<void> {
    assertPeers();
    const dir = makeTempDir(this.scope, label);
    this.topo = await createReferenceTopology(this.scope);
    const base = makePdpConfig({
      stateDir: join(dir, 'alice', 'state'),
      auth: { address: REF.alice, port: 1812 },
      accounting: { address: REF.alice, port: 1813 },
      clients: [{ name: 'moon', address: `${REF.moonInside}/32`, secret: SECRET, requireMessageAuthenticator: true }],
      ...pdp,
    });
    const config = { ...base, admin: { listen: { address: '127.0.0.1', port: ADMIN_PORT }, tokens: [{ name: 'ops', token: ADMIN_TOKEN, role: 'admin' }] } };
    this.server = await startServerUnderTest(this.scope, config, { netns: this.topo.alice.name, kind: 'ours' });
    await this.server.proc.waitForJson((o) => o['event'] === 'admin.listening', { timeoutMs: 10_000, what: 'admin.listening' });
    this.admin = new AdminClient({ netns: this.topo.alice, port: ADMIN_PORT, token: ADMIN_TOKEN });
    const o: RoadWarriorOptions = { user: this.user.name, password: this.user.password, gateway: REF.moonOutside, gatewayId: MOON_ID, gatewayAuth: 'eap-only', aaaId: SERVER_NAME, remoteTs: '10.0.0.0/8' };
    [this.pep, this.client] = await Promise.all([
      startPep(this.scope, {
        netns: this.topo.moon.name,
        dir: join(dir, 'moon'),
        ipsecConf: referenceIpsecConf({ gatewayAuth: 'eap-only', moonId: MOON_ID }),
        ipsecSecrets: '# EAP-only: moon has no key of its own\n',
        listen: REF.moonOutside,
        radius: [{ address: REF.alice, port: 1812, secret: SECRET }],
        kernel: 'userspace',
        accounting: { interimIntervalSeconds: 0 },
        // alice is the DAE client with the RADIUS secret (dae clients default to radius.servers).
        dae: { listen: REF.moonInside, port: 3799, requireMessageAuthenticator: true },
      }),
      client(join(dir, clientNs), this.topo[clientNs], o, this.server.caCertPath),
    ]);
    await this.pep.waitForMsg(/^RADIUS DAE listening on 10\.1\.0\.1\[3799\]$/, 0, 5000);
  }

  async sessions(all = false): Promise<ActiveSessionNode[]> {
    const d = await this.admin.data<{ activeSessions: { edges: { node: ActiveSessionNode }[] } }>(ACTIVE_SESSIONS, { user: this.user.name, all });
    return d.activeSessions.edges.map((e) => e.node);
  }

  /** The client initiates and lands in `config`; resolves with the PEP log mark, virtual IP and accounting id. */
  async connect(config: 'rw-allow' | 'rw-isolate'): Promise<{ since: number; vip: string; acctSessionId: string }> {
    const since = this.pep.mark();
    const serverSince = this.server.mark();
    const r = await this.client.initiate('home', 'home', 20);
    assert.equal(r.code, 0, `${this.client.name} initiate failed:\n${r.stdout}\n--- pep ---\n${this.pep.messages(since).join('\n')}`);
    const host = this.client.name === 'carol' ? REF.carol : REF.dave;
    await this.pep.waitForMsg(new RegExp(`^IKE_SA ${config}\\[\\d+\\] established between 192\\.168\\.0\\.1\\[moon\\.strongswan\\.org\\]\\.\\.\\.${reEscape(host)}\\[${this.userRe}\\]$`), since, 5000);
    const raw = (await this.client.swanctl(['--list-sas'])).stdout;
    const vip = /local {2}'[^']*' @ \S+ \[([0-9.]+)\]/.exec(raw)?.[1];
    assert.ok(vip, `${this.client.name} has a virtual IP:\n${raw}`);
    const acked = await this.pep.waitForMsg(new RegExp(`^RADIUS accounting Start for '${this.userRe}' \\(session ([0-9a-f-]+)\\) acknowledged by '10\\.1\\.0\\.10'$`), since, 5000);
    const acctSessionId = /\(session ([0-9a-f-]+)\)/.exec(String(acked['msg']))![1]!;
    const rec = await this.server.proc.waitForJson((j) => j['event'] === 'accounting.recorded' && j['status'] === 'start' && j['userName'] === this.user.name, { since: serverSince, timeoutMs: 5000, what: `PDP accounting start for ${this.user.name}` });
    assert.equal(rec['framedIp'], vip);
    return { since, vip, acctSessionId };
  }

  /** Waits until `tnc-pep status` no longer lists the user (the IKE_SA delete is asynchronous). */
  async goneFromPep(): Promise<void> {
    let out = '';
    for (let i = 0; i < 30; i++) {
      out = (await this.pep.cli(['status'])).stdout;
      if (!out.includes(this.user.name)) return;
      await sleep(200);
    }
    assert.fail(`tnc-pep status still lists ${this.user.name}:\n${out}`);
  }

  /** Polls the admin API until the user has no open session (our PEP's Stop reached the PDP). */
  async noActiveSession(): Promise<void> {
    let open: ActiveSessionNode[] = [];
    for (let i = 0; i < 30; i++) {
      open = await this.sessions();
      if (open.length === 0) return;
      await sleep(200);
    }
    assert.fail(`${this.user.name} still has an active session: ${JSON.stringify(open)}`);
  }
}

describe('GraphQL quarantine/reassess of Debian carol through OUR PEP in moon (RFC 5176 Disconnect/CoA, REFERENCE-SCENARIO step 8)', { timeout: 120_000 }, () => {
  const scope = new Scope();
  const f = new Fixture(scope, CAROL);

  before(() =>
    f.start(
      'admin-pep',
      {},
      (dir, ns, o, ca) => startCharon(scope, { name: 'carol', netns: ns.name, dir, plugins: ROAD_WARRIOR_PLUGINS, charonSection: roadWarriorCharonSection(o), swanctlConf: roadWarriorSwanctlConf(o), files: { caCerts: [ca] } }),
      'carol',
    ),
  );
  after(() => scope.close());

  it('carol connects through our PEP: the admin API lists her active session with the virtual IP and Acct-Session-Id of our PEP\'s Accounting-Start', { timeout: 40_000 }, async () => {
    const { vip, acctSessionId } = await f.connect('rw-allow');
    assert.ok(vip.startsWith('10.3.0.'), vip);
    const open = await f.sessions();
    assert.deepEqual(open, [{ user: CAROL.name, nas: 'moon', nasAddress: REF.moonInside, framedIp: vip, acctSessionId, filterGroup: 'allow', state: 'ACTIVE', end: null }]);
  });

  it('quarantineEndpoint: our PEP answers Disconnect-ACK, deletes carol\'s IKE_SA (carol logs the DELETE) and accounts the Stop, closing the PDP\'s session', { timeout: 40_000 }, async () => {
    const since = f.pep.mark();
    const carolSince = f.client.proc.mark();
    const serverSince = f.server.mark();
    // Not sticky: carol has no posture, so no device record an override could sit on.
    const r = await f.admin.request(`mutation { quarantineEndpoint(endpoint: "${CAROL.name}", sticky: false) { endpoint replies { nas request outcome errorCause errorCauseName tries } } }`);
    assert.equal(r.errors, undefined, `${JSON.stringify(r.errors)}\n--- pep ---\n${f.pep.messages(since).join('\n')}`);
    assert.deepEqual(r.data.quarantineEndpoint, { endpoint: CAROL.name, replies: [{ nas: 'moon', request: 'Disconnect-Request', outcome: 'ACK', errorCause: null, errorCauseName: null, tries: 1 }] });
    await f.pep.waitForMsg(new RegExp(`^received RADIUS DAE Disconnect-Request for '${f.userRe}' from 10\\.1\\.0\\.10\\[\\d+\\]$`), since, 5000);
    await f.pep.waitForMsg(/^closing 1 IKE_SA matching Disconnect-Request, sending Disconnect-ACK$/, since, 5000);
    await f.pep.waitForMsg(/^IKE_SA rw-allow\[\d+\] deleted \(RADIUS Disconnect-Request\)$/, since, 5000);
    await f.client.waitForLog(/received DELETE for IKE_SA home\[\d+\]/, carolSince, 10_000);
    await f.goneFromPep();
    await f.pep.waitForMsg(new RegExp(`^RADIUS accounting Stop for '${f.userRe}' \\(session [0-9a-f-]+\\) acknowledged`), since, 5000);
    await f.server.proc.waitForJson((j) => j['event'] === 'accounting.recorded' && j['status'] === 'stop' && j['userName'] === CAROL.name, { since: serverSince, timeoutMs: 5000, what: 'PDP accounting stop for carol' });
    await f.server.proc.waitForJson((o) => o['event'] === 'admin.dynamic-authorization' && o['outcome'] === 'ack' && o['actor'] === 'ops', { since: serverSince, timeoutMs: 5000, what: 'admin.dynamic-authorization' });
    await f.noActiveSession();
    const history = await f.sessions(true);
    assert.ok(history.some((s) => s.state === 'CLOSED' && s.end !== null && s.nas === 'moon'), `a CLOSED session in the history: ${JSON.stringify(history)}`);
  });

  it('reassessEndpoint on a reconnected carol: our PEP answers CoA-ACK for the Session-Timeout and deletes the IKE_SA when it runs out', { timeout: 40_000 }, async () => {
    const { since: connected } = await f.connect('rw-allow');
    const since = f.pep.mark();
    const carolSince = f.client.proc.mark();
    const serverSince = f.server.mark();
    const r = await f.admin.request(`mutation { reassessEndpoint(endpoint: "${CAROL.name}", afterSeconds: 3) { endpoint replies { nas request outcome errorCause tries } } }`);
    assert.equal(r.errors, undefined, `${JSON.stringify(r.errors)}\n--- pep ---\n${f.pep.messages(connected).join('\n')}`);
    assert.deepEqual(r.data.reassessEndpoint, { endpoint: CAROL.name, replies: [{ nas: 'moon', request: 'CoA-Request', outcome: 'ACK', errorCause: null, tries: 1 }] });
    await f.pep.waitForMsg(new RegExp(`^received RADIUS DAE CoA-Request for '${f.userRe}' from 10\\.1\\.0\\.10\\[\\d+\\]$`), since, 5000);
    await f.pep.waitForMsg(/^applying 3s lifetime to 1 IKE_SA matching CoA-Request, sending CoA-ACK$/, since, 5000);
    // Still up right after the ACK: the Session-Timeout runs from now (swanctl answers well within it).
    assert.equal((await f.client.listSas()).filter((sa) => sa.state === 'ESTABLISHED').length, 1, 'carol still connected right after the CoA-ACK');
    await f.pep.waitForMsg(/^IKE_SA rw-allow\[\d+\] reached its RADIUS Session-Timeout, deleting it for re-authentication$/, since, 8000);
    await f.pep.waitForMsg(/^IKE_SA rw-allow\[\d+\] deleted \(RADIUS Session-Timeout of 3s\)$/, since, 5000);
    await f.client.waitForLog(/received DELETE for IKE_SA home\[\d+\]/, carolSince, 10_000);
    await f.goneFromPep();
    await f.server.proc.waitForJson((j) => j['event'] === 'accounting.recorded' && j['status'] === 'stop' && j['userName'] === CAROL.name, { since: serverSince, timeoutMs: 5000, what: 'PDP accounting stop after the Session-Timeout' });
    await f.noActiveSession();
    // With no session left, nothing is sent.
    const mark = f.pep.mark();
    const again = await f.admin.request(`mutation { reassessEndpoint(endpoint: "${CAROL.name}") { endpoint } }`);
    assert.equal(again.errors?.[0]?.extensions?.['code'], 'NOT_CONNECTED', JSON.stringify(again));
    await sleep(300);
    assert.ok(!f.pep.messages(mark).some((m) => /RADIUS DAE/.test(m)), 'nothing reached our PEP');
  });
});

describe('sticky quarantine of strongSwan\'s PB-TNC client through OUR PEP: rw-isolate until releaseEndpoint (REFERENCE-SCENARIO steps 5-8)', { timeout: 120_000 }, () => {
  const scope = new Scope();
  const f = new Fixture(scope, DAVE);

  before(async () => {
    const ss = await ensureStrongswanTnc();
    await f.start(
      'admin-pep-sticky',
      // Posture with the Test IMV only: dave's Test IMC says allow, so only the quarantine isolates him.
      { users: [DAVE], maxVersion: 'TLSv1.2', tnc: { method: 'pt-eap' }, posture: { imvs: { test: {} }, recommendationPolicy: 'default', noRecommendation: 'isolate' } },
      (dir, ns, o, ca) => {
        const tncConfig = join(dir, '..', 'dave-tnc_config');
        writeFileSync(tncConfig, `IMC "Test" ${join(ss.imcDir, 'imc-test.so')}\n`);
        return startCharon(scope, {
          name: 'dave',
          netns: ns.name,
          dir,
          binary: ss.charon,
          plugins: TNC_ROAD_WARRIOR_PLUGINS,
          // PEERS.md: max_message_count = 0 for long exchanges, batch/message sizes for PB-TNC over EAP.
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
          extraConfig: 'libimcv {\n  plugins {\n    imc-test {\n      command = allow\n    }\n  }\n}\n',
          swanctlConf: roadWarriorSwanctlConf(o),
          files: { caCerts: [ca] },
          readyTimeoutMs: 20_000,
        });
      },
      'dave',
    );
  });
  after(() => scope.close());

  it('healthy dave is in rw-allow; a sticky quarantineEndpoint disconnects him and his next connection lands in rw-isolate with the reference log lines', { timeout: 60_000 }, async () => {
    const davesSince = f.client.proc.mark();
    const first = await f.connect('rw-allow');
    assert.ok(first.vip.startsWith('10.3.0.'), first.vip);
    await f.client.waitForLog(/PB-TNC access recommendation is 'Access Allowed'/, davesSince, 5000);

    const since = f.pep.mark();
    const q = await f.admin.request(`mutation { quarantineEndpoint(endpoint: "${DAVE.name}") { endpoint replies { nas request outcome errorCause tries } } }`);
    assert.equal(q.errors, undefined, JSON.stringify(q.errors));
    assert.deepEqual(q.data.quarantineEndpoint, { endpoint: DAVE.name, replies: [{ nas: 'moon', request: 'Disconnect-Request', outcome: 'ACK', errorCause: null, tries: 1 }] });
    await f.pep.waitForMsg(/^IKE_SA rw-allow\[\d+\] deleted \(RADIUS Disconnect-Request\)$/, since, 5000);
    await f.goneFromPep();
    await f.noActiveSession();

    const quarantinedSince = f.client.proc.mark();
    const isolated = await f.connect('rw-isolate');
    const order = [
      /^received RADIUS attribute Filter-Id: 'isolate'$/,
      /^constraint check failed: group membership to 'allow' required$/,
      /^selected peer config 'rw-allow' inacceptable/,
      /^switching to peer config 'rw-isolate'$/,
      /^IKE_SA rw-isolate\[\d+\] established/,
    ];
    const msgs = f.pep.messages(isolated.since);
    const idx = order.map((re) => msgs.findIndex((m) => re.test(m)));
    assert.ok(idx.every((i) => i >= 0), `reference log lines:\n${msgs.join('\n')}`);
    assert.deepEqual([...idx].sort((a, b) => a - b), idx, 'in strongSwan\'s order');
    assert.ok(isolated.vip.startsWith('10.4.0.'), `isolate pool: ${isolated.vip}`);
    assert.deepEqual((await f.client.listSas())[0]?.children[0]?.remoteTs, ['10.2.0.0/16']);
    await f.client.waitForLog(/PB-TNC access recommendation is 'Quarantined'/, quarantinedSince, 5000);
    assert.equal((await f.sessions())[0]?.filterGroup, 'isolate');
  });

  it('releaseEndpoint: CoA-ACK, our PEP ends the isolate IKE_SA after the Session-Timeout, and dave is back in rw-allow', { timeout: 40_000 }, async () => {
    const since = f.pep.mark();
    const r = await f.admin.request(`mutation { releaseEndpoint(endpoint: "${DAVE.name}", afterSeconds: 1) { endpoint replies { nas request outcome errorCause tries } } }`);
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.deepEqual(r.data.releaseEndpoint, { endpoint: DAVE.name, replies: [{ nas: 'moon', request: 'CoA-Request', outcome: 'ACK', errorCause: null, tries: 1 }] });
    await f.pep.waitForMsg(/^applying 1s lifetime to 1 IKE_SA matching CoA-Request, sending CoA-ACK$/, since, 5000);
    await f.pep.waitForMsg(/^IKE_SA rw-isolate\[\d+\] deleted \(RADIUS Session-Timeout of 1s\)$/, since, 8000);
    await f.goneFromPep();
    await f.noActiveSession();
    // Our PEP deletes rather than asking for re-authentication: dave comes back by himself here.
    const back = await f.connect('rw-allow');
    assert.ok(back.vip.startsWith('10.3.0.'), back.vip);
    assert.ok(!f.pep.messages(back.since).some((m) => m.startsWith('switching to peer config')), 'no config switch after the release');
    assert.equal((await f.sessions())[0]?.filterGroup, 'allow');
  });
});
