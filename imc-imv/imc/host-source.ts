/**
 * Where the IMCs read the host's posture from. The IMCs get a HostSource through their
 * constructor; `linuxHostSource()` reads the real files of this Linux host, tests pass fixed text.
 * A missing or unreadable file is `undefined`, never an exception: the IMC reports "unknown".
 */
import { readFile } from 'node:fs/promises';
import { arch as osArch } from 'node:os';

export interface HostSource {
  /** The text of a file such as /etc/os-release, or undefined when it cannot be read. */
  readText(path: string): Promise<string | undefined>;
  /** The machine architecture as uname -m spells it ("x86_64", "aarch64"). */
  machine(): string;
  /** The current time (injected clock). */
  now(): Date;
}

const UNAME_MACHINE: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'i686', arm: 'armv7l' };

/** Upper bound on a file read (dpkg status of a large system is a few MiB). */
const MAX_FILE_SIZE = 64 * 1024 * 1024;

export function linuxHostSource(): HostSource {
  return {
    async readText(path: string): Promise<string | undefined> {
      try {
        const bytes = await readFile(path);
        return bytes.length > MAX_FILE_SIZE ? undefined : bytes.toString('utf8');
      } catch {
        return undefined;
      }
    },
    machine: () => UNAME_MACHINE[osArch()] ?? osArch(),
    now: () => new Date(),
  };
}

/** Fixed data, for tests: path -> text. */
export function fixedHostSource(files: Readonly<Record<string, string>>, options: { machine?: string; now?: Date } = {}): HostSource {
  return {
    readText: async (path: string) => (Object.hasOwn(files, path) ? files[path] : undefined),
    machine: () => options.machine ?? 'x86_64',
    now: () => options.now ?? new Date('2026-01-01T00:00:00Z'),
  };
}
