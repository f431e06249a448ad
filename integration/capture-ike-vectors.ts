/**
 * Captures IKEv2 between two real Debian charons (strongSwan 5.9.8) and writes the messages as
 * byte vectors for the IKE codec tests (STYLE.md tier 1: "captures from the real peers"):
 *
 *   node --import tsx integration/capture-ike-vectors.ts                 # all scenarios
 *   node --import tsx integration/capture-ike-vectors.ts --only psk      # scenarios whose name contains this
 *   ... --out DIR                                                        # default pep/test/vectors/ike
 *
 * This is a script, not a test: run by hand as root (network namespaces, tshark, charon). carol
 * (initiator, 192.168.0.100) and moon (responder, 192.168.0.1) sit in two namespaces joined by a
 * veth pair; `ip netns exec MOON tshark -i eth0 -f 'udp port 500 or udp port 4500'` records the
 * IKE_SA_INIT exchange, the IKE_AUTH exchange (moved to port 4500 by `encap = yes`, so with the
 * 4-octet non-ESP marker of RFC 3948, removed here) and the INFORMATIONAL exchange that deletes the
 * IKE SA (`swanctl --terminate`).
 *
 * Both charons log `ike 4`, which dumps the key material of keymat_v2.c (DBG4: "shared Diffie
 * Hellman secret", "SKEYSEED", "Sk_d secret", "Sk_ai secret", ..., "Sk_pr secret"); carol's dump
 * is stored next to the messages so the tests can decrypt the SK payloads (and pep/crypto can
 * check its key derivation against strongSwan's). These are throwaway keys of a test run.
 *
 * Scenarios (REFERENCE-SCENARIO names, Debian charon on both sides):
 * - psk-aes256-sha256-modp2048: PSK both ways, virtual IP (CP), AES-CBC-256 + HMAC-SHA2-256-128
 * - pubkey-aes128-sha256-ecp256: RSA certificates both ways (RFC 7427 signatures, CERT, CERTREQ);
 *   IKE_AUTH is larger than charon's fragment_size, so it travels as SKF fragments (RFC 7383)
 * - eap-md5-aes128gcm16-ecp256: carol authenticates with EAP-MD5 against moon's own EAP server
 *   (EAP payloads over several IKE_AUTH exchanges), moon with its certificate; AES-GCM-16
 *
 * Output: `<out>/<scenario>.json` with the messages as hex, the direction of each, the keys, the
 * PSK / CA certificate and the tool versions.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { NetnsSet, sweepStaleNamespaces, type Netns } from './lib/netns.js';
import { REPO_ROOT } from './lib/pdp.js';
import { issue, makeCa, type Ca } from './lib/pki.js';
import { run, Scope, startProc, type Proc } from './lib/proc.js';
import { startCharon, type Charon } from './lib/strongswan.js';
import { makeTempDir } from './lib/tmp.js';

const CAPTURE_FILTER = 'udp port 500 or udp port 4500';
const CAROL_IP = '192.168.0.100';
const MOON_IP = '192.168.0.1';
/** Nobody has this address: moon's static neighbour entry sends probes to it onto the wire. */
const PROBE_IP = '192.168.0.2';
const PROBE_MAC = '02:00:00:00:00:02';
const PROBE_PORT = 500;
const CAROL_ID = 'carol@strongswan.org';
const MOON_ID = 'moon.strongswan.org';
const PSK = 'ike-vector-capture-psk-0123456789';
const EAP_PASSWORD = 'carol-eap-md5-password';
const PLUGINS = 'random nonce openssl kdf pem pkcs1 pkcs8 x509 revocation constraints pubkey kernel-libipsec kernel-netlink socket-default vici eap-identity eap-md5';
const LOG_LEVELS = 'default = 1\n      ike = 4\n      cfg = 2';
/** IKE header: Exchange Type at octet 18, Flags at 19, Message ID at 20 (RFC 7296 s3.1). */
const EXCHANGE_NAMES: Readonly<Record<number, string>> = { 34: 'IKE_SA_INIT', 35: 'IKE_AUTH', 36: 'CREATE_CHILD_SA', 37: 'INFORMATIONAL' };
const KEY_LABELS: Readonly<Record<string, string>> = {
  'shared Diffie Hellman secret': 'dhSharedSecret',
  SKEYSEED: 'skeyseed',
  'Sk_d secret': 'sk_d',
  'Sk_ai secret': 'sk_ai',
  'Sk_ar secret': 'sk_ar',
  'Sk_ei secret': 'sk_ei',
  'Sk_er secret': 'sk_er',
  'Sk_pi secret': 'sk_pi',
  'Sk_pr secret': 'sk_pr',
};

/** psk and pubkey: both ways; eap-md5: carol EAP-MD5 (moon's own EAP server), moon its certificate. */
type Auth = 'psk' | 'pubkey' | 'eap-md5';

interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly auth: Auth;
  readonly ikeProposal: string;
  readonly espProposal: string;
}

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'psk-aes256-sha256-modp2048',
    description: 'carol -> moon, PSK both ways, virtual IP from a pool (CP), then carol deletes the IKE SA',
    auth: 'psk',
    ikeProposal: 'aes256-sha256-modp2048',
    espProposal: 'aes128-sha256',
  },
  {
    name: 'pubkey-aes128-sha256-ecp256',
    description: 'carol -> moon, RSA certificates both ways (RFC 7427), IKE_AUTH fragmented (RFC 7383), then carol deletes the IKE SA',
    auth: 'pubkey',
    ikeProposal: 'aes128-sha256-ecp256',
    espProposal: 'aes256gcm16',
  },
  {
    name: 'eap-md5-aes128gcm16-ecp256',
    description: 'carol -> moon, carol EAP-MD5 (RFC 7296 s2.16, moon is the EAP server), moon RSA certificate, AES-GCM-16 SK payloads, then carol deletes the IKE SA',
    auth: 'eap-md5',
    ikeProposal: 'aes128gcm16-prfsha256-ecp256',
    espProposal: 'aes128gcm16',
  },
];

// ---------------------------------------------------------------------------------------------
// swanctl.conf

/** The `local` section of one side; with eap-md5, carol does EAP-MD5 and moon signs. */
function localSection(auth: Auth, side: 'carol' | 'moon'): string {
  const id = side === 'carol' ? CAROL_ID : MOON_ID;
  if (auth === 'psk') return `auth = psk\n      id = ${id}`;
  if (auth === 'eap-md5' && side === 'carol') return `auth = eap-md5\n      id = ${id}`;
  return `auth = pubkey\n      id = ${id}\n      certs = ${side}.crt`;
}

/** How the other side authenticates, from `side`'s view. */
function remoteAuth(auth: Auth, side: 'carol' | 'moon'): string {
  if (auth === 'eap-md5') return side === 'moon' ? 'eap-md5' : 'pubkey';
  return auth;
}

function secrets(auth: Auth): string {
  if (auth === 'psk') return `secrets {\n  ike-1 {\n    id-1 = ${CAROL_ID}\n    id-2 = ${MOON_ID}\n    secret = "${PSK}"\n  }\n}\n`;
  if (auth === 'eap-md5') return `secrets {\n  eap-carol {\n    id = ${CAROL_ID}\n    secret = "${EAP_PASSWORD}"\n  }\n}\n`;
  return '';
}

function carolConf(s: Scenario): string {
  return `connections {
  home {
    version = 2
    local_addrs = ${CAROL_IP}
    remote_addrs = ${MOON_IP}
    vips = 0.0.0.0
    encap = yes
    proposals = ${s.ikeProposal}
    local {
      ${localSection(s.auth, 'carol')}
    }
    remote {
      auth = ${remoteAuth(s.auth, 'carol')}
      id = ${MOON_ID}
    }
    children {
      home {
        remote_ts = 10.1.0.0/16
        esp_proposals = ${s.espProposal}
      }
    }
  }
}
${secrets(s.auth)}`;
}

function moonConf(s: Scenario): string {
  return `connections {
  rw {
    version = 2
    local_addrs = ${MOON_IP}
    pools = pool
    encap = yes
    proposals = ${s.ikeProposal}
    local {
      ${localSection(s.auth, 'moon')}
    }
    remote {
      auth = ${remoteAuth(s.auth, 'moon')}
      id = ${CAROL_ID}
    }
    children {
      rw {
        local_ts = 10.1.0.0/16
        esp_proposals = ${s.espProposal}
      }
    }
  }
}
pools {
  pool {
    addrs = 10.3.0.0/28
  }
}
${secrets(s.auth)}`;
}

// ---------------------------------------------------------------------------------------------
// Capture (same readiness/completeness probe idea as capture-vectors.ts)

class Capture {
  constructor(
    readonly proc: Proc,
    readonly file: string,
    readonly ns: Netns,
  ) {}

  /** Sends probes until tshark has printed one more than before. */
  async sync(what: string): Promise<void> {
    const seen = (): number => this.proc.lines.filter((l) => l.trim() === `${PROBE_IP}\t${PROBE_PORT}`).length;
    const before = seen();
    const deadline = Date.now() + 15_000;
    while (seen() === before) {
      if (Date.now() > deadline) throw new Error(`tshark never saw a probe (${what}):\n${this.proc.tail()}`);
      if (this.proc.exitInfo) throw new Error(`tshark exited (${what}):\n${this.proc.tail()}`);
      await this.ns.exec('bash', ['-c', `printf probe > /dev/udp/${PROBE_IP}/${PROBE_PORT}`], 5000, false);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.sync('end of capture');
    await this.proc.stop({ signal: 'SIGINT', graceMs: 5000 });
  }
}

async function startCapture(scope: Scope, dir: string, ns: Netns): Promise<Capture> {
  await ns.ip(['neigh', 'add', PROBE_IP, 'lladdr', PROBE_MAC, 'dev', 'eth0', 'nud', 'permanent']);
  const file = join(dir, 'capture.pcapng');
  const tshark = ['tshark', '-n', '-l', '-i', 'eth0', '-f', CAPTURE_FILTER, '-w', file, '-P', '-T', 'fields', '-e', 'ip.dst', '-e', 'udp.dstport'];
  const proc = startProc(scope, 'ip', ['netns', 'exec', ns.name, ...tshark], { name: 'tshark' });
  await proc.waitForLine((l) => l.startsWith('Capturing on'), { timeoutMs: 15_000, what: 'tshark "Capturing on"' });
  const capture = new Capture(proc, file, ns);
  await capture.sync('start of capture');
  return capture;
}

interface CapturedMessage {
  readonly frame: number;
  readonly direction: 'initiator-to-responder' | 'responder-to-initiator';
  readonly srcPort: number;
  readonly dstPort: number;
  /** Port 4500: the message followed a 4-octet zero non-ESP marker (RFC 3948 s2.2), removed from `hex`. */
  readonly nonEspMarker: boolean;
  readonly exchange: string;
  readonly response: boolean;
  readonly messageId: number;
  /** The IKE message (header and payloads), as hex. */
  readonly hex: string;
}

async function readMessages(pcap: string): Promise<CapturedMessage[]> {
  const fields = ['frame.number', 'ip.src', 'udp.srcport', 'ip.dst', 'udp.dstport', 'udp.payload'];
  const r = await run('tshark', ['-n', '-r', pcap, '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])], { timeoutMs: 30_000 });
  const out: CapturedMessage[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [frame, src, sport, dst, dport, payload] = line.split('\t') as [string, string, string, string, string, string];
    if (dst === PROBE_IP) continue;
    let bytes = Buffer.from(payload.replace(/:/g, ''), 'hex');
    const natt = Number(sport) === 4500 || Number(dport) === 4500;
    if (natt) {
      // RFC 3948 s2.2: a zero "Non-ESP Marker" precedes IKE; anything else is ESP (or a keepalive).
      if (bytes.length < 4 || bytes.readUInt32BE(0) !== 0) continue;
      bytes = bytes.subarray(4);
    }
    if (bytes.length < 28) continue;
    out.push({
      frame: Number(frame),
      direction: src === CAROL_IP ? 'initiator-to-responder' : 'responder-to-initiator',
      srcPort: Number(sport),
      dstPort: Number(dport),
      nonEspMarker: natt,
      exchange: EXCHANGE_NAMES[bytes[18]!] ?? String(bytes[18]),
      response: (bytes[19]! & 0x20) !== 0,
      messageId: bytes.readUInt32BE(20),
      hex: bytes.toString('hex'),
    });
  }
  return out;
}

/**
 * The key dumps of charon's `ike 4` log. `%B` prints "=> N bytes @ 0x..." and then one line per
 * 16 octets, "   0: 8B 1C ...  ascii", each with the logger's "NN[IKE] <conn|1>" prefix.
 */
export function parseKeyDump(lines: readonly string[]): Record<string, string> {
  const keys: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const head = /\[IKE\] (?:<[^>]*> )?(.+?) => (\d+) bytes @ /.exec(lines[i]!);
    const label = head ? KEY_LABELS[head[1]!] : undefined;
    if (!head || label === undefined || keys[label] !== undefined) continue;
    const want = Number(head[2]);
    let hex = '';
    for (let j = i + 1; j < lines.length && hex.length < want * 2; j++) {
      const row = /\[IKE\] (?:<[^>]*> )?\s*\d+: ((?:[0-9A-F]{2} ){1,16})/.exec(`${lines[j]!} `);
      if (!row) break;
      hex += row[1]!.replace(/ /g, '');
    }
    if (hex.length !== want * 2) throw new Error(`key dump ${head[1]}: got ${hex.length / 2} of ${want} octets`);
    keys[label] = hex.toLowerCase();
  }
  return keys;
}

function debVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function runScenario(s: Scenario, outDir: string): Promise<void> {
  const scope = new Scope();
  try {
    const dir = makeTempDir(scope, `ike-${s.name}`);
    const nets = new NetnsSet(scope);
    const carolNs = await nets.add('ikecarol');
    const moonNs = await nets.add('ikemoon');
    await nets.veth(carolNs, 'eth0', moonNs, 'eth0');
    await carolNs.addAddress('eth0', `${CAROL_IP}/24`);
    await moonNs.addAddress('eth0', `${MOON_IP}/24`);
    // kernel-libipsec wants a local address inside the local TS (see lib/strongswan.ts)
    // (no dummy driver in this kernel: an empty bridge carries the address, as in lib/netns.ts)
    await moonNs.addBridge('inner0', [], '10.1.0.1/16');

    let ca: Ca | undefined;
    const carolFiles: { caCerts?: string[]; certs?: string[]; keys?: string[] } = {};
    const moonFiles: { caCerts?: string[]; certs?: string[]; keys?: string[] } = {};
    if (s.auth !== 'psk') {
      ca = await makeCa(join(dir, 'pki'), 'strongSwan Root CA');
      const moon = await issue(join(dir, 'pki'), ca, { name: 'moon', cn: MOON_ID, san: [MOON_ID] });
      Object.assign(moonFiles, { caCerts: [ca.certPath], certs: [moon.certPath], keys: [moon.keyPath] });
      Object.assign(carolFiles, { caCerts: [ca.certPath] });
      if (s.auth === 'pubkey') {
        const carol = await issue(join(dir, 'pki'), ca, { name: 'carol', cn: CAROL_ID, san: [CAROL_ID] });
        Object.assign(carolFiles, { certs: [carol.certPath], keys: [carol.keyPath] });
      }
    }
    const common = { plugins: PLUGINS, charonSection: '', logLevels: LOG_LEVELS };
    const moon = await startCharon(scope, { ...common, name: 'moon', netns: moonNs.name, dir: join(dir, 'moon'), swanctlConf: moonConf(s), files: moonFiles });
    const carol: Charon = await startCharon(scope, {
      ...common,
      name: 'carol',
      netns: carolNs.name,
      dir: join(dir, 'carol'),
      swanctlConf: carolConf(s),
      files: carolFiles,
    });
    const capture = await startCapture(scope, dir, moonNs);
    const since = carol.proc.mark();
    const init = await carol.initiate('home', 'home');
    if (init.code !== 0) throw new Error(`${s.name}: initiate failed\n${init.stdout}\n${carol.proc.tail(60)}\n${moon.proc.tail(60)}`);
    await carol.swanctl(['--terminate', '--ike', 'home', '--timeout', '10'], 15_000);
    await capture.stop();
    const messages = await readMessages(capture.file);
    const keys = parseKeyDump(carol.proc.lines.slice(since));
    // an AEAD proposal (AES-GCM) has no INTEG transform, so no Sk_ai/Sk_ar (RFC 5282 s7.1)
    const aead = /gcm|ccm|chacha/.test(s.ikeProposal);
    for (const k of Object.values(KEY_LABELS)) {
      if (keys[k] === undefined && !(aead && (k === 'sk_ai' || k === 'sk_ar'))) throw new Error(`${s.name}: no ${k} in carol's log`);
    }
    const vector = {
      scenario: s.name,
      description: s.description,
      capturedAt: new Date().toISOString().slice(0, 10),
      tools: { charon: `strongswan-charon ${debVersion('strongswan-charon')} (Debian)`, tshark: `tshark ${debVersion('tshark')} (Debian)` },
      initiator: { name: 'carol', address: CAROL_IP, id: CAROL_ID },
      responder: { name: 'moon', address: MOON_IP, id: MOON_ID },
      ikeProposal: s.ikeProposal,
      espProposal: s.espProposal,
      auth: s.auth,
      ...(s.auth === 'psk' ? { psk: PSK } : {}),
      ...(s.auth === 'eap-md5' ? { eapPassword: EAP_PASSWORD } : {}),
      ...(ca === undefined ? {} : { caCertPem: execFileSync('cat', [ca.certPath], { encoding: 'utf8' }) }),
      keys: { source: "carol's charon log at ike 4 (keymat_v2.c DBG4 dumps)", ...keys },
      messages,
    };
    mkdirSync(outDir, { recursive: true });
    const file = join(outDir, `${s.name}.json`);
    writeFileSync(file, `${JSON.stringify(vector, null, 2)}\n`);
    process.stderr.write(`[capture-ike] ${s.name}: ${messages.length} messages -> ${relative(REPO_ROOT, file)}\n`);
  } finally {
    await scope.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string' } } });
  const outDir = values.out ?? join(REPO_ROOT, 'pep', 'test', 'vectors', 'ike');
  const chosen = SCENARIOS.filter((s) => values.only === undefined || s.name.includes(values.only));
  if (chosen.length === 0) throw new Error(`no scenario matches --only ${values.only}`);
  await sweepStaleNamespaces();
  for (const s of chosen) await runScenario(s, outDir);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`capture-ike-vectors: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
