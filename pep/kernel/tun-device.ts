/**
 * A TUN device (IFF_TUN | IFF_NO_PI: each read/write is one bare IP packet) for the userspace data
 * path, through the small native addon in pep/native (tun.c): Node has no ioctl(TUNSETIFF).
 *
 * Why an addon and not a package: the npm TUN packages are unmaintained or pull in a whole
 * networking stack; what we need is 40 lines of C (open + ioctl) and a read thread, built offline
 * by node-gyp at `npm ci` against the installed Node headers.
 *
 * Why a read thread in the addon: libuv treats a character device as a file, so
 * `new net.Socket({ fd })` throws, and fs.read()/fs.createReadStream() block one libuv pool thread
 * per pending read forever (the 4-thread pool is shared with crypto, DNS and fs). The addon's
 * thread poll()s the fd and hands batches of up to 64 packets to JS through a thread-safe function
 * (bounded queue: drops when JS is behind). Writes are fs.writeSync on the non-blocking fd: a TUN
 * write never waits (the kernel queues the packet or drops it), so it costs no more than a syscall.
 *
 * Addresses, MTU and link state are set with `ip` (one-shot commands, at setup only).
 */
import { execFile } from 'node:child_process';
import { closeSync, existsSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KernelError } from './kernel-error.js';

export interface TunDevice {
  readonly name: string;
  /** Write one IP packet to the kernel (the packet "arrives" on the interface). */
  write(packet: Uint8Array): void;
  /** Packets the kernel routed into the interface. One handler. */
  onPackets(handler: (packets: readonly Buffer[]) => void): void;
  close(): void;
}

interface TunAddon {
  openTun(name: string): { fd: number; name: string };
  startReader(fd: number, onBatch: (packets: Buffer[]) => void): unknown;
  stopReader(handle: unknown): void;
}

/** The addon, found from the source tree (pep/kernel) and from the build output (dist/pep/kernel). */
export function loadTunAddon(): TunAddon {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, '../native/build/Release/tun.node'),
    join(here, '../../../pep/native/build/Release/tun.node'),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new KernelError('TUN_FAILED', `native addon tun.node not built (npm ci runs pep/native/build.mjs); looked in ${candidates.join(', ')}`);
  }
  return createRequire(import.meta.url)(found) as TunAddon;
}

export interface OpenTunOptions {
  /** Interface name, e.g. "ipsec0". */
  readonly name: string;
  /** Addresses to put on the interface ("10.3.0.1/32"). */
  readonly addresses?: readonly string[];
  /** Default 1400, like strongSwan's kernel-libipsec (room for ESP-in-UDP overhead). */
  readonly mtu?: number;
  /** How to run ip (default ['ip']). */
  readonly ipArgv?: readonly string[];
}

export function runIp(ipArgv: readonly string[], args: readonly string[], timeoutMs = 5000): Promise<void> {
  const [cmd, ...pre] = ipArgv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(cmd, [...pre, ...args], { timeout: timeoutMs }, (err, _out, stderr) => {
      if (err) reject(new KernelError('IP_FAILED', `ip ${args.join(' ')}: ${String(stderr).trim() || err.message}`));
      else resolve();
    });
  });
}

export async function openTunDevice(opts: OpenTunOptions, addon: TunAddon = loadTunAddon()): Promise<TunDevice> {
  let opened: { fd: number; name: string };
  try {
    opened = addon.openTun(opts.name);
  } catch (err) {
    throw new KernelError('TUN_FAILED', `cannot create TUN device ${opts.name}: ${(err as Error).message}`);
  }
  const ipArgv = opts.ipArgv ?? ['ip'];
  const dev = new NativeTunDevice(opened.fd, opened.name, addon);
  try {
    await runIp(ipArgv, ['link', 'set', 'dev', opened.name, 'mtu', String(opts.mtu ?? 1400), 'up']);
    for (const a of opts.addresses ?? []) await runIp(ipArgv, ['addr', 'add', a, 'dev', opened.name]);
  } catch (err) {
    dev.close();
    throw err;
  }
  return dev;
}

class NativeTunDevice implements TunDevice {
  #reader: unknown;
  #closed = false;

  constructor(
    readonly fd: number,
    readonly name: string,
    readonly addon: TunAddon,
  ) {}

  write(packet: Uint8Array): void {
    if (this.#closed) return;
    try {
      writeSync(this.fd, packet);
    } catch {
      /* EAGAIN/EIO: the kernel dropped it, like a full queue */
    }
  }

  onPackets(handler: (packets: readonly Buffer[]) => void): void {
    if (this.#reader !== undefined) throw new KernelError('INVALID', `${this.name} already has a packet handler`);
    this.#reader = this.addon.startReader(this.fd, (packets) => {
      if (!this.#closed) handler(packets);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reader !== undefined) this.addon.stopReader(this.#reader);
    closeSync(this.fd); // the interface disappears with its last fd
  }
}
