/** Short commands run to completion in their own process group, with a hard timeout. */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupAlive, trackGroup, untrackGroup, type ExitInfo } from './scope.js';

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly durationMs: number;
}

export interface RunOptions {
  readonly timeoutMs: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** Throw unless the exit code is 0 (default true). */
  readonly check?: boolean;
}

/** Run a short command to completion (own process group, killed on timeout). */
export async function run(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid !== undefined) trackGroup(pid);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }, opts.timeoutMs);
  const { code, signal } = await new Promise<ExitInfo>((resolve) => {
    child.on('close', (c, s) => resolve({ code: c, signal: s }));
    child.on('error', (err) => {
      stderr += `[spawn error] ${err.message}\n`;
      resolve({ code: -1, signal: null });
    });
  });
  clearTimeout(timer);
  if (pid !== undefined) {
    // Anything the command left behind in its group goes too.
    if (groupAlive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    untrackGroup(pid);
  }
  const result = { code, signal, stdout, stderr, timedOut, durationMs: performance.now() - started };
  if ((opts.check ?? true) && (code !== 0 || timedOut)) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (code ${code}, signal ${signal}, timedOut ${timedOut})\n${stdout}\n${stderr}`,
    );
  }
  return result;
}

/** Retry `fn` until it returns a value other than undefined, or throw after timeoutMs. */
export async function poll<T>(fn: () => Promise<T | undefined>, timeoutMs: number, what: string, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
