/** The responder's message-ID window (RFC 7296 2.1-2.3) and stateless cookies (2.6). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ResponderWindow } from '../responder/message-window.js';
import { CookieJar } from '../responder/cookies.js';

describe('ResponderWindow (window size 1)', () => {
  it('new, in-progress, retransmit of the cached response, and drops outside the window', () => {
    const w = new ResponderWindow();
    assert.deepEqual(w.check(0), { kind: 'new' });
    w.begin('a');
    assert.deepEqual(w.check(0, 'a'), { kind: 'in-progress' });
    const resp = [Buffer.from('r0')];
    w.complete(resp);
    assert.equal(w.expected, 1);
    assert.deepEqual(w.check(0, 'a'), { kind: 'retransmit', packets: resp });
    assert.equal(w.check(0, 'b').kind, 'drop', 'same ID, different request: not a retransmission');
    assert.deepEqual(w.check(1, 'c'), { kind: 'new' });
    assert.equal(w.check(2).kind, 'drop');
    assert.equal(w.check(0xffffffff).kind, 'drop');
    w.begin('c');
    w.abort();
    assert.deepEqual(w.check(1, 'c'), { kind: 'new' }, 'an aborted request may come again');
  });
});

describe('CookieJar', () => {
  const ni = Buffer.alloc(32, 7);
  const spi = Buffer.alloc(8, 1);
  it('verifies its own cookie for the same Ni, address and SPIi only', () => {
    const jar = new CookieJar({ threshold: 3 });
    assert.equal(jar.required(2), false);
    assert.equal(jar.required(3), true);
    const c = jar.make(ni, '192.168.0.100', spi);
    assert.equal(jar.verify(c, ni, '192.168.0.100', spi), true);
    assert.equal(jar.verify(c, ni, '192.168.0.200', spi), false);
    assert.equal(jar.verify(c, Buffer.alloc(32, 8), '192.168.0.100', spi), false);
    assert.equal(jar.verify(c.subarray(1), ni, '192.168.0.100', spi), false);
  });
  it('rotates its secret; the previous version stays valid one period, older ones do not', () => {
    let now = 0;
    const jar = new CookieJar({ rotateMs: 1000, now: () => now });
    const c0 = jar.make(ni, '10.0.0.1', spi);
    now = 1500;
    const c1 = jar.make(ni, '10.0.0.1', spi);
    assert.notDeepEqual(c0, c1);
    assert.equal(jar.verify(c0, ni, '10.0.0.1', spi), true);
    now = 3000;
    assert.equal(jar.verify(c0, ni, '10.0.0.1', spi), false);
    assert.equal(jar.verify(c1, ni, '10.0.0.1', spi), true);
  });
});
