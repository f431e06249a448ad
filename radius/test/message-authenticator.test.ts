import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import radius from 'radius';
import { AttributeType } from '../attribute-types.js';
import { verifyRequestAuthenticator } from '../authenticator.js';
import { buildRequest, signResponse, verifyResponse } from '../builder.js';
import { PacketCode } from '../codes.js';
import { RadiusEncodeError } from '../errors.js';
import {
  computeMessageAuthenticator,
  signMessageAuthenticator,
  verifyMessageAuthenticator,
} from '../message-authenticator.js';
import { decodePacket, encodePacket } from '../packet.js';
import { hex } from './vectors/rfc2865.js';

const secret = 'testing123';
const eapIdentity = hex('0201000a01626f626279'); // EAP-Response/Identity "bobby"

/** RFC 3579 section 3.2 written out: HMAC-MD5 over a copy with the MA zeroed and `auth` in place. */
function referenceMessageAuthenticator(packet: Buffer, maValueOffset: number, auth?: Buffer): Buffer {
  const copy = Buffer.from(packet);
  if (auth) auth.copy(copy, 4);
  copy.fill(0, maValueOffset, maValueOffset + 16);
  return createHmac('md5', secret).update(copy).digest();
}

describe('Message-Authenticator (RFC 3579 section 3.2)', () => {
  it('Access-Request: first attribute, HMAC over the packet with its own authenticator', () => {
    const packet = buildRequest({
      code: PacketCode.AccessRequest,
      identifier: 1,
      secret,
      attributes: [{ type: AttributeType.EAPMessage, value: eapIdentity }],
    });
    assert.equal(packet[20], AttributeType.MessageAuthenticator);
    assert.equal(packet[21], 18);
    assert.deepEqual(packet.subarray(22, 38), referenceMessageAuthenticator(packet, 22));
    assert.equal(verifyMessageAuthenticator(packet, secret), 'valid');
    assert.equal(verifyMessageAuthenticator(packet, 'wrong'), 'invalid');
  });

  it('response: HMAC with the Request Authenticator, computed before the Response Authenticator', () => {
    const ra = Buffer.alloc(16, 0xab);
    const packet = signResponse({
      code: PacketCode.AccessChallenge,
      identifier: 1,
      requestAuthenticator: ra,
      attributes: [{ type: AttributeType.State, value: Buffer.from('s1') }],
      secret,
    });
    assert.equal(packet[20], AttributeType.MessageAuthenticator);
    assert.deepEqual(packet.subarray(22, 38), referenceMessageAuthenticator(packet, 22, ra));
    assert.equal(verifyMessageAuthenticator(packet, secret, ra), 'valid');
    assert.equal(verifyMessageAuthenticator(packet, secret, Buffer.alloc(16)), 'invalid');
    assert.deepEqual(verifyResponse(packet, ra, secret), { valid: true, authenticator: true, messageAuthenticator: 'valid' });
  });

  it('Accounting-Request: HMAC over 16 zero octets, then the Request Authenticator over the result', () => {
    const packet = buildRequest({
      code: PacketCode.AccountingRequest,
      identifier: 2,
      secret,
      attributes: [{ type: AttributeType.AcctStatusType, value: hex('00000001') }],
      addMessageAuthenticator: true,
    });
    assert.deepEqual(packet.subarray(22, 38), referenceMessageAuthenticator(packet, 22, Buffer.alloc(16)));
    assert.equal(verifyRequestAuthenticator(packet, secret), true);
    assert.equal(verifyMessageAuthenticator(packet, secret), 'valid');
  });

  it('absent, duplicated, wrong-length and malformed cases', () => {
    const plain = encodePacket({ code: 1, identifier: 0, authenticator: Buffer.alloc(16), attributes: [] });
    assert.equal(verifyMessageAuthenticator(plain, secret), 'absent');

    const two = encodePacket({
      code: 1,
      identifier: 0,
      authenticator: Buffer.alloc(16),
      attributes: [
        { type: AttributeType.MessageAuthenticator, value: Buffer.alloc(16) },
        { type: AttributeType.MessageAuthenticator, value: Buffer.alloc(16) },
      ],
    });
    assert.equal(verifyMessageAuthenticator(two, secret), 'invalid');
    assert.throws(() => computeMessageAuthenticator(two, secret), RadiusEncodeError);

    const short = encodePacket({
      code: 1,
      identifier: 0,
      authenticator: Buffer.alloc(16),
      attributes: [{ type: AttributeType.MessageAuthenticator, value: Buffer.alloc(15) }],
    });
    assert.equal(verifyMessageAuthenticator(short, secret), 'invalid');

    assert.equal(verifyMessageAuthenticator(Buffer.alloc(5), secret), 'invalid');
    const broken = Buffer.from(plain);
    broken.writeUInt16BE(22, 2);
    assert.equal(verifyMessageAuthenticator(Buffer.concat([broken, Buffer.from([80, 1])]), secret), 'invalid');
  });

  it('signMessageAuthenticator writes in place, ignoring the old value and trailing padding', () => {
    const packet = encodePacket({
      code: 1,
      identifier: 5,
      authenticator: Buffer.alloc(16, 1),
      attributes: [
        { type: AttributeType.UserName, value: Buffer.from('x') },
        { type: AttributeType.MessageAuthenticator, value: Buffer.alloc(16, 0xee) },
      ],
    });
    signMessageAuthenticator(packet, secret);
    assert.deepEqual(packet.subarray(25, 41), referenceMessageAuthenticator(packet, 25));
    assert.equal(verifyMessageAuthenticator(Buffer.concat([packet, Buffer.alloc(3)]), secret), 'valid');
  });
});

describe('Message-Authenticator against the npm radius package', () => {
  const npmRequest = (): Buffer =>
    radius.encode({
      code: 'Access-Request',
      identifier: 7,
      secret,
      attributes: [
        ['User-Name', 'bobby'],
        ['EAP-Message', eapIdentity],
      ],
      add_message_authenticator: true,
    });

  it('an npm Access-Request (Message-Authenticator last) verifies here', () => {
    const request = npmRequest();
    assert.equal(verifyMessageAuthenticator(request, secret), 'valid');
    const tampered = Buffer.from(request);
    tampered[25] = (tampered[25] ?? 0) ^ 1;
    assert.equal(verifyMessageAuthenticator(tampered, secret), 'invalid');
  });

  it('our Access-Request (Message-Authenticator first) passes npm decode, which checks it', () => {
    const request = buildRequest({
      code: PacketCode.AccessRequest,
      identifier: 8,
      secret,
      attributes: [{ type: AttributeType.EAPMessage, value: eapIdentity }],
    });
    assert.equal(radius.decode({ packet: request, secret }).code, 'Access-Request');
    assert.throws(() => radius.decode({ packet: request, secret: 'wrong' }));
  });

  it('our signed Access-Challenge passes npm verify_response, which checks both authenticators', () => {
    const request = npmRequest();
    const response = signResponse({
      code: PacketCode.AccessChallenge,
      identifier: 7,
      requestAuthenticator: decodePacket(request).authenticator,
      attributes: [
        { type: AttributeType.EAPMessage, value: hex('010200060d20') },
        { type: AttributeType.State, value: Buffer.from('state-1') },
      ],
      secret,
    });
    assert.equal(radius.verify_response({ request, response, secret }), true);
    const tampered = Buffer.from(response);
    tampered[30] = (tampered[30] ?? 0) ^ 1;
    assert.equal(radius.verify_response({ request, response: tampered, secret }), false);
  });

  it('an npm encode_response verifies here', () => {
    const request = npmRequest();
    const response = radius.encode_response({
      packet: radius.decode({ packet: request, secret }),
      code: 'Access-Accept',
      secret,
      attributes: [['Reply-Message', 'hello']],
    });
    assert.deepEqual(verifyResponse(response, request.subarray(4, 20), secret), {
      valid: true,
      authenticator: true,
      messageAuthenticator: 'valid',
    });
    assert.equal(verifyResponse(response, Buffer.alloc(16), secret).valid, false);
  });
});
