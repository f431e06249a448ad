/**
 * Cleanup for the integration tests: a {@link Scope} runs teardown steps in reverse order (register
 * `after(() => scope.close())`), and a last-resort handler kills every recorded process group and
 * runs the registered synchronous cleanups when the test process exits or is signalled without
 * reaching its `after` hooks.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** LIFO list of teardown steps. Errors in one step never stop the others. */
export class Scope {
  readonly #steps: { label: string; fn: () => Promise<void> | void }[] = [];
  #closed = false;

  defer(label: string, fn: () => Promise<void> | void): void {
    if (this.#closed) throw new Error(`scope already closed, cannot defer ${label}`);
    this.#steps.push({ label, fn });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const errors: string[] = [];
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step.fn();
      } catch (err) {
        errors.push(`${step.label}: ${(err as Error).message}`);
      }
    }
    if (errors.length > 0) throw new Error(`cleanup failed:\n${errors.join('\n')}`);
  }
}

/** PIDs (process-group leaders) this test process started; killed synchronously if it exits early. */
const livePgids = new Set<number>();

export function trackGroup(pgid: number): void {
  livePgids.add(pgid);
}

export function untrackGroup(pgid: number): void {
  livePgids.delete(pgid);
}
/** Synchronous last-resort cleanups (e.g. deleting namespaces) for an exit without `after` hooks. */
const emergencyCleanups = new Set<() => void>();

/** Process groups started by this test process and not yet verified dead. */
export function trackedProcessGroups(): number[] {
  return [...livePgids];
}

export function registerEmergencyCleanup(fn: () => void): () => void {
  emergencyCleanups.add(fn);
  return () => emergencyCleanups.delete(fn);
}

function emergencyCleanup(): void {
  for (const pgid of livePgids) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  livePgids.clear();
  for (const fn of emergencyCleanups) {
    try {
      fn();
    } catch {
      /* best effort */
    }
  }
  emergencyCleanups.clear();
}

process.on('exit', emergencyCleanup);
// The test runner stops a file that overran its time with a signal: clean up, then die as asked.
for (const [sig, num] of [
  ['SIGINT', 2],
  ['SIGTERM', 15],
  ['SIGHUP', 1],
] as const) {
  process.once(sig, () => {
    emergencyCleanup();
    process.exit(128 + num);
  });
}

/** The process group id and state of every process, read from /proc/PID/stat. */
function processesInGroup(pgid: number): { pid: number; state: string }[] {
  const found: { pid: number; state: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // comm is in parentheses and may contain spaces: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0] ?? '?';
    const pgrp = Number(fields[2]);
    if (pgrp === pgid) found.push({ pid: Number(entry), state });
  }
  return found;
}

/** True while some non-zombie process is in the group. Zombies count as dead (PID 1 reaps late). */
export function groupAlive(pgid: number): boolean {
  return processesInGroup(pgid).some((p) => p.state !== 'Z' && p.state !== 'X');
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}
