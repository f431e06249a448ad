/**
 * Top functions by self time in V8 CPU profiles (`npm run bench -- --cpu-prof DIR` writes them):
 *
 *   node --import tsx bench/profile-top.ts DIR/ours/*.cpuprofile [--top 25]
 *
 * Prints, per file and for all files together, self time per function (name, file:line) and per
 * source file, so a hot spot shows whether it is ours, Node's TLS/streams, or (program) / (gc).
 */
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) return path.slice(nm);
  return path.startsWith('/') ? relative(process.cwd(), path) : path || '(native)';
}

function selfTimes(p: Profile): { byFn: Map<string, number>; byFile: Map<string, number>; totalMs: number } {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = nodes.get(p.samples[i] as number);
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    if (!n) continue;
    const cf = n.callFrame;
    const file = shortUrl(cf.url);
    const fn = `${cf.functionName || '(anonymous)'}  ${file}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + dt);
    byFile.set(file, (byFile.get(file) ?? 0) + dt);
    total += dt;
  }
  return { byFn, byFile, totalMs: total };
}

function top(map: Map<string, number>, total: number, n: number, idleFree: number): string {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `  ${v.toFixed(0).padStart(7)} ms ${((100 * v) / Math.max(1, total)).toFixed(1).padStart(5)}% ${((100 * v) / Math.max(1, idleFree)).toFixed(1).padStart(5)}%busy  ${k}`)
    .join('\n');
}

const { values, positionals } = parseArgs({ options: { top: { type: 'string' } }, allowPositionals: true });
const n = Number(values.top ?? 25);
const all = { byFn: new Map<string, number>(), byFile: new Map<string, number>(), totalMs: 0 };
for (const file of positionals) {
  const t = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const idle = t.byFn.get('(idle)  (native)') ?? 0;
  process.stdout.write(`\n== ${basename(file)}: ${t.totalMs.toFixed(0)} ms sampled, ${(t.totalMs - idle).toFixed(0)} ms not idle\n${top(t.byFn, t.totalMs, n, t.totalMs - idle)}\n`);
  for (const [k, v] of t.byFn) all.byFn.set(k, (all.byFn.get(k) ?? 0) + v);
  for (const [k, v] of t.byFile) all.byFile.set(k, (all.byFile.get(k) ?? 0) + v);
  all.totalMs += t.totalMs;
}
if (positionals.length > 1) {
  const idle = all.byFn.get('(idle)  (native)') ?? 0;
  process.stdout.write(`\n== all ${positionals.length} profiles: ${(all.totalMs - idle).toFixed(0)} ms not idle\n${top(all.byFn, all.totalMs, n, all.totalMs - idle)}\n`);
}
const idleAll = all.byFn.get('(idle)  (native)') ?? 0;
process.stdout.write(`\n== by source file\n${top(all.byFile, all.totalMs, n, all.totalMs - idleAll)}\n`);
