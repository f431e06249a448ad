/**
 * `npm run bench` options: flags, with BENCH_QUICK=1 (or --quick) for a smoke run of a few hundred
 * operations per phase. Every phase is bounded both by a count and by a time limit.
 */
import { parseArgs } from 'node:util';

export type KeyChoice = 'rsa3072' | 'ecdsa256';
export type ServerChoice = 'ours' | 'freeradius';
export type PhaseChoice = 'radclient' | 'pap' | 'ttls' | 'tnc' | 'ike' | 'store' | 'esp';
const PHASES: readonly PhaseChoice[] = ['radclient', 'pap', 'ttls', 'tnc', 'ike', 'store', 'esp'];
/** The IKE phase compares our PEP with strongSwan's charon as responders (bench/ike/). */
export type IkeModeChoice = 'psk' | 'eap-md5';
/** The posture phase compares ours with strongSwan's tnc-pdp (bench/tnc/). */
export type TncServerChoice = 'ours' | 'strongswan';

export interface BenchOptions {
  readonly quick: boolean;
  /** Distinct users user0001..userN, all in group allow. */
  readonly users: number;
  /** EAP-TTLS concurrent conversations, one phase each. */
  readonly concurrency: readonly number[];
  /** Measured time of each load-generator phase (after the warm-up), seconds. */
  readonly durationSec: number;
  readonly warmupSec: number;
  /** Upper bound on operations per phase (reached first in quick mode). */
  readonly maxPapOps: number;
  readonly maxTtlsOps: number;
  /** Outstanding PAP requests of the Node generator. */
  readonly papWindow: number;
  /** radclient: the users file sent `radclientRepeat` times (-c), `radclientParallel` in flight (-p). */
  readonly radclientRepeat: number;
  readonly radclientParallel: number;
  readonly key: KeyChoice;
  readonly fragmentSize: number;
  readonly servers: readonly ServerChoice[];
  readonly phases: readonly PhaseChoice[];
  /** Posture phase (tnc): servers, concurrent assessments per level, timing, op bound. */
  readonly tncServers: readonly TncServerChoice[];
  readonly tncConcurrency: readonly number[];
  readonly tncDurationSec: number;
  readonly tncWarmupSec: number;
  readonly maxTncOps: number;
  /** Deadline of one assessment in the load generator. */
  readonly tncTimeoutSec: number;
  /** IKE phase (ike): modes, concurrent set-ups per level, timing, SAs held for memory, proposals. */
  readonly ikeServers: readonly TncServerChoice[];
  readonly ikeModes: readonly IkeModeChoice[];
  readonly ikeConcurrency: readonly number[];
  readonly ikeDurationSec: number;
  readonly ikeWarmupSec: number;
  readonly ikeHold: number;
  readonly ikeProposal: string;
  readonly espProposal: string;
  readonly maxIkeOps: number;
  /** ESP phase (esp, bench/esp/): measured seconds per ESP suite and direction. */
  readonly espDurationSec: number;
  /** Store phase (store, bench/store/): posture levels, devices filled for the endpoints query, requests per query. */
  readonly storeConcurrency: readonly number[];
  readonly storeDurationSec: number;
  readonly storeDevices: number;
  readonly storeQueries: number;
  /** Write V8 CPU profiles of our PDP (main thread and workers) into this directory. */
  readonly cpuProfDir?: string;
  /** Also write the JSON results to this file. */
  readonly jsonPath?: string;
}

export const USAGE = `usage: npm run bench -- [options]        (BENCH_QUICK=1 for a smoke run)
  --quick                 a few hundred operations per phase (same as BENCH_QUICK=1)
  --users N               distinct users user0001..userN (default 1000; quick 100)
  --concurrency A,B       EAP-TTLS concurrent authentications per phase (default 16,64; quick 16)
  --duration S            measured seconds per load phase (default 10)
  --warmup S              unmeasured seconds before each load phase (default 1; quick 0.2)
  --pap-window N          outstanding PAP requests of the Node generator (default 64)
  --radclient-repeat N    radclient -c: times the N-user file is sent (default 10; quick 5)
  --key rsa3072|ecdsa256  server key, shared by both servers (default rsa3072)
  --fragment-size N       EAP-TTLS fragment size of both servers (default 1024)
  --only ours|freeradius|strongswan|tnc|ike|store|esp
                          ours / freeradius: that server only (no ratios; tnc then runs ours only
                          or not at all); strongswan: only the tnc phase on strongSwan; tnc: only
                          the posture phase, ours and strongSwan (same as --phases tnc); ike: only
                          the IKE phase, our PEP and strongSwan's charon (same as --phases ike)
  --phases LIST           some of radclient,pap,ttls,tnc,ike,store,esp (default all seven)
  --tnc-concurrency A,B   concurrent posture assessments per level (default 1,8,32; quick 1,8)
  --tnc-duration S        measured seconds per posture level (default 8; quick 3)
  --tnc-warmup S          unmeasured seconds before each posture level (default 1; quick 0.5)
  --tnc-timeout S         deadline of one assessment (default 20)
  --ike-modes LIST        psk and/or eap-md5 (default both; eap-md5 relays to FreeRADIUS, an
                          EAP method without MSK: AUTH from SK_p on both responders)
  --ike-concurrency A,B   IKE_SA set-ups in flight per level (default 8,32; quick 8)
  --ike-duration S        measured seconds per IKE level (default 8; quick 3)
  --ike-warmup S          unmeasured seconds before each IKE level (default 1; quick 0.5)
  --ike-hold N            PSK IKE_SAs held open for memory per SA (default 1000; quick 200; 0: skip)
  --ike-proposal P        IKE proposal, strongSwan syntax (default aes128-sha256-ecp256;
                          also aes128gcm16-prfsha256-modp2048 ...)
  --esp-proposal P        ESP proposal of the CHILD_SA (default aes128gcm16; or aes128-sha256)
  --only store            the store phase alone (bench/README.md): embedded vs Redis store, two PDPs
                          vs one, endpoints query latency with --store-devices devices
  --store-concurrency A,B posture assessments in flight per store level (default 8,32; quick 8)
  --store-duration S      measured seconds per store level (default 8; quick 3)
  --only esp              the ESP phase alone: TCP through a tunnel from Debian charon to our PEP
                          (userspace ESP) vs charon (kernel-libipsec), aes128gcm16 and aes128-sha256
  --esp-duration S        measured seconds per ESP suite and direction (default 5; quick 2)
  --store-devices N       devices (+1 session each) filled for the endpoints query (default 100000;
                          quick 10000)
  --store-queries N       measured requests per endpoints query (default 100; quick 20)
  --cpu-prof DIR          node --cpu-prof for our PDP (DIR/ours) and the load generators (DIR/load-*);
                          for finding hot spots, not for figures (profiling slows both)
  --json FILE             also write the results as JSON to FILE (they are printed anyway)
  --help`;

function positiveInt(name: string, v: string | undefined, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be an integer in 1..${max}, not ${v}`);
  return n;
}

function positiveNumber(name: string, v: string | undefined, dflt: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > max) throw new Error(`${name} must be a number in 0..${max}, not ${v}`);
  return n;
}

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      users: { type: 'string' },
      concurrency: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'pap-window': { type: 'string' },
      'radclient-repeat': { type: 'string' },
      key: { type: 'string' },
      'fragment-size': { type: 'string' },
      only: { type: 'string' },
      phases: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'tnc-concurrency': { type: 'string' },
      'tnc-duration': { type: 'string' },
      'tnc-warmup': { type: 'string' },
      'tnc-timeout': { type: 'string' },
      'ike-modes': { type: 'string' },
      'ike-concurrency': { type: 'string' },
      'ike-duration': { type: 'string' },
      'ike-warmup': { type: 'string' },
      'ike-hold': { type: 'string' },
      'ike-proposal': { type: 'string' },
      'esp-proposal': { type: 'string' },
      'store-concurrency': { type: 'string' },
      'store-duration': { type: 'string' },
      'esp-duration': { type: 'string' },
      'store-devices': { type: 'string' },
      'store-queries': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick === true || env['BENCH_QUICK'] === '1';
  const users = positiveInt('--users', values.users, quick ? 100 : 1000, 100_000);
  const concurrency = (values.concurrency ?? (quick ? '16' : '16,64')).split(',').map((c) => positiveInt('--concurrency', c.trim(), 1, 1024));
  for (const c of concurrency) {
    if (c > users && !(values.only === 'tnc' || values.only === 'strongswan' || values.only === 'ike' || values.only === 'store' || values.only === 'esp' || values.phases === 'tnc' || values.phases === 'ike')) throw new Error(`--concurrency ${c} needs at least ${c} distinct users (--users ${users})`);
  }
  const key = values.key ?? 'rsa3072';
  if (key !== 'rsa3072' && key !== 'ecdsa256') throw new Error(`--key must be rsa3072 or ecdsa256, not ${key}`);
  const only = values.only;
  if (only !== undefined && !['ours', 'freeradius', 'strongswan', 'tnc', 'ike', 'store', 'esp'].includes(only)) throw new Error(`--only must be ours, freeradius, strongswan, tnc, ike, store or esp, not ${only}`);
  const tncOnly = only === 'tnc' || only === 'strongswan' || only === 'ike' || only === 'store' || only === 'esp';
  if (tncOnly && values.phases !== undefined && only !== 'strongswan' && values.phases !== only) throw new Error(`--only ${only} runs the ${only} phase only; drop --phases`);
  const phases = (only === 'esp' ? 'esp' : only === 'store' ? 'store' : only === 'ike' ? 'ike' : only === 'tnc' ? 'tnc' : only === 'strongswan' ? (values.phases ?? 'tnc,ike') : (values.phases ?? PHASES.join(','))).split(',').map((p) => p.trim());
  for (const p of phases) if (!(PHASES as readonly string[]).includes(p)) throw new Error(`--phases takes ${PHASES.join(',')}, not ${p}`);
  const papWindow = positiveInt('--pap-window', values['pap-window'], 64, 4096);
  if (papWindow > users && phases.includes('pap')) throw new Error(`--pap-window ${papWindow} needs at least as many users (--users ${users})`);
  const tncConcurrency = (values['tnc-concurrency'] ?? (quick ? '1,8' : '1,8,32')).split(',').map((c) => positiveInt('--tnc-concurrency', c.trim(), 1, 1024));
  for (const c of tncConcurrency) {
    if (c > users) throw new Error(`--tnc-concurrency ${c} needs at least ${c} distinct users/devices (--users ${users})`);
  }
  return {
    quick,
    users,
    concurrency,
    durationSec: positiveNumber('--duration', values.duration, 10, 600),
    warmupSec: positiveNumber('--warmup', values.warmup, quick ? 0.2 : 1, 60),
    maxPapOps: quick ? 500 : 2_000_000,
    maxTtlsOps: quick ? 200 : 100_000,
    papWindow,
    radclientRepeat: positiveInt('--radclient-repeat', values['radclient-repeat'], quick ? 5 : 10, 10_000),
    radclientParallel: 50,
    key,
    fragmentSize: positiveInt('--fragment-size', values['fragment-size'], 1024, 4000),
    servers: only === 'ours' || only === 'freeradius' ? [only] : tncOnly ? [] : ['ours', 'freeradius'],
    tncServers: only === 'ours' ? ['ours'] : only === 'freeradius' ? [] : only === 'strongswan' ? ['strongswan'] : ['ours', 'strongswan'],
    tncConcurrency,
    tncDurationSec: positiveNumber('--tnc-duration', values['tnc-duration'], quick ? 3 : 8, 600),
    tncWarmupSec: positiveNumber('--tnc-warmup', values['tnc-warmup'], quick ? 0.5 : 1, 60),
    maxTncOps: quick ? 150 : 100_000,
    tncTimeoutSec: positiveNumber('--tnc-timeout', values['tnc-timeout'], 20, 600),
    ikeServers: only === 'ours' ? ['ours'] : only === 'freeradius' ? [] : only === 'strongswan' ? ['strongswan'] : ['ours', 'strongswan'],
    ikeModes: (values['ike-modes'] ?? 'psk,eap-md5').split(',').map((m) => {
      const t = m.trim();
      if (t !== 'psk' && t !== 'eap-md5') throw new Error(`--ike-modes takes psk,eap-md5, not ${t}`);
      return t;
    }),
    ikeConcurrency: (values['ike-concurrency'] ?? (quick ? '8' : '8,32')).split(',').map((c) => positiveInt('--ike-concurrency', c.trim(), 1, 1024)),
    ikeDurationSec: positiveNumber('--ike-duration', values['ike-duration'], quick ? 3 : 8, 600),
    ikeWarmupSec: positiveNumber('--ike-warmup', values['ike-warmup'], quick ? 0.5 : 1, 60),
    ikeHold: values['ike-hold'] === '0' ? 0 : positiveInt('--ike-hold', values['ike-hold'], quick ? 200 : 1000, 60_000),
    ikeProposal: values['ike-proposal'] ?? 'aes128-sha256-ecp256',
    espProposal: values['esp-proposal'] ?? 'aes128gcm16',
    maxIkeOps: quick ? 2000 : 1_000_000,
    espDurationSec: positiveNumber('--esp-duration', values['esp-duration'], quick ? 2 : 5, 120),
    storeConcurrency: (values['store-concurrency'] ?? (quick ? '8' : '8,32')).split(',').map((c) => positiveInt('--store-concurrency', c.trim(), 1, Math.min(1024, users))),
    storeDurationSec: positiveNumber('--store-duration', values['store-duration'], quick ? 3 : 8, 600),
    storeDevices: positiveInt('--store-devices', values['store-devices'], quick ? 10_000 : 100_000, 10_000_000),
    storeQueries: positiveInt('--store-queries', values['store-queries'], quick ? 20 : 100, 100_000),
    phases: phases as PhaseChoice[],
    ...(values['cpu-prof'] !== undefined ? { cpuProfDir: values['cpu-prof'] } : {}),
    ...(values.json !== undefined ? { jsonPath: values.json } : {}),
  };
}
