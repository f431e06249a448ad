import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributeType } from '../attribute-types.js';
import { joinEapMessage, splitEapMessage } from '../eap-message.js';
import { RadiusDecodeError, RadiusEncodeError } from '../errors.js';
import { decodePacket, encodePacket, type RadiusAttribute } from '../packet.js';

function eapPacket(length: number): Buffer {
  const eap = Buffer.alloc(length);
  eap[0] = 1;
  eap[1] = 42;
  eap.writeUInt16BE(length, 2);
  for (let i = 4; i < length; i++) eap[i] = i & 0xff;
  return eap;
}

const eapAttr = (value: Buffer): RadiusAttribute => ({ type: AttributeType.EAPMessage, value });
const other: RadiusAttribute = { type: AttributeType.State, value: Buffer.from('s') };

function eapError(attributes: RadiusAttribute[], code: string): void {
  assert.throws(
    () => joinEapMessage(attributes),
    (e: unknown) => e instanceof RadiusDecodeError && e.code === code,
  );
}

describe('EAP-Message (RFC 3579 section 3.1)', () => {
  for (const length of [4, 5, 253, 254, 506, 507, 1020, 4000]) {
    it(`splits a ${length}-octet EAP packet into 253-octet pieces and joins it back`, () => {
      const eap = eapPacket(length);
      const attributes = splitEapMessage(eap);
      assert.equal(attributes.length, Math.ceil(length / 253));
      for (const [i, a] of attributes.entries()) {
        assert.equal(a.type, AttributeType.EAPMessage);
        assert.equal(a.value.length, i < attributes.length - 1 ? 253 : length - 253 * i);
      }
      assert.deepEqual(joinEapMessage([other, ...attributes, other]), eap);
    });
  }

  it('survives a packet round trip; a single attribute is returned without copying', () => {
    const eap = eapPacket(600);
    const p = decodePacket(
      encodePacket({ code: 1, identifier: 0, authenticator: Buffer.alloc(16), attributes: [other, ...splitEapMessage(eap)] }),
    );
    assert.deepEqual(joinEapMessage(p.attributes), eap);
    const single = eapAttr(eapPacket(10));
    assert.equal(joinEapMessage([single]), single.value);
  });

  it('answers undefined when there is no EAP-Message', () => {
    assert.equal(joinEapMessage([other]), undefined);
    assert.equal(joinEapMessage([]), undefined);
  });

  it('refuses EAP-Message attributes that are not consecutive', () => {
    const [a, b] = splitEapMessage(eapPacket(300));
    assert.ok(a && b);
    eapError([a, other, b], 'RADIUS_EAP_NOT_CONSECUTIVE');
  });

  it('refuses a joined length that differs from the EAP Length field', () => {
    const eap = eapPacket(300);
    eapError(splitEapMessage(eap).slice(0, 1), 'RADIUS_EAP_LENGTH_MISMATCH');
    eapError([...splitEapMessage(eap), eapAttr(Buffer.from([0]))], 'RADIUS_EAP_LENGTH_MISMATCH');
    eapError([eapAttr(Buffer.from('0101000a', 'hex'))], 'RADIUS_EAP_LENGTH_MISMATCH');
  });

  it('refuses fewer octets than an EAP header', () => {
    eapError([eapAttr(Buffer.alloc(0))], 'RADIUS_EAP_TRUNCATED');
    eapError([eapAttr(Buffer.from([1, 2])), eapAttr(Buffer.from([0]))], 'RADIUS_EAP_TRUNCATED');
  });

  it('will not split less than an EAP header', () => {
    assert.throws(() => splitEapMessage(Buffer.alloc(3)), RadiusEncodeError);
  });
});
