import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import radius from 'radius';
import { AttributeType } from '../attribute-types.js';
import { PacketCode, packetCodeName } from '../codes.js';
import { RadiusDecodeError, RadiusEncodeError } from '../errors.js';
import { decodePacket, encodePacket, getAttribute, getAttributes, type RadiusPacket } from '../packet.js';
import { EXAMPLE_7_1, EXAMPLE_7_2, EXAMPLE_7_3, hex, RFC2865_SECRET } from './vectors/rfc2865.js';

const ALL_VECTORS: readonly [string, string][] = [
  ['7.1 Access-Request', EXAMPLE_7_1.request],
  ['7.1 Access-Accept', EXAMPLE_7_1.accept],
  ['7.2 Access-Request', EXAMPLE_7_2.request],
  ['7.2 Access-Accept', EXAMPLE_7_2.accept],
  ['7.3 Access-Request', EXAMPLE_7_3.request1],
  ['7.3 Access-Challenge', EXAMPLE_7_3.challenge],
  ['7.3 Access-Request (2)', EXAMPLE_7_3.request2],
  ['7.3 Access-Reject', EXAMPLE_7_3.reject],
];

function decodeError(fn: () => unknown, code: string, offset?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof RadiusDecodeError, `not a RadiusDecodeError: ${String(e)}`);
    assert.equal(e.code, code);
    if (offset !== undefined) assert.equal(e.offset, offset);
    return true;
  });
}

describe('decodePacket: RFC 2865 section 7 vectors', () => {
  it('7.1 Access-Request decodes to its attributes', () => {
    const p = decodePacket(hex(EXAMPLE_7_1.request));
    assert.equal(p.code, PacketCode.AccessRequest);
    assert.equal(p.identifier, 0);
    assert.equal(p.authenticator.toString('hex'), EXAMPLE_7_1.requestAuthenticator);
    assert.deepEqual(
      p.attributes.map((a) => a.type),
      [AttributeType.UserName, AttributeType.UserPassword, AttributeType.NASIPAddress, AttributeType.NASPort],
    );
    assert.equal(getAttribute(p, AttributeType.UserName)?.toString(), 'nemo');
    assert.equal(getAttribute(p, AttributeType.UserPassword)?.toString('hex'), EXAMPLE_7_1.hiddenPassword);
    assert.deepEqual([...(getAttribute(p, AttributeType.NASIPAddress) ?? [])], [192, 168, 1, 16]);
    assert.equal(getAttribute(p, AttributeType.NASPort)?.readUInt32BE(0), 3);
  });

  it('7.2 Access-Accept decodes to its framed attributes', () => {
    const p = decodePacket(hex(EXAMPLE_7_2.accept));
    assert.equal(packetCodeName(p.code), 'Access-Accept');
    assert.equal(p.identifier, 1);
    assert.equal(getAttribute(p, AttributeType.ServiceType)?.readUInt32BE(0), 2);
    assert.equal(getAttribute(p, AttributeType.FramedProtocol)?.readUInt32BE(0), 1);
    assert.equal(getAttribute(p, AttributeType.FramedIPAddress)?.toString('hex'), 'fffffffe');
    assert.equal(getAttribute(p, AttributeType.FramedRouting)?.readUInt32BE(0), 2);
    assert.equal(getAttribute(p, AttributeType.FramedCompression)?.readUInt32BE(0), 1);
    assert.equal(getAttribute(p, AttributeType.FramedMTU)?.readUInt32BE(0), 1500);
  });

  it('7.2 Access-Request carries CHAP ident and response', () => {
    const p = decodePacket(hex(EXAMPLE_7_2.request));
    assert.equal(getAttribute(p, AttributeType.UserName)?.toString(), 'flopsy');
    const chap = getAttribute(p, AttributeType.CHAPPassword);
    assert.equal(chap?.length, 17);
    assert.equal(chap?.[0], 0x16);
  });

  it('7.3 Access-Challenge carries Reply-Message and State', () => {
    const p = decodePacket(hex(EXAMPLE_7_3.challenge));
    assert.equal(p.code, PacketCode.AccessChallenge);
    assert.equal(
      getAttribute(p, AttributeType.ReplyMessage)?.toString(),
      'Challenge 32769430.  Enter response at prompt.',
    );
    assert.equal(getAttribute(p, AttributeType.State)?.toString(), '32769430');
  });

  it('7.3 Access-Reject has no attributes', () => {
    const p = decodePacket(hex(EXAMPLE_7_3.reject));
    assert.equal(p.code, PacketCode.AccessReject);
    assert.deepEqual(p.attributes, []);
  });

  for (const [name, h] of ALL_VECTORS) {
    it(`${name}: encode(decode(x)) is x`, () => {
      assert.deepEqual(encodePacket(decodePacket(hex(h))), hex(h));
    });

    it(`${name}: every proper prefix throws RadiusDecodeError`, () => {
      const bytes = hex(h);
      for (let n = 0; n < bytes.length; n++) {
        assert.throws(() => decodePacket(bytes.subarray(0, n)), RadiusDecodeError, `prefix ${n}`);
      }
    });

    it(`${name}: agrees with the npm radius package`, () => {
      const ours = decodePacket(hex(h));
      const theirs = radius.decode({ packet: hex(h), secret: RFC2865_SECRET });
      assert.equal(theirs.code, packetCodeName(ours.code));
      assert.equal(theirs.identifier, ours.identifier);
      assert.deepEqual(theirs.authenticator, ours.authenticator);
      assert.deepEqual(
        theirs.raw_attributes.map(([type, value]) => ({ type, value })),
        ours.attributes.map((a) => ({ type: a.type, value: Buffer.from(a.value) })),
      );
    });
  }
});

describe('decodePacket: RFC 2865 section 3 framing', () => {
  const request = hex(EXAMPLE_7_1.request);

  it('treats octets beyond Length as padding', () => {
    const padded = Buffer.concat([request, Buffer.from([1, 2, 3, 4, 5])]);
    const p = decodePacket(padded);
    assert.equal(p.attributes.length, 4);
    assert.deepEqual(encodePacket(p), request);
  });

  it('accepts a Uint8Array that is not a Buffer, without copying', () => {
    const u8 = new Uint8Array(request);
    const p = decodePacket(u8);
    assert.equal(getAttribute(p, AttributeType.UserName)?.toString(), 'nemo');
    u8[22] = 0x4e; // 'N'
    assert.equal(getAttribute(p, AttributeType.UserName)?.toString(), 'Nemo');
  });

  it('rejects fewer than 20 octets', () => {
    decodeError(() => decodePacket(Buffer.alloc(19)), 'RADIUS_TRUNCATED', 19);
  });

  it('rejects a Length below 20', () => {
    const b = Buffer.from(request);
    b.writeUInt16BE(19, 2);
    decodeError(() => decodePacket(b), 'RADIUS_LENGTH_INVALID', 2);
  });

  it('rejects a Length above 4096 even when that many octets arrived', () => {
    const b = Buffer.alloc(5000);
    b.writeUInt8(1, 0);
    b.writeUInt16BE(4097, 2);
    decodeError(() => decodePacket(b), 'RADIUS_PACKET_TOO_LARGE', 2);
  });

  it('accepts a 4096-octet packet', () => {
    const b = Buffer.alloc(4096);
    b.writeUInt8(1, 0);
    b.writeUInt16BE(4096, 2);
    for (let at = 20; at < 4096; ) {
      const len = Math.min(255, 4096 - at);
      b.writeUInt8(26, at);
      b.writeUInt8(len, at + 1);
      at += len;
    }
    assert.equal(decodePacket(b).attributes.length, Math.ceil((4096 - 20) / 255));
  });

  it('rejects a Length greater than the octets received', () => {
    const b = Buffer.from(request);
    b.writeUInt16BE(request.length + 1, 2);
    decodeError(() => decodePacket(b), 'RADIUS_LENGTH_MISMATCH', 2);
  });

  it('rejects an attribute Length of 0 or 1', () => {
    for (const len of [0, 1]) {
      const b = Buffer.from(request);
      b.writeUInt8(len, 21);
      decodeError(() => decodePacket(b), 'RADIUS_ATTRIBUTE_TOO_SHORT', 21);
    }
  });

  it('rejects an attribute that runs past Length', () => {
    const b = Buffer.from(request);
    b.writeUInt8(0xff, 51); // NAS-Port's Length
    decodeError(() => decodePacket(b), 'RADIUS_ATTRIBUTE_OVERFLOW', 51);
  });

  it('rejects a lone octet after the last attribute', () => {
    const b = Buffer.concat([request, Buffer.from([5])]);
    b.writeUInt16BE(b.length, 2);
    decodeError(() => decodePacket(b), 'RADIUS_ATTRIBUTE_OVERFLOW', request.length);
  });

  it('accepts an attribute with an empty value', () => {
    const b = Buffer.concat([request, Buffer.from([24, 2])]);
    b.writeUInt16BE(b.length, 2);
    const p = decodePacket(b);
    assert.equal(getAttribute(p, AttributeType.State)?.length, 0);
    assert.deepEqual(encodePacket(p), b);
  });
});

describe('encodePacket', () => {
  const base: RadiusPacket = { code: 1, identifier: 7, authenticator: Buffer.alloc(16), attributes: [] };

  it('writes the header and attributes in order', () => {
    const out = encodePacket({
      ...base,
      attributes: [
        { type: 1, value: Buffer.from('bob') },
        { type: 24, value: Buffer.alloc(0) },
      ],
    });
    assert.equal(out.toString('hex'), `0107001b${'00'.repeat(16)}0105626f621802`);
  });

  it('takes a 253-octet value and refuses 254', () => {
    assert.equal(encodePacket({ ...base, attributes: [{ type: 26, value: Buffer.alloc(253) }] }).length, 275);
    assert.throws(
      () => encodePacket({ ...base, attributes: [{ type: 26, value: Buffer.alloc(254) }] }),
      (e: unknown) => e instanceof RadiusEncodeError && e.code === 'RADIUS_ATTRIBUTE_TOO_LONG',
    );
  });

  it('refuses a packet over 4096 octets', () => {
    const attributes = Array.from({ length: 17 }, () => ({ type: 26, value: Buffer.alloc(253) }));
    assert.throws(
      () => encodePacket({ ...base, attributes }),
      (e: unknown) => e instanceof RadiusEncodeError && e.code === 'RADIUS_PACKET_TOO_LARGE',
    );
  });

  it('refuses out-of-range header fields', () => {
    for (const bad of [
      { ...base, code: 256 },
      { ...base, identifier: -1 },
      { ...base, identifier: 1.5 },
      { ...base, authenticator: Buffer.alloc(15) },
      { ...base, attributes: [{ type: 300, value: Buffer.alloc(1) }] },
    ]) {
      assert.throws(() => encodePacket(bad), (e: unknown) => e instanceof RadiusEncodeError && e.code === 'RADIUS_FIELD_RANGE');
    }
  });
});

describe('getAttribute / getAttributes', () => {
  it('return the first and all values of a type, in wire order', () => {
    const p: RadiusPacket = {
      code: 2,
      identifier: 0,
      authenticator: Buffer.alloc(16),
      attributes: [
        { type: AttributeType.Class, value: Buffer.from('a') },
        { type: AttributeType.UserName, value: Buffer.from('u') },
        { type: AttributeType.Class, value: Buffer.from('b') },
      ],
    };
    assert.equal(getAttribute(p, AttributeType.Class)?.toString(), 'a');
    assert.deepEqual(getAttributes(p, AttributeType.Class).map(String), ['a', 'b']);
    assert.equal(getAttribute(p, AttributeType.State), undefined);
    assert.deepEqual(getAttributes(p, AttributeType.State), []);
  });
});
