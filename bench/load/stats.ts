/** Latency samples and the summary a load phase reports. */

export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** Keeps at most `capacity` samples (the phase's op bound), in milliseconds. */
export class LatencyRecorder {
  readonly #samples: Float64Array;
  #n = 0;

  constructor(capacity: number) {
    this.#samples = new Float64Array(capacity);
  }

  add(ms: number): void {
    if (this.#n < this.#samples.length) this.#samples[this.#n++] = ms;
  }

  get count(): number {
    return this.#n;
  }

  summary(): LatencySummary {
    const s = this.#samples.slice(0, this.#n).sort();
    const at = (q: number): number => (s.length === 0 ? NaN : (s[Math.min(s.length - 1, Math.floor(q * s.length))] as number));
    let sum = 0;
    for (const v of s) sum += v;
    return {
      count: s.length,
      p50Ms: at(0.5),
      p90Ms: at(0.9),
      p99Ms: at(0.99),
      maxMs: s.length === 0 ? NaN : (s[s.length - 1] as number),
      meanMs: s.length === 0 ? NaN : sum / s.length,
    };
  }
}

/** What the load process reports for one measured phase. */
export interface LoadResult {
  readonly kind: 'pap' | 'ttls';
  /** Operations that completed as expected (Access-Accept, and for TTLS the MPPE keys = MSK). */
  readonly ok: number;
  /** Completed but wrong: Access-Reject, bad authenticator, MPPE keys != MSK, EAP failure. */
  readonly failed: number;
  /** No answer (after the retransmissions). */
  readonly timeouts: number;
  /** Failure reasons with counts (first ones only). */
  readonly reasons: Record<string, number>;
  readonly elapsedMs: number;
  readonly opsPerSec: number;
  readonly latency: LatencySummary;
  /** RADIUS round trips per operation (TTLS: Access-Requests per authentication). */
  readonly roundTripsPerOp: number;
  readonly retransmissions: number;
  /** CPU time of the load process during the measured phase. */
  readonly clientCpuMs: number;
  /** TTLS only: what the server negotiated (from its ServerHello / ServerKeyExchange). */
  readonly tls?: { readonly version: string; readonly cipher: string; readonly group: string; readonly certChainLength: number };
}
