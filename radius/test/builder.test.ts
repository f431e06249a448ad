import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributeType } from '../attribute-types.js';
import { buildRequest, signResponse, verifyRequest, verifyResponse } from '../builder.js';
import { PacketCode } from '../codes.js';
import { RadiusEncodeError } from '../errors.js';
import { decodePacket, getAttribute } from '../packet.js';
import { hideUserPassword } from '../user-password.js';
import { EXAMPLE_7_1, hex, RFC2865_SECRET } from './vectors/rfc2865.js';

const secret = 'builder-secret';
const eap = hex('0201000a01626f626279');
const encodeError = (code: string) => (e: unknown) => e instanceof RadiusEncodeError && e.code === code;

describe('buildRequest', () => {
  it('rebuilds the RFC 2865 section 7.1 Access-Request octet for octet', () => {
    const authenticator = hex(EXAMPLE_7_1.requestAuthenticator);
    const wire = buildRequest({
      code: PacketCode.AccessRequest,
      identifier: 0,
      secret: RFC2865_SECRET,
      authenticator,
      addMessageAuthenticator: false,
      attributes: [
        { type: AttributeType.UserName, value: Buffer.from('nemo') },
        { type: AttributeType.UserPassword, value: hideUserPassword('arctangent', RFC2865_SECRET, authenticator) },
        { type: AttributeType.NASIPAddress, value: hex('c0a80110') },
        { type: AttributeType.NASPort, value: hex('00000003') },
      ],
    });
    assert.equal(wire.toString('hex'), hex(EXAMPLE_7_1.request).toString('hex'));
  });

  it('Access-Request: random authenticator from the injected source, Message-Authenticator first', () => {
    const wire = buildRequest({
      code: PacketCode.AccessRequest,
      identifier: 9,
      secret,
      attributes: [{ type: AttributeType.UserName, value: Buffer.from('u') }],
      random: (n) => Buffer.alloc(n, 0x5a),
    });
    const p = decodePacket(wire);
    assert.deepEqual(p.authenticator, Buffer.alloc(16, 0x5a));
    assert.deepEqual(p.attributes.map((a) => a.type), [AttributeType.MessageAuthenticator, AttributeType.UserName]);
    assert.deepEqual(verifyRequest(wire, secret), { valid: true, authenticator: 'random', messageAuthenticator: 'valid' });
  });

  it('Status-Server and EAP-Message always carry Message-Authenticator (RFC 5997, RFC 3579)', () => {
    for (const [code, attributes] of [
      [PacketCode.StatusServer, []],
      [PacketCode.AccessRequest, [{ type: AttributeType.EAPMessage, value: eap }]],
    ] as const) {
      const wire = buildRequest({ code, identifier: 1, secret, attributes, addMessageAuthenticator: false });
      assert.equal(decodePacket(wire).attributes[0]?.type, AttributeType.MessageAuthenticator);
      assert.equal(verifyRequest(wire, secret).valid, true);
    }
  });

  it('Accounting/CoA/Disconnect: computed authenticator, checked by verifyRequest', () => {
    for (const code of [PacketCode.AccountingRequest, PacketCode.CoARequest, PacketCode.DisconnectRequest]) {
      const attributes = [{ type: AttributeType.AcctSessionId, value: Buffer.from('1') }];
      const wire = buildRequest({ code, identifier: 2, secret, attributes });
      assert.equal(getAttribute(decodePacket(wire), AttributeType.MessageAuthenticator), undefined);
      assert.deepEqual(verifyRequest(wire, secret), { valid: true, authenticator: 'valid', messageAuthenticator: 'absent' });
      assert.equal(verifyRequest(wire, 'other').authenticator, 'invalid');
    }
  });

  it('refuses responses, a given authenticator on computed ones, and a ready-made Message-Authenticator', () => {
    assert.throws(
      () => buildRequest({ code: PacketCode.AccessAccept, identifier: 0, secret, attributes: [] }),
      encodeError('RADIUS_CODE_UNSUPPORTED'),
    );
    assert.throws(
      () => buildRequest({ code: PacketCode.AccountingRequest, identifier: 0, secret, attributes: [], authenticator: Buffer.alloc(16) }),
      encodeError('RADIUS_FIELD_RANGE'),
    );
    assert.throws(
      () =>
        buildRequest({
          code: PacketCode.AccessRequest,
          identifier: 0,
          secret,
          attributes: [{ type: AttributeType.MessageAuthenticator, value: Buffer.alloc(16) }],
        }),
      encodeError('RADIUS_MESSAGE_AUTHENTICATOR_GIVEN'),
    );
  });
});

describe('signResponse / verifyResponse', () => {
  const eapAttributes = [{ type: AttributeType.EAPMessage, value: eap }];
  const request = buildRequest({ code: PacketCode.AccessRequest, identifier: 4, secret, attributes: eapAttributes });
  const ra = request.subarray(4, 20);

  it('Access-* responses carry Message-Authenticator first by default, others do not', () => {
    for (const code of [PacketCode.AccessAccept, PacketCode.AccessReject, PacketCode.AccessChallenge]) {
      const wire = signResponse({ code, identifier: 4, requestAuthenticator: ra, attributes: eapAttributes, secret });
      assert.equal(decodePacket(wire).attributes[0]?.type, AttributeType.MessageAuthenticator);
      assert.deepEqual(verifyResponse(wire, ra, secret), { valid: true, authenticator: true, messageAuthenticator: 'valid' });
    }
    const acct = signResponse({
      code: PacketCode.AccountingResponse,
      identifier: 4,
      requestAuthenticator: ra,
      attributes: [],
      secret,
    });
    assert.deepEqual(verifyResponse(acct, ra, secret), {
      valid: true,
      authenticator: true,
      messageAuthenticator: 'absent',
    });
  });

  it('verifyResponse tells a bad authenticator from a bad Message-Authenticator', () => {
    const wire = signResponse({ code: PacketCode.AccessAccept, identifier: 4, requestAuthenticator: ra, attributes: [], secret });
    assert.deepEqual(verifyResponse(wire, ra, 'wrong'), { valid: false, authenticator: false, messageAuthenticator: 'invalid' });
    const otherRa = Buffer.alloc(16, 1);
    assert.equal(verifyResponse(wire, otherRa, secret).valid, false);
    assert.equal(verifyResponse(Buffer.alloc(3), ra, secret).valid, false);
  });

  it('refuses request codes, a short request authenticator and a ready-made Message-Authenticator', () => {
    const base = { identifier: 0, requestAuthenticator: ra, attributes: [], secret };
    assert.throws(() => signResponse({ ...base, code: PacketCode.AccessRequest }), encodeError('RADIUS_CODE_UNSUPPORTED'));
    assert.throws(
      () => signResponse({ ...base, code: PacketCode.AccessAccept, requestAuthenticator: Buffer.alloc(4) }),
      encodeError('RADIUS_FIELD_RANGE'),
    );
    assert.throws(
      () =>
        signResponse({
          code: PacketCode.AccessAccept,
          identifier: 0,
          requestAuthenticator: ra,
          attributes: [{ type: AttributeType.MessageAuthenticator, value: Buffer.alloc(16) }],
          secret,
          addMessageAuthenticator: false,
        }),
      encodeError('RADIUS_MESSAGE_AUTHENTICATOR_GIVEN'),
    );
  });
});

describe('verifyRequest', () => {
  it('Status-Server without Message-Authenticator is invalid (RFC 5997 section 3)', () => {
    const wire = buildRequest({ code: PacketCode.StatusServer, identifier: 1, secret, attributes: [] });
    const stripped = Buffer.from(wire.subarray(0, 20));
    stripped.writeUInt16BE(20, 2);
    assert.deepEqual(verifyRequest(stripped, secret), { valid: false, authenticator: 'random', messageAuthenticator: 'absent' });
  });

  it('a tampered Access-Request fails on its Message-Authenticator', () => {
    const attributes = [{ type: AttributeType.UserName, value: Buffer.from('u') }];
    const wire = buildRequest({ code: PacketCode.AccessRequest, identifier: 1, secret, attributes });
    wire[wire.length - 1] = 0x76;
    assert.deepEqual(verifyRequest(wire, secret), { valid: false, authenticator: 'random', messageAuthenticator: 'invalid' });
    assert.equal(verifyRequest(Buffer.alloc(0), secret).valid, false);
  });
});
