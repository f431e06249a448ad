import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EapDecodeError } from '../errors.js';
import { AvpCode, decodeAvps, encodeAvp, encodeAvps } from '../ttls/avp.js';
import { decodeTtlsFrame, emptyTtlsFrame, encodeTtlsFrame, isTtlsAck } from '../ttls/flags.js';
import { TtlsReassembler, TtlsSender, fragmentMessage } from '../ttls/fragment.js';
import { papAvps, stripNulPadding } from '../ttls/phase2.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const throwsCode = (fn: () => unknown, code: string) =>
  assert.throws(fn, (e: unknown) => e instanceof EapDecodeError && e.code === code);

describe('Diameter AVPs (RFC 5281 section 10)', () => {
  it('encodes User-Name "bob" with M set and padding to 4 octets', () => {
    const wire = hex('00000001 4000000b 626f62 00');
    assert.deepEqual(encodeAvp({ code: AvpCode.UserName, mandatory: true, data: Buffer.from('bob') }), wire);
    assert.deepEqual(decodeAvps(wire), [{ code: 1, mandatory: true, data: Buffer.from('bob') }]);
  });

  it('encodes a vendor AVP with V set and the Vendor-ID', () => {
    const wire = hex('0000000b c000000e 00000137 0102 0000');
    const avp = { code: 11, vendorId: 311, mandatory: true, data: hex('0102') };
    assert.deepEqual(encodeAvp(avp), wire);
    assert.deepEqual(decodeAvps(wire), [avp]);
  });

  it('tolerates a missing pad after the last AVP and rejects bad lengths', () => {
    assert.equal(decodeAvps(hex('00000001 4000000b 626f62')).length, 1);
    throwsCode(() => decodeAvps(hex('00000001 40000007 00')), 'avp-bad-length');
    throwsCode(() => decodeAvps(hex('00000001 4000000c 626f62')), 'avp-truncated');
    throwsCode(() => decodeAvps(hex('00000001 40')), 'avp-truncated');
    throwsCode(() => decodeAvps(hex('00000001 c000000b 626f62 00')), 'avp-bad-length');
    const many = encodeAvps(Array.from({ length: 65 }, () => ({ code: 1, mandatory: false, data: Buffer.alloc(0) })));
    throwsCode(() => decodeAvps(many), 'avp-too-many');
  });

  it('pads PAP passwords to 16 octets and strips the padding', () => {
    const avps = decodeAvps(papAvps('alice', 'pw'));
    assert.equal(avps[1]!.code, AvpCode.UserPassword);
    assert.equal(avps[1]!.data.length, 16);
    assert.deepEqual(stripNulPadding(avps[1]!.data), Buffer.from('pw'));
  });
});

describe('TTLS flags and fragments (RFC 5281 section 9)', () => {
  it('decodes the flag octet and the Message Length', () => {
    const f = decodeTtlsFrame(hex('c0 00000010 0102'));
    assert.deepEqual(
      { l: f.lengthIncluded, m: f.moreFragments, s: f.start, v: f.version, len: f.messageLength, data: f.data },
      { l: true, m: true, s: false, v: 0, len: 16, data: hex('0102') },
    );
    assert.equal(decodeTtlsFrame(emptyTtlsFrame(true)).start, true);
    assert.ok(isTtlsAck(decodeTtlsFrame(emptyTtlsFrame(false))));
    assert.ok(!isTtlsAck(decodeTtlsFrame(emptyTtlsFrame(true))));
    assert.deepEqual(encodeTtlsFrame({ moreFragments: true, start: false, version: 0, messageLength: 16, data: hex('0102') }), hex('c0 00000010 0102'));
    throwsCode(() => decodeTtlsFrame(Buffer.alloc(0)), 'ttls-truncated');
    throwsCode(() => decodeTtlsFrame(hex('80 0000')), 'ttls-truncated');
    throwsCode(() => decodeTtlsFrame(hex('80 00010001')), 'ttls-message-too-long');
    throwsCode(() => decodeTtlsFrame(hex('80 00000001 0102')), 'ttls-fragment-overflow');
  });

  it('fragments with L on the first fragment only and reassembles with ACKs', () => {
    const message = Buffer.from(Array.from({ length: 250 }, (_, i) => i & 0xff));
    const sender = new TtlsSender(message, 100);
    const reassembler = new TtlsReassembler();
    const sent: Buffer[] = [];
    let result: Buffer | undefined;
    let acks = 0;
    while (sender.pending) {
      const body = sender.next();
      sent.push(body);
      result = reassembler.push(decodeTtlsFrame(body));
      if (result === undefined) acks++; // the receiver answers with an empty ACK
    }
    assert.equal(sent.length, 3);
    assert.equal(acks, 2);
    assert.deepEqual(sent.map((b) => b[0]), [0xc0, 0x40, 0x00]);
    assert.equal(sent[0]!.readUInt32BE(1), 250);
    assert.deepEqual(result, message);
    assert.deepEqual(fragmentMessage(Buffer.alloc(0), 100), [hex('00')]);
  });

  it('refuses inconsistent fragment trains', () => {
    const r = new TtlsReassembler();
    throwsCode(() => r.push(decodeTtlsFrame(hex('40 0102'))), 'ttls-missing-length');
    r.push(decodeTtlsFrame(hex('c0 00000004 0102')));
    throwsCode(() => r.push(decodeTtlsFrame(hex('00 010203'))), 'ttls-fragment-overflow');
    r.push(decodeTtlsFrame(hex('c0 00000004 0102')));
    throwsCode(() => r.push(decodeTtlsFrame(hex('00 01'))), 'ttls-length-mismatch');
    r.push(decodeTtlsFrame(hex('c0 00000004 0102')));
    throwsCode(() => r.push(decodeTtlsFrame(hex('c0 00000005 01'))), 'ttls-length-mismatch');
    assert.deepEqual(r.push(decodeTtlsFrame(hex('80 00000002 0102'))), hex('0102'));
    throwsCode(() => r.push(decodeTtlsFrame(hex('80 00000003 0102'))), 'ttls-length-mismatch');
    throwsCode(() => r.push(decodeTtlsFrame(hex('20'))), 'ttls-unexpected-start');
    const small = new TtlsReassembler(100);
    throwsCode(() => small.push(decodeTtlsFrame(hex('c0 00000065 01'))), 'ttls-message-too-long');
  });
});
