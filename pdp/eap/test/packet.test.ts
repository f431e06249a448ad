import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EapDecodeError } from '../errors.js';
import { decodeIdentity } from '../identity.js';
import { decodeMd5Challenge, encodeMd5Challenge, md5ChallengeResponse } from '../md5-challenge.js';
import { decodeExpandedNak, decodeNak, desiredLegacyTypes, encodeExpandedNak, encodeNak } from '../nak.js';
import { EapCode, EapType, decodeEapPacket, eapFailure, eapSuccess, encodeEapPacket } from '../packet.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function throwsCode(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof EapDecodeError && e.code === code);
}

describe('EAP packet codec (RFC 3748 section 4)', () => {
  it('decodes an EAP-Response/Identity vector', () => {
    const p = decodeEapPacket(hex('02 07 00 09 01 75736572'));
    assert.equal(p.code, EapCode.Response);
    assert.equal(p.identifier, 7);
    assert.equal(p.type, EapType.Identity);
    assert.equal(decodeIdentity(p.data), 'user');
    assert.deepEqual(encodeEapPacket(p), hex('02 07 00 09 01 75736572'));
  });

  it('decodes an MD5-Challenge Response whose value follows RFC 1994 arithmetic', () => {
    // Request id 0x2a, challenge 00..0f, secret "password": MD5(0x2a || "password" || 00..0f)
    // = 3e0949a5572c2d338c182b7f6377471d (computed outside this code base).
    const value = md5ChallengeResponse(0x2a, Buffer.from('password'), Buffer.from([...Array(16).keys()]));
    assert.deepEqual(value, hex('3e0949a5572c2d338c182b7f6377471d'));
    assert.deepEqual(md5ChallengeResponse(1, Buffer.from('secret'), hex('0102030405060708090a0b0c0d0e0f10')), hex('bb84a7f2e418de521cf8e784e3597d7e'));
    const wire = hex('02 2a 00 16 04 10 3e0949a5572c2d338c182b7f6377471d');
    const p = decodeEapPacket(wire);
    assert.equal(p.type, EapType.MD5Challenge);
    assert.deepEqual(decodeMd5Challenge(p.data).value, value);
    assert.deepEqual(encodeEapPacket({ code: EapCode.Response, identifier: 0x2a, type: 4, data: encodeMd5Challenge(value) }), wire);
  });

  it('Success and Failure are exactly 4 octets', () => {
    assert.deepEqual(eapSuccess(9), hex('03 09 00 04'));
    assert.deepEqual(eapFailure(9), hex('04 09 00 04'));
    assert.equal(decodeEapPacket(hex('03 09 00 04')).code, EapCode.Success);
    throwsCode(() => decodeEapPacket(hex('03 09 00 05 00')), 'eap-bad-length');
  });

  it('ignores link-layer padding beyond Length and rejects truncation', () => {
    const p = decodeEapPacket(hex('01 01 00 05 01 ffff'));
    assert.equal(p.type, EapType.Identity);
    assert.equal(p.data.length, 0);
    throwsCode(() => decodeEapPacket(hex('01 01 00')), 'eap-truncated');
    throwsCode(() => decodeEapPacket(hex('01 01 00 09 01')), 'eap-truncated');
    throwsCode(() => decodeEapPacket(hex('01 01 00 03')), 'eap-bad-length');
    throwsCode(() => decodeEapPacket(hex('01 01 00 04')), 'eap-missing-type');
    throwsCode(() => decodeEapPacket(hex('05 01 00 04')), 'eap-unknown-code');
  });

  it('decodes the expanded header far enough to Nak it', () => {
    const wire = hex('01 03 00 0e fe 00 28af 00000001 beef');
    const p = decodeEapPacket(wire);
    assert.equal(p.type, EapType.Expanded);
    assert.deepEqual(p.expanded, { vendorId: 0x28af, vendorType: 1 });
    assert.deepEqual(p.data, hex('beef'));
    assert.deepEqual(encodeEapPacket(p), wire);
    throwsCode(() => decodeEapPacket(hex('01 03 00 08 fe 000000')), 'eap-expanded-truncated');
  });
});

describe('Nak (RFC 3748 section 5.3)', () => {
  it('legacy Nak lists desired types', () => {
    assert.deepEqual(decodeNak(hex('04 15')), [4, 21]);
    assert.deepEqual(encodeNak([21]), hex('15'));
    throwsCode(() => decodeNak(Buffer.alloc(0)), 'nak-empty');
    assert.deepEqual(desiredLegacyTypes([0]), []);
  });

  it('expanded Nak round-trips and maps IETF entries to legacy types', () => {
    const { expanded, data } = encodeExpandedNak([{ type: 4 }, { expanded: { vendorId: 9, vendorType: 7 } }]);
    assert.deepEqual(expanded, { vendorId: 0, vendorType: 3 });
    assert.deepEqual(data, hex('fe000000 00000004 fe000009 00000007'));
    assert.deepEqual(decodeExpandedNak(data), [{ type: 4 }, { expanded: { vendorId: 9, vendorType: 7 } }]);
    assert.deepEqual(desiredLegacyTypes(decodeExpandedNak(data)), [4]);
    throwsCode(() => decodeExpandedNak(hex('fe000000')), 'nak-bad-length');
  });
});

describe('MD5-Challenge Type-Data', () => {
  it('rejects bad Value-Size', () => {
    throwsCode(() => decodeMd5Challenge(Buffer.alloc(0)), 'md5-truncated');
    throwsCode(() => decodeMd5Challenge(hex('00')), 'md5-bad-value-size');
    throwsCode(() => decodeMd5Challenge(hex('10 0102')), 'md5-truncated');
    assert.deepEqual(decodeMd5Challenge(hex('02 0102 6e616d65')).name, Buffer.from('name'));
  });
});
