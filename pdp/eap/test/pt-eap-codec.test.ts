/**
 * PT-EAP (RFC 7171) / EAP-TNC framing: flag/version vectors, fragmentation and reassembly, the
 * strongSwan capture batches as PT-EAP data, and fuzzing (only PtEapDecodeError may escape).
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PtEapDecodeError } from '../pt-eap/errors.js';
import { decodeTncFrame, encodeTncFrame, isEmptyFrame, startFrame } from '../pt-eap/flags.js';
import { TncReassembler, TncSender } from '../pt-eap/fragment.js';
import { EAP_TNC, PT_EAP, PT_EAP_MAX_DATA } from '../pt-eap/variant.js';

const CAPTURES = new URL('../../../../shared/vectors/strongswan-5.9.8-pb-tnc/', import.meta.url);
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function captureBatches(prefix: string): { file: string; bytes: Buffer }[] {
  return readdirSync(CAPTURES)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.hex'))
    .sort()
    .map((file) => ({ file, bytes: hex(readFileSync(new URL(file, CAPTURES), 'utf8')) }));
}

function typed(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof PtEapDecodeError)) throw e;
  }
}

describe('PT-EAP flags octet (RFC 7171 section 4.1: S R R R R | Ver)', () => {
  it('Start is 0x81: S in the most significant bit, version 1, no data', () => {
    assert.deepEqual(startFrame(PT_EAP), hex('81'));
    const f = decodeTncFrame(PT_EAP, hex('81'));
    assert.equal(f.start, true);
    assert.equal(f.version, 1);
    assert.equal(f.data.length, 0);
  });

  it('a batch goes out as 0x01 + the whole batch; reserved bits are ignored on receipt', () => {
    assert.deepEqual(encodeTncFrame(PT_EAP, { data: hex('0203') }), hex('010203'));
    const f = decodeTncFrame(PT_EAP, hex('79aabb')); // 0111 1001: four reserved bits set, S clear
    assert.equal(f.start, false);
    assert.equal(f.lengthIncluded, false);
    assert.equal(f.moreFragments, false);
    assert.equal(f.version, 1);
    assert.deepEqual(f.data, hex('aabb'));
  });

  it('has no L/M: 0xc1 is S + reserved, not a Message Length', () => {
    const f = decodeTncFrame(PT_EAP, hex('c100000004'));
    assert.equal(f.start, true);
    assert.equal(f.lengthIncluded, false);
    assert.deepEqual(f.data, hex('00000004'));
    assert.throws(() => encodeTncFrame(PT_EAP, { moreFragments: true }), RangeError);
    assert.throws(() => encodeTncFrame(PT_EAP, { messageLength: 4, data: hex('00000000') }), RangeError);
  });

  it("strongSwan's PT-EAP acknowledgement (flags 0x00, version 0) is an empty frame", () => {
    const f = decodeTncFrame(PT_EAP, hex('00'));
    assert.equal(f.version, 0);
    assert.equal(isEmptyFrame(f), true);
  });

  it('bounds: missing flags octet, data beyond one EAP packet', () => {
    assert.throws(() => decodeTncFrame(PT_EAP, Buffer.alloc(0)), (e: unknown) => e instanceof PtEapDecodeError && e.code === 'pt-eap-truncated');
    assert.throws(
      () => decodeTncFrame(PT_EAP, Buffer.alloc(PT_EAP_MAX_DATA + 2)),
      (e: unknown) => e instanceof PtEapDecodeError && e.code === 'pt-eap-message-too-long',
    );
    assert.throws(() => encodeTncFrame(PT_EAP, { data: Buffer.alloc(PT_EAP_MAX_DATA + 1) }), RangeError);
  });
});

describe('EAP-TNC flags octet (L M S R R | Ver, version 1)', () => {
  it('Start is 0x21; L+M with a Message Length is 0xc1', () => {
    assert.deepEqual(startFrame(EAP_TNC), hex('21'));
    assert.deepEqual(encodeTncFrame(EAP_TNC, { moreFragments: true, messageLength: 300, data: hex('aa') }), hex('c1 0000012c aa'));
    const f = decodeTncFrame(EAP_TNC, hex('c1 0000012c aa'));
    assert.equal(f.lengthIncluded, true);
    assert.equal(f.moreFragments, true);
    assert.equal(f.start, false);
    assert.equal(f.messageLength, 300);
    assert.equal(f.version, 1);
    assert.deepEqual(f.data, hex('aa'));
    assert.equal(decodeTncFrame(EAP_TNC, hex('21')).start, true);
  });

  it('typed errors with tnc-* codes', () => {
    const code = (bytes: Buffer, max?: number): string => {
      try {
        decodeTncFrame(EAP_TNC, bytes, max === undefined ? {} : { maxMessageLength: max });
        return 'none';
      } catch (e) {
        assert.ok(e instanceof PtEapDecodeError);
        return e.code;
      }
    };
    assert.equal(code(Buffer.alloc(0)), 'tnc-truncated');
    assert.equal(code(hex('8100')), 'tnc-truncated');
    assert.equal(code(hex('81 00010000'), 1000), 'tnc-message-too-long');
    assert.equal(code(hex('81 00000001 aabb')), 'tnc-fragment-overflow');
  });
});

describe('fragmentation and reassembly', () => {
  it('EAP-TNC: L on the first fragment, M on all but the last, version 1 everywhere', () => {
    const batch = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    const sender = new TncSender(EAP_TNC, batch, 32);
    const frames: Buffer[] = [];
    while (sender.pending) frames.push(sender.next());
    assert.equal(frames.length, 4);
    assert.deepEqual(frames.map((f) => f[0]), [0xc1, 0x41, 0x41, 0x01]);
    assert.equal(frames[0]!.readUInt32BE(1), 100);
    const r = new TncReassembler(EAP_TNC, 1000);
    const out = frames.map((f) => r.push(decodeTncFrame(EAP_TNC, f, { maxMessageLength: 1000 })));
    assert.deepEqual(out.slice(0, 3), [undefined, undefined, undefined]);
    assert.deepEqual(out[3], batch);
  });

  it('a batch that fits goes out whole, without L (as strongSwan sends it)', () => {
    const s = new TncSender(EAP_TNC, hex('0102'));
    assert.equal(s.count, 1);
    assert.deepEqual(s.next(), hex('01 0102'));
    assert.equal(new TncSender(PT_EAP, Buffer.alloc(60_000)).count, 1);
  });

  it('a reassembled batch is bounded by the PB-TNC batch limit', () => {
    const r = new TncReassembler(EAP_TNC, 1000);
    assert.throws(
      () => r.push(decodeTncFrame(EAP_TNC, hex('c1 00100000 aa'), { maxMessageLength: 1 << 24 })),
      (e: unknown) => e instanceof PtEapDecodeError && e.code === 'tnc-message-too-long',
    );
  });

  it('property: any batch, any fragment size, reassembles to itself', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.integer({ min: 32, max: 1500 }), (bytes, size) => {
        const batch = Buffer.from(bytes);
        const sender = new TncSender(EAP_TNC, batch, size);
        const r = new TncReassembler(EAP_TNC, 65522);
        let out: Buffer | undefined;
        while (sender.pending) out = r.push(decodeTncFrame(EAP_TNC, sender.next(), { maxMessageLength: 65522 }));
        assert.deepEqual(out, batch);
      }),
      { numRuns: 200 },
    );
  });
});

describe('the strongSwan 5.9.8 capture batches as PT-EAP / EAP-TNC data', () => {
  const batches = captureBatches('alice-c1-');
  it('has the five batches of one assessment', () => {
    assert.equal(batches.length, 5);
  });
  for (const variant of [PT_EAP, EAP_TNC]) {
    it(`${variant.name}: each batch fits one message and decodes back to the same bytes`, () => {
      for (const { file, bytes } of batches) {
        const sender = new TncSender(variant, bytes);
        assert.equal(sender.count, 1, file);
        const typeData = sender.next();
        assert.equal(typeData[0], 0x01, file);
        const frame = decodeTncFrame(variant, typeData);
        assert.deepEqual(new TncReassembler(variant).push(frame), bytes, file);
      }
    });
  }
});

describe('fuzz: only PtEapDecodeError escapes', () => {
  for (const variant of [PT_EAP, EAP_TNC]) {
    it(`${variant.name} decoder and reassembler`, () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 4096 }), (packets, max) => {
          const r = new TncReassembler(variant, max);
          for (const p of packets) {
            typed(() => r.push(decodeTncFrame(variant, p, { maxMessageLength: max })));
          }
        }),
        { numRuns: 2000 },
      );
    });
  }
});
