import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import radius from 'radius';
import { AttributeType } from '../attribute-types.js';
import {
  computeRequestAuthenticator,
  computeResponseAuthenticator,
  randomAuthenticator,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
} from '../authenticator.js';
import { buildRequest, signResponse } from '../builder.js';
import { PacketCode } from '../codes.js';
import { RadiusDecodeError } from '../errors.js';
import { EXAMPLE_7_1, EXAMPLE_7_2, EXAMPLE_7_3, hex, RFC2865_SECRET } from './vectors/rfc2865.js';

const PAIRS: readonly [string, string, string][] = [
  ['7.1', EXAMPLE_7_1.request, EXAMPLE_7_1.accept],
  ['7.2', EXAMPLE_7_2.request, EXAMPLE_7_2.accept],
  ['7.3 challenge', EXAMPLE_7_3.request1, EXAMPLE_7_3.challenge],
  ['7.3 reject', EXAMPLE_7_3.request2, EXAMPLE_7_3.reject],
];

describe('Response Authenticator (RFC 2865 section 3) against the section 7 examples', () => {
  for (const [name, req, res] of PAIRS) {
    const request = hex(req);
    const response = hex(res);
    const requestAuthenticator = request.subarray(4, 20);

    it(`${name}: computes the printed Response Authenticator`, () => {
      assert.deepEqual(computeResponseAuthenticator(response, requestAuthenticator, RFC2865_SECRET), response.subarray(4, 20));
      assert.equal(verifyResponseAuthenticator(response, requestAuthenticator, RFC2865_SECRET), true);
    });

    it(`${name}: any changed octet, or another secret, fails`, () => {
      assert.equal(verifyResponseAuthenticator(response, requestAuthenticator, 'xyzzy5462'), false);
      for (let i = 0; i < response.length; i++) {
        if (i === 2 || i === 3) continue; // a changed Length makes the packet malformed instead
        const tampered = Buffer.from(response);
        tampered[i] = (tampered[i] ?? 0) ^ 0x01;
        assert.equal(verifyResponseAuthenticator(tampered, requestAuthenticator, RFC2865_SECRET), false, `octet ${i}`);
      }
    });
  }

  it('7.1: signResponse rebuilds the Access-Accept octet for octet', () => {
    const accept = signResponse({
      code: PacketCode.AccessAccept,
      identifier: 0,
      requestAuthenticator: hex(EXAMPLE_7_1.requestAuthenticator),
      attributes: [
        { type: AttributeType.ServiceType, value: hex('00000001') },
        { type: AttributeType.LoginService, value: hex('00000000') },
        { type: AttributeType.LoginIPHost, value: hex('c0a80103') },
      ],
      secret: RFC2865_SECRET,
      addMessageAuthenticator: false,
    });
    assert.equal(accept.toString('hex'), hex(EXAMPLE_7_1.accept).toString('hex'));
  });

  it('verify answers false, compute throws RadiusDecodeError, on a malformed packet', () => {
    const ra = Buffer.alloc(16);
    assert.equal(verifyResponseAuthenticator(Buffer.alloc(10), ra, 's'), false);
    assert.equal(verifyResponseAuthenticator(hex(EXAMPLE_7_1.accept), Buffer.alloc(3), 's'), false);
    assert.equal(verifyRequestAuthenticator(Buffer.alloc(10), 's'), false);
    assert.throws(() => computeResponseAuthenticator(Buffer.alloc(10), ra, 's'), RadiusDecodeError);
    assert.throws(() => computeRequestAuthenticator(Buffer.alloc(10), 's'), RadiusDecodeError);
  });

  it('randomAuthenticator takes 16 octets from the injected source', () => {
    assert.deepEqual(randomAuthenticator((n) => Buffer.alloc(n, 7)), Buffer.alloc(16, 7));
    assert.equal(randomAuthenticator().length, 16);
  });
});

describe('Request Authenticator of Accounting (RFC 2866 s3) and CoA/Disconnect (RFC 5176 s2.3)', () => {
  const secret = 'acct-secret';

  it('verifies an Accounting-Request encoded by the npm radius package', () => {
    const packet = radius.encode({
      code: 'Accounting-Request',
      identifier: 9,
      secret,
      attributes: [
        ['Acct-Status-Type', 'Start'],
        ['Acct-Session-Id', 'session-1'],
        ['User-Name', 'nemo'],
      ],
    });
    assert.equal(verifyRequestAuthenticator(packet, secret), true);
    assert.deepEqual(computeRequestAuthenticator(packet, secret), packet.subarray(4, 20));
    assert.equal(verifyRequestAuthenticator(packet, 'other'), false);
  });

  for (const [code, name] of [
    [PacketCode.AccountingRequest, 'Accounting-Request'],
    [PacketCode.DisconnectRequest, 'Disconnect-Request'],
    [PacketCode.CoARequest, 'CoA-Request'],
  ] as const) {
    it(`${name} from buildRequest passes the npm package's check (it throws on a mismatch)`, () => {
      const packet = buildRequest({
        code,
        identifier: 3,
        secret,
        attributes: [{ type: AttributeType.UserName, value: Buffer.from('nemo') }],
        addMessageAuthenticator: false,
      });
      assert.equal(verifyRequestAuthenticator(packet, secret), true);
      const decoded = radius.decode({ packet, secret });
      assert.equal(decoded.code, name);
      assert.throws(() => radius.decode({ packet, secret: 'wrong' }));
    });
  }

  it('an Accounting-Response from signResponse passes the npm verify_response', () => {
    const request = buildRequest({
      code: PacketCode.AccountingRequest,
      identifier: 4,
      secret,
      attributes: [{ type: AttributeType.AcctStatusType, value: hex('00000001') }],
    });
    const response = signResponse({
      code: PacketCode.AccountingResponse,
      identifier: 4,
      requestAuthenticator: request.subarray(4, 20),
      attributes: [],
      secret,
    });
    assert.equal(radius.verify_response({ request, response, secret }), true);
    assert.equal(verifyResponseAuthenticator(response, request.subarray(4, 20), secret), true);
  });
});
