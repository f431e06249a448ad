import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import radius from 'radius';
import { RadiusDecodeError, RadiusEncodeError } from '../errors.js';
import { decodePacket, getAttribute } from '../packet.js';
import { hideUserPassword, revealUserPassword } from '../user-password.js';
import { EXAMPLE_7_1, EXAMPLE_7_3, hex, RFC2865_SECRET } from './vectors/rfc2865.js';

describe('User-Password (RFC 2865 section 5.2)', () => {
  it('7.1: hides "arctangent" to the printed octets and back', () => {
    const ra = hex(EXAMPLE_7_1.requestAuthenticator);
    const hidden = hideUserPassword('arctangent', RFC2865_SECRET, ra);
    assert.equal(hidden.toString('hex'), EXAMPLE_7_1.hiddenPassword);
    assert.equal(revealUserPassword(hidden, RFC2865_SECRET, ra).toString(), 'arctangent');
  });

  it('7.3: reveals "challenge" and "99101462" from the two Access-Requests', () => {
    for (const [h, expected] of [
      [EXAMPLE_7_3.request1, 'challenge'],
      [EXAMPLE_7_3.request2, '99101462'],
    ] as const) {
      const p = decodePacket(hex(h));
      const hidden = getAttribute(p, 2);
      assert.ok(hidden);
      assert.equal(revealUserPassword(hidden, RFC2865_SECRET, p.authenticator).toString(), expected);
      assert.deepEqual(hideUserPassword(expected, RFC2865_SECRET, p.authenticator), hidden);
    }
  });

  it('matches the npm radius package for passwords spanning several blocks', () => {
    const authenticator = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    for (const password of ['', 'a', 'sixteen-octets!!', 'a password that is longer than thirty-two octets']) {
      const packet = radius.encode({
        code: 'Access-Request',
        identifier: 1,
        secret: 'shared',
        authenticator,
        attributes: [['User-Password', password]],
        add_message_authenticator: false,
      });
      if (password === '') continue; // the npm package leaves an empty User-Password out
      const theirs = getAttribute(decodePacket(packet), 2);
      assert.deepEqual(hideUserPassword(password, 'shared', authenticator), theirs);
      assert.ok(theirs);
      assert.equal(revealUserPassword(theirs, 'shared', authenticator).toString(), password);
    }
  });

  it('pads an empty password to one block and a 128-octet one to 128', () => {
    const ra = Buffer.alloc(16, 3);
    assert.equal(hideUserPassword('', 's', ra).length, 16);
    assert.equal(revealUserPassword(hideUserPassword('', 's', ra), 's', ra).length, 0);
    assert.equal(hideUserPassword(Buffer.alloc(128, 0x41), 's', ra).length, 128);
    assert.throws(
      () => hideUserPassword(Buffer.alloc(129, 0x41), 's', ra),
      (e: unknown) => e instanceof RadiusEncodeError && e.code === 'RADIUS_VALUE_TOO_LONG',
    );
  });

  it('refuses hidden values that are not 16..128 octets in steps of 16', () => {
    const ra = Buffer.alloc(16);
    for (const n of [0, 1, 15, 17, 31, 144]) {
      assert.throws(
        () => revealUserPassword(Buffer.alloc(n), 's', ra),
        (e: unknown) => e instanceof RadiusDecodeError && e.code === 'RADIUS_PASSWORD_LENGTH',
        `length ${n}`,
      );
    }
  });

  it('round-trips any password without trailing NULs (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 128 }).filter((p) => p.length === 0 || p[p.length - 1] !== 0),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.string({ minLength: 1, maxLength: 40 }),
        (password, ra, secret) => {
          const hidden = hideUserPassword(password, secret, ra);
          assert.equal(hidden.length % 16, 0);
          assert.deepEqual(revealUserPassword(hidden, secret, ra), Buffer.from(password));
        },
      ),
      { numRuns: 300 },
    );
  });
});
