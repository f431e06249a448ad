/**
 * Network namespaces for the reference scenario (REFERENCE-SCENARIO.md, "Hosts"): one namespace
 * per host, names carrying a per-run prefix `it<pid36><rand>-` so parallel runs never clash, and
 * deleted in the scope's cleanup. Interfaces are created directly inside the namespaces
 * (`ip -n A link add ... peer ... netns B`), so the host namespace never sees a name.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { registerEmergencyCleanup, run, type RunResult, type Scope } from './proc.js';

const IP_TIMEOUT_MS = 5000;

async function ip(args: readonly string[]): Promise<RunResult> {
  return run('ip', args, { timeoutMs: IP_TIMEOUT_MS });
}

/** `it<pid base36><4 hex>-`: the pid lets a later run recognise namespaces of dead runs. */
export function uniquePrefix(): string {
  return `it${process.pid.toString(36)}x${randomBytes(2).toString('hex')}-`;
}

/** Argument prefix that runs a command inside namespace `ns` (or on the host when undefined). */
export function nsExec(ns: string | undefined, cmd: string, args: readonly string[]): [string, string[]] {
  return ns === undefined ? [cmd, [...args]] : ['ip', ['netns', 'exec', ns, cmd, ...args]];
}

export class Netns {
  constructor(readonly name: string) {}

  /** Run a short command inside this namespace. */
  async exec(cmd: string, args: readonly string[], timeoutMs = 10_000, check = true): Promise<RunResult> {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args], { timeoutMs, check });
  }

  async ip(args: readonly string[]): Promise<RunResult> {
    return ip(['-n', this.name, ...args]);
  }

  async addAddress(ifname: string, cidr: string): Promise<void> {
    await this.ip(['addr', 'add', cidr, 'dev', ifname]);
  }

  async up(ifname: string): Promise<void> {
    await this.ip(['link', 'set', ifname, 'up']);
  }

  async route(dest: string, via: string): Promise<void> {
    await this.ip(['route', 'add', dest, 'via', via]);
  }

  async enableForwarding(): Promise<void> {
    await this.exec('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  }

  async addBridge(ifname: string, members: readonly string[], cidr?: string): Promise<void> {
    await this.ip(['link', 'add', ifname, 'type', 'bridge']);
    for (const m of members) await this.ip(['link', 'set', m, 'master', ifname]);
    if (cidr) await this.addAddress(ifname, cidr);
    await this.up(ifname);
  }
}

/** A set of namespaces sharing one run prefix; all deleted when the scope closes. */
export class NetnsSet {
  readonly prefix: string;
  readonly #all = new Map<string, Netns>();

  constructor(scope: Scope, prefix = uniquePrefix()) {
    this.prefix = prefix;
    const unregister = registerEmergencyCleanup(() => {
      for (const ns of this.#all.values()) {
        try {
          execFileSync('ip', ['netns', 'delete', ns.name], { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
        } catch {
          /* best effort */
        }
      }
    });
    scope.defer(`delete namespaces ${prefix}*`, async () => {
      unregister();
      const errors: string[] = [];
      for (const ns of [...this.#all.values()].reverse()) {
        const r = await run('ip', ['netns', 'delete', ns.name], { timeoutMs: IP_TIMEOUT_MS, check: false });
        if (r.code !== 0 && existsSync(`/run/netns/${ns.name}`)) errors.push(`${ns.name}: ${r.stderr.trim()}`);
      }
      if (errors.length > 0) throw new Error(`could not delete namespaces: ${errors.join('; ')}`);
    });
  }

  /** Create namespace `<prefix><short>` with loopback up. */
  async add(short: string): Promise<Netns> {
    const name = `${this.prefix}${short}`;
    await ip(['netns', 'add', name]);
    const ns = new Netns(name);
    this.#all.set(short, ns);
    await ns.up('lo');
    return ns;
  }

  get(short: string): Netns {
    const ns = this.#all.get(short);
    if (!ns) throw new Error(`no namespace ${short}`);
    return ns;
  }

  /** A veth pair with end `ifA` in `a` and `ifB` in `b`, both up. */
  async veth(a: Netns, ifA: string, b: Netns, ifB: string): Promise<void> {
    await a.ip(['link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB, 'netns', b.name]);
    await a.up(ifA);
    await b.up(ifB);
  }
}

/**
 * Namespaces of crashed earlier runs: names `it<pid36>x....-*` whose pid is gone. Deleting them is
 * safe because a living run always has its pid alive.
 */
export async function sweepStaleNamespaces(): Promise<string[]> {
  if (!existsSync('/run/netns')) return [];
  const removed: string[] = [];
  for (const name of readdirSync('/run/netns')) {
    const m = /^it([0-9a-z]+)x[0-9a-f]{4}-/.exec(name);
    if (!m) continue;
    const pid = parseInt(m[1] as string, 36);
    if (existsSync(`/proc/${pid}`)) continue;
    const r = await run('ip', ['netns', 'delete', name], { timeoutMs: IP_TIMEOUT_MS, check: false });
    if (r.code === 0) removed.push(name);
  }
  return removed;
}

/** Addresses of the reference scenario (REFERENCE-SCENARIO.md "Hosts"). */
export const REF = {
  moonOutside: '192.168.0.1',
  moonInside: '10.1.0.1',
  /** An address on moon inside the isolate network (kernel-libipsec needs one in the local TS). */
  moonIsolate: '10.2.0.1',
  alice: '10.1.0.10',
  carol: '192.168.0.100',
  dave: '192.168.0.200',
} as const;

export interface ReferenceTopology {
  readonly set: NetnsSet;
  readonly moon: Netns;
  readonly alice: Netns;
  readonly carol: Netns;
  readonly dave: Netns;
}

/**
 * moon: bridge br0 (192.168.0.1/24) over the veths to carol and dave, eth1 10.1.0.1/16 to alice,
 * empty bridge isol0 10.2.0.1/16 (isolate network), ip_forward=1. alice 10.1.0.10/16, default via moon.
 * carol/dave 192.168.0.100/.200 on the outside /24 (no route to 10.x except through the tunnel).
 */
export async function createReferenceTopology(scope: Scope): Promise<ReferenceTopology> {
  await sweepStaleNamespaces();
  const set = new NetnsSet(scope);
  const [moon, alice, carol, dave] = await Promise.all([set.add('moon'), set.add('alice'), set.add('carol'), set.add('dave')]);
  await set.veth(moon, 'vcarol', carol, 'eth0');
  await set.veth(moon, 'vdave', dave, 'eth0');
  await set.veth(moon, 'eth1', alice, 'eth0');
  await moon.addBridge('br0', ['vcarol', 'vdave'], `${REF.moonOutside}/24`);
  await moon.addAddress('eth1', `${REF.moonInside}/16`);
  // No dummy driver in this kernel: an empty bridge carries the isolate network's gateway address.
  await moon.addBridge('isol0', [], `${REF.moonIsolate}/16`);
  await moon.enableForwarding();
  await alice.addAddress('eth0', `${REF.alice}/16`);
  await alice.ip(['route', 'add', 'default', 'via', REF.moonInside]);
  await carol.addAddress('eth0', `${REF.carol}/24`);
  await dave.addAddress('eth0', `${REF.dave}/24`);
  return { set, moon, alice, carol, dave };
}
