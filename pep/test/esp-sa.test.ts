/**
 * ESP packet format (RFC 4303 2), trailer padding (2.4), outbound/inbound processing (3.3, 3.4),
 * sequence number overflow (3.3.3), UDP encapsulation classification (RFC 3948 2), and a fuzz of
 * the inbound decoder: only EspError may escape.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { addEspTrailer, decodeEspPacket, encodeEspHeader, removeEspTrailer } from '../esp/esp-packet.js';
import { EspSa } from '../esp/esp-sa.js';
import { EspError } from '../esp/esp-error.js';
import { classifyUdpEncap, encodeNonEspMarker } from '../esp/esp-in-udp.js';
import { parseInnerPacketFor } from '../esp/inner-packet.js';
import type { EspCipherParams } from '../esp/esp-cipher.js';
import { createCipher } from '../crypto/cipher.js';

// An ICMP echo request 10.71.0.1 -> 10.72.0.1 (IPv4, 28 octets).
const ICMP = Buffer.from('4500001c00004000400100000a4700010a4800010800f7ff00000000', 'hex');
const params: Record<string, EspCipherParams> = {
  'aes-gcm-16/128': { encr: 'aes-gcm-16', keyBits: 128, key: Buffer.alloc(20, 7) },
  'aes-gcm-16/256': { encr: 'aes-gcm-16', keyBits: 256, key: Buffer.alloc(36, 8) },
  'aes-cbc/128 hmac-sha2-256-128': { encr: 'aes-cbc', keyBits: 128, key: Buffer.alloc(16, 9), integ: 'hmac-sha2-256-128', integKey: Buffer.alloc(32, 1) },
  'aes-cbc/256 hmac-sha2-512-256': { encr: 'aes-cbc', keyBits: 256, key: Buffer.alloc(32, 9), integ: 'hmac-sha2-512-256', integKey: Buffer.alloc(64, 2) },
};
const pair = (p: EspCipherParams, window = 64) => ({
  out: new EspSa({ spi: 0x1234, cipher: createCipher(p), now: () => 42 }),
  in: new EspSa({ spi: 0x1234, cipher: createCipher(p), replayWindow: window, now: () => 42 }),
});

describe('ESP header and trailer (RFC 4303 2, 2.4)', () => {
  it('header is SPI || Seq big-endian; SPI 0 is refused', () => {
    assert.equal(encodeEspHeader({ spi: 0xc1000001, seq: 5 }).toString('hex'), 'c100000100000005');
    const v = decodeEspPacket(Buffer.from('c100000100000005aabb', 'hex'));
    assert.deepEqual([v.spi, v.seq, Buffer.from(v.sealed).toString('hex')], [0xc1000001, 5, 'aabb']);
    assert.throws(() => decodeEspPacket(Buffer.alloc(12)), { code: 'BAD_SPI', offset: 0 });
    assert.throws(() => decodeEspPacket(Buffer.alloc(7, 1)), { code: 'TRUNCATED' });
  });
  it('padding is 1, 2, 3, ... up to the block, then Pad Length and Next Header', () => {
    assert.equal(addEspTrailer(Buffer.from('0102030405', 'hex'), 4, 16).toString('hex'), '0102030405' + '010203040506070809' + '09' + '04');
    assert.equal(addEspTrailer(Buffer.alloc(2), 41, 4).toString('hex'), '0000' + '0029');
    assert.equal(addEspTrailer(Buffer.alloc(3), 4, 1).length % 4, 0, 'aligned to 4 octets even for block size 1');
    const r = removeEspTrailer(addEspTrailer(ICMP, 4, 16));
    assert.deepEqual([Buffer.from(r.payload), r.nextHeader], [ICMP, 4]);
  });
  it('bad padding and pad length beyond the payload are refused with offsets', () => {
    assert.throws(() => removeEspTrailer(Buffer.from('0001020a0304', 'hex')), { code: 'BAD_PADDING', offset: 3 });
    assert.throws(() => removeEspTrailer(Buffer.from('aa01020403', 'hex')), { code: 'BAD_PADDING' });
    assert.throws(() => removeEspTrailer(Buffer.from('04', 'hex')), { code: 'TRUNCATED' });
  });
});

describe('ESP SA processing (RFC 4303 3.3, 3.4)', () => {
  for (const [name, p] of Object.entries(params)) {
    it(`${name}: round trip, sequence numbers from 1, counters`, () => {
      const { out, in: inb } = pair(p);
      for (let i = 1; i <= 3; i++) {
        const pkt = out.seal(ICMP, 4);
        assert.equal(pkt.readUInt32BE(4), i);
        const opened = inb.open(pkt);
        assert.deepEqual([opened.seq, opened.nextHeader, Buffer.from(opened.payload)], [i, 4, ICMP]);
      }
      assert.deepEqual(inb.counters, { bytes: 3 * ICMP.length, packets: 3, lastUse: 42 });
      assert.deepEqual(out.counters, { bytes: 3 * ICMP.length, packets: 3, lastUse: 42 });
    });
    it(`${name}: any flipped bit fails the ICV, and the window is not moved by it`, () => {
      const { out, in: inb } = pair(p);
      const pkt = out.seal(ICMP, 4);
      for (const at of [8, 20, pkt.length - 1]) {
        const bad = Buffer.from(pkt);
        bad[at] = (bad[at] as number) ^ 1;
        assert.throws(() => inb.open(bad), { code: 'INTEGRITY' });
      }
      const seqFlip = Buffer.from(pkt);
      seqFlip[7] = 9; // the AAD covers the sequence number
      assert.throws(() => inb.open(seqFlip), { code: 'INTEGRITY' });
      assert.equal(inb.open(pkt).seq, 1, 'the genuine packet is still accepted');
      assert.throws(() => inb.open(pkt), { code: 'REPLAY' });
    });
  }
  it('too old and replayed packets are refused before decryption', () => {
    const { out, in: inb } = pair(params['aes-gcm-16/128'] as EspCipherParams);
    const pkts = Array.from({ length: 70 }, () => out.seal(ICMP, 4));
    inb.open(pkts[69] as Buffer);
    assert.throws(() => inb.open(pkts[0] as Buffer), { code: 'TOO_OLD' });
    assert.equal(inb.open(pkts[10] as Buffer).seq, 11);
    assert.throws(() => inb.open(pkts[10] as Buffer), { code: 'REPLAY' });
  });
  it('the 32-bit sequence number never cycles (3.3.3)', () => {
    const sa = new EspSa({ spi: 1, cipher: createCipher(params['aes-gcm-16/128'] as EspCipherParams), lastSeq: 0xfffffffe, now: () => 0 });
    assert.equal(sa.seqNearlyExhausted, true);
    assert.equal(sa.seal(ICMP, 4).readUInt32BE(4), 0xffffffff);
    assert.throws(() => sa.seal(ICMP, 4), { code: 'SEQ_OVERFLOW' });
  });
  it('Next Header must agree with the inner packet', () => {
    assert.equal(parseInnerPacketFor(4, ICMP).version, 4);
    assert.throws(() => parseInnerPacketFor(41, ICMP), { code: 'BAD_NEXT_HEADER' });
    assert.throws(() => parseInnerPacketFor(17, ICMP), { code: 'BAD_NEXT_HEADER' });
    assert.throws(() => parseInnerPacketFor(4, ICMP.subarray(0, 19)), { code: 'BAD_INNER_PACKET' });
  });
  it('fuzz: open() of arbitrary bytes and of mutated packets throws only EspError', () => {
    for (const p of Object.values(params)) {
      const { out, in: inb } = pair(p);
      const good = out.seal(ICMP, 4);
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('00001234', 'hex'), b])),
            fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
              const b = Buffer.from(good);
              b[i] = (b[i] as number) ^ x;
              return b;
            }),
            fc.nat(good.length).map((n) => good.subarray(0, n)),
          ),
          (bytes) => {
            try {
              inb.open(bytes);
            } catch (err) {
              assert.ok(err instanceof EspError, String(err));
            }
          },
        ),
        { numRuns: 300 },
      );
    }
  });
});

describe('ESP in UDP (RFC 3948 2)', () => {
  it('classifies keepalive, Non-ESP Marker + IKE, ESP and runts', () => {
    assert.deepEqual(classifyUdpEncap(Buffer.from([0xff])), { kind: 'keepalive' });
    const ike = classifyUdpEncap(encodeNonEspMarker(Buffer.from('abcd', 'hex')));
    assert.equal(ike.kind, 'ike');
    assert.equal(ike.kind === 'ike' && Buffer.from(ike.payload).toString('hex'), 'abcd');
    assert.equal(classifyUdpEncap(Buffer.from('c10000010000000100', 'hex')).kind, 'esp');
    assert.equal(classifyUdpEncap(Buffer.from('c1000001', 'hex')).kind, 'invalid');
    assert.equal(classifyUdpEncap(Buffer.from([0xfe])).kind, 'invalid');
  });
  it('never throws on arbitrary datagrams', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => void classifyUdpEncap(b)));
    assert.ok(randomBytes(1));
  });
});
