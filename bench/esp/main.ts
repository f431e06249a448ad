/**
 * `node --import tsx bench/esp/main.ts [--esp-duration S] [--esp-suites a,b] [--only ours|strongswan] [--json FILE]`
 * ESP throughput through our PEP's userspace data path against strongSwan's kernel-libipsec (see
 * phase.ts), then a side-by-side table with the ratio. Runs our PEP from dist/ when built (npm run
 * build / the bench's tsc step), else through tsx. Namespaces, processes and the temp dir are
 * removed at the end, on error and on SIGINT.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release } from 'node:os';
import { sweepStaleNamespaces } from '../../integration/lib/netns.js';
import { Scope } from '../../integration/lib/proc.js';
import { makeTempDir } from '../../integration/lib/tmp.js';
import { benchEsp, type EspBenchOptions, type EspDirection, type EspServerResults } from './phase.js';
import { renderEspTable } from './report.js';
import type { EspResponderKind } from './responders.js';

const USAGE = 'usage: node --import tsx bench/esp/main.ts [--esp-duration SEC (5)] [--esp-suites aes128gcm16,aes128-sha256] [--esp-directions up,down] [--only ours|strongswan] [--json FILE]';

function parse(argv: readonly string[]): { o: EspBenchOptions; kinds: EspResponderKind[]; json?: string } {
  let durationSec = 5;
  let suites = ['aes128gcm16', 'aes128-sha256'];
  let directions: EspDirection[] = ['up', 'down'];
  let kinds: EspResponderKind[] = ['ours', 'strongswan'];
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--help' || a === '-h') throw new Error(USAGE);
    if (v === undefined) throw new Error(`${a}: value missing\n${USAGE}`);
    i++;
    if (a === '--esp-duration') {
      durationSec = Number(v);
      if (!(durationSec >= 1 && durationSec <= 120)) throw new Error('--esp-duration: 1..120 s');
    } else if (a === '--esp-suites') suites = v.split(',').filter((s) => /^[a-z0-9-]+$/.test(s));
    else if (a === '--esp-directions') directions = v.split(',').filter((d): d is EspDirection => d === 'up' || d === 'down');
    else if (a === '--only') {
      if (v !== 'ours' && v !== 'strongswan') throw new Error('--only: ours or strongswan');
      kinds = [v];
    } else if (a === '--json') json = v;
    else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (suites.length === 0 || directions.length === 0) throw new Error(USAGE);
  return { o: { suites, durationSec, directions }, kinds, ...(json ? { json } : {}) };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const t0 = performance.now();
  const progress = (msg: string): void => void process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);
  const scope = new Scope();
  const onSignal = (): void => void scope.close().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await sweepStaleNamespaces();
    const dir = makeTempDir(scope, 'bench-esp');
    const results: Partial<Record<EspResponderKind, EspServerResults>> = {};
    for (const kind of args.kinds) results[kind] = await benchEsp(kind, scope, dir, args.o, progress);
    const report = { machine: { cores: availableParallelism(), cpu: cpus()[0]?.model.trim() ?? '?', kernel: release() }, options: args.o, esp: results };
    process.stdout.write(`${renderEspTable(results)}\n`);
    if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2));
    return 0;
  } catch (e) {
    process.stderr.write(`bench esp: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    await scope.close();
  }
}

process.exitCode = await main();
