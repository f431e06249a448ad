import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConversationTable } from '../eap-service/conversation-table.js';

describe('ConversationTable', () => {
  it('issues 16-octet States carrying the shard octet, and finds conversations by State', () => {
    const t = new ConversationTable<string>({ idleTimeoutMs: 1000, maxConversations: 10, shard: 3 });
    const s = t.newState();
    assert.equal(s.length, 16);
    assert.equal(s[0], 3);
    assert.notDeepEqual(s, t.newState());
    assert.ok(t.add(s, 'a'));
    assert.equal(t.get(s), 'a');
  });
  it('rekey moves a conversation to its new State; the old State no longer works', () => {
    const t = new ConversationTable<string>({ idleTimeoutMs: 1000, maxConversations: 10 });
    const a = t.newState();
    const b = t.newState();
    t.add(a, 'x');
    t.rekey(a, b);
    assert.equal(t.get(a), undefined);
    assert.equal(t.get(b), 'x');
  });
  it('idle conversations expire, and onExpire releases them', () => {
    let now = 0;
    const expired: string[] = [];
    const t = new ConversationTable<string>({ idleTimeoutMs: 1000, maxConversations: 10, now: () => now, onExpire: (v) => expired.push(v) });
    const a = t.newState();
    const b = t.newState();
    t.add(a, 'a');
    now = 600;
    t.add(b, 'b');
    now = 1200;
    assert.equal(t.sweep(), 1);
    assert.deepEqual(expired, ['a']);
    assert.equal(t.get(b), 'b');
    now = 5000;
    assert.equal(t.get(b), undefined);
    assert.deepEqual(expired, ['a', 'b']);
  });
  it('when full, refuses newcomers while the oldest is recently active, evicts it once idle long enough', () => {
    let now = 0;
    const t = new ConversationTable<number>({ idleTimeoutMs: 60_000, maxConversations: 2, now: () => now, minIdleForEvictionMs: 5000 });
    assert.ok(t.add(t.newState(), 1));
    assert.ok(t.add(t.newState(), 2));
    now = 1000;
    assert.equal(t.add(t.newState(), 3), false);
    now = 6000;
    assert.ok(t.add(t.newState(), 4));
    assert.equal(t.size, 2);
  });
});
