/**
 * The publisher's queue of pending publishes: bounded (the oldest entry is dropped, and reported,
 * when full) and persisted as one JSON file so a PDP restart does not lose what the MAP server has
 * not acknowledged. Entries hold the endpoint snapshot, not XML: the document is built when it is
 * sent, with the session and publisher id of that moment.
 *
 * Writes are atomic (temporary file + rename) and coalesced: while one write runs, later changes
 * mark the queue dirty and one more write follows. A damaged file is moved aside and the queue
 * starts empty (reported through onEvent).
 */
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { EndpointSnapshot } from './endpoint-snapshot.js';
import type { PublishOperation } from './publish-request.js';

export interface QueueEntry {
  readonly op: PublishOperation;
  readonly snapshot: EndpointSnapshot;
  readonly enqueuedAt: number;
}

export type QueueEvent =
  | { readonly type: 'ifmap.queue-dropped'; readonly op: PublishOperation; readonly sessionKey: string; readonly enqueuedAt: number; readonly limit: number }
  | { readonly type: 'ifmap.queue-corrupt'; readonly file: string; readonly movedTo: string; readonly reason: string }
  | { readonly type: 'ifmap.queue-write-failed'; readonly file: string; readonly reason: string }
  | { readonly type: 'ifmap.queue-loaded'; readonly file: string; readonly entries: number };

export interface PublishQueueOptions {
  readonly file: string;
  readonly limit: number;
  readonly onEvent?: (e: QueueEvent) => void;
}

function isEntry(v: unknown): v is QueueEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  const s = e['snapshot'] as Record<string, unknown> | undefined;
  return (
    (e['op'] === 'update' || e['op'] === 'delete') &&
    typeof e['enqueuedAt'] === 'number' &&
    typeof s === 'object' &&
    s !== null &&
    typeof s['sessionKey'] === 'string' &&
    Array.isArray(s['capabilities']) &&
    Array.isArray(s['roles']) &&
    Array.isArray(s['violations']) &&
    typeof s['at'] === 'number'
  );
}

export class PublishQueue {
  readonly #file: string;
  readonly #limit: number;
  readonly #onEvent: (e: QueueEvent) => void;
  #entries: QueueEntry[] = [];
  #writing: Promise<void> | undefined;
  #dirty = false;

  constructor(options: PublishQueueOptions) {
    this.#file = options.file;
    this.#limit = Math.max(1, options.limit);
    this.#onEvent = options.onEvent ?? (() => {});
    this.#load();
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The first `n` entries, oldest first (not removed). */
  peek(n: number): readonly QueueEntry[] {
    return this.#entries.slice(0, n);
  }

  push(entry: QueueEntry): void {
    this.#entries.push(entry);
    while (this.#entries.length > this.#limit) {
      const old = this.#entries.shift()!;
      this.#onEvent({ type: 'ifmap.queue-dropped', op: old.op, sessionKey: old.snapshot.sessionKey, enqueuedAt: old.enqueuedAt, limit: this.#limit });
    }
    this.#schedule();
  }

  /** Removes these entries (acknowledged or refused for good) if they are still queued. */
  remove(entries: readonly QueueEntry[]): void {
    const gone = new Set(entries);
    const before = this.#entries.length;
    this.#entries = this.#entries.filter((e) => !gone.has(e));
    if (this.#entries.length !== before) this.#schedule();
  }

  /** Resolves when everything changed so far is on disk. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  #load(): void {
    let text: string;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch {
      return; // no queue yet
    }
    try {
      const doc = JSON.parse(text) as { version?: unknown; entries?: unknown };
      if (doc.version !== 1 || !Array.isArray(doc.entries) || !doc.entries.every(isEntry)) throw new Error('not a version 1 queue');
      this.#entries = doc.entries.slice(-this.#limit);
      this.#onEvent({ type: 'ifmap.queue-loaded', file: this.#file, entries: this.#entries.length });
    } catch (e) {
      const movedTo = `${this.#file}.corrupt-${Date.now()}`;
      try {
        renameSync(this.#file, movedTo);
      } catch {
        /* leave it; it is overwritten by the next write */
      }
      this.#onEvent({ type: 'ifmap.queue-corrupt', file: this.#file, movedTo, reason: (e as Error).message });
    }
  }

  #schedule(): void {
    this.#dirty = true;
    if (this.#writing) return;
    this.#writing = (async () => {
      while (this.#dirty) {
        this.#dirty = false;
        const text = JSON.stringify({ version: 1, entries: this.#entries });
        const tmp = `${this.#file}.tmp`;
        try {
          mkdirSync(dirname(this.#file), { recursive: true });
          await writeFile(tmp, text, { mode: 0o600 });
          await rename(tmp, this.#file);
        } catch (e) {
          this.#onEvent({ type: 'ifmap.queue-write-failed', file: this.#file, reason: (e as Error).message });
        }
      }
    })().finally(() => {
      this.#writing = undefined;
    });
  }
}
