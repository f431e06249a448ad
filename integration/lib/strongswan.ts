/**
 * strongSwan (Debian's charon + swanctl, 5.9.8) for the reference scenario: moon as the gateway/PEP
 * relaying EAP to alice over RADIUS (REFERENCE-SCENARIO steps 1, 2, 7) and carol/dave as road
 * warriors doing EAP-TTLS/MD5 (step 3). One charon per namespace, following shared/docs/PEERS.md:
 *
 * - charon writes its pid file under /run: each runs in a private mount namespace with its own dir
 *   bind-mounted on /run (`ip netns exec NS unshare --mount --propagation private sh -c 'mount
 *   --bind DIR/run /run && exec charon'`); the vici socket lives at DIR/run/charon.vici and swanctl
 *   reaches it from the host with `--uri`.
 * - No kernel ESP here: kernel-libipsec (userspace ESP over a TUN device) is loaded before
 *   kernel-netlink and every connection uses `encap = yes` (ESP in UDP 4500).
 * - kernel-libipsec refuses a CHILD_SA whose local TS contains no gateway address, so moon has
 *   10.2.0.1 on a dummy interface for the isolate network 10.2.0.0/16.
 * - moon turns Filter-Id into a group only when the same Access-Accept has Tunnel-Type = ESP.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { nsExec } from './netns.js';
import { poll, run, startProc, type Proc, type RunResult, type Scope } from './proc.js';

export const CHARON = '/usr/lib/ipsec/charon';

const SWANCTL_PLUGINS = 'random nonce openssl pem pkcs1 pkcs8 x509 revocation constraints pubkey';

export interface CharonFiles {
  /** Certificates of trusted CAs (swanctl/x509ca). */
  readonly caCerts?: readonly string[];
  /** Own certificates (swanctl/x509). */
  readonly certs?: readonly string[];
  /** Private keys (swanctl/private). */
  readonly keys?: readonly string[];
}

export interface StartCharonOptions {
  readonly name: string;
  readonly netns: string;
  /** Working dir; gets strongswan.conf, run/, swanctl/. */
  readonly dir: string;
  /** Body of the `charon { ... }` section except load, vici socket and logging. */
  readonly charonSection: string;
  /** Plugins in load order. */
  readonly plugins: string;
  readonly swanctlConf: string;
  readonly files?: CharonFiles;
  /** Log levels for the stdout logger (default: ike 2, cfg 2, others 1). */
  readonly logLevels?: string;
  readonly readyTimeoutMs?: number;
  /**
   * The charon binary (default {@link CHARON}, Debian's). Another build (e.g. the TNC-built one of
   * strongswan-tnc.ts) loads its plugins from its own compiled-in plugin dir.
   */
  readonly binary?: string;
  /** Extra top-level strongswan.conf sections (e.g. `libimcv { ... }`), appended verbatim. */
  readonly extraConfig?: string;
}

export interface IkeSa {
  readonly name: string;
  readonly uniqueId: number;
  readonly state: string;
  readonly localId?: string;
  readonly remoteId?: string;
  readonly remoteAddress?: string;
  readonly eapId?: string;
  readonly vips: readonly string[];
  readonly children: readonly ChildSa[];
}

export interface ChildSa {
  readonly name: string;
  readonly state: string;
  readonly mode?: string;
  readonly localTs: readonly string[];
  readonly remoteTs: readonly string[];
  readonly bytesIn?: number;
  readonly bytesOut?: number;
}

/** Parse `swanctl --list-sas` (human-readable form). */
export function parseListSas(text: string): IkeSa[] {
  type MutIke = Omit<IkeSa, 'children' | 'vips'> & { children: MutChild[]; vips: string[] };
  type MutChild = Omit<ChildSa, 'localTs' | 'remoteTs' | 'bytesIn' | 'bytesOut'> & {
    localTs: string[];
    remoteTs: string[];
    bytesIn?: number;
    bytesOut?: number;
  };
  const sas: MutIke[] = [];
  let ike: MutIke | undefined;
  let child: MutChild | undefined;
  let tsTarget: string[] | undefined;
  for (const line of text.split('\n')) {
    const ikeHead = /^(\S+): #(\d+), (\w+), IKEv\d/.exec(line);
    if (ikeHead) {
      ike = { name: ikeHead[1] as string, uniqueId: Number(ikeHead[2]), state: ikeHead[3] as string, children: [], vips: [] };
      sas.push(ike);
      child = undefined;
      continue;
    }
    if (!ike) continue;
    const local = /^ {2}local {2}'([^']*)' @ (\S+)/.exec(line);
    if (local) {
      (ike as { localId?: string }).localId = local[1];
      continue;
    }
    const remote = /^ {2}remote '([^']*)' @ (\S+?)(?:\[\d+\])?(?: EAP: '([^']*)')?(?: \[([^\]]+)\])?\s*$/.exec(line);
    if (remote) {
      Object.assign(ike, { remoteId: remote[1], remoteAddress: remote[2] });
      if (remote[3] !== undefined) Object.assign(ike, { eapId: remote[3] });
      if (remote[4] !== undefined) ike.vips.push(...remote[4].split(/\s+/));
      continue;
    }
    const childHead = /^ {2}(\S+): #(\d+), reqid \d+, (\w+), ([\w-]+)/.exec(line);
    if (childHead) {
      child = { name: childHead[1] as string, state: childHead[3] as string, mode: childHead[4] as string, localTs: [], remoteTs: [] };
      ike.children.push(child);
      tsTarget = undefined;
      continue;
    }
    if (!child) continue;
    const inBytes = /^ {4}in +\S+, +(\d+) bytes/.exec(line);
    if (inBytes) child.bytesIn = Number(inBytes[1]);
    const outBytes = /^ {4}out +\S+, +(\d+) bytes/.exec(line);
    if (outBytes) child.bytesOut = Number(outBytes[1]);
    const ts = /^ {4}(local|remote) +(\S+\/\d+.*)$/.exec(line);
    if (ts) {
      tsTarget = ts[1] === 'local' ? child.localTs : child.remoteTs;
      tsTarget.push(...(ts[2] as string).trim().split(/\s+/));
    }
  }
  return sas;
}

export class Charon {
  constructor(
    readonly name: string,
    readonly netns: string,
    readonly dir: string,
    readonly proc: Proc,
  ) {}

  get uri(): string {
    return `unix://${join(this.dir, 'run', 'charon.vici')}`;
  }

  get env(): NodeJS.ProcessEnv {
    return { ...process.env, STRONGSWAN_CONF: join(this.dir, 'strongswan.conf'), SWANCTL_DIR: join(this.dir, 'swanctl') };
  }

  /** swanctl against this charon (runs in the host namespace through the vici socket). */
  async swanctl(args: readonly string[], timeoutMs = 15_000, check = true): Promise<RunResult> {
    return run('swanctl', [...args, '--uri', this.uri], { timeoutMs, env: this.env, check });
  }

  async loadAll(): Promise<void> {
    await this.swanctl(['--load-all', '--noprompt']);
  }

  /** swanctl --initiate; resolves with the result (check it: ok = exit code 0). */
  async initiate(child: string, ike: string, timeoutSec = 20): Promise<RunResult> {
    return this.swanctl(['--initiate', '--child', child, '--ike', ike, '--timeout', String(timeoutSec)], (timeoutSec + 5) * 1000, false);
  }

  async listSas(): Promise<IkeSa[]> {
    return parseListSas((await this.swanctl(['--list-sas'])).stdout);
  }

  /** Waits for a log line of this charon matching `re`. */
  waitForLog(re: RegExp, since: number, timeoutMs: number): Promise<string> {
    return this.proc.waitForLine((l) => re.test(l), { since, timeoutMs, what: `${this.name} log ${re}` });
  }

  /** Runs a command in this host's namespace (ping etc.). */
  async exec(cmd: string, args: readonly string[], timeoutMs = 10_000): Promise<RunResult> {
    const [c, a] = nsExec(this.netns, cmd, args);
    return run(c, a, { timeoutMs, check: false });
  }
}

function copyInto(dir: string, files: readonly string[] | undefined): void {
  mkdirSync(dir, { recursive: true });
  for (const f of files ?? []) copyFileSync(f, join(dir, basename(f)));
}

export async function startCharon(scope: Scope, o: StartCharonOptions): Promise<Charon> {
  const runDir = join(o.dir, 'run');
  const swanctlDir = join(o.dir, 'swanctl');
  mkdirSync(runDir, { recursive: true });
  for (const sub of ['conf.d', 'x509', 'x509ca', 'private', 'pubkey', 'rsa', 'ecdsa', 'x509crl']) mkdirSync(join(swanctlDir, sub), { recursive: true });
  copyInto(join(swanctlDir, 'x509ca'), o.files?.caCerts);
  copyInto(join(swanctlDir, 'x509'), o.files?.certs);
  copyInto(join(swanctlDir, 'private'), o.files?.keys);
  writeFileSync(join(swanctlDir, 'swanctl.conf'), o.swanctlConf);
  const levels = o.logLevels ?? 'default = 1\n      ike = 2\n      cfg = 2';
  writeFileSync(
    join(o.dir, 'strongswan.conf'),
    `# generated by integration/lib/strongswan.ts
charon {
  load = ${o.plugins}
  filelog {
    stdout {
      ${levels}
      flush_line = yes
      ike_name = yes
    }
  }
  syslog {
    daemon {
      default = -1
    }
  }
  plugins {
    vici {
      socket = unix://${join(runDir, 'charon.vici')}
    }
  }
${o.charonSection}
}
swanctl {
  load = ${SWANCTL_PLUGINS}
}
${o.extraConfig ?? ''}`,
  );
  const env = { ...process.env, STRONGSWAN_CONF: join(o.dir, 'strongswan.conf') };
  // charon's stdout logger is block-buffered into a pipe (flush_line only affects files it opens),
  // so lines would arrive seconds late: stdbuf -oL (inherited through unshare/sh) fixes that.
  const [cmd, args] = nsExec(o.netns, 'stdbuf', [
    '-oL',
    'unshare',
    '--mount',
    '--propagation',
    'private',
    'sh',
    '-c',
    'mount --bind "$1" /run && exec "$2"',
    'sh',
    runDir,
    o.binary ?? CHARON,
  ]);
  const proc = startProc(scope, cmd, args, { name: o.name, env });
  const charon = new Charon(o.name, o.netns, o.dir, proc);
  const vici = join(runDir, 'charon.vici');
  await poll(
    async () => {
      if (proc.exitInfo) throw new Error(`${o.name} charon exited: ${JSON.stringify(proc.exitInfo)}\n${proc.tail()}`);
      if (!existsSync(vici)) return undefined;
      const r = await charon.swanctl(['--stats'], 5000, false);
      return r.code === 0 ? true : undefined;
    },
    o.readyTimeoutMs ?? 15_000,
    `${o.name} vici socket ${vici}`,
    50,
  );
  await charon.loadAll();
  return charon;
}

export * from './strongswan-config.js';
