/**
 * TCG IF-M Segmentation under a contract: cutting, the sender's queue, the bounded reassembler
 * and the PA-TNC Error attribute strongSwan sends for a segmented attribute.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkAttributeSize,
  createStandardRegistry,
  decodeMessage,
  deviceId,
  encodeMessage,
  findAttribute,
  installedPackages,
  isNullContract,
  makeAttribute,
  NO_MESSAGE_SIZE_LIMIT,
  NO_SEGMENTATION,
  NULL_CONTRACT,
  PaTncEncodeError,
  PaTncError,
  reassemblyErrorReply,
  Reassembler,
  segmentEnvelope,
  SegmentFlag,
  SegmentSender,
  splitAttribute,
  type PaTncErrorCode,
  type SegmentEnvelope,
} from '../../index.js';
import { hex } from '../pb-batch.js';

const registry = createStandardRegistry();
const contract = { maxMessageSize: NO_MESSAGE_SIZE_LIMIT, maxSegmentSize: 40 };

const packages = makeAttribute(installedPackages, {
  reserved: 0,
  packages: Array.from({ length: 20 }, (_, i) => ({ name: `package-${i}`, version: `1.${i}-1` })),
});
const encoded = registry.encodeAttribute(packages);

function throwsPa(fn: () => unknown, code: PaTncErrorCode, offset?: number): PaTncError {
  let caught: PaTncError | undefined;
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PaTncError, String(e));
    assert.equal(e.code, code, e.message);
    if (offset !== undefined) assert.equal(e.offset, offset, e.message);
    caught = e;
    return true;
  });
  assert.ok(caught);
  return caught;
}

/** A segmented attribute whose header is `header` followed by `value`. */
function rawAttribute(flags: number, vendorId: number, type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + value.length);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint32(0, (flags << 24) | vendorId);
  v.setUint32(4, type);
  v.setUint32(8, out.length);
  out.set(value, 12);
  return out;
}

describe('segmentation contract', () => {
  it('says when to segment', () => {
    assert.ok(isNullContract(NULL_CONTRACT));
    assert.equal(checkAttributeSize(NULL_CONTRACT, 1e6), 'fits');
    assert.equal(checkAttributeSize({ maxMessageSize: 1000, maxSegmentSize: NO_SEGMENTATION }, 1001), 'oversize');
    assert.equal(checkAttributeSize({ maxMessageSize: 1000, maxSegmentSize: NO_SEGMENTATION }, 1000), 'fits');
    assert.equal(checkAttributeSize(contract, 40), 'fits');
    assert.equal(checkAttributeSize(contract, 41), 'segment');
    // strongSwan 5.9.8's contract in the captures: the 19436-octet packages list fits whole.
    assert.equal(checkAttributeSize({ maxMessageSize: NO_MESSAGE_SIZE_LIMIT, maxSegmentSize: 65466 }, 19436), 'fits');
  });

  it('cuts an attribute into S|M, M ..., last segments, the header in the first', () => {
    const envs = splitAttribute(encoded, 40, 7);
    assert.equal(envs.length, Math.ceil(encoded.length / 40));
    assert.equal(envs[0]?.flags, SegmentFlag.START | SegmentFlag.MORE);
    assert.ok(envs.slice(1, -1).every((e) => e.flags === SegmentFlag.MORE));
    assert.equal(envs.at(-1)?.flags, SegmentFlag.NONE);
    assert.ok(envs.every((e) => e.baseMessageId === 7 && e.segment.length <= 40));
    assert.equal(hex(Buffer.concat(envs.map((e) => e.segment))), hex(encoded));
    assert.throws(() => splitAttribute(encoded, 11, 1), PaTncEncodeError);
    assert.throws(() => splitAttribute(encoded, encoded.length, 1), PaTncEncodeError);
    assert.throws(() => splitAttribute(encoded, 40, 0x1000000), PaTncEncodeError);
  });

  it('sends the first segment, then one per Next Segment, and forgets a cancelled attribute', () => {
    const sender = new SegmentSender(contract);
    const first = sender.start(encoded);
    assert.equal(first.value.baseMessageId, 1);
    assert.equal(sender.start(encoded).value.baseMessageId, 2);
    assert.equal(sender.pending, 2);
    assert.ok(sender.cancel(2));
    assert.equal(sender.next(2), undefined);
    let count = 1;
    while (sender.next(1)) count++;
    assert.equal(count, Math.ceil(encoded.length / 40));
    assert.equal(sender.pending, 0);
    assert.throws(() => sender.start(new Uint8Array(40)), PaTncEncodeError); // fits: nothing to segment
    assert.throws(() => new SegmentSender(NULL_CONTRACT).start(encoded), PaTncEncodeError);
    // Base Message IDs are 24 bits and wrap to 1.
    const wrap = new SegmentSender(contract, { firstBaseMessageId: 0xffffff });
    assert.equal(wrap.start(encoded).value.baseMessageId, 0xffffff);
    assert.equal(wrap.start(encoded).value.baseMessageId, 1);
  });

  it('reassembles through real PA-TNC messages, one envelope per message', () => {
    const sender = new SegmentSender(contract);
    const receiver = new Reassembler(contract, registry);
    let env = sender.start(encoded);
    for (let id = 1; ; id++) {
      // Each envelope travels in its own PA-TNC message, as the IMC would send it.
      const wire = encodeMessage({ identifier: id, attributes: [env, makeAttribute(deviceId, 'carol')] }, registry);
      const got = findAttribute(decodeMessage(wire, registry).attributes, segmentEnvelope);
      assert.ok(got);
      const r = receiver.add(got.value);
      if (r.status === 'complete') {
        assert.deepEqual(r.attribute, packages);
        break;
      }
      const next = sender.next(r.baseMessageId);
      assert.ok(next);
      env = next;
    }
  });

  it('keeps an unknown segmented attribute without NOSKIP as octets; refuses one with NOSKIP at the first segment', () => {
    const value = new Uint8Array(100).fill(7);
    const receiver = new Reassembler(contract, registry);
    let result;
    for (const e of splitAttribute(rawAttribute(0, 0x123456, 5, value), 40, 3)) result = receiver.add(e);
    assert.ok(result?.status === 'complete');
    assert.equal(result.attribute.name, 'unknown');
    assert.deepEqual(result.attribute.value, value);

    const [first] = splitAttribute(rawAttribute(0x80, 0x123456, 5, value), 40, 4);
    assert.ok(first);
    const err = throwsPa(() => receiver.add(first), 'PA_TNC_ATTRIBUTE_TYPE_UNSUPPORTED', 0);
    assert.deepEqual(err.unsupportedAttribute, { flags: 0x80, vendorId: 0x123456, type: 5 });
    assert.equal(receiver.pending, 0);
    const reply = reassemblyErrorReply(err, 4);
    assert.equal(
      hex(registry.encodeAttribute(reply)),
      '00000000 00000008 00000024 00000000 00000003 ffffffff 00000004 80123456 00000005'.replace(/ /g, ''),
    );
  });

  it('refuses segments out of order, overflowing, missing, oversized, and too many at once', () => {
    const envs = splitAttribute(encoded, 40, 9);
    const [first, second] = envs;
    assert.ok(first && second);
    const r = new Reassembler(contract, registry, { maxPending: 2 });
    throwsPa(() => r.add(second), 'PA_TNC_SEGMENT_UNEXPECTED', 0);
    r.add(first);
    throwsPa(() => r.add(first), 'PA_TNC_SEGMENT_DUPLICATE', 0);
    assert.equal(r.pending, 1, 'a duplicate start leaves the first reassembly in place');
    // The last segment (no M) too early: Invalid Parameter at the Length field (strongSwan).
    throwsPa(() => r.add({ ...second, flags: SegmentFlag.NONE }), 'PA_TNC_SEGMENT_INCOMPLETE', 8);
    assert.equal(r.pending, 0);
    // More octets than the header announced.
    const small = splitAttribute(registry.encodeAttribute(makeAttribute(deviceId, 'x'.repeat(40))), 40, 10);
    r.add(small[0] as SegmentEnvelope);
    throwsPa(() => r.add({ ...(small[1] as SegmentEnvelope), segment: new Uint8Array(13) }), 'PA_TNC_SEGMENT_OVERFLOW', 40);
    // A segment larger than the contract.
    throwsPa(() => r.add({ flags: SegmentFlag.START | SegmentFlag.MORE, baseMessageId: 11, segment: encoded.subarray(0, 41) }), 'PA_TNC_SEGMENT_TOO_LARGE', 0);
    // At most maxPending in progress.
    r.add({ ...first, baseMessageId: 12 });
    r.add({ ...first, baseMessageId: 13 });
    throwsPa(() => r.add({ ...first, baseMessageId: 14 }), 'PA_TNC_LIMIT_EXCEEDED', 0);
    assert.equal(r.pending, 2);
    assert.ok(r.cancel(12));
    // A first segment shorter than an attribute header.
    throwsPa(() => r.add({ flags: SegmentFlag.START | SegmentFlag.MORE, baseMessageId: 15, segment: new Uint8Array(5) }), 'PA_TNC_TRUNCATED', 0);
  });

  it('bounds the announced attribute size by the contract and by maxAttributeSize', () => {
    const big = rawAttribute(0, 0, 0, new Uint8Array(200));
    const [first] = splitAttribute(big, 40, 1);
    assert.ok(first);
    throwsPa(() => new Reassembler({ maxMessageSize: 100, maxSegmentSize: 40 }, registry).add(first), 'PA_TNC_LIMIT_EXCEEDED', 8);
    throwsPa(() => new Reassembler(contract, registry, { maxAttributeSize: 199 }).add(first), 'PA_TNC_LIMIT_EXCEEDED', 8);
    // A header announcing 4 GiB is refused before anything is buffered.
    const huge = Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0xf0, 1, 2]);
    throwsPa(() => new Reassembler(contract, registry).add({ flags: SegmentFlag.START | SegmentFlag.MORE, baseMessageId: 1, segment: huge }), 'PA_TNC_LIMIT_EXCEEDED', 8);
  });

  it('reports a broken base attribute at its offset within the attribute', () => {
    // Installed Packages announcing 3 packages, carrying 3 and a stray octet; over two segments.
    const value = Uint8Array.from([0, 0, 0, 3, 1, 0x61, 1, 0x31, 1, 0x62, 1, 0x32, 1, 0x63, 1, 0x33, 0xff]);
    const attr = rawAttribute(0, 0, 7, value);
    const envs = splitAttribute(attr, 20, 5);
    const r = new Reassembler(contract, registry);
    r.add(envs[0] as SegmentEnvelope);
    const err = throwsPa(() => r.add(envs[1] as SegmentEnvelope), 'PA_TNC_COUNT_MISMATCH', 12 + 16);
    assert.deepEqual(err.attribute, { vendorId: 0, type: 7 });
    const reply = reassemblyErrorReply(err, 5);
    assert.equal(hex(registry.encodeValue(reply)), '0000000000000001ffffffff000000050000001c');
  });
});
