/** The cluster channel codec (pdp/cluster/cluster-message.ts) and replay guard: vectors, round trips, fuzz. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ClusterDecodeError,
  ClusterMessageType,
  HEADER_LENGTH,
  HMAC_LENGTH,
  MAX_CLUSTER_MESSAGE,
  clusterKey,
  decodeClusterMessage,
  encodeClusterMessage,
  type ClusterMessage,
} from '../cluster/cluster-message.js';
import { ReplayGuard } from '../cluster/replay-guard.js';

const KEY = clusterKey('a cluster secret of some length');
const RADIUS = Buffer.concat([Buffer.from([1, 7, 0, 24]), Buffer.alloc(16, 0xab), Buffer.from([1, 4, 0x61, 0x62])]);

function decodeOnlyTyped(bytes: Uint8Array, key = KEY): ClusterMessage | ClusterDecodeError {
  try {
    return decodeClusterMessage(bytes, key);
  } catch (e) {
    if (e instanceof ClusterDecodeError) return e;
    throw e;
  }
}

describe('cluster message codec', () => {
  it('lays a Forward-Request out as documented (header, body, HMAC over both)', () => {
    const wire = encodeClusterMessage(
      { type: ClusterMessageType.ForwardRequest, sender: 2, receiver: 1, messageId: '0102030405060708', timestamp: 0x0102030405, nas: { address: '127.0.0.1', port: 0x1234 }, datagram: RADIUS },
      KEY,
    );
    // Magic, Version 1, Forward-Request, sender 2, receiver 1, Result 0, Body Length 3 + 9 + 24.
    assert.equal(wire.subarray(0, 8).toString('hex'), '540102020100' + '0024');
    assert.equal(wire.subarray(8, 16).toString('hex'), '0102030405060708');
    assert.equal(wire.subarray(16, 24).toString('hex'), '0000000102030405');
    assert.equal(wire.subarray(24, 27).toString('hex'), '123409');
    assert.equal(wire.subarray(27, 36).toString('latin1'), '127.0.0.1');
    assert.deepEqual(wire.subarray(36, 36 + RADIUS.length), RADIUS);
    const hmac = createHmac('sha256', KEY).update(wire.subarray(0, wire.length - 32)).digest();
    assert.deepEqual(wire.subarray(wire.length - 32), hmac);
    const back = decodeClusterMessage(wire, KEY);
    assert.equal(back.type, ClusterMessageType.ForwardRequest);
    if (back.type !== ClusterMessageType.ForwardRequest) return;
    assert.deepEqual(back.nas, { address: '127.0.0.1', port: 0x1234 });
    assert.deepEqual(back.datagram, RADIUS);
    assert.equal(back.timestamp, 0x0102030405);
  });

  it('derives the HMAC key from the secret (HKDF): another secret does not verify', () => {
    const wire = encodeClusterMessage({ type: ClusterMessageType.Hello, sender: 1, receiver: 2, messageId: 'ffffffffffffffff', timestamp: 1 }, KEY);
    assert.equal(wire.length, HEADER_LENGTH + HMAC_LENGTH);
    const e = decodeOnlyTyped(wire, clusterKey('another cluster secret value'));
    assert.ok(e instanceof ClusterDecodeError);
    assert.equal(e.code, 'CLUSTER_BAD_HMAC');
    assert.notDeepEqual(KEY, Buffer.from('a cluster secret of some length').subarray(0, 32));
  });

  it('round-trips every message type (property)', () => {
    const header = { sender: fc.integer({ min: 0, max: 255 }), receiver: fc.integer({ min: 0, max: 255 }), messageId: fc.uint8Array({ minLength: 8, maxLength: 8 }).map((u) => Buffer.from(u).toString('hex')), timestamp: fc.integer({ min: 0, max: 2 ** 50 }) };
    const datagram = fc.uint8Array({ minLength: 20, maxLength: 4096 }).map((u) => Buffer.from(u));
    const address = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('::ffff:127.0.0.1', 'fe80::1%eth0'));
    const message = fc.oneof(
      fc.record({ ...header, type: fc.constant(ClusterMessageType.Hello) }),
      fc.record({ ...header, type: fc.constant(ClusterMessageType.ForwardRequest), nas: fc.record({ address, port: fc.integer({ min: 0, max: 65535 }) }), datagram }),
      fc.record({ ...header, type: fc.constant(ClusterMessageType.ForwardReply), reply: fc.option(datagram, { nil: null }) }),
    ) as fc.Arbitrary<ClusterMessage>;
    fc.assert(
      fc.property(message, (m) => {
        const wire = encodeClusterMessage(m, KEY);
        assert.ok(wire.length <= MAX_CLUSTER_MESSAGE);
        // fast-check builds null-prototype records: compare plain copies.
        const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
        assert.deepEqual(plain(decodeClusterMessage(wire, KEY)), plain(m));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts no changed octet anywhere (property)', () => {
    const wire = encodeClusterMessage({ type: ClusterMessageType.ForwardReply, sender: 1, receiver: 2, messageId: '00000000000000aa', timestamp: 5, reply: RADIUS }, KEY);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: wire.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const bad = Buffer.from(wire);
        bad[i]! ^= x;
        const r = decodeOnlyTyped(bad);
        assert.ok(r instanceof ClusterDecodeError, `octet ${i} changed and still accepted`);
      }),
    );
  });

  it('throws only ClusterDecodeError for arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4300 }), (bytes) => {
        const r = decodeOnlyTyped(bytes);
        assert.ok(r instanceof ClusterDecodeError);
        assert.ok(Number.isInteger(r.offset) && r.offset >= 0);
      }),
      { numRuns: 500 },
    );
  });

  it('throws only ClusterDecodeError for authenticated garbage (fuzz behind a valid HMAC)', () => {
    // A peer with the key that sends nonsense must not crash the receiver either.
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fc.uint8Array({ minLength: 6, maxLength: 200 }), fc.uint8Array({ maxLength: 200 }), (type, head, body) => {
        const h = Buffer.alloc(HEADER_LENGTH);
        Buffer.from(head).copy(h);
        h[0] = 0x54;
        h[1] = 1;
        h[2] = type;
        if (head.length % 2) h.writeUInt16BE(body.length, 6);
        const signed = Buffer.concat([h, Buffer.from(body)]);
        const wire = Buffer.concat([signed, createHmac('sha256', KEY).update(signed).digest()]);
        const r = decodeOnlyTyped(wire);
        if (!(r instanceof ClusterDecodeError)) assert.ok([1, 2, 3].includes(r.type));
      }),
      { numRuns: 1000 },
    );
  });

  it('names the failing field with a stable code and offset', () => {
    const hello = encodeClusterMessage({ type: ClusterMessageType.Hello, sender: 1, receiver: 2, messageId: '0000000000000001', timestamp: 5 }, KEY);
    const cases: [Buffer, string, number][] = [
      [hello.subarray(0, 40), 'CLUSTER_TOO_SHORT', 0],
      [Buffer.alloc(MAX_CLUSTER_MESSAGE + 1, 0x54), 'CLUSTER_TOO_LONG', 0],
      [Buffer.concat([Buffer.from([0x55]), hello.subarray(1)]), 'CLUSTER_BAD_MAGIC', 0],
      [Buffer.concat([Buffer.from([0x54, 2]), hello.subarray(2)]), 'CLUSTER_BAD_VERSION', 1],
    ];
    for (const [bytes, code, offset] of cases) {
      const r = decodeOnlyTyped(bytes);
      assert.ok(r instanceof ClusterDecodeError);
      assert.equal(r.code, code);
      assert.equal(r.offset, offset);
    }
    // A too-short RADIUS datagram behind a valid HMAC.
    const signed = Buffer.concat([Buffer.from([0x54, 1, 3, 1, 2, 0, 0, 10]), Buffer.alloc(16), Buffer.alloc(10)]);
    const r = decodeOnlyTyped(Buffer.concat([signed, createHmac('sha256', KEY).update(signed).digest()]));
    assert.ok(r instanceof ClusterDecodeError);
    assert.equal(r.code, 'CLUSTER_BAD_DATAGRAM');
    assert.equal(r.offset, HEADER_LENGTH);
  });

  it('refuses to encode what it could not decode', () => {
    assert.throws(() => encodeClusterMessage({ type: ClusterMessageType.ForwardReply, sender: 1, receiver: 2, messageId: '0000000000000001', timestamp: 5, reply: Buffer.alloc(19) }, KEY), RangeError);
    assert.throws(() => encodeClusterMessage({ type: ClusterMessageType.Hello, sender: 256, receiver: 2, messageId: '0000000000000001', timestamp: 5 }, KEY), RangeError);
    assert.throws(() => encodeClusterMessage({ type: ClusterMessageType.Hello, sender: 1, receiver: 2, messageId: 'xyz', timestamp: 5 }, KEY), RangeError);
    assert.throws(() => encodeClusterMessage({ type: ClusterMessageType.ForwardRequest, sender: 1, receiver: 2, messageId: '0000000000000001', timestamp: 5, nas: { address: 'a b', port: 1 }, datagram: RADIUS }, KEY), RangeError);
  });
});

describe('replay guard', () => {
  it('accepts a message once, within the window, and forgets it only after twice the window', () => {
    let now = 1_000_000;
    const g = new ReplayGuard({ windowMs: 1000, now: () => now });
    assert.equal(g.check(2, 'aa', now), 'fresh');
    assert.equal(g.check(2, 'aa', now), 'replayed');
    assert.equal(g.check(3, 'aa', now), 'fresh', 'IDs are per sender');
    assert.equal(g.check(2, 'bb', now - 1001), 'stale');
    assert.equal(g.check(2, 'bb', now + 1001), 'stale');
    now += 1500;
    assert.equal(g.check(2, 'aa', now - 1600), 'stale', 'the old message is refused by its timestamp');
    assert.equal(g.check(2, 'aa', now), 'replayed', 'still remembered within twice the window');
    now += 600;
    assert.equal(g.check(2, 'cc', now), 'fresh');
    assert.equal(g.size, 1, 'expired IDs are swept');
  });

  it('fails closed when full', () => {
    const g = new ReplayGuard({ windowMs: 1000, maxEntries: 2, now: () => 0 });
    assert.equal(g.check(1, 'a', 0), 'fresh');
    assert.equal(g.check(1, 'b', 0), 'fresh');
    assert.equal(g.check(1, 'c', 0), 'full');
  });
});
