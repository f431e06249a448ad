/**
 * One long-lived `ip -force -batch -` process fed commands on stdin, for XFRM (kernel-xfrm.ts).
 *
 * Why not netlink: Node has no AF_NETLINK sockets, so netlink would need the native addon to grow a
 * socket, a receive thread and XFRM message builders (xfrm_usersa_info, xfrm_algo_aead,
 * xfrm_encap_tmpl ...) in C or TypeScript; `ip` already has them, is in every iproute2, and speaks
 * the same netlink underneath. One process for the daemon's life avoids a fork+exec per request
 * (pep/kernel/bench-xfrm.ts on this 2-core machine: about 8,300 policy installs/s through the batch
 * against about 80/s with one `ip xfrm policy update` process each), and keys travel over a pipe instead of argv (never visible in `ps`).
 *
 * Matching answers to commands: after each command we write a sentinel line that ip always
 * rejects (`Object "pepack" is unknown`), followed by `Command failed -:<line>` on stderr. stderr is
 * unbuffered and ip runs lines in order, so everything printed between two sentinels belongs to the
 * command in between; `Command failed -:<its line>` marks that command failed. `ip xfrm` exits (status
 * 2) on a netlink error even with -force: then the oldest pending command is the one that failed,
 * and the commands queued behind it are re-sent to a fresh process.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { KernelError } from './kernel-error.js';

const SENTINEL = 'pepack';
const SENTINEL_ECHO = `Object "${SENTINEL}" is unknown, try "ip help".`;
const FAILED_RE = /^Command failed (?:-|\S+):(\d+)$/;

export interface IpBatchOptions {
  /** Command and leading arguments; default ['ip']. Tests use ['ip', 'netns', 'exec', NS, 'ip']. */
  readonly argv?: readonly string[];
  /** Per-command timeout. */
  readonly timeoutMs?: number;
}

interface Pending {
  readonly command: string;
  /** A description without secrets, for error messages. */
  readonly describe: string;
  line: number;
  failed: boolean;
  output: string[];
  timer: NodeJS.Timeout | undefined;
  resolve(): void;
  reject(err: Error): void;
}

export class IpBatchError extends KernelError {
  constructor(
    readonly describe: string,
    /** ip's own error text (without the sentinel lines). */
    readonly ipMessage: string,
  ) {
    super('XFRM_FAILED', `${describe}: ${ipMessage || 'failed'}`);
  }
}

export class IpBatch {
  readonly #argv: readonly string[];
  readonly #timeoutMs: number;
  #proc: ChildProcessWithoutNullStreams | undefined;
  #line = 0;
  #stderr = '';
  readonly #pending: Pending[] = [];
  #closed = false;

  constructor(opts: IpBatchOptions = {}) {
    this.#argv = opts.argv ?? ['ip'];
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Run one ip command line (without the leading "ip"), e.g. `xfrm policy update ...`. */
  run(command: string, describe = command): Promise<void> {
    if (this.#closed) return Promise.reject(new KernelError('CLOSED', 'ip batch closed'));
    if (/[\r\n]/.test(command)) return Promise.reject(new KernelError('INVALID', `line break in ${describe}`));
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { command, describe, line: 0, failed: false, output: [], timer: undefined, resolve, reject };
      this.#pending.push(p);
      this.#send(p);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const proc = this.#proc;
    this.#proc = undefined;
    for (const p of this.#pending.splice(0)) this.#finish(p, new KernelError('CLOSED', `ip batch closed before ${p.describe}`));
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.stdin.end();
      const kill = setTimeout(() => proc.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(kill);
    }
  }

  #ensure(): ChildProcessWithoutNullStreams {
    if (this.#proc) return this.#proc;
    const [cmd, ...args] = this.#argv as [string, ...string[]];
    const proc = spawn(cmd, [...args, '-force', '-batch', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#proc = proc;
    this.#line = 0;
    this.#stderr = '';
    proc.stdout.resume(); // nothing we send prints to stdout; keep the pipe drained anyway
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => {
      if (proc !== this.#proc) return;
      this.#stderr += chunk;
      let nl: number;
      while ((nl = this.#stderr.indexOf('\n')) >= 0) {
        const line = this.#stderr.slice(0, nl);
        this.#stderr = this.#stderr.slice(nl + 1);
        this.#onLine(line);
      }
    });
    proc.stdin.on('error', () => undefined); // EPIPE after a crash: handled by 'exit'
    proc.on('error', (err) => this.#onExit(proc, `cannot run ${cmd}: ${err.message}`));
    proc.on('exit', (code, signal) => this.#onExit(proc, `ip exited with ${signal ?? code}`));
    return proc;
  }

  #send(p: Pending): void {
    const proc = this.#ensure();
    clearTimeout(p.timer);
    p.timer = setTimeout(() => this.#timeout(), this.#timeoutMs);
    p.line = this.#line + 1;
    this.#line += 2;
    proc.stdin.write(`${p.command}\n${SENTINEL}\n`);
  }

  #onLine(line: string): void {
    const head = this.#pending[0];
    const m = FAILED_RE.exec(line);
    if (m) {
      const n = Number(m[1]);
      const p = this.#pending.find((q) => q.line === n);
      if (p) p.failed = true;
      else if (head && n === head.line + 1) {
        this.#pending.shift();
        this.#finish(head, head.failed ? new IpBatchError(head.describe, head.output.join('; ')) : undefined);
      }
      return;
    }
    if (line === SENTINEL_ECHO || line.trim() === '') return;
    head?.output.push(line.trim());
  }

  #onExit(proc: ChildProcessWithoutNullStreams, why: string): void {
    if (proc !== this.#proc) return;
    this.#proc = undefined;
    const head = this.#pending.shift();
    if (head) {
      const text = [...head.output, this.#stderr.trim()].filter((s) => s !== '').join('; ');
      this.#finish(head, new IpBatchError(head.describe, text || why));
    }
    // The rest never ran (ip stops at the failing line): send them again to a fresh process.
    if (!this.#closed) for (const p of this.#pending) this.#send(p);
  }

  /** A command took too long: ip is hung. Kill it; the exit handler fails the oldest command. */
  #timeout(): void {
    this.#proc?.kill('SIGKILL');
  }

  #finish(p: Pending, err: Error | undefined): void {
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve();
  }
}
