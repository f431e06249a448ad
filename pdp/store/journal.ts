/**
 * The embedded store's files: an append-only journal of checksummed records and a snapshot.
 *
 *   journal.log     one record per line:  <sha256(json) first 16 hex> SP <json> LF
 *   snapshot.json   the whole state at journal sequence `seq`, written to snapshot.json.tmp,
 *                   fsync'd, renamed over snapshot.json, then the directory fsync'd
 *
 * Recovery reads the snapshot, then replays the journal records with a higher sequence number.
 * A record is taken only when its line is complete (ends in LF) and its checksum matches: a write
 * torn by a crash (the last line cut short, or garbage after it) is ignored and cut off the file,
 * so the next append starts on a clean line. A bad record followed by good ones is not a torn
 * write but damage: it is skipped and reported (`corrupt`), the records after it are kept.
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreError } from './store.js';

const CHECKSUM_HEX = 16;

export function checksum(json: string): string {
  return createHash('sha256').update(json).digest('hex').slice(0, CHECKSUM_HEX);
}

export function encodeRecord(record: { readonly seq: number }): string {
  const json = JSON.stringify(record);
  return `${checksum(json)} ${json}\n`;
}

export interface JournalRead<R> {
  readonly records: readonly R[];
  /** Bytes of the valid prefix: the file is cut here before appending. */
  readonly validLength: number;
  /** A torn tail was dropped. */
  readonly tornTail: boolean;
  /** Byte offsets of damaged records that were followed by good ones (skipped). */
  readonly corrupt: readonly number[];
}

/** Parses journal text: a bad last record is a torn write; a bad one before good ones, damage. */
export function readJournal<R extends { readonly seq: number }>(data: Buffer): JournalRead<R> {
  const records: R[] = [];
  const corrupt: number[] = [];
  let offset = 0;
  let validLength = 0;
  while (offset < data.length) {
    const lf = data.indexOf(0x0a, offset);
    if (lf < 0) break; // a last line without its LF: torn
    const record = parseLine<R>(data.subarray(offset, lf).toString('utf8'));
    if (record === undefined) corrupt.push(offset);
    else {
      records.push(record);
      validLength = lf + 1;
    }
    offset = lf + 1;
  }
  // Bad records after the last good one are the torn tail, not damage.
  const damage = corrupt.filter((o) => o < validLength);
  return { records, validLength, tornTail: validLength < data.length, corrupt: damage };
}

function parseLine<R>(line: string): R | undefined {
  const sp = line.indexOf(' ');
  if (sp !== CHECKSUM_HEX) return undefined;
  const json = line.slice(sp + 1);
  if (checksum(json) !== line.slice(0, sp)) return undefined;
  try {
    const v = JSON.parse(json) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as { seq?: unknown }).seq === 'number' ? (v as R) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `data` as the snapshot atomically: temp file, fsync, rename, fsync of the directory. */
export function writeSnapshot(dir: string, data: string): void {
  const tmp = join(dir, 'snapshot.json.tmp');
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, 'snapshot.json'));
  fsyncDir(dir);
}

export function readSnapshot(dir: string): string | undefined {
  try {
    return readFileSync(join(dir, 'snapshot.json'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* some file systems refuse fsync on directories; the rename is still atomic */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The journal file open for appending, with group commit: appends made while a write is in
 * flight are written and fsync'd together; each append resolves once its bytes are durable.
 */
export class JournalWriter {
  #handle: FileHandle;
  #queue: { line: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  #flushing: Promise<void> | undefined;
  readonly #fsync: boolean;

  private constructor(handle: FileHandle, fsync: boolean) {
    this.#handle = handle;
    this.#fsync = fsync;
  }

  /** Opens `path`, cut to `validLength` (drops a torn tail). */
  static async open(path: string, validLength: number, fsync: boolean): Promise<JournalWriter> {
    const handle = await open(path, 'a+', 0o600);
    await handle.truncate(validLength);
    return new JournalWriter(handle, fsync);
  }

  append(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ line, resolve, reject });
      if (!this.#flushing) this.#flushing = this.#flush();
    });
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        await this.#handle.appendFile(batch.map((b) => b.line).join(''));
        if (this.#fsync) await this.#handle.datasync();
        for (const b of batch) b.resolve();
      } catch (e) {
        const err = new StoreError('STORE_IO', `journal write failed: ${(e as Error).message}`);
        for (const b of batch) b.reject(err);
      }
    }
    this.#flushing = undefined;
  }

  /** Waits for every pending append. */
  async drain(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /** Empties the journal (after a snapshot took its records). */
  async reset(): Promise<void> {
    await this.drain();
    await this.#handle.truncate(0);
    if (this.#fsync) await this.#handle.datasync();
  }

  async close(): Promise<void> {
    await this.drain();
    await this.#handle.close();
  }
}
