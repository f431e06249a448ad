/**
 * Process helpers for the integration tests: spawn peers in their own process group, collect their
 * output line by line, wait for a line (or a pino JSON log line) with a bounded timeout, and kill the
 * whole group at the end, verifying from /proc that nothing of it is left running.
 *
 * Every long-lived process belongs to a {@link Scope}; `scope.close()` (registered with node:test's
 * `after`/`t.after`) tears everything down in reverse order even when a test failed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupAlive, trackGroup, untrackGroup, type ExitInfo, type Scope } from './scope.js';

export * from './scope.js';
export * from './run.js';

export type Json = Record<string, unknown>;

export interface SpawnOptions {
  /** Label used in error messages. */
  readonly name?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Kill the process group after this long even if nobody stopped it (safety net). */
  readonly maxLifetimeMs?: number;
  /** Print every line to stderr with the name as prefix (debugging: INTEGRATION_VERBOSE=1). */
  readonly echo?: boolean;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  /** Only look at lines with index >= since (see {@link Proc.mark}). */
  readonly since?: number;
  /** What we were waiting for, for the error message. */
  readonly what?: string;
}

/** A long-running child process in its own process group. */
export class Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** stdout and stderr lines in arrival order, each prefixed by nothing (stream kept in `streams`). */
  readonly lines: string[] = [];
  readonly streams: ('out' | 'err')[] = [];
  readonly exited: Promise<ExitInfo>;
  #exit: ExitInfo | undefined;
  readonly #waiters = new Set<() => void>();
  #lifetimeTimer: NodeJS.Timeout | undefined;

  constructor(cmd: string, args: readonly string[], opts: SpawnOptions = {}) {
    this.name = opts.name ?? cmd;
    const echo = opts.echo ?? process.env['INTEGRATION_VERBOSE'] === '1';
    this.child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      detached: true, // own process group: kill(-pid) reaches every descendant that stays in it
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.child.pid === undefined) throw new Error(`${this.name}: spawn of ${cmd} failed`);
    this.pid = this.child.pid;
    trackGroup(this.pid);
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.#exit = { code, signal };
        this.#notify();
        resolve(this.#exit);
      });
      this.child.on('error', (err) => {
        this.lines.push(`[spawn error] ${err.message}`);
        this.streams.push('err');
        this.#exit ??= { code: -1, signal: null };
        this.#notify();
        resolve(this.#exit);
      });
    });
    for (const [stream, tag] of [
      [this.child.stdout, 'out'],
      [this.child.stderr, 'err'],
    ] as const) {
      let rest = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) this.#push(line, tag, echo);
      });
      stream?.on('end', () => {
        if (rest !== '') this.#push(rest, tag, echo);
        rest = '';
      });
    }
    if (opts.maxLifetimeMs !== undefined) {
      this.#lifetimeTimer = setTimeout(() => void this.stop({ graceMs: 1000 }), opts.maxLifetimeMs);
      this.#lifetimeTimer.unref();
    }
  }

  #push(line: string, tag: 'out' | 'err', echo: boolean): void {
    this.lines.push(line);
    this.streams.push(tag);
    if (echo) process.stderr.write(`[${this.name}] ${line}\n`);
    for (const l of this.#lineListeners) l(line, tag);
    this.#notify();
  }

  readonly #lineListeners = new Set<(line: string, stream: 'out' | 'err') => void>();

  /** Live stream of output lines from now on; returns the unsubscribe function. */
  onLine(listener: (line: string, stream: 'out' | 'err') => void): () => void {
    this.#lineListeners.add(listener);
    return () => this.#lineListeners.delete(listener);
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }

  get exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }

  /** Index of the next line; pass as `since` to wait only for lines that arrive after now. */
  mark(): number {
    return this.lines.length;
  }

  /** INTEGRATION_ARTIFACTS=DIR keeps every peer's output as DIR/<name>-<pid>.log. */
  #saveArtifact(): void {
    const dir = process.env['INTEGRATION_ARTIFACTS'];
    if (!dir) return;
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${this.name}-${this.pid}.log`), `${this.lines.join('\n')}\n`);
    } catch {
      /* best effort */
    }
  }

  /** Last `n` lines, for error messages. */
  tail(n = 40): string {
    return this.lines.slice(-n).join('\n');
  }

  /** Lines parsed as JSON objects (non-JSON lines skipped), optionally from index `since`. */
  jsonLines(since = 0): Json[] {
    const out: Json[] = [];
    for (const line of this.lines.slice(since)) {
      const obj = parseJsonLine(line);
      if (obj) out.push(obj);
    }
    return out;
  }

  /** Resolves with the first line (from `since`) that satisfies `pred`; rejects on timeout or exit. */
  waitForLine(pred: (line: string) => boolean, opts: WaitOptions): Promise<string> {
    let next = opts.since ?? 0;
    return new Promise((resolve, reject) => {
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        fn();
      };
      const check = (): void => {
        for (; next < this.lines.length; next++) {
          const line = this.lines[next] as string;
          if (pred(line)) {
            next++;
            done(() => resolve(line));
            return;
          }
        }
        if (this.#exit) {
          done(() =>
            reject(
              new Error(
                `${this.name} exited (${JSON.stringify(this.#exit)}) before ${opts.what ?? 'the expected line'}\n--- last output ---\n${this.tail()}`,
              ),
            ),
          );
        }
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(
                `${this.name}: timed out after ${opts.timeoutMs} ms waiting for ${opts.what ?? 'a line'}\n--- last output ---\n${this.tail()}`,
              ),
            ),
          ),
        opts.timeoutMs,
      );
      this.#waiters.add(check);
      check();
    });
  }

  /** Like {@link waitForLine} for pino-style JSON lines. */
  async waitForJson(pred: (obj: Json) => boolean, opts: WaitOptions): Promise<Json> {
    const line = await this.waitForLine((l) => {
      const obj = parseJsonLine(l);
      return obj !== undefined && pred(obj);
    }, opts);
    return parseJsonLine(line) as Json;
  }

  /**
   * SIGTERM the process group, SIGKILL it after `graceMs`, then verify via /proc that no live
   * member of the group is left. Idempotent.
   */
  async stop(opts: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<ExitInfo> {
    if (this.#lifetimeTimer) clearTimeout(this.#lifetimeTimer);
    const graceMs = opts.graceMs ?? 3000;
    const signalGroup = (sig: NodeJS.Signals): void => {
      try {
        process.kill(-this.pid, sig);
      } catch {
        /* group already empty */
      }
    };
    if (groupAlive(this.pid) || !this.#exit) signalGroup(opts.signal ?? 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while ((!this.#exit || groupAlive(this.pid)) && Date.now() < deadline) await sleep(20);
    if (!this.#exit || groupAlive(this.pid)) {
      signalGroup('SIGKILL');
      const killDeadline = Date.now() + 5000;
      while ((!this.#exit || groupAlive(this.pid)) && Date.now() < killDeadline) await sleep(20);
    }
    if (groupAlive(this.pid)) {
      throw new Error(`${this.name}: process group ${this.pid} still alive after SIGKILL`);
    }
    untrackGroup(this.pid);
    this.#saveArtifact();
    return this.#exit ?? { code: null, signal: 'SIGKILL' };
  }
}

export function parseJsonLine(line: string): Json | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
  } catch {
    return undefined;
  }
}

/** Start a long-running process whose teardown is registered in `scope`. */
export function startProc(scope: Scope, cmd: string, args: readonly string[], opts: SpawnOptions = {}): Proc {
  const proc = new Proc(cmd, args, opts);
  scope.defer(`stop ${proc.name} (pid ${proc.pid})`, async () => {
    await proc.stop();
  });
  return proc;
}
