import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import radius from 'radius';
import { AttributeType } from '../attribute-types.js';
import { RadiusDecodeError, RadiusEncodeError } from '../errors.js';
import { decodePacket, encodePacket, type RadiusPacket } from '../packet.js';
import {
  decodeVendorSpecific,
  encodeVendorSpecific,
  getVendorAttributes,
  vendorSpecificAttribute,
} from '../vendor-specific.js';
import { hex } from './vectors/rfc2865.js';

function vsaError(value: Buffer, offset: number): void {
  assert.throws(
    () => decodeVendorSpecific(value),
    (e: unknown) => e instanceof RadiusDecodeError && e.code === 'RADIUS_VSA_MALFORMED' && e.offset === offset,
  );
}

describe('Vendor-Specific (RFC 2865 section 5.26)', () => {
  it('encodes Vendor-Id then type/length/value vendor attributes, and decodes back', () => {
    const value = encodeVendorSpecific({
      vendorId: 311,
      attributes: [
        { type: 16, value: hex('aabb') },
        { type: 7, value: Buffer.alloc(0) },
      ],
    });
    assert.equal(value.toString('hex'), '00000137' + '1004aabb' + '0702');
    const decoded = decodeVendorSpecific(value);
    assert.equal(decoded.vendorId, 311);
    assert.deepEqual(
      decoded.attributes.map((a) => [a.type, a.value.toString('hex')]),
      [
        [16, 'aabb'],
        [7, ''],
      ],
    );
  });

  it('matches the npm radius package encoding of a vendor attribute', () => {
    const packet = radius.encode({
      code: 'Access-Accept',
      identifier: 1,
      secret: 's',
      authenticator: Buffer.alloc(16),
      attributes: [['Vendor-Specific', 14122, [[3, Buffer.from('wispr')]]]],
      add_message_authenticator: false,
    });
    const ours = vendorSpecificAttribute(14122, [{ type: 3, value: Buffer.from('wispr') }]);
    assert.deepEqual(decodePacket(packet).attributes, [ours]);
  });

  it('refuses malformed values with the offset of the fault', () => {
    vsaError(hex('00000137'), 0); // no String
    vsaError(hex('0100013701'), 0); // high-order octet of Vendor-Id not 0
    vsaError(hex('0000013710'), 4); // vendor attribute header cut short
    vsaError(hex('000001371001'), 5); // vendor length 1
    vsaError(hex('000001371005aabb'), 5); // vendor length past the end
    vsaError(hex('0000013710020701'), 7); // second vendor attribute too short
    assert.throws(
      () => decodeVendorSpecific(hex('000001371001'), 22),
      (e: unknown) => e instanceof RadiusDecodeError && e.offset === 27,
    );
  });

  it('refuses to encode what cannot go on the wire', () => {
    const code = (c: string) => (e: unknown) => e instanceof RadiusEncodeError && e.code === c;
    const one = (type: number, value: Buffer) => [{ type, value }];
    assert.throws(() => encodeVendorSpecific({ vendorId: 0x1000000, attributes: one(1, hex('')) }), code('RADIUS_FIELD_RANGE'));
    assert.throws(() => encodeVendorSpecific({ vendorId: 9, attributes: [] }), code('RADIUS_FIELD_RANGE'));
    assert.throws(() => encodeVendorSpecific({ vendorId: 9, attributes: one(256, hex('')) }), code('RADIUS_FIELD_RANGE'));
    assert.throws(() => encodeVendorSpecific({ vendorId: 9, attributes: one(1, Buffer.alloc(248)) }), code('RADIUS_ATTRIBUTE_TOO_LONG'));
    assert.equal(encodeVendorSpecific({ vendorId: 9, attributes: one(1, Buffer.alloc(247)) }).length, 253);
  });

  it('getVendorAttributes collects one vendor, skipping others unparsed', () => {
    const p: RadiusPacket = {
      code: 2,
      identifier: 0,
      authenticator: Buffer.alloc(16),
      attributes: [
        vendorSpecificAttribute(311, [{ type: 17, value: hex('01') }]),
        { type: AttributeType.VendorSpecific, value: hex('000000090000ffff') }, // another vendor, its own format
        { type: AttributeType.UserName, value: Buffer.from('u') },
        vendorSpecificAttribute(311, [
          { type: 16, value: hex('02') },
          { type: 12, value: hex('03') },
        ]),
      ],
    };
    const round = decodePacket(encodePacket(p));
    assert.deepEqual(
      getVendorAttributes(round, 311).map((a) => [a.type, a.value.toString('hex')]),
      [
        [17, '01'],
        [16, '02'],
        [12, '03'],
      ],
    );
    assert.deepEqual(getVendorAttributes(round, 4242), []);
  });
});
