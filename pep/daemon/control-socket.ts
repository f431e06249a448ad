/**
 * The local control socket of the running gateway (a unix socket under stateDir, like charon's
 * vici socket): one JSON request per line, one JSON answer per line. `tnc-pep status`, `leases`
 * and `pool --status` are clients of it. Only the local user that can reach the socket file
 * (mode 0600) can ask.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import net from 'node:net';

export interface ControlRequest {
  readonly command: string;
  readonly args?: Readonly<Record<string, unknown>>;
}

export interface ControlAnswer {
  readonly ok: boolean;
  readonly text?: string;
  readonly data?: unknown;
  readonly error?: string;
}

export type ControlHandler = (req: ControlRequest) => Promise<ControlAnswer> | ControlAnswer;

const MAX_REQUEST = 64 * 1024;

export class ControlServer {
  readonly #path: string;
  readonly #handler: ControlHandler;
  #server: net.Server | undefined;

  constructor(path: string, handler: ControlHandler) {
    this.#path = path;
    this.#handler = handler;
  }

  async listen(): Promise<void> {
    if (existsSync(this.#path)) unlinkSync(this.#path);
    const server = net.createServer((sock) => this.#serve(sock));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#path, () => resolve());
    });
    chmodSync(this.#path, 0o600);
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
    if (existsSync(this.#path)) unlinkSync(this.#path);
  }

  #serve(sock: net.Socket): void {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => undefined);
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_REQUEST) return void sock.destroy();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        void this.#answer(line).then((a) => sock.write(JSON.stringify(a) + '\n'));
      }
    });
  }

  async #answer(line: string): Promise<ControlAnswer> {
    let req: ControlRequest;
    try {
      req = JSON.parse(line) as ControlRequest;
      if (typeof req.command !== 'string') throw new Error('no command');
    } catch {
      return { ok: false, error: 'malformed request' };
    }
    try {
      return await this.#handler(req);
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
  }
}

/** One request to a running gateway. */
export function controlRequest(path: string, req: ControlRequest, timeoutMs = 5000): Promise<ControlAnswer> {
  return new Promise((resolve, reject) => {
    const sock = net.createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no answer from ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding('utf8');
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('connect', () => sock.write(JSON.stringify(req) + '\n'));
    sock.on('data', (c: string) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      sock.end();
      try {
        resolve(JSON.parse(buf.slice(0, nl)) as ControlAnswer);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}
