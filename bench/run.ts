/**
 * `npm run bench`: our PDP against FreeRADIUS 3.2 in the same run, on 127.0.0.1 only; then full
 * posture assessments against strongSwan's tnc-pdp (bench/tnc/phase.ts).
 *
 * For each server in turn (never both loaded at once): PAP with radclient and with a Node load
 * generator, EAP-TTLS/MD5 full authentications at each concurrency, and the server's memory.
 * Posture (phase tnc): ours and strongSwan's tnc-pdp in turn, EAP-TTLS + MD5 + PT-EAP/PB-TNC with
 * the OS and Scanner IMVs, distinct devices, at each concurrency.
 * Load generators run in their own processes. Everything started is stopped on success, error or
 * SIGINT (integration/lib/proc.ts Scope plus its signal handler). See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, release } from 'node:os';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Scope } from '../integration/lib/proc.js';
import { missingMessage, missingPeers } from '../integration/lib/require-peers.js';
import { makeTempDir } from '../integration/lib/tmp.js';
import type { LoadJob } from './load/job.js';
import { parseOptions, USAGE, type BenchOptions, type ServerChoice } from './options.js';
import { loadPhase, radclientPhase, type LoadPhase } from './phases.js';
import { makeBenchPki } from './pki.js';
import { loadAverage, memory } from './procfs.js';
import { ikeRatios, ratios, renderHeader, renderIkeTable, renderTable, renderTncTable, tncRatios, type BenchReport, type ServerResults } from './report.js';
import { benchIke, type IkeServerResults } from './ike/phase.js';
import { benchEsp, type EspServerResults } from './esp/phase.js';
import { renderEspTable } from './esp/report.js';
import { benchTnc, type TncServerResults } from './tnc/phase.js';
import { benchStore, type StoreBenchResults } from './store/phase.js';
import { renderStoreTable, storeRatios } from './store/report.js';
import { buildOurs, freeradiusVersion, startServer, type ServerSetup } from './servers.js';
import { BENCH_SECRET, benchUsers } from './users.js';

const started = performance.now();
function progress(msg: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
}

const NEEDED_FR = new Set(['freeradius', '/usr/lib/freeradius/rlm_eap_ttls.so', 'radclient', 'pki', 'stdbuf']);
const NEEDED_TNC = new Set(['pki', 'stdbuf', 'swanctl', 'unshare', 'ip', '/dev/net/tun']);
const NEEDED_IKE = new Set(['freeradius', 'pki', 'stdbuf', 'swanctl', 'unshare', 'ip', '/dev/net/tun']);
const FR_PHASES = new Set(['radclient', 'pap', 'ttls']);

function job(o: BenchOptions, kind: 'pap' | 'ttls', port: number, slots: number, setup: ServerSetup): LoadJob {
  const warmupMs = o.warmupSec * 1000;
  const durationMs = o.durationSec * 1000;
  return {
    kind,
    port,
    secret: BENCH_SECRET,
    users: o.users,
    slots,
    warmupMs,
    durationMs,
    maxOps: kind === 'pap' ? o.maxPapOps : o.maxTtlsOps,
    hardLimitMs: warmupMs + durationMs + 60_000,
    ...(kind === 'ttls' ? { caPath: setup.pki.caCertPath, serverName: setup.pki.serverName, fragmentSize: o.fragmentSize } : {}),
  };
}

function describeLoad(p: LoadPhase, unit: string): string {
  const r = p.result;
  const pct = (ms: number): string => `${((100 * ms) / Math.max(1, r.elapsedMs)).toFixed(0)}%`;
  return `${r.opsPerSec.toFixed(1)} ${unit}/s (${r.ok} ok, ${r.failed} failed, ${r.timeouts} timeouts in ${(r.elapsedMs / 1000).toFixed(1)} s), p50 ${r.latency.p50Ms.toFixed(2)} ms, p99 ${r.latency.p99Ms.toFixed(2)} ms; CPU server ${pct(p.serverCpuMs)}, load ${pct(r.clientCpuMs)}, others ${pct(p.backgroundCpuMs)}`;
}

let built = false;

async function benchOne(kind: ServerChoice, scope: Scope, setup: ServerSetup): Promise<ServerResults> {
  const o = setup.options;
  progress(`${kind}: starting`);
  if (kind === 'ours' && !built) buildOurs();
  const t0b = performance.now();
  const server = await startServer(kind, scope, setup);
  built = built || kind === 'ours';
  const startupMs = performance.now() - t0b;
  const idle = memory(server.pid);
  progress(`${kind}: ready in ${(startupMs / 1000).toFixed(1)} s on 127.0.0.1:${server.authPort} (pid ${server.pid}, RSS ${(idle.rssKb / 1024).toFixed(1)} MB)`);
  try {
    const rc = o.phases.includes('radclient') ? await radclientPhase(server, setup.users, setup.dir, o.radclientRepeat, o.radclientParallel) : undefined;
    if (rc) progress(`${kind}: PAP radclient -p ${o.radclientParallel}: ${rc.opsPerSec.toFixed(0)} req/s (${rc.accepted} accepted, ${rc.rejected} rejected, ${rc.lost} lost in ${(rc.elapsedMs / 1000).toFixed(2)} s)`);
    const pap = o.phases.includes('pap') ? await loadPhase(scope, server, job(o, 'pap', server.authPort, o.papWindow, setup), o.cpuProfDir) : undefined;
    if (pap) progress(`${kind}: PAP node window ${o.papWindow}: ${describeLoad(pap, 'req')}`);
    const ttls: { concurrency: number; phase: LoadPhase }[] = [];
    for (const c of o.phases.includes('ttls') ? o.concurrency : []) {
      const phase = await loadPhase(scope, server, job(o, 'ttls', server.authPort, c, setup), o.cpuProfDir);
      ttls.push({ concurrency: c, phase });
      progress(`${kind}: EAP-TTLS/MD5 x${c}: ${describeLoad(phase, 'auth')}`);
    }
    const peak = memory(server.pid);
    return { kind, description: server.description, startupMs, idleRssKb: idle.rssKb, peakRssKb: peak.peakRssKb, ...(rc ? { radclient: rc } : {}), ...(pap ? { pap } : {}), ttls };
  } finally {
    await server.stop();
    progress(`${kind}: stopped`);
  }
}

async function main(): Promise<number> {
  let o: BenchOptions | 'help';
  try {
    o = parseOptions(process.argv.slice(2), process.env);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (o === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const frRun = o.servers.length > 0 && o.phases.some((p) => FR_PHASES.has(p));
  const tncRun = o.tncServers.length > 0 && o.phases.includes('tnc');
  const ikeRun = o.ikeServers.length > 0 && o.phases.includes('ike');
  const espRun = o.ikeServers.length > 0 && o.phases.includes('esp');
  const storeRun = o.phases.includes('store');
  const needed = new Set([...(frRun ? NEEDED_FR : []), ...(tncRun ? NEEDED_TNC : []), ...(ikeRun || espRun ? NEEDED_IKE : []), ...(storeRun ? ['pki'] : [])]);
  const missing = missingPeers().filter((m) => needed.has(m.what));
  if (missing.length > 0) {
    process.stderr.write(`bench: peers missing:\n${missingMessage(missing)}\n`);
    return 1;
  }
  if (tncRun && o.tncServers.includes('strongswan') && spawnSync('sqlite3', ['-version'], { timeout: 10_000 }).status !== 0) {
    process.stderr.write('bench: sqlite3 missing (strongSwan\'s IMV policy database): apt-get install -y sqlite3\n');
    return 1;
  }
  const options = o;
  const loadAverageAtStart = loadAverage();
  const scope = new Scope();
  try {
    const dir = makeTempDir(scope, 'bench');
    progress(`generating the shared ${options.key} CA and server certificate`);
    const pki = await makeBenchPki(join(dir, 'pki'), options.key);
    const setup: ServerSetup = { dir, pki, users: benchUsers(options.users), options };
    const servers: BenchReport['servers'] = {};
    if (frRun) for (const kind of options.servers) servers[kind] = await benchOne(kind, scope, setup);
    const tnc: Partial<Record<string, TncServerResults>> = {};
    if (tncRun) {
      if (options.tncServers.includes('ours') && !built) {
        progress('tnc: building our PDP');
        buildOurs();
        built = true;
      }
      const tncOptions = {
        concurrency: options.tncConcurrency,
        warmupSec: options.tncWarmupSec,
        durationSec: options.tncDurationSec,
        maxOps: options.maxTncOps,
        timeoutSec: options.tncTimeoutSec,
      };
      for (const kind of options.tncServers) tnc[kind] = await benchTnc(kind, scope, setup, tncOptions, progress);
    }
    const ike: Partial<Record<string, IkeServerResults>> = {};
    if (ikeRun) {
      if (!built) {
        progress('ike: building our PDP and PEP (tsc)');
        try {
          buildOurs();
          built = true;
        } catch (e) {
          progress(`ike: build failed (${(e as Error).message}); running from source through tsx where there is no build`);
        }
      }
      const ikeOptions = {
        modes: options.ikeModes,
        concurrency: options.ikeConcurrency,
        warmupSec: options.ikeWarmupSec,
        durationSec: options.ikeDurationSec,
        maxOps: options.maxIkeOps,
        holdCount: options.ikeHold,
        ike: options.ikeProposal,
        esp: options.espProposal,
        timeoutMs: 2000,
        ikeProposal: options.ikeProposal,
        espProposal: options.espProposal,
      };
      for (const kind of options.ikeServers) ike[kind] = await benchIke(kind, scope, setup, ikeOptions, progress);
    }
    const esp: Partial<Record<'ours' | 'strongswan', EspServerResults>> = {};
    if (espRun) {
      if (!built) {
        progress('esp: building our PEP (tsc)');
        try {
          buildOurs();
          built = true;
        } catch (e) {
          progress(`esp: build failed (${(e as Error).message}); running from source through tsx where there is no build`);
        }
      }
      const eo = { suites: ['aes128gcm16', 'aes128-sha256'], directions: ['up', 'down'] as const, durationSec: options.espDurationSec };
      for (const kind of options.ikeServers) esp[kind] = await benchEsp(kind, scope, dir, eo, progress);
    }
    let store: StoreBenchResults | undefined;
    if (storeRun) {
      if (!built) {
        progress('store: building our PDP');
        buildOurs();
        built = true;
      }
      const so = { concurrency: options.storeConcurrency, warmupSec: options.tncWarmupSec, durationSec: options.storeDurationSec, maxOps: options.maxTncOps, timeoutSec: options.tncTimeoutSec, devices: options.storeDevices, queryRequests: options.storeQueries };
      store = await benchStore(scope, setup, so, progress);
    }
    const report: BenchReport = {
      machine: {
        cores: availableParallelism(),
        cpu: cpus()[0]?.model.trim() ?? '?',
        kernel: release(),
        node: process.version,
        openssl: process.versions.openssl ?? '?',
        freeradius: freeradiusVersion(),
        loadAverageAtStart,
      },
      parameters: {
        quick: options.quick,
        users: options.users,
        phases: [...options.phases],
        concurrency: [...options.concurrency],
        durationSec: options.durationSec,
        warmupSec: options.warmupSec,
        maxPapOps: options.maxPapOps,
        maxTtlsOps: options.maxTtlsOps,
        papWindow: options.papWindow,
        radclientRepeat: options.radclientRepeat,
        radclientParallel: options.radclientParallel,
        radclientRequests: options.users * options.radclientRepeat,
        key: pki.keyLabel,
        tls: 'TLSv1.2 only',
        fragmentSize: options.fragmentSize,
        messageAuthenticator: 'required',
        ...(tncRun
          ? {
              tncConcurrency: [...options.tncConcurrency],
              tncDurationSec: options.tncDurationSec,
              tncWarmupSec: options.tncWarmupSec,
              maxTncOps: options.maxTncOps,
              tncTimeoutSec: options.tncTimeoutSec,
            }
          : {}),
        ...(ikeRun
          ? {
              ikeModes: [...options.ikeModes],
              ikeConcurrency: [...options.ikeConcurrency],
              ikeDurationSec: options.ikeDurationSec,
              ikeWarmupSec: options.ikeWarmupSec,
              ikeHold: options.ikeHold,
              ikeProposal: options.ikeProposal,
              espProposal: options.espProposal,
              ikeInitiator: 'bench/ike/initiator.ts, one process, DH key pair reused across SAs, each SA deleted after set-up, virtual IP + CHILD_SA',
            }
          : {}),
      },
      servers,
      ...(tncRun ? { tnc } : {}),
      ...(ikeRun ? { ike } : {}),
    };
    const json = JSON.stringify({ ...report, ratios: ratios(report), ...(tncRun ? { tncRatios: tncRatios(report) } : {}), ...(ikeRun ? { ikeRatios: ikeRatios(report) } : {}), ...(espRun ? { esp } : {}), ...(store ? { store, storeRatios: storeRatios(store, options.storeConcurrency) } : {}) }, null, 2);
    const tables = [...(frRun ? [renderTable(report)] : []), ...(tncRun ? [renderTncTable(report)] : []), ...(ikeRun ? [renderIkeTable(report)] : []), ...(espRun ? [renderEspTable(esp)] : []), ...(store ? [renderStoreTable(store, options.storeConcurrency)] : [])].join('\n\n');
    process.stdout.write(`\n${renderHeader(report)}\n\n${tables}\n\nJSON:\n${json}\n`);
    if (options.jsonPath) writeFileSync(options.jsonPath, `${json}\n`);
    progress('done');
    return 0;
  } finally {
    await scope.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
