/**
 * A closed-loop load: `slots` operations in flight, each slot starting its next operation when the
 * previous one ends, until a deadline or an operation count is reached. Users are handed out
 * round robin and never to two operations at once (distinct users in flight).
 */
import { LatencyRecorder, type LatencySummary } from './stats.js';

export type OpOutcome =
  | { readonly kind: 'ok'; readonly roundTrips: number }
  | { readonly kind: 'failed'; readonly reason: string; readonly roundTrips: number }
  | { readonly kind: 'timeout'; readonly roundTrips: number };

export interface LoopBounds {
  readonly slots: number;
  readonly durationMs: number;
  readonly maxOps: number;
}

export interface LoopResult {
  readonly ok: number;
  readonly failed: number;
  readonly timeouts: number;
  readonly reasons: Record<string, number>;
  readonly elapsedMs: number;
  readonly latency: LatencySummary;
  readonly roundTrips: number;
  readonly ops: number;
}

/** Hands out user indexes 0..n-1 in turn, skipping those in use. */
export class UserPool {
  readonly #inUse: Uint8Array;
  #next = 0;

  constructor(readonly size: number) {
    this.#inUse = new Uint8Array(size);
  }

  take(): number {
    for (let i = 0; i < this.size; i++) {
      const u = this.#next;
      this.#next = (this.#next + 1) % this.size;
      if (this.#inUse[u] === 0) {
        this.#inUse[u] = 1;
        return u;
      }
    }
    throw new Error('UserPool: every user is in use (more slots than users)');
  }

  release(u: number): void {
    this.#inUse[u] = 0;
  }
}

export async function closedLoop(bounds: LoopBounds, users: UserPool, op: (user: number) => Promise<OpOutcome>): Promise<LoopResult> {
  const latency = new LatencyRecorder(bounds.maxOps);
  const reasons: Record<string, number> = {};
  let started = 0;
  let ok = 0;
  let failed = 0;
  let timeouts = 0;
  let roundTrips = 0;
  const t0 = performance.now();
  const deadline = t0 + bounds.durationMs;
  let lastEnd = t0;

  const slot = async (): Promise<void> => {
    while (started < bounds.maxOps && performance.now() < deadline) {
      started++;
      const user = users.take();
      const begin = performance.now();
      let outcome: OpOutcome;
      try {
        outcome = await op(user);
      } catch (e) {
        outcome = { kind: 'failed', reason: `exception: ${(e as Error).message}`.slice(0, 120), roundTrips: 0 };
      } finally {
        users.release(user);
      }
      const end = performance.now();
      lastEnd = Math.max(lastEnd, end);
      roundTrips += outcome.roundTrips;
      if (outcome.kind === 'ok') {
        ok++;
        latency.add(end - begin);
      } else if (outcome.kind === 'timeout') {
        timeouts++;
      } else {
        failed++;
        if (Object.keys(reasons).length < 20 || outcome.reason in reasons) reasons[outcome.reason] = (reasons[outcome.reason] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: bounds.slots }, slot));
  return { ok, failed, timeouts, reasons, elapsedMs: lastEnd - t0, latency: latency.summary(), roundTrips, ops: started };
}
