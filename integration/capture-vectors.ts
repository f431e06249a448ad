/**
 * Captures the RADIUS traffic between the real peers and the server under test and writes it as
 * byte vectors for the codec tests (STYLE.md tier 1: "captures from the real peers"):
 *
 *   node --import tsx integration/capture-vectors.ts                      # all scenarios, our PDP
 *   node --import tsx integration/capture-vectors.ts --only radclient     # scenarios whose name contains this
 *   PDP_UNDER_TEST=freeradius node --import tsx integration/capture-vectors.ts   # FreeRADIUS 3.2, for comparison
 *   ... --out DIR                                                         # default radius/test/vectors/captures
 *
 * This is a script, not a test. Needs root (network namespaces, tshark, charon) and the peers of
 * integration/README.md plus tshark. Each scenario runs in its own network namespaces with a fixed
 * shared secret, while `ip netns exec NS tshark -i IF -f 'udp port 1812 or udp port 1813' -w F`
 * records it:
 *
 * - eapol-ttls-md5-tls12: eapol_test 2.10, EAP-TTLS/EAP-MD5 over TLS 1.2 (REFERENCE-SCENARIO 2, 3, 6)
 * - eapol-ttls-pap-tls12: eapol_test 2.10, EAP-TTLS/PAP over TLS 1.2
 * - eapol-ttls-md5-tls12-frag200: the same as the first with EAP-TTLS fragments of 200 octets (L/M flags, ACKs)
 * - radclient-pap-status-acct: radclient 3.2, PAP Access-Request, Status-Server, Accounting Start/Stop
 * - strongswan-gateway-ttls-md5: carol (charon 5.9, eap-ttls/md5) -> moon (charon, eap-radius) -> alice
 *
 * Output per scenario (`<dir>/<scenario>/`, prefixed `freeradius-` for FreeRADIUS): `NN-<code>.hex`,
 * one RADIUS datagram per file as hex text; `scenario.json` with the secret, the endpoints, the
 * direction of every packet and which request each response answers; `capture.pcapng`. A README.md
 * in `<dir>` is rewritten from all scenario.json files found there.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { describeEapol, runEapolTest, writeEapolConfig, type InnerMethod } from './lib/eapol-test.js';
import { createReferenceTopology, NetnsSet, REF, sweepStaleNamespaces } from './lib/netns.js';
import { makePdpConfig, REFERENCE_USERS, SERVER_NAME, type PdpConfig } from './lib/pdp-config.js';
import { REPO_ROOT } from './lib/pdp.js';
import { issue, makeCa } from './lib/pki.js';
import { run, Scope, startProc, type Proc } from './lib/proc.js';
import { MESSAGE_AUTHENTICATOR, radclient, type RadclientResult, type RequestPairs } from './lib/radclient.js';
import { serverKindFromEnv, type RadiusServer, type ServerKind } from './lib/radius-server.js';
import { startServerUnderTest } from './lib/server-under-test.js';
import {
  moonCharonSection,
  MOON_PLUGINS,
  moonSwanctlConf,
  ROAD_WARRIOR_PLUGINS,
  roadWarriorCharonSection,
  roadWarriorSwanctlConf,
  startCharon,
  CHARON,
  type MoonOptions,
} from './lib/strongswan.js';
import { makeTempDir } from './lib/tmp.js';

const CAPTURE_FILTER = 'udp port 1812 or udp port 1813';
const LOOPBACK = '127.0.0.1';
/** In the loopback namespace nothing listens on 127.0.0.2 (the servers bind 127.0.0.1). */
const LOOPBACK_PROBE = '127.0.0.2';
const AUTH_PORT = 1812;
const ACCT_PORT = 1813;
const [carolUser] = REFERENCE_USERS as [(typeof REFERENCE_USERS)[0]];

/**
 * RADIUS Codes by name (RFC 2865 s3, RFC 2866 s3, RFC 5997). Kept here rather than imported from
 * radius/ so that the capture does not depend on the codec it is meant to check.
 */
const CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'access-request',
  2: 'access-accept',
  3: 'access-reject',
  4: 'accounting-request',
  5: 'accounting-response',
  11: 'access-challenge',
  12: 'status-server',
};
const REQUEST_CODES: ReadonlySet<number> = new Set([1, 4, 12]);

export interface CapturedPacket {
  readonly file: string;
  readonly frame: number;
  /** Seconds since the first captured packet. */
  readonly time: number;
  readonly direction: 'client-to-server' | 'server-to-client';
  readonly src: string;
  readonly dst: string;
  readonly code: number;
  readonly identifier: number;
  readonly length: number;
  /** Responses: the file of the request they answer (same Identifier, reversed endpoints, earlier). */
  readonly inReplyTo?: string;
}

export interface ScenarioManifest {
  readonly scenario: string;
  readonly description: string;
  readonly server: ServerKind;
  /** The RADIUS shared secret of this capture (a test value, fixed in this script). */
  readonly secret: string;
  /** The user the peers authenticate as (a reference test user, REFERENCE_USERS). */
  readonly user: { readonly name: string; readonly password: string };
  readonly client: string;
  readonly peers: readonly string[];
  /** Where tshark ran: namespace role and interface. */
  readonly capturedOn: string;
  readonly capturedAt: string;
  /** Versions of the server under test, tshark and the peers at capture time. */
  readonly tools: Tools;
  /** What the peer reported, e.g. eapol_test's "MPPE keys OK: 1  mismatch: 0". */
  readonly peerResult: readonly string[];
  readonly packets: readonly CapturedPacket[];
}

interface Tools {
  readonly [name: string]: string;
}

interface ScenarioContext {
  readonly scope: Scope;
  readonly dir: string;
  /** Starts tshark in `netns` on `iface`; resolves once a probe to `probe` (see Capture) is in the file. */
  capture(netns: string, iface: string, probe: string): Promise<Capture>;
}

interface ScenarioOutcome {
  readonly capture: Capture;
  readonly client: string;
  readonly capturedOn: string;
  readonly peerResult: readonly string[];
}

interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly peers: readonly string[];
  readonly secret: string;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}

/**
 * tshark prints "Capturing on" before packets actually reach the file (the first datagrams of a
 * fast conversation were missing), so readiness and completeness are both proven with a probe: a
 * UDP datagram to port 1813 of an address where nothing listens (`probe`), sent from inside the
 * namespace until tshark reports it (`-P -T fields` prints each packet as it is written). The
 * probes are filtered out again when the capture is read back.
 */
const PROBE_PORT = ACCT_PORT;

class Capture {
  constructor(
    readonly proc: Proc,
    readonly file: string,
    readonly netns: string,
    readonly probe: string,
  ) {}

  /** Sends probes until tshark has written one that it had not seen before. */
  async sync(what: string): Promise<void> {
    const seen = (): number => this.proc.lines.filter((l) => l.trim() === `${this.probe}\t${PROBE_PORT}`).length;
    const before = seen();
    const deadline = Date.now() + 15_000;
    while (seen() === before) {
      if (Date.now() > deadline) throw new Error(`tshark never saw a probe (${what}):\n${this.proc.tail()}`);
      if (this.proc.exitInfo) throw new Error(`tshark exited (${what}):\n${this.proc.tail()}`);
      await run('ip', ['netns', 'exec', this.netns, 'bash', '-c', `printf probe > /dev/udp/${this.probe}/${PROBE_PORT}`], {
        timeoutMs: 5000,
        check: false,
      });
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Waits until everything sent so far is in the file, then stops tshark (SIGINT: it closes the file). */
  async stop(): Promise<void> {
    await this.sync('end of capture');
    await this.proc.stop({ signal: 'SIGINT', graceMs: 5000 });
    if (!existsSync(this.file)) throw new Error(`tshark wrote no ${this.file}:\n${this.proc.tail()}`);
  }

  /** The capture without the probes, as a new pcapng file. */
  async withoutProbes(): Promise<string> {
    const clean = this.file.replace(/\.pcapng$/, '-radius.pcapng');
    const probe = `ip.dst == ${this.probe} && udp.dstport == ${PROBE_PORT}`;
    await run('tshark', ['-n', '-r', this.file, '-Y', `!(${probe})`, '-w', clean], { timeoutMs: 30_000 });
    return clean;
  }
}

async function startCapture(scope: Scope, dir: string, netns: string, iface: string, probe: string): Promise<Capture> {
  const file = join(dir, `capture-${iface}-${Date.now()}.pcapng`);
  const tshark = ['tshark', '-n', '-l', '-i', iface, '-f', CAPTURE_FILTER, '-w', file, '-P', '-T', 'fields', '-e', 'ip.dst', '-e', 'udp.dstport'];
  const proc = startProc(scope, 'ip', ['netns', 'exec', netns, ...tshark], { name: 'tshark' });
  await proc.waitForLine((l) => l.startsWith('Capturing on'), { timeoutMs: 15_000, what: 'tshark "Capturing on"' });
  const capture = new Capture(proc, file, netns, probe);
  await capture.sync('start of capture');
  return capture;
}

// ---------------------------------------------------------------------------------------------
// Scenarios

/** One namespace with only loopback, the server under test on 127.0.0.1:1812/1813 inside it. */
async function loopbackServer(
  ctx: ScenarioContext,
  secret: string,
  clientName: string,
  fragmentSize?: number,
): Promise<{ ns: string; server: RadiusServer }> {
  const set = new NetnsSet(ctx.scope);
  const ns = await set.add('cap');
  const config: PdpConfig = makePdpConfig({
    stateDir: join(ctx.dir, 'state'),
    auth: { address: LOOPBACK, port: AUTH_PORT },
    accounting: { address: LOOPBACK, port: ACCT_PORT },
    clients: [{ name: clientName, address: `${LOOPBACK}/32`, secret, requireMessageAuthenticator: true }],
    ...(fragmentSize === undefined ? {} : { fragmentSize }),
  });
  const server = await startServerUnderTest(ctx.scope, config, { netns: ns.name });
  return { ns: ns.name, server };
}

/** `fragmentSize`: EAP-TTLS fragment size on both sides (server config and eapol_test fragment_size). */
function eapolScenario(inner: InnerMethod, secret: string, fragmentSize?: number): Scenario {
  const frag = fragmentSize === undefined ? '' : `, EAP-TTLS fragments of at most ${fragmentSize} octets on both sides`;
  return {
    name: `eapol-ttls-${inner}-tls12${fragmentSize === undefined ? '' : `-frag${fragmentSize}`}`,
    description: `eapol_test as the EAP-TTLS peer with inner ${inner === 'md5' ? 'EAP-MD5' : 'PAP'} over TLS 1.2${frag}, straight over RADIUS on loopback (carol@strongswan.org, accepted, MS-MPPE keys checked by eapol_test)`,
    peers: ['eapol_test'],
    secret,
    async run(ctx) {
      const { ns, server } = await loopbackServer(ctx, secret, 'eapol-test', fragmentSize);
      const conf = writeEapolConfig(ctx.dir, `carol-${inner}`, {
        identity: carolUser.name,
        password: carolUser.password,
        inner,
        tls: '1.2',
        caCertPath: server.caCertPath,
        serverName: SERVER_NAME,
        ...(fragmentSize === undefined ? {} : { fragmentSize }),
      });
      const capture = await ctx.capture(ns, 'lo', LOOPBACK_PROBE);
      const r = await runEapolTest(conf, { server: server.auth, secret, netns: ns, timeoutSec: 15 });
      await capture.stop();
      if (!r.success || !r.mppeOk || r.tlsVersion !== 'TLSv1.2') throw new Error(`eapol_test did not succeed:\n${describeEapol(r)}`);
      return {
        capture,
        client: `${LOOPBACK} (eapol_test)`,
        capturedOn: 'lo in a namespace of its own',
        peerResult: [`eapol_test: SUCCESS, ${r.tlsVersion}, ${r.mppeLine ?? ''}`.trim(), `Access-Requests: ${r.accessRequests}`],
      };
    },
  };
}

function radclientScenario(secret: string): Scenario {
  return {
    name: 'radclient-pap-status-acct',
    description:
      'radclient: PAP Access-Request for carol with Message-Authenticator (accepted), Status-Server on the auth port, Accounting-Request Start and Stop on the accounting port',
    peers: ['radclient'],
    secret,
    async run(ctx) {
      const { ns, server } = await loopbackServer(ctx, secret, 'moon');
      const session = 'capture-0001';
      const common: RequestPairs = [
        ['User-Name', carolUser.name],
        ['Acct-Session-Id', session],
        ['NAS-IP-Address', { raw: '10.1.0.1' }],
        ['Framed-IP-Address', { raw: '10.3.0.1' }],
      ];
      const capture = await ctx.capture(ns, 'lo', LOOPBACK_PROBE);
      const base = { secret, dir: ctx.dir, netns: ns };
      const results: [string, RadclientResult][] = [];
      results.push([
        'auth',
        await radclient({
          ...base,
          server: server.auth,
          command: 'auth',
          requests: [
            [
              ['User-Name', carolUser.name],
              ['User-Password', carolUser.password],
              ['NAS-IP-Address', { raw: '10.1.0.1' }],
              ['NAS-Port', 1],
              MESSAGE_AUTHENTICATOR,
            ],
          ],
        }),
      ]);
      results.push(['status', await radclient({ ...base, server: server.auth, command: 'status', requests: [[MESSAGE_AUTHENTICATOR]] })]);
      results.push([
        'acct',
        await radclient({
          ...base,
          server: server.accounting,
          command: 'acct',
          requests: [
            [['Acct-Status-Type', { raw: 'Start' }], ...common],
            [['Acct-Status-Type', { raw: 'Stop' }], ...common, ['Acct-Session-Time', 42], ['Acct-Terminate-Cause', { raw: 'User-Request' }]],
          ],
        }),
      ]);
      await capture.stop();
      const peerResult: string[] = [];
      for (const [what, r] of results) {
        if (r.replies.length === 0 || r.noReply) throw new Error(`radclient ${what}: no reply\n${r.stdout}\n${r.stderr}`);
        peerResult.push(`radclient ${what}: ${r.replies.map((x) => `${x.code} Id ${x.id}`).join(', ')}`);
      }
      return { capture, client: `${LOOPBACK} (radclient)`, capturedOn: 'lo in a namespace of its own', peerResult };
    },
  };
}

function gatewayScenario(secret: string): Scenario {
  const moonId = 'moon.strongswan.org';
  return {
    name: 'strongswan-gateway-ttls-md5',
    description:
      "carol (strongSwan charon, eap-ttls with phase2 md5, TLS 1.2) does IKEv2 with moon (charon, eap-radius, eap_start = no), which relays carol's EAP-TTLS to alice over RADIUS; captured on alice's eth0",
    peers: ['charon (moon, eap-radius)', 'charon (carol, eap-ttls)'],
    secret,
    async run(ctx) {
      const topo = await createReferenceTopology(ctx.scope);
      const config = makePdpConfig({
        stateDir: join(ctx.dir, 'alice', 'state'),
        auth: { address: REF.alice, port: AUTH_PORT },
        accounting: { address: REF.alice, port: ACCT_PORT },
        clients: [{ name: 'moon', address: `${REF.moonInside}/32`, secret, requireMessageAuthenticator: true }],
      });
      const moonPki = (async () => {
        const ca = await makeCa(join(ctx.dir, 'moon-pki'), 'strongSwan Root CA');
        const cert = await issue(join(ctx.dir, 'moon-pki'), ca, { name: 'moonCert', cn: moonId, san: [moonId], flags: ['serverAuth'] });
        return { ca, cert };
      })();
      const server = await startServerUnderTest(ctx.scope, config, { netns: topo.alice.name });
      const { ca, cert } = await moonPki;
      const moonOpts: MoonOptions = {
        radius: { address: REF.alice, port: AUTH_PORT, secret },
        moonCert: cert.certPath,
        moonKey: cert.keyPath,
        moonId,
        outside: REF.moonOutside,
        allowPool: '10.3.0.0/24',
        isolatePool: '10.4.0.0/24',
        allowSubnet: '10.1.0.0/16',
        isolateSubnet: '10.2.0.0/16',
      };
      const carolOpts = {
        user: carolUser.name,
        password: carolUser.password,
        gateway: REF.moonOutside,
        gatewayId: moonId,
        aaaId: SERVER_NAME,
        remoteTs: '10.0.0.0/8',
      };
      const carolCas = [ca.certPath, server.caCertPath].map((p, i) => {
        const to = join(ctx.dir, `carol-ca${i}.crt`);
        copyFileSync(p, to);
        return to;
      });
      const [moon, carol] = await Promise.all([
        startCharon(ctx.scope, {
          name: 'moon',
          netns: topo.moon.name,
          dir: join(ctx.dir, 'moon'),
          plugins: MOON_PLUGINS,
          charonSection: moonCharonSection(moonOpts),
          swanctlConf: moonSwanctlConf(moonOpts),
          files: { caCerts: [ca.certPath], certs: [cert.certPath], keys: [cert.keyPath] },
        }),
        startCharon(ctx.scope, {
          name: 'carol',
          netns: topo.carol.name,
          dir: join(ctx.dir, 'carol'),
          plugins: ROAD_WARRIOR_PLUGINS,
          charonSection: roadWarriorCharonSection(carolOpts),
          swanctlConf: roadWarriorSwanctlConf(carolOpts),
          files: { caCerts: carolCas },
        }),
      ]);
      const capture = await ctx.capture(topo.alice.name, 'eth0', REF.moonInside);
      const since = moon.proc.mark();
      const r = await carol.initiate('home', 'home', 20);
      if (r.code !== 0) throw new Error(`carol initiate failed:\n${r.stdout}\n${r.stderr}\n--- moon ---\n${moon.proc.tail(60)}`);
      const established = await moon.waitForLog(/IKE_SA rw-allow\[\d+\] established/, since, 5000);
      const filterId = await moon.waitForLog(/received RADIUS attribute Filter-Id/, since, 5000);
      await capture.stop();
      const strip = (l: string): string => l.replace(/^.*?\] /, '').trim();
      return {
        capture,
        client: `${REF.moonInside} (moon)`,
        capturedOn: "alice's eth0 (reference topology)",
        peerResult: [`moon: ${strip(filterId)}`, `moon: ${strip(established)}`],
      };
    },
  };
}

const SCENARIOS: readonly Scenario[] = [
  eapolScenario('md5', 'capture-eapol-md5-Secret'),
  eapolScenario('pap', 'capture-eapol-pap-Secret'),
  eapolScenario('md5', 'capture-eapol-frag-Secret', 200),
  radclientScenario('capture-radclient-Secret'),
  gatewayScenario('capture-moon-alice-Secret'),
];

// ---------------------------------------------------------------------------------------------
// Extraction

interface RawFrame {
  readonly frame: number;
  readonly time: number;
  readonly srcIp: string;
  readonly srcPort: number;
  readonly dstIp: string;
  readonly dstPort: number;
  readonly payload: Buffer;
}

async function readFrames(pcap: string): Promise<RawFrame[]> {
  const fields = ['frame.number', 'frame.time_relative', 'ip.src', 'udp.srcport', 'ip.dst', 'udp.dstport', 'udp.payload'];
  const r = await run('tshark', ['-n', '-r', pcap, '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])], {
    timeoutMs: 30_000,
  });
  const frames: RawFrame[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [frame, time, srcIp, srcPort, dstIp, dstPort, payload] = line.split('\t');
    if (!payload) throw new Error(`frame without UDP payload in ${pcap}: ${line}`);
    frames.push({
      frame: Number(frame),
      time: Number(time),
      srcIp: srcIp as string,
      srcPort: Number(srcPort),
      dstIp: dstIp as string,
      dstPort: Number(dstPort),
      payload: Buffer.from(payload.replace(/:/g, ''), 'hex'),
    });
  }
  return frames;
}

/** Names files, sets directions and pairs each response with the request it answers. */
function describeFrames(frames: readonly RawFrame[]): { packet: CapturedPacket; payload: Buffer }[] {
  const out: { packet: CapturedPacket; payload: Buffer }[] = [];
  const width = Math.max(2, String(frames.length).length);
  frames.forEach((f, i) => {
    const code = f.payload[0] ?? -1;
    const name = CODE_NAMES[code] ?? `code-${code}`;
    const file = `${String(i + 1).padStart(width, '0')}-${name}.hex`;
    const toServer = f.dstPort === AUTH_PORT || f.dstPort === ACCT_PORT;
    if (toServer !== REQUEST_CODES.has(code)) throw new Error(`frame ${f.frame}: code ${code} travels the wrong way`);
    const src = `${f.srcIp}:${f.srcPort}`;
    const dst = `${f.dstIp}:${f.dstPort}`;
    const identifier = f.payload[1] ?? -1;
    let inReplyTo: string | undefined;
    if (!toServer) {
      for (let j = out.length - 1; j >= 0; j--) {
        const q = out[j]!.packet;
        if (q.direction === 'client-to-server' && q.identifier === identifier && q.src === dst && q.dst === src) {
          inReplyTo = q.file;
          break;
        }
      }
      if (inReplyTo === undefined) throw new Error(`frame ${f.frame}: response Id ${identifier} answers no captured request`);
    }
    const packet: CapturedPacket = {
      file,
      frame: f.frame,
      time: Math.round(f.time * 1e6) / 1e6,
      direction: toServer ? 'client-to-server' : 'server-to-client',
      src,
      dst,
      code,
      identifier,
      length: f.payload.length,
      ...(inReplyTo === undefined ? {} : { inReplyTo }),
    };
    out.push({ packet, payload: f.payload });
  });
  return out;
}

/** Hex text, 32 octets a line. */
function hexText(b: Buffer): string {
  const hex = b.toString('hex');
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 64) lines.push(hex.slice(i, i + 64));
  return `${lines.join('\n')}\n`;
}

function writeScenario(outDir: string, dirName: string, manifest: Omit<ScenarioManifest, 'packets'>, pcap: string, packets: ReturnType<typeof describeFrames>): void {
  const dir = join(outDir, dirName);
  if (existsSync(dir)) {
    for (const f of readdirSync(dir)) if (f.endsWith('.hex') || f === 'scenario.json' || f === 'capture.pcapng') rmSync(join(dir, f));
  }
  mkdirSync(dir, { recursive: true });
  for (const { packet, payload } of packets) writeFileSync(join(dir, packet.file), hexText(payload));
  copyFileSync(pcap, join(dir, 'capture.pcapng'));
  chmodSync(join(dir, 'capture.pcapng'), 0o644); // dumpcap writes 0600
  const full: ScenarioManifest = { ...manifest, packets: packets.map((p) => p.packet) };
  writeFileSync(join(dir, 'scenario.json'), `${JSON.stringify(full, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// Tool versions and README

function firstLine(cmd: string, args: readonly string[]): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return out.split('\n').find((l) => l.trim() !== '')?.trim() ?? '?';
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ''}${err.stderr ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? '?';
  }
}

function debVersion(pkg: string): string {
  return firstLine('dpkg-query', ['-W', '-f', '${Version}', pkg]);
}

function toolVersions(kind: ServerKind): Tools {
  const git = firstLine('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = firstLine('git', ['-C', REPO_ROOT, 'status', '--porcelain', '--', 'radius', 'pdp']) !== '?' ? ' (radius/ or pdp/ modified)' : '';
  return {
    server: kind === 'ours' ? `our PDP (pdp/cli.ts) at ${git}${dirty}, Node ${process.version}` : `FreeRADIUS ${debVersion('freeradius')} (Debian)`,
    tshark: `tshark ${debVersion('tshark')} (Debian)`,
    eapol_test: `eapol_test v2.10 (Debian eapoltest ${debVersion('eapoltest')})`,
    radclient: `${firstLine('radclient', ['-v']).replace(/, built on.*$/, '')} (Debian freeradius-utils ${debVersion('freeradius-utils')})`,
    charon: `${firstLine(CHARON, ['--version'])} (Debian strongswan-charon ${debVersion('strongswan-charon')})`,
  };
}

function readManifests(outDir: string): { dir: string; m: ScenarioManifest; bytes: number }[] {
  if (!existsSync(outDir)) return [];
  return readdirSync(outDir)
    .filter((d) => existsSync(join(outDir, d, 'scenario.json')))
    .sort()
    .map((d) => {
      const m = JSON.parse(readFileSync(join(outDir, d, 'scenario.json'), 'utf8')) as ScenarioManifest;
      const bytes = readdirSync(join(outDir, d)).reduce((n, f) => n + statSync(join(outDir, d, f)).size, 0);
      return { dir: d, m, bytes };
    });
}

function writeReadme(outDir: string): void {
  const all = readManifests(outDir);
  // Peer and tool versions of all scenarios; more than one per tool when captures were made apart.
  const versions = new Map<string, Set<string>>();
  for (const { m } of all) {
    for (const [k, v] of Object.entries(m.tools ?? {})) {
      if (k !== 'server') versions.set(k, (versions.get(k) ?? new Set()).add(v));
    }
  }
  const tools = Object.fromEntries([...versions].map(([k, v]) => [k, [...v].join('; ')]));
  const rows = all.map(({ dir, m, bytes }) => {
    const codes = new Map<string, number>();
    for (const p of m.packets) {
      const n = CODE_NAMES[p.code] ?? `code-${p.code}`;
      codes.set(n, (codes.get(n) ?? 0) + 1);
    }
    const summary = [...codes].map(([n, c]) => `${c} ${n}`).join(', ');
    return `| \`${dir}/\` | ${m.server === 'ours' ? 'our PDP' : 'FreeRADIUS'} | \`${m.secret}\` | ${m.packets.length}: ${summary} | ${Math.round(bytes / 1024)} KiB |`;
  });
  const details = all.map(
    ({ dir, m }) =>
      `### \`${dir}/\`\n\n${m.description}.\n\n- server: ${m.tools['server'] ?? m.server}; client ${m.client}; captured on ${m.capturedOn}, ${m.capturedAt}\n- shared secret: \`${m.secret}\`\n- peers said: ${m.peerResult.map((l) => `\`${l}\``).join('; ')}\n`,
  );
  const text = `# RADIUS captures of the real peers

Byte vectors for the codec tests (STYLE.md, tier 1: "captures from the real peers"), written by
\`integration/capture-vectors.ts\`; the tests that read them are \`radius/test/captures.test.ts\`
(RADIUS framing, authenticators, Message-Authenticator, MS-MPPE keys) and
\`pdp/eap/test/captures.test.ts\` (EAP packets, EAP-TTLS frames, TLS records).

Each directory is one conversation captured with
\`ip netns exec NS tshark -n -i IF -f '${CAPTURE_FILTER}' -w capture.pcapng\` in the network namespace
the traffic flows through:

- \`NN-<code>.hex\`: one RADIUS datagram (the UDP payload, \`tshark -T fields -e udp.payload\`) per
  file, hex text, 32 octets a line, in capture order;
- \`scenario.json\`: the shared secret, the endpoints, and per packet its direction
  (\`client-to-server\` for requests), Code, Identifier and, for a response, \`inReplyTo\`: the file of
  the request it answers (same Identifier, reversed endpoints, the latest one before it);
- \`capture.pcapng\`: the capture itself (open it in Wireshark with the secret below to see
  the decrypted attributes), without the probe datagrams the script sends to 127.0.0.2:1813 or
  moon's 10.1.0.1:1813 to know when tshark is really capturing and when it has everything.

The shared secrets are test values fixed in the script, never used anywhere else. The TLS sessions
inside EAP-TTLS cannot be decrypted from these files (no key log).

| directory | server | shared secret | packets | size |
|---|---|---|---|---|
${rows.join('\n')}

${details.join('\n')}
## Peers and tools (per scenario in scenario.json)

${Object.entries(tools)
  .map(([k, v]) => `- ${k}: ${v}`)
  .join('\n')}

## Regenerate

As root on the Debian 12 test host (the peers of integration/README.md, plus \`tshark\`):

\`\`\`
node --import tsx integration/capture-vectors.ts                                  # our PDP, all scenarios
PDP_UNDER_TEST=freeradius node --import tsx integration/capture-vectors.ts        # freeradius-* directories
node --import tsx integration/capture-vectors.ts --only radclient                 # one scenario
node --import tsx --test radius/test/captures.test.ts pdp/eap/test/captures.test.ts
\`\`\`

A run replaces the \`.hex\` files, \`scenario.json\` and \`capture.pcapng\` of the scenarios it
captures and rewrites this README from every \`scenario.json\` here. Certificates, random
authenticators, TLS randoms and salts differ on every run, so a regenerated capture differs in
nearly every octet; the tests check properties, not fixed octets.
`;
  writeFileSync(join(outDir, 'README.md'), text);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string' } } });
  const kind = serverKindFromEnv();
  const outDir = values.out ?? join(REPO_ROOT, 'radius', 'test', 'vectors', 'captures');
  const only = values.only?.split(',').filter((s) => s !== '');
  const chosen = SCENARIOS.filter((s) => !only || only.some((o) => s.name.includes(o)));
  if (chosen.length === 0) throw new Error(`no scenario matches --only ${values.only}`);
  await sweepStaleNamespaces();
  const tools = toolVersions(kind);
  for (const scenario of chosen) {
    const dirName = kind === 'ours' ? scenario.name : `${kind}-${scenario.name}`;
    process.stderr.write(`[capture] ${dirName} ...\n`);
    const scope = new Scope();
    try {
      const dir = makeTempDir(scope, `capture-${scenario.name}`);
      const ctx: ScenarioContext = { scope, dir, capture: (ns, iface, probe) => startCapture(scope, dir, ns, iface, probe) };
      const outcome = await scenario.run(ctx);
      const pcap = await outcome.capture.withoutProbes();
      const packets = describeFrames(await readFrames(pcap));
      if (packets.length === 0) throw new Error(`${scenario.name}: nothing captured`);
      writeScenario(
        outDir,
        dirName,
        {
          scenario: scenario.name,
          description: scenario.description,
          server: kind,
          secret: scenario.secret,
          user: { name: carolUser.name, password: carolUser.password },
          client: outcome.client,
          peers: scenario.peers,
          capturedOn: outcome.capturedOn,
          capturedAt: new Date().toISOString().slice(0, 10),
          tools,
          peerResult: outcome.peerResult,
        },
        pcap,
        packets,
      );
      process.stderr.write(`[capture] ${dirName}: ${packets.length} packets -> ${relative(REPO_ROOT, join(outDir, dirName))}\n`);
    } finally {
      await scope.close();
    }
  }
  writeReadme(outDir);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`capture-vectors: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
