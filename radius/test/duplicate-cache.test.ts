import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DuplicateCache } from '../duplicate-cache.js';

describe('DuplicateCache (RFC 5080 section 2.2.2)', () => {
  const auth = Buffer.alloc(16, 1);
  it('new, then pending, then replay of the stored reply, then new after the window', () => {
    let now = 1000;
    const cache = new DuplicateCache({ windowMs: 30_000, maxEntries: 10, now: () => now });
    const key = DuplicateCache.key('10.1.0.1', 1645, 7, auth, 1);
    assert.equal(cache.check(key).kind, 'new');
    assert.equal(cache.check(key).kind, 'pending');
    cache.complete(key, Buffer.from('reply'));
    assert.deepEqual(cache.check(key), { kind: 'replay', reply: Buffer.from('reply') });
    now += 30_001;
    assert.equal(cache.check(key).kind, 'new');
  });
  it('the key distinguishes port, identifier, authenticator and code', () => {
    const base = DuplicateCache.key('10.1.0.1', 1645, 7, auth, 1);
    assert.notEqual(base, DuplicateCache.key('10.1.0.1', 1646, 7, auth, 1));
    assert.notEqual(base, DuplicateCache.key('10.1.0.1', 1645, 8, auth, 1));
    assert.notEqual(base, DuplicateCache.key('10.1.0.1', 1645, 7, Buffer.alloc(16, 2), 1));
    assert.notEqual(base, DuplicateCache.key('10.1.0.1', 1645, 7, auth, 4));
  });
  it('complete(null) forgets a request that got no reply, so a retransmission is processed again', () => {
    const cache = new DuplicateCache({ windowMs: 30_000, maxEntries: 10 });
    const key = DuplicateCache.key('a', 1, 1, auth, 1);
    cache.check(key);
    cache.complete(key, null);
    assert.equal(cache.check(key).kind, 'new');
  });
  it('is bounded: a flood never holds more than maxEntries', () => {
    const cache = new DuplicateCache({ windowMs: 30_000, maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) cache.check(DuplicateCache.key('a', i, i & 0xff, auth, 1));
    assert.ok(cache.size <= 100, `size ${cache.size}`);
  });
});
