/**
 * How much of the event loop the CryptoService may spend on public-key work in the calling
 * thread. A cheap Diffie-Hellman (ECP-256 generate + compute ~0.3 ms, X25519 ~0.15 ms) costs
 * about what its two worker round trips cost the event loop in postMessage, structured cloning and
 * wake-ups, so while the loop has time to spare the service runs it in-thread; once in-thread
 * crypto has used `share` of the current window (a flood of IKE_SA_INIT), the rest of the window
 * goes to the workers, and the loop keeps at least 1 - share of its time for RADIUS, ESP and the
 * rest. Fixed windows of `windowMs`; time comes from an injected clock (ms).
 *
 *   take() ──► window over? ──yes──► new window, spent = 0
 *                 │
 *                 ▼
 *          spent < share * windowMs ? ──yes──► run in-thread, then charge(elapsed)
 *                 │ no
 *                 ▼
 *               worker pool
 */
export interface InlineBudgetOptions {
  /** Fraction (0..1) of each window in-thread public-key work may take; default 0.2; 0 = never. */
  readonly share?: number;
  /** Window length in ms; default 100. */
  readonly windowMs?: number;
}

export class InlineBudget {
  readonly share: number;
  readonly windowMs: number;
  readonly #now: () => number;
  #windowStart = -Infinity;
  #spent = 0;
  /** Jobs run in-thread / sent to the workers, for status and tests. */
  inline = 0;
  offloaded = 0;

  constructor(now: () => number, opts: InlineBudgetOptions = {}) {
    this.share = opts.share ?? 0.2;
    this.windowMs = opts.windowMs ?? 100;
    if (!(this.share >= 0 && this.share <= 1)) throw new RangeError('inline share must be within 0..1');
    if (!(this.windowMs > 0)) throw new RangeError('inline windowMs must be > 0');
    this.#now = now;
  }

  /** Runs `f` in-thread when the window has budget left (returns its result), else returns `none`. */
  run<T, N>(f: () => T, none: N): T | N {
    const t0 = this.#now();
    if (t0 - this.#windowStart >= this.windowMs) {
      this.#windowStart = t0;
      this.#spent = 0;
    }
    if (this.share === 0 || this.#spent >= this.share * this.windowMs) {
      this.offloaded++;
      return none;
    }
    this.inline++;
    try {
      return f();
    } finally {
      this.#spent += Math.max(0, this.#now() - t0);
    }
  }
}
