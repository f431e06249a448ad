/**
 * The comparison tables (ours, FreeRADIUS, ours/FreeRADIUS; posture: ours, strongSwan,
 * ours/strongSwan) and the JSON form of the results.
 */
import type { ServerChoice } from './options.js';
import type { LoadPhase, RadclientPhase } from './phases.js';
import type { TncPhase, TncServerResults } from './tnc/phase.js';
import type { IkePhase, IkeServerResults } from './ike/phase.js';

export interface ServerResults {
  readonly kind: ServerChoice;
  readonly description: string;
  readonly startupMs: number;
  readonly idleRssKb: number;
  readonly peakRssKb: number;
  readonly radclient?: RadclientPhase;
  readonly pap?: LoadPhase;
  readonly ttls: readonly { readonly concurrency: number; readonly phase: LoadPhase }[];
}

export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly kernel: string;
  readonly node: string;
  readonly openssl: string;
  readonly freeradius: string;
  /** /proc/loadavg (1 min) when the run started: other work on the machine. */
  readonly loadAverageAtStart: number;
}

export interface BenchReport {
  readonly machine: Machine;
  readonly parameters: Record<string, unknown>;
  readonly servers: Partial<Record<ServerChoice, ServerResults>>;
  /** The posture phase: ours and strongSwan's tnc-pdp. */
  readonly tnc?: Partial<Record<string, TncServerResults>>;
  /** The IKE phase: our PEP and strongSwan's charon as responders. */
  readonly ike?: Partial<Record<string, IkeServerResults>>;
}

interface Row {
  readonly label: string;
  /** Which direction is better, for the reader of the ratio. */
  readonly better: 'higher' | 'lower' | '';
  readonly value: (r: ServerResults) => number | undefined;
  readonly digits: number;
}

function rows(report: BenchReport): Row[] {
  const p = report.parameters;
  const out: Row[] = [
    { label: `PAP radclient -p ${String(p['radclientParallel'])}: Access-Accepts/s`, better: 'higher', digits: 0, value: (r) => r.radclient?.opsPerSec },
    { label: 'PAP radclient: lost + rejected', better: 'lower', digits: 0, value: (r) => (r.radclient ? r.radclient.lost + r.radclient.rejected : undefined) },
    { label: 'PAP radclient: server CPU us/request', better: 'lower', digits: 1, value: (r) => (r.radclient ? (r.radclient.serverCpuMs * 1000) / Math.max(1, r.radclient.accepted) : undefined) },
    { label: `PAP node, window ${String(p['papWindow'])}: Access-Accepts/s`, better: 'higher', digits: 0, value: (r) => r.pap?.result.opsPerSec },
    { label: 'PAP node: latency p50 ms', better: 'lower', digits: 2, value: (r) => r.pap?.result.latency.p50Ms },
    { label: 'PAP node: latency p99 ms', better: 'lower', digits: 2, value: (r) => r.pap?.result.latency.p99Ms },
    { label: 'PAP node: failed + timeouts', better: 'lower', digits: 0, value: (r) => (r.pap ? r.pap.result.failed + r.pap.result.timeouts : undefined) },
    { label: 'PAP node: server CPU us/request', better: 'lower', digits: 1, value: (r) => (r.pap ? (r.pap.serverCpuMs * 1000) / Math.max(1, r.pap.result.ok) : undefined) },
    { label: 'PAP node: server CPU %', better: '', digits: 0, value: (r) => (r.pap ? (100 * r.pap.serverCpuMs) / Math.max(1, r.pap.result.elapsedMs) : undefined) },
    { label: 'PAP node: server main thread CPU %', better: '', digits: 0, value: (r) => (r.pap ? (100 * r.pap.serverMainThreadCpuMs) / Math.max(1, r.pap.result.elapsedMs) : undefined) },
    { label: 'PAP node: load generator CPU %', better: '', digits: 0, value: (r) => (r.pap ? (100 * r.pap.result.clientCpuMs) / Math.max(1, r.pap.result.elapsedMs) : undefined) },
    { label: 'PAP node: other processes CPU %', better: '', digits: 0, value: (r) => (r.pap ? (100 * r.pap.backgroundCpuMs) / Math.max(1, r.pap.result.elapsedMs) : undefined) },
  ];
  const concurrencies = (p['concurrency'] as number[] | undefined) ?? [];
  for (const c of concurrencies) {
    const t = (r: ServerResults): LoadPhase | undefined => r.ttls.find((x) => x.concurrency === c)?.phase;
    out.push(
      { label: `EAP-TTLS/MD5 x${c}: authentications/s`, better: 'higher', digits: 1, value: (r) => t(r)?.result.opsPerSec },
      { label: `EAP-TTLS/MD5 x${c}: latency p50 ms`, better: 'lower', digits: 1, value: (r) => t(r)?.result.latency.p50Ms },
      { label: `EAP-TTLS/MD5 x${c}: latency p99 ms`, better: 'lower', digits: 1, value: (r) => t(r)?.result.latency.p99Ms },
      { label: `EAP-TTLS/MD5 x${c}: failed`, better: 'lower', digits: 0, value: (r) => t(r)?.result.failed },
      { label: `EAP-TTLS/MD5 x${c}: timeouts`, better: 'lower', digits: 0, value: (r) => t(r)?.result.timeouts },
      { label: `EAP-TTLS/MD5 x${c}: RADIUS round trips/auth`, better: '', digits: 1, value: (r) => t(r)?.result.roundTripsPerOp },
      { label: `EAP-TTLS/MD5 x${c}: server CPU ms/auth`, better: 'lower', digits: 2, value: (r) => { const x = t(r); return x ? x.serverCpuMs / Math.max(1, x.result.ok) : undefined; } },
      { label: `EAP-TTLS/MD5 x${c}: load generator CPU %`, better: '', digits: 0, value: (r) => { const x = t(r); return x ? (100 * x.result.clientCpuMs) / Math.max(1, x.result.elapsedMs) : undefined; } },
      { label: `EAP-TTLS/MD5 x${c}: server CPU %`, better: '', digits: 0, value: (r) => { const x = t(r); return x ? (100 * x.serverCpuMs) / Math.max(1, x.result.elapsedMs) : undefined; } },
      { label: `EAP-TTLS/MD5 x${c}: server main thread CPU %`, better: '', digits: 0, value: (r) => { const x = t(r); return x ? (100 * x.serverMainThreadCpuMs) / Math.max(1, x.result.elapsedMs) : undefined; } },
      { label: `EAP-TTLS/MD5 x${c}: other processes CPU %`, better: '', digits: 0, value: (r) => { const x = t(r); return x ? (100 * x.backgroundCpuMs) / Math.max(1, x.result.elapsedMs) : undefined; } },
    );
  }
  out.push(
    { label: 'RSS after start, MB', better: 'lower', digits: 1, value: (r) => r.idleRssKb / 1024 },
    { label: 'peak RSS (VmHWM), MB', better: 'lower', digits: 1, value: (r) => r.peakRssKb / 1024 },
    { label: 'start-up time, s', better: 'lower', digits: 1, value: (r) => r.startupMs / 1000 },
  );
  return out;
}

function fmt(v: number | undefined, digits: number): string {
  if (v === undefined || v === null || Number.isNaN(v)) return '-';
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b) || b === 0) return undefined;
  return a / b;
}

export function ratios(report: BenchReport): Record<string, number | null> {
  const { ours, freeradius } = report.servers;
  const out: Record<string, number | null> = {};
  if (!ours || !freeradius) return out;
  for (const row of rows(report)) out[row.label] = ratio(row.value(ours), row.value(freeradius)) ?? null;
  return out;
}

export function renderTable(report: BenchReport): string {
  const { ours, freeradius } = report.servers;
  const table: string[][] = [['figure', 'ours', 'FreeRADIUS', 'ours/FR', 'better']];
  for (const row of rows(report)) {
    const a = ours ? row.value(ours) : undefined;
    const b = freeradius ? row.value(freeradius) : undefined;
    const r = ratio(a, b);
    table.push([row.label, fmt(a, row.digits), fmt(b, row.digits), r === undefined ? '-' : `${r.toFixed(2)}x`, row.better]);
  }
  const widths = (table[0] as string[]).map((_, i) => Math.max(...table.map((line) => (line[i] as string).length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(table[0] as string[]), sep, ...table.slice(1).map(line)].join('\n');
}

interface TncRow {
  readonly label: string;
  readonly better: 'higher' | 'lower' | '';
  readonly value: (r: TncServerResults) => number | undefined;
  readonly digits: number;
}

function tncRows(report: BenchReport): TncRow[] {
  const out: TncRow[] = [];
  const levels = (report.parameters['tncConcurrency'] as number[] | undefined) ?? [];
  for (const c of levels) {
    const t = (r: TncServerResults): TncPhase | undefined => r.phases.find((x) => x.concurrency === c);
    const per = (r: TncServerResults, f: (p: TncPhase) => number): number | undefined => {
      const p = t(r);
      return p ? f(p) : undefined;
    };
    const pct = (p: TncPhase, ms: number): number => (100 * ms) / Math.max(1, p.result.elapsedMs);
    out.push(
      { label: `posture x${c}: assessments/s`, better: 'higher', digits: 1, value: (r) => per(r, (p) => p.result.opsPerSec) },
      { label: `posture x${c}: latency p50 ms`, better: 'lower', digits: 1, value: (r) => per(r, (p) => p.result.latency.p50Ms) },
      { label: `posture x${c}: latency p99 ms`, better: 'lower', digits: 1, value: (r) => per(r, (p) => p.result.latency.p99Ms) },
      { label: `posture x${c}: failed + timeouts`, better: 'lower', digits: 0, value: (r) => per(r, (p) => p.result.failed + p.result.timeouts) },
      { label: `posture x${c}: decisions allow`, better: '', digits: 0, value: (r) => per(r, (p) => p.result.decisions['allow'] ?? 0) },
      { label: `posture x${c}: decisions isolate`, better: '', digits: 0, value: (r) => per(r, (p) => p.result.decisions['isolate'] ?? 0) },
      { label: `posture x${c}: RADIUS round trips/assessment`, better: '', digits: 1, value: (r) => per(r, (p) => p.result.roundTripsPerOp) },
      { label: `posture x${c}: server CPU ms/assessment`, better: 'lower', digits: 2, value: (r) => per(r, (p) => p.serverCpuMs / Math.max(1, p.result.ok)) },
      { label: `posture x${c}: memory KB/in-flight assessment`, better: 'lower', digits: 0, value: (r) => per(r, (p) => Math.max(0, p.rssPeakKb - p.rssBeforeKb) / c) },
      { label: `posture x${c}: server peak RSS MB`, better: 'lower', digits: 1, value: (r) => per(r, (p) => p.rssPeakKb / 1024) },
      { label: `posture x${c}: server CPU %`, better: '', digits: 0, value: (r) => per(r, (p) => pct(p, p.serverCpuMs)) },
      { label: `posture x${c}: load generator CPU %`, better: '', digits: 0, value: (r) => per(r, (p) => pct(p, p.result.clientCpuMs)) },
      { label: `posture x${c}: other processes CPU %`, better: '', digits: 0, value: (r) => per(r, (p) => pct(p, p.backgroundCpuMs)) },
    );
  }
  out.push(
    { label: 'posture: RSS after start, MB', better: 'lower', digits: 1, value: (r) => r.idleRssKb / 1024 },
    { label: 'posture: start-up time, s', better: 'lower', digits: 1, value: (r) => r.startupMs / 1000 },
  );
  return out;
}

export function tncRatios(report: BenchReport): Record<string, number | null> {
  const ours = report.tnc?.['ours'];
  const ss = report.tnc?.['strongswan'];
  const out: Record<string, number | null> = {};
  if (!ours || !ss) return out;
  for (const row of tncRows(report)) out[row.label] = ratio(row.value(ours), row.value(ss)) ?? null;
  return out;
}

export function renderTncTable(report: BenchReport): string {
  const ours = report.tnc?.['ours'];
  const ss = report.tnc?.['strongswan'];
  const table: string[][] = [['figure', 'ours', 'strongSwan', 'ours/sS', 'better']];
  for (const row of tncRows(report)) {
    const a = ours ? row.value(ours) : undefined;
    const b = ss ? row.value(ss) : undefined;
    const r = ratio(a, b);
    table.push([row.label, fmt(a, row.digits), fmt(b, row.digits), r === undefined ? '-' : `${r.toFixed(2)}x`, row.better]);
  }
  const widths = (table[0] as string[]).map((_, i) => Math.max(...table.map((line) => (line[i] as string).length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(table[0] as string[]), sep, ...table.slice(1).map(line)].join('\n');
}

function tncHeader(report: BenchReport): string[] {
  const lines: string[] = [];
  for (const s of Object.values(report.tnc ?? {})) {
    if (!s) continue;
    lines.push(`posture ${s.kind}: ${s.description}`);
    const problems = s.phases
      .filter((p) => Object.keys(p.result.reasons).length > 0)
      .map((p) => `x${p.concurrency}: ${Object.entries(p.result.reasons).map(([k, v]) => `${k} x${v}`).join(', ')}`);
    if (problems.length > 0) lines.push(`  failure reasons: ${problems.join('; ')}`);
    const clientBound = s.phases.filter((p) => (100 * p.result.clientCpuMs) / Math.max(1, p.result.elapsedMs) >= 75).map((p) => `x${p.concurrency}`);
    if (clientBound.length > 0) lines.push(`  NOTE: the posture load generator was near one core at ${clientBound.join(', ')}: compare server CPU ms/assessment there.`);
    const busy = s.phases.filter((p) => (100 * p.backgroundCpuMs) / Math.max(1, p.result.elapsedMs) >= 20).map((p) => `x${p.concurrency}`);
    if (busy.length > 0) lines.push(`  WARNING: other processes used 20 % or more of a core during ${busy.join(', ')}: compare ratios and CPU per assessment.`);
  }
  return lines;
}

export function renderHeader(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `machine: ${m.cores} cores (${m.cpu}), Linux ${m.kernel}, node ${m.node} (OpenSSL ${m.openssl}), ${m.freeradius}, load average ${m.loadAverageAtStart} at start`,
    `parameters: ${Object.entries(report.parameters).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ')}`,
  ];
  for (const s of Object.values(report.servers)) {
    if (!s) continue;
    lines.push(`${s.kind}: ${s.description}`);
    const tls = s.ttls.find((t) => t.phase.result.tls)?.phase.result.tls;
    if (tls) lines.push(`  negotiated: ${tls.version} ${tls.cipher}, key exchange ${tls.group}, ${tls.certChainLength} certificate(s) sent`);
    const problems = [...(s.pap ? [['PAP node', s.pap.result.reasons] as const] : []), ...s.ttls.map((t) => [`TTLS x${t.concurrency}`, t.phase.result.reasons] as const)]
      .filter(([, r]) => Object.keys(r).length > 0)
      .map(([label, r]) => `${label}: ${Object.entries(r).map(([k, v]) => `${k} x${v}`).join(', ')}`);
    if (problems.length > 0) lines.push(`  failure reasons: ${problems.join('; ')}`);
  }
  const busy: string[] = [];
  for (const s of Object.values(report.servers)) {
    if (!s) continue;
    const phases = [...(s.pap ? [['PAP node', s.pap] as const] : []), ...s.ttls.map((t) => [`TTLS x${t.concurrency}`, t.phase] as const)];
    for (const [label, p] of phases) {
      const pct = (100 * p.backgroundCpuMs) / Math.max(1, p.result.elapsedMs);
      if (pct >= 20) busy.push(`${s.kind} ${label} ${pct.toFixed(0)}%`);
    }
  }
  const clientBound: string[] = [];
  for (const s of Object.values(report.servers)) {
    for (const t of s?.ttls ?? []) {
      const pct = (100 * t.phase.result.clientCpuMs) / Math.max(1, t.phase.result.elapsedMs);
      if (pct >= 75) clientBound.push(`${s?.kind} x${t.concurrency} ${pct.toFixed(0)}%`);
    }
  }
  if (clientBound.length > 0) {
    lines.push(`NOTE: the single-threaded TTLS load generator was near its limit (${clientBound.join(', ')} of one core): those authentications/s are partly the client's; server CPU ms/auth is the fairer comparison.`);
  }
  lines.push(...tncHeader(report));
  if (busy.length > 0) {
    lines.push(`WARNING: other processes used CPU during measured phases (% of one core: ${busy.join(', ')}); absolute figures are depressed, compare the CPU-per-operation rows and ratios, and rerun on a quiet machine.`);
  }
  return lines.join('\n');
}

interface IkeRow {
  readonly label: string;
  readonly better: 'higher' | 'lower' | '';
  readonly value: (r: Extract<IkeServerResults, { available: true }>) => number | undefined;
  readonly digits: number;
}

function ikeRows(report: BenchReport): IkeRow[] {
  const out: IkeRow[] = [];
  const p = report.parameters;
  for (const mode of (p['ikeModes'] as string[] | undefined) ?? []) {
    for (const c of (p['ikeConcurrency'] as number[] | undefined) ?? []) {
      const per = (r: Extract<IkeServerResults, { available: true }>, f: (x: IkePhase) => number): number | undefined => {
        const x = r.phases.find((ph) => ph.mode === mode && ph.concurrency === c);
        return x ? f(x) : undefined;
      };
      const pct = (x: IkePhase, ms: number): number => (100 * ms) / Math.max(1, x.result.elapsedMs);
      const l = `${mode} x${c}`;
      out.push(
        { label: `${l}: IKE_SAs/s`, better: 'higher', digits: 1, value: (r) => per(r, (x) => x.result.opsPerSec) },
        { label: `${l}: set-up latency p50 ms`, better: 'lower', digits: 1, value: (r) => per(r, (x) => x.result.latency.p50Ms) },
        { label: `${l}: set-up latency p99 ms`, better: 'lower', digits: 1, value: (r) => per(r, (x) => x.result.latency.p99Ms) },
        { label: `${l}: failed + timeouts`, better: 'lower', digits: 0, value: (r) => per(r, (x) => x.result.failed + x.result.timeouts) },
        { label: `${l}: retransmissions`, better: 'lower', digits: 0, value: (r) => per(r, (x) => x.result.retransmissions) },
        { label: `${l}: round trips/SA`, better: '', digits: 1, value: (r) => per(r, (x) => x.result.roundTripsPerOp) },
        { label: `${l}: responder CPU ms/SA`, better: 'lower', digits: 2, value: (r) => per(r, (x) => x.serverCpuMs / Math.max(1, x.result.ok)) },
        { label: `${l}: responder CPU %`, better: '', digits: 0, value: (r) => per(r, (x) => pct(x, x.serverCpuMs)) },
        ...(mode === 'eap-md5' ? [{ label: `${l}: FreeRADIUS CPU %`, better: '' as const, digits: 0, value: (r: Extract<IkeServerResults, { available: true }>) => per(r, (x) => pct(x, x.radiusCpuMs)) }] : []),
        { label: `${l}: initiator CPU %`, better: '', digits: 0, value: (r) => per(r, (x) => pct(x, x.result.clientCpuMs)) },
        { label: `${l}: other processes CPU %`, better: '', digits: 0, value: (r) => per(r, (x) => pct(x, x.backgroundCpuMs)) },
      );
    }
  }
  out.push(
    { label: 'memory: IKE_SAs held (PSK)', better: '', digits: 0, value: (r) => r.memory?.held },
    { label: 'memory: KB per established IKE_SA', better: 'lower', digits: 1, value: (r) => r.memory?.kbPerSa },
    { label: 'memory: RSS with them, MB', better: 'lower', digits: 1, value: (r) => (r.memory ? r.memory.rssHeldKb / 1024 : undefined) },
    { label: 'RSS after start, MB', better: 'lower', digits: 1, value: (r) => r.idleRssKb / 1024 },
    { label: 'start-up time, s', better: 'lower', digits: 1, value: (r) => r.startupMs / 1000 },
  );
  return out;
}

function availableIke(report: BenchReport, kind: string): Extract<IkeServerResults, { available: true }> | undefined {
  const r = report.ike?.[kind];
  return r?.available ? r : undefined;
}

export function ikeRatios(report: BenchReport): Record<string, number | null> {
  const ours = availableIke(report, 'ours');
  const ss = availableIke(report, 'strongswan');
  const out: Record<string, number | null> = {};
  if (!ours || !ss) return out;
  for (const row of ikeRows(report)) out[row.label] = ratio(row.value(ours), row.value(ss)) ?? null;
  return out;
}

export function renderIkeTable(report: BenchReport): string {
  const ours = availableIke(report, 'ours');
  const ss = availableIke(report, 'strongswan');
  const lines: string[] = [];
  for (const r of Object.values(report.ike ?? {})) {
    if (!r) continue;
    lines.push(r.available ? `IKE ${r.kind}: ${r.description}` : `IKE ${r.kind === 'ours' ? 'ours' : 'strongSwan'}: not available (${r.reason})`);
  }
  const table: string[][] = [['figure', 'ours', 'strongSwan', 'ours/sS', 'better']];
  for (const row of ikeRows(report)) {
    const a = ours ? row.value(ours) : undefined;
    const b = ss ? row.value(ss) : undefined;
    const r = ratio(a, b);
    table.push([row.label, ours ? fmt(a, row.digits) : 'n/a', ss ? fmt(b, row.digits) : 'n/a', r === undefined ? '-' : `${r.toFixed(2)}x`, row.better]);
  }
  const widths = (table[0] as string[]).map((_, i) => Math.max(...table.map((line) => (line[i] as string).length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [...lines, '', line(table[0] as string[]), sep, ...table.slice(1).map(line)].join('\n');
}
