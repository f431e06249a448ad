import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import radius from 'radius';
import { AttributeType } from '../attribute-types.js';
import { RadiusDecodeError, RadiusEncodeError } from '../errors.js';
import { decodePacket, getAttribute } from '../packet.js';
import { decodeTaggedInteger, decodeTaggedString, encodeTaggedInteger, encodeTaggedString } from '../tagged.js';

function npmValue(attribute: [string, number, unknown]): Buffer | undefined {
  const packet = radius.encode({
    code: 'Access-Accept',
    identifier: 0,
    secret: 's',
    authenticator: Buffer.alloc(16),
    attributes: [attribute],
    add_message_authenticator: false,
  });
  return decodePacket(packet).attributes[0]?.value;
}

describe('tagged integers (RFC 2868 section 3.1)', () => {
  it('put the tag in the high octet: Tunnel-Type ESP (9) untagged and tagged', () => {
    assert.equal(encodeTaggedInteger(0, 9).toString('hex'), '00000009');
    assert.equal(encodeTaggedInteger(1, 9).toString('hex'), '01000009');
    assert.deepEqual(decodeTaggedInteger(Buffer.from('1f123456', 'hex')), { tag: 0x1f, value: 0x123456 });
  });

  it('match the npm radius package (Tunnel-Type, Tunnel-Medium-Type)', () => {
    assert.deepEqual(npmValue(['Tunnel-Type', 1, 9]), encodeTaggedInteger(1, 9));
    assert.deepEqual(npmValue(['Tunnel-Medium-Type', 2, 1]), encodeTaggedInteger(2, 1));
  });

  it('refuse lengths other than 4, tags above 0x1F and values above 24 bits', () => {
    for (const bad of ['', '000009', '0000000009', '20000009']) {
      assert.throws(
        () => decodeTaggedInteger(Buffer.from(bad, 'hex')),
        (e: unknown) => e instanceof RadiusDecodeError && e.code === 'RADIUS_TAGGED_MALFORMED',
      );
    }
    assert.throws(() => encodeTaggedInteger(0x20, 1), RadiusEncodeError);
    assert.throws(() => encodeTaggedInteger(1, 0x1000000), RadiusEncodeError);
    assert.throws(() => encodeTaggedInteger(-1, 1), RadiusEncodeError);
  });

  it('round-trip (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0, max: 0xffffff }), (tag, value) => {
        assert.deepEqual(decodeTaggedInteger(encodeTaggedInteger(tag, value)), { tag, value });
      }),
      { numRuns: 200 },
    );
  });
});

describe('tagged strings (RFC 2868 section 3.6)', () => {
  it('carry the tag octet first when tagged, nothing when not', () => {
    assert.equal(encodeTaggedString(1, 'vlan10').toString('hex'), '01' + Buffer.from('vlan10').toString('hex'));
    assert.equal(encodeTaggedString(0, 'vlan10').toString(), 'vlan10');
    assert.deepEqual(decodeTaggedString(Buffer.from('vlan10')), { tag: 0, value: Buffer.from('vlan10') });
    const tagged = decodeTaggedString(Buffer.from('\x05vlan10'));
    assert.equal(tagged.tag, 5);
    assert.equal(tagged.value.toString(), 'vlan10');
  });

  it('keep an untagged string that starts with 0x00..0x1F unambiguous with a 0x00 tag', () => {
    assert.equal(encodeTaggedString(0, Buffer.from([0x05, 0x41])).toString('hex'), '000541');
    assert.equal(encodeTaggedString(0, '').toString('hex'), '00');
    assert.deepEqual(decodeTaggedString(Buffer.from('000541', 'hex')), { tag: 0, value: Buffer.from([0x05, 0x41]) });
  });

  it('match the npm radius package (Tunnel-Private-Group-Id)', () => {
    assert.deepEqual(npmValue(['Tunnel-Private-Group-Id', 1, 'vlan10']), encodeTaggedString(1, 'vlan10'));
    const v = npmValue(['Tunnel-Private-Group-Id', 1, 'vlan10']);
    assert.ok(v);
    assert.equal(decodeTaggedString(v).value.toString(), 'vlan10');
    assert.equal(AttributeType.TunnelPrivateGroupId, 81);
  });

  it('refuse bad tags and values that do not fit', () => {
    assert.throws(() => encodeTaggedString(0x20, 'x'), RadiusEncodeError);
    assert.throws(() => encodeTaggedString(1, Buffer.alloc(253)), RadiusEncodeError);
    assert.equal(encodeTaggedString(0, Buffer.alloc(253, 0x41)).length, 253);
  });

  it('round-trip (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x1f }), fc.uint8Array({ maxLength: 252 }), (tag, value) => {
        const decoded = decodeTaggedString(encodeTaggedString(tag, value));
        assert.equal(decoded.tag, tag);
        assert.deepEqual(decoded.value, Buffer.from(value));
      }),
      { numRuns: 300 },
    );
  });

  it('getAttribute + decodeTaggedString on a packet', () => {
    const packet = radius.encode({
      code: 'Access-Accept',
      identifier: 0,
      secret: 's',
      authenticator: Buffer.alloc(16),
      attributes: [['Tunnel-Private-Group-Id', 3, 'guests']],
      add_message_authenticator: false,
    });
    const value = getAttribute(decodePacket(packet), AttributeType.TunnelPrivateGroupId);
    assert.ok(value);
    assert.deepEqual(decodeTaggedString(value), { tag: 3, value: Buffer.from('guests') });
  });
});
