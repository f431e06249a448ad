/**
 * What `tnc-pep pool --status` and `tnc-pep leases` print, in the columns of strongSwan's
 * `ipsec pool --status` and `ipsec pool --leases` (src/pool/pool.c):
 *
 *   printf("%8s %15s %15s %8s %6s %11s %11s\n", "name", "start", "end", "timeout", "size", "online", "usage");
 *   row: "%8s %15H %15H " name start end, then "%7dh " (timeout in hours) or "%8s " "static",
 *        then "%6d " size, "%5d (%2d%%) " online, "%5d (%2d%%) " used (online or valid)
 *
 *   printf("%-8s %-15s %-7s  %-*s %-*s %s\n", "name", "address", "status", len, "start", len, "end", "identity");
 *   row: "%-8s %-15H " name address, "%-7s " status, " %T  " acquired, "%T  " released or blanks, identity
 *   %T is "Mmm dd hh:mm:ss yyyy" (local) or "Mmm dd hh:mm:ss UTC yyyy"; len = 21 (local) or 25 (UTC).
 */
import type { LeaseInfo, PoolStatus } from './pool-types.js';

const padL = (s: string, n: number): string => s.padStart(n);
const padR = (s: string, n: number): string => s.padEnd(n);
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** strongSwan's %T. */
export function formatTime(ms: number, utc: boolean): string {
  const d = new Date(ms);
  const [mon, day, h, m, s, y] = utc
    ? [d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCFullYear()]
    : [d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getFullYear()];
  return `${MONTHS[mon]} ${two(day)} ${two(h)}:${two(m)}:${two(s)}${utc ? ' UTC ' : ' '}${String(y).padStart(4, '0')}`;
}

export function formatPoolStatus(pools: readonly PoolStatus[]): string {
  if (!pools.length) return 'no pools found.\n';
  let out = `${padL('name', 8)} ${padL('start', 15)} ${padL('end', 15)} ${padL('timeout', 8)} ${padL('size', 6)} ${padL('online', 11)} ${padL('usage', 11)}\n`;
  for (const p of pools) {
    out += `${padL(p.name, 8)} ${padL(p.start, 15)} ${padL(p.end, 15)} `;
    out += p.timeoutSeconds ? `${padL(String(Math.floor(p.timeoutSeconds / 3600)), 7)}h ` : `${padL('static', 8)} `;
    if (!p.size) {
      out += `${padL('0', 6)} ${padL('n/a', 11)} ${padL('n/a', 11)} \n`;
      continue;
    }
    const pct = (n: number): string => padL(String(Math.floor((n * 100) / p.size)), 2);
    out += `${padL(String(p.size), 6)} ${padL(String(p.online), 5)} (${pct(p.online)}%) ${padL(String(p.used), 5)} (${pct(p.used)}%) \n`;
  }
  return out;
}

export interface FormatLeasesOptions {
  readonly utc?: boolean;
}

export function formatLeases(leases: readonly LeaseInfo[], opts: FormatLeasesOptions = {}): string {
  if (!leases.length) return 'no matching leases found.\n';
  const utc = opts.utc ?? false;
  const len = utc ? 25 : 21;
  let out = `${padR('name', 8)} ${padR('address', 15)} ${padR('status', 7)}  ${padR('start', len)} ${padR('end', len)} identity\n`;
  for (const l of leases) {
    out += `${padR(l.pool, 8)} ${padR(l.address, 15)} ${padR(l.status, 7)} `;
    out += ` ${formatTime(l.acquired, utc)}  `;
    out += l.released !== undefined && l.status !== 'online' ? `${formatTime(l.released, utc)}  ` : ' '.repeat(utc ? 26 : 22);
    out += `${l.identity}\n`;
  }
  return out;
}
