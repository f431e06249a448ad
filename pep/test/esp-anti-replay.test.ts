/** RFC 4303 3.4.3 / RFC 6479 anti-replay window: tables of (sequence of accepts) -> verdicts. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AntiReplayWindow } from '../esp/anti-replay-window.js';

describe('anti-replay window', () => {
  const table: { name: string; size: number; accept: number[]; check: [number, string][] }[] = [
    { name: 'in order', size: 64, accept: [1, 2, 3], check: [[4, 'ok'], [3, 'replay'], [1, 'replay']] },
    { name: 'zero is never valid', size: 64, accept: [], check: [[0, 'zero'], [1, 'ok']] },
    { name: 'out of order inside the window', size: 64, accept: [10, 5, 7], check: [[6, 'ok'], [5, 'replay'], [7, 'replay'], [10, 'replay']] },
    { name: 'left edge: top - W + 1 ok, top - W too old', size: 64, accept: [100], check: [[37, 'ok'], [36, 'too-old'], [1, 'too-old']] },
    { name: 'window shift clears stale bits', size: 64, accept: [1, 2, 3, 1000], check: [[3, 'too-old'], [999, 'ok'], [937, 'ok'], [936, 'too-old']] },
    { name: 'shift across one block keeps recent bits', size: 64, accept: [60, 61, 95], check: [[60, 'replay'], [61, 'replay'], [62, 'ok'], [31, 'too-old'], [32, 'ok']] },
    { name: '1024 window', size: 1024, accept: [5000, 4000], check: [[3977, 'ok'], [3976, 'too-old'], [4000, 'replay']] },
    { name: 'top of the 32-bit space', size: 64, accept: [0xfffffffe, 0xffffffff], check: [[0xffffffff, 'replay'], [0xfffffffd, 'ok']] },
  ];
  for (const t of table) {
    it(t.name, () => {
      const w = new AntiReplayWindow(t.size);
      for (const s of t.accept) assert.equal(w.accept(s), 'ok', `accept ${s}`);
      for (const [s, v] of t.check) assert.equal(w.check(s), v, `check ${s}`);
    });
  }
  it('check() does not update; accept() refuses a duplicate', () => {
    const w = new AntiReplayWindow(64);
    assert.equal(w.check(5), 'ok');
    assert.equal(w.check(5), 'ok');
    assert.equal(w.accept(5), 'ok');
    assert.equal(w.accept(5), 'replay');
    assert.equal(w.top, 5);
  });
  it('sizes outside 64..1024 are refused', () => {
    assert.throws(() => new AntiReplayWindow(32), RangeError);
    assert.throws(() => new AntiReplayWindow(2048), RangeError);
  });
  it('matches a naive set model for random sequences', () => {
    fc.assert(
      fc.property(fc.constantFrom(64, 128, 1024), fc.array(fc.integer({ min: 1, max: 3000 }), { maxLength: 300 }), (size, seqs) => {
        const w = new AntiReplayWindow(size);
        const seen = new Set<number>();
        let top = 0;
        for (const s of seqs) {
          const expected = s > top ? 'ok' : top - s >= size ? 'too-old' : seen.has(s) ? 'replay' : 'ok';
          assert.equal(w.accept(s), expected);
          if (expected === 'ok') {
            seen.add(s);
            top = Math.max(top, s);
          }
        }
      }),
    );
  });
});
