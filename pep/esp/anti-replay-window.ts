/**
 * Anti-replay sliding window, RFC 4303 section 3.4.3, kept as the bitmap of RFC 6479
 * ("IPsec Anti-Replay Algorithm without Bit Shifting"):
 *
 *        bitmap: n = W/32 + 1 blocks of 32 bits, used as a ring
 *   +--------+--------+--------+--------+
 *   | block0 | block1 | block2 | block3 |   bit (seq mod 32) of block ((seq / 32) mod n)
 *   +--------+--------+--------+--------+   marks that seq was received
 *            ^ the window: [top - W + 1, top]
 *
 * Moving the top clears whole blocks instead of shifting bits; the spare block keeps the bits of
 * the window's lower edge alive while the top block fills.
 *
 * RFC 4303 3.4.3: "Duplicates are rejected through the use of a sliding receive window", "If the
 * received packet falls within the window and is new, or if the packet is to the right of the
 * window, then the receiver proceeds to ICV verification"; "The receive window is updated only if
 * the integrity verification succeeds." Hence two steps: {@link AntiReplayWindow.check} before the
 * ICV check, {@link AntiReplayWindow.accept} after it.
 */
export const MIN_REPLAY_WINDOW = 64;
export const MAX_REPLAY_WINDOW = 1024;

export type ReplayVerdict = 'ok' | 'replay' | 'too-old' | 'zero';

export class AntiReplayWindow {
  /** Window size W in packets (a multiple of 32). */
  readonly size: number;
  readonly #blocks: Uint32Array;
  /** Highest sequence number accepted so far (0: none yet). */
  #top = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < MIN_REPLAY_WINDOW || size > MAX_REPLAY_WINDOW) {
      throw new RangeError(`replay window ${size} outside ${MIN_REPLAY_WINDOW}..${MAX_REPLAY_WINDOW}`);
    }
    // RFC 4303 3.4.3: "a minimum window size of 32 packets MUST be supported ... a window size of
    // 64 is preferred"; we round up to whole 32-bit blocks.
    this.size = Math.ceil(size / 32) * 32;
    this.#blocks = new Uint32Array(this.size / 32 + 1);
  }

  /** Highest sequence number accepted so far. */
  get top(): number {
    return this.#top;
  }

  /** Would `seq` be accepted? Changes nothing. */
  check(seq: number): ReplayVerdict {
    // RFC 4303 3.3.3: the first packet sent has sequence number 1; 0 never appears on the wire.
    if (seq === 0) return 'zero';
    if (seq > this.#top) return 'ok';
    if (this.#top - seq >= this.size) return 'too-old';
    return this.#isSet(seq) ? 'replay' : 'ok';
  }

  /**
   * Record `seq` after its ICV verified. Returns the verdict of {@link check} at that moment (a
   * packet that raced a duplicate through decryption is still refused here).
   */
  accept(seq: number): ReplayVerdict {
    const verdict = this.check(seq);
    if (verdict !== 'ok') return verdict;
    if (seq > this.#top) {
      const n = this.#blocks.length;
      const topBlock = Math.floor(this.#top / 32);
      const newBlock = Math.floor(seq / 32);
      const clear = Math.min(newBlock - topBlock, n);
      for (let i = 1; i <= clear; i++) this.#blocks[(topBlock + i) % n] = 0;
      this.#top = seq;
    }
    const idx = Math.floor(seq / 32) % this.#blocks.length;
    this.#blocks[idx] = ((this.#blocks[idx] as number) | (1 << seq % 32)) >>> 0;
    return 'ok';
  }

  #isSet(seq: number): boolean {
    const block = this.#blocks[Math.floor(seq / 32) % this.#blocks.length] as number;
    return ((block >>> seq % 32) & 1) === 1;
  }
}
