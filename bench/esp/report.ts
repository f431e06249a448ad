/**
 * The ESP table: per suite and direction, Mbit/s, ESP packets/s and CPU of each responder side by
 * side, with ours/strongSwan and which direction is better.
 */
import type { EspRun, EspServerResults } from './phase.js';
import type { EspResponderKind } from './responders.js';

interface Row {
  readonly figure: string;
  readonly ours?: number;
  readonly strongswan?: number;
  readonly better: 'higher' | 'lower' | '';
  readonly digits: number;
}

function fmt(v: number | undefined, digits: number): string {
  return v === undefined || !Number.isFinite(v) ? '-' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function espRows(results: Partial<Record<EspResponderKind, EspServerResults>>): Row[] {
  const runs = (k: EspResponderKind): readonly EspRun[] => {
    const r = results[k];
    return r?.available ? r.runs : [];
  };
  const keys = [...new Set([...runs('ours'), ...runs('strongswan')].map((r) => `${r.suite} ${r.direction}`))];
  const rows: Row[] = [];
  for (const key of keys) {
    const pick = (k: EspResponderKind): EspRun | undefined => runs(k).find((r) => `${r.suite} ${r.direction}` === key);
    const o = pick('ours');
    const s = pick('strongswan');
    const add = (figure: string, f: (r: EspRun) => number, better: Row['better'], digits: number): void => {
      rows.push({ figure: `${key}: ${figure}`, ...(o ? { ours: f(o) } : {}), ...(s ? { strongswan: f(s) } : {}), better, digits });
    };
    add('Mbit/s (TCP payload)', (r) => r.mbitPerSec, 'higher', 1);
    add('ESP packets/s', (r) => r.packetsPerSec, 'higher', 0);
    add('responder CPU %', (r) => (100 * r.responderCpuMs) / r.wallMs, '', 0);
    add('responder CPU ms/MB', (r) => r.responderCpuMs / (r.bytes / 1e6), 'lower', 1);
    add("carol's charon CPU %", (r) => (100 * r.initiatorCpuMs) / r.wallMs, '', 0);
    add('other CPU % (blaster, kernel, others)', (r) => (100 * Math.max(0, r.machineBusyMs - r.responderCpuMs - r.initiatorCpuMs)) / r.wallMs, '', 0);
  }
  return rows;
}

export function renderEspTable(results: Partial<Record<EspResponderKind, EspServerResults>>): string {
  const head: string[] = [];
  for (const k of ['ours', 'strongswan'] as const) {
    const r = results[k];
    if (r) head.push(`ESP ${k}: ${r.available ? r.description : `not available (${r.reason})`}`);
  }
  const rows = espRows(results).map((r) => {
    const ratio = r.ours !== undefined && r.strongswan !== undefined && r.strongswan !== 0 ? `${(r.ours / r.strongswan).toFixed(2)}x` : '-';
    return [r.figure, fmt(r.ours, r.digits), fmt(r.strongswan, r.digits), ratio, r.better];
  });
  const all = [['figure', 'ours', 'strongSwan', 'ours/sS', 'better'], ...rows];
  const w = all[0]!.map((_, i) => Math.max(...all.map((row) => row[i]!.length)));
  const line = (row: readonly string[]): string => row.map((c, i) => (i === 0 || i === 4 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [...head, '', line(all[0]!), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
