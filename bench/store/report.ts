/**
 * The store phase's table: posture figures of one PDP with the embedded store, one with Redis, two
 * (cluster) sharing Redis, with the ratios Redis/embedded and two/one; then the endpoints query
 * latency with both backends and the ratio Redis/embedded.
 */
import type { TncPhase } from '../tnc/phase.js';
import type { StoreBenchResults, StorePostureResults, StoreQueryResults } from './phase.js';

interface Row<T> {
  readonly label: string;
  readonly value: (s: T) => number | undefined;
  readonly digits: number;
  readonly better: 'higher' | 'lower' | '';
}

function fmt(v: number | undefined, digits: number): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(a: number | undefined, b: number | undefined): string {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return '-';
  const r = a / b;
  return `${r >= 0.1 || r === 0 ? r.toFixed(2) : r.toPrecision(2)}x`;
}

function table(lines: string[][], leftColumns: readonly number[]): string {
  const widths = (lines[0] as string[]).map((_, i) => Math.max(...lines.map((l) => (l[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (leftColumns.includes(i) ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  return [line(lines[0] as string[]), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(line)].join('\n');
}

function postureRows(concurrency: readonly number[]): Row<StorePostureResults>[] {
  const rows: Row<StorePostureResults>[] = [];
  const at = (s: StorePostureResults, c: number): TncPhase | undefined => s.phases.find((p) => p.concurrency === c);
  for (const c of concurrency) {
    const num = (v: number | null | undefined): number | undefined => (typeof v === 'number' ? v : undefined);
    rows.push(
      { label: `posture x${c}: assessments/s`, value: (s) => num(at(s, c)?.result.opsPerSec), digits: 1, better: 'higher' },
      { label: `posture x${c}: latency p50 ms`, value: (s) => num(at(s, c)?.result.latency.p50Ms), digits: 1, better: 'lower' },
      { label: `posture x${c}: latency p99 ms`, value: (s) => num(at(s, c)?.result.latency.p99Ms), digits: 1, better: 'lower' },
      { label: `posture x${c}: failed + timeouts`, value: (s) => { const r = at(s, c)?.result; return r ? r.failed + r.timeouts : undefined; }, digits: 0, better: 'lower' },
      { label: `posture x${c}: server CPU ms/assessment`, value: (s) => { const p = at(s, c); return p && p.result.ok > 0 ? p.serverCpuMs / p.result.ok : undefined; }, digits: 2, better: 'lower' },
    );
  }
  return rows;
}

const QUERY_ROWS = (labels: readonly string[]): Row<StoreQueryResults>[] => [
  ...labels.flatMap((label): Row<StoreQueryResults>[] => [
    { label: `${label}: p50 ms`, value: (s) => s.queries.find((q) => q.label === label)?.latency.p50Ms, digits: 1, better: 'lower' },
    { label: `${label}: p99 ms`, value: (s) => s.queries.find((q) => q.label === label)?.latency.p99Ms, digits: 1, better: 'lower' },
  ]),
  { label: 'PDP start-up on the filled store, s', value: (s) => s.startupMs / 1000, digits: 1, better: 'lower' },
  { label: 'PDP RSS with the filled store, MB', value: (s) => s.rssKb / 1024, digits: 1, better: 'lower' },
  { label: 'bulk fill through the Store API, s', value: (s) => s.fillMs / 1000, digits: 1, better: 'lower' },
];

export function storeRatios(r: StoreBenchResults, concurrency: readonly number[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  const div = (a: number | undefined, b: number | undefined): number | null => (a !== undefined && b !== undefined && b !== 0 && Number.isFinite(a) && Number.isFinite(b) ? a / b : null);
  const { embedded, redis } = r.posture;
  const x2 = r.posture['redis-x2'];
  for (const row of postureRows(concurrency)) {
    out[`redis/embedded ${row.label}`] = div(redis ? row.value(redis) : undefined, embedded ? row.value(embedded) : undefined);
    out[`two/one ${row.label}`] = div(x2 ? row.value(x2) : undefined, redis ? row.value(redis) : undefined);
  }
  const qe = r.endpoints.embedded;
  const qr = r.endpoints.redis;
  for (const row of QUERY_ROWS((qe ?? qr)?.queries.map((q) => q.label) ?? [])) out[`redis/embedded ${row.label}`] = div(qr ? row.value(qr) : undefined, qe ? row.value(qe) : undefined);
  return out;
}

export function renderStoreTable(r: StoreBenchResults, concurrency: readonly number[]): string {
  const { embedded, redis } = r.posture;
  const x2 = r.posture['redis-x2'];
  const head = [`store: ${r.redis}`, ...Object.values(r.posture).map((s) => `store ${s?.name}: ${s?.description}`), `store redis-x2: ${r.spread}`];
  const p: string[][] = [['figure', 'embedded', 'Redis', '2 x Redis', 'Redis/emb', '2x/1x', 'better']];
  for (const row of postureRows(concurrency)) {
    const e = embedded ? row.value(embedded) : undefined;
    const d = redis ? row.value(redis) : undefined;
    const t = x2 ? row.value(x2) : undefined;
    p.push([row.label, fmt(e, row.digits), fmt(d, row.digits), fmt(t, row.digits), ratio(d, e), ratio(t, d), row.better]);
  }
  const qe = r.endpoints.embedded;
  const qr = r.endpoints.redis;
  const devices = (qe ?? qr)?.devices ?? 0;
  const q: string[][] = [[`admin API, ${devices.toLocaleString('en-US')} devices (1 session each)`, 'embedded', 'Redis', 'Redis/emb', 'better']];
  for (const row of QUERY_ROWS((qe ?? qr)?.queries.map((x) => x.label) ?? [])) {
    const e = qe ? row.value(qe) : undefined;
    const d = qr ? row.value(qr) : undefined;
    q.push([row.label, fmt(e, row.digits), fmt(d, row.digits), ratio(d, e), row.better]);
  }
  const problems = Object.values(r.posture).flatMap((s) => (s ? s.phases.filter((x) => Object.keys(x.result.reasons).length > 0).map((x) => `store ${s.name} x${x.concurrency}: ${Object.entries(x.result.reasons).map(([k, v]) => `${k} x${v}`).join(', ')}`) : []));
  const busy = Object.values(r.posture).flatMap((s) => (s ? s.phases.filter((x) => (100 * x.backgroundCpuMs) / Math.max(1, x.result.elapsedMs) >= 20).map((x) => `${s.name} x${x.concurrency}`) : []));
  return [
    ...head,
    ...problems.map((l) => `  failure reasons: ${l}`),
    ...(busy.length > 0 ? [`  WARNING: other processes used 20 % or more of a core during ${busy.join(', ')}: compare ratios and CPU per assessment.`] : []),
    '',
    table(p, [0, 6]),
    '',
    table(q, [0, 4]),
  ].join('\n');
}
