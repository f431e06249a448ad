/**
 * The two servers under comparison, started from one description on 127.0.0.1 with ports picked
 * here: our PDP (the compiled build, `node dist/pdp/cli.js --config FILE`, `workers: "auto"`) and Debian's
 * FreeRADIUS 3.2 (threaded, its default thread pool) through integration/lib/freeradius.ts. Both
 * get the same certificate and key, TLS 1.2 only, the same fragment size, the same users and one
 * client 127.0.0.1/32 that must send Message-Authenticator.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFreeradius } from '../integration/lib/freeradius.js';
import { makePdpConfig } from '../integration/lib/pdp-config.js';
import { freeUdpPorts } from '../integration/lib/ports.js';
import { startProc, type Proc, type Scope } from '../integration/lib/proc.js';
import type { BenchOptions, ServerChoice } from './options.js';
import type { BenchPki } from './pki.js';
import { processName } from './procfs.js';
import { BENCH_SECRET, LOOPBACK, type BenchUser } from './users.js';

export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

export interface BenchServer {
  readonly kind: ServerChoice;
  /** The process whose /proc entry is measured (node for ours, freeradius). */
  readonly pid: number;
  readonly authPort: number;
  readonly proc: Proc;
  readonly description: string;
  stop(): Promise<void>;
}

export interface ServerSetup {
  readonly dir: string;
  readonly pki: BenchPki;
  readonly users: readonly BenchUser[];
  readonly options: BenchOptions;
}

/** Our PDP's configuration file (schemas/pdp-config.schema.json). */
export function ourConfig(s: ServerSetup, auth: number, accounting: number): Record<string, unknown> {
  return {
    stateDir: join(s.dir, 'ours-state'),
    radius: {
      auth: { address: LOOPBACK, port: auth },
      accounting: { address: LOOPBACK, port: accounting },
      clients: [{ name: 'bench', address: '127.0.0.1/32', secret: BENCH_SECRET, requireMessageAuthenticator: true }],
    },
    eap: {
      innerMethods: ['md5', 'pap'],
      ttls: { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', fragmentSize: s.options.fragmentSize },
    },
    pki: { serverName: s.pki.serverName, certificate: s.pki.chainPath, privateKey: s.pki.keyPath },
    users: s.users,
    workers: 'auto',
    log: { level: 'info' },
  };
}

async function startOurs(scope: Scope, s: ServerSetup): Promise<BenchServer> {
  const [auth, accounting] = (await freeUdpPorts(2, LOOPBACK)) as [number, number];
  const configPath = join(s.dir, 'ours.json');
  writeFileSync(configPath, JSON.stringify(ourConfig(s, auth, accounting), null, 2));
  const prof = s.options.cpuProfDir ? join(s.options.cpuProfDir, 'ours') : undefined;
  if (prof) mkdirSync(prof, { recursive: true });
  const nodeArgs = [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), join(REPO_ROOT, 'dist', 'pdp', 'cli.js'), '--config', configPath];
  const proc = startProc(scope, process.execPath, nodeArgs, { name: 'pdp', cwd: REPO_ROOT });
  const services = new Set<string>();
  let workers = 1;
  await proc.waitForJson(
    (o) => {
      if (o['event'] === 'eap.workers') workers = Number(o['workers']);
      if (o['event'] !== 'radius.listening') return false;
      services.add(String(o['service']));
      return services.size >= 2;
    },
    { timeoutMs: 30_000, what: 'radius.listening for auth and accounting' },
  );
  return {
    kind: 'ours',
    pid: proc.pid,
    authPort: auth,
    proc,
    description: `our PDP, workers "auto" = ${workers} EAP worker threads + the RADIUS thread`,
    stop: async () => {
      await proc.stop({ graceMs: 10_000 }); // SIGTERM lets --cpu-prof write its profiles
    },
  };
}

async function startFr(scope: Scope, s: ServerSetup): Promise<BenchServer> {
  const [auth, accounting] = (await freeUdpPorts(2, LOOPBACK)) as [number, number];
  const config = makePdpConfig({
    stateDir: join(s.dir, 'freeradius-state'),
    auth: { address: LOOPBACK, port: auth },
    accounting: { address: LOOPBACK, port: accounting },
    clients: [{ name: 'bench', address: '127.0.0.1/32', secret: BENCH_SECRET, requireMessageAuthenticator: true }],
    users: s.users,
    fragmentSize: s.options.fragmentSize,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.2',
  });
  const server = await startFreeradius(scope, config, {
    tls: { caCertPath: s.pki.caCertPath, certPath: s.pki.certPath, keyPath: s.pki.keyPath },
    readyTimeoutMs: 30_000,
  });
  // `stdbuf -oL freeradius ...` execs freeradius: the group leader is the server itself.
  const name = processName(server.proc.pid);
  if (name !== 'freeradius') throw new Error(`expected the freeradius process at pid ${server.proc.pid}, found ${name}`);
  return {
    kind: 'freeradius',
    pid: server.proc.pid,
    authPort: auth,
    proc: server.proc,
    description: 'FreeRADIUS -f (threaded; its default thread pool: start 5, max 32; max_requests 16384)',
    stop: () => server.stop(),
  };
}

/** Measure what operators run (`npm start`: the compiled build), not the tsx development loader. */
export function buildOurs(): void {
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO_ROOT, 'tsconfig.json')], { stdio: 'inherit', timeout: 180_000 });
  if (build.status !== 0) throw new Error('building the PDP (tsc -p tsconfig.json) failed');
}

export function startServer(kind: ServerChoice, scope: Scope, s: ServerSetup): Promise<BenchServer> {
  return kind === 'ours' ? startOurs(scope, s) : startFr(scope, s);
}

export function freeradiusVersion(): string {
  try {
    const out = execFileSync('freeradius', ['-v'], { encoding: 'utf8', timeout: 10_000 });
    return /FreeRADIUS Version [^\s,]+/.exec(out)?.[0] ?? out.split('\n')[0] ?? '?';
  } catch (e) {
    return `unknown (${(e as Error).message.split('\n')[0]})`;
  }
}
