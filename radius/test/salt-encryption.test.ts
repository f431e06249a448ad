/**
 * RFC 2548 section 2.4.2 and RFC 2868 section 3.5 publish no test vectors, so the reference here
 * is the RFC algorithm written out step by step, independently of salt-encryption.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { AttributeType } from '../attribute-types.js';
import { signResponse, mppeKeyAttributes } from '../builder.js';
import { PacketCode } from '../codes.js';
import { RadiusDecodeError, RadiusEncodeError } from '../errors.js';
import { decodePacket } from '../packet.js';
import {
  createSaltGenerator,
  decodeTunnelPassword,
  decryptSalted,
  encodeTunnelPassword,
  encryptSalted,
} from '../salt-encryption.js';
import { decodeMppeKeys, MICROSOFT_VENDOR_ID } from '../vendors/microsoft.js';

const S = 'shared-secret';
const R = Buffer.from('0f403f9473978057bd83d5cb98f4227a', 'hex');

function md5(...parts: Buffer[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

function xor16(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

/**
 * RFC 2548 section 2.4.2, step by step:
 *   P = Key-Length + Key + Padding (a multiple of 16 octets), broken into p(1) ... p(i);
 *   b(1) = MD5(S + R + A), c(1) = p(1) xor b(1), C = c(1);
 *   b(i) = MD5(S + c(i-1)), c(i) = p(i) xor b(i), C = C + c(i);
 *   the attribute carries Salt A followed by C.
 */
function rfcEncrypt(key: Buffer, secret: string, requestAuthenticator: Buffer, salt: Buffer): Buffer {
  const P = Buffer.alloc(Math.ceil((key.length + 1) / 16) * 16);
  P[0] = key.length;
  key.copy(P, 1);
  const S = Buffer.from(secret);
  const C: Buffer[] = [];
  for (let i = 0; i < P.length / 16; i++) {
    const b = i === 0 ? md5(S, requestAuthenticator, salt) : md5(S, C[i - 1] as Buffer);
    C.push(xor16(P.subarray(i * 16, i * 16 + 16), b));
  }
  return Buffer.concat([salt, ...C]);
}

/** "On receipt, the process is reversed to yield the original value." */
function rfcDecrypt(value: Buffer, secret: string, requestAuthenticator: Buffer): Buffer {
  const salt = value.subarray(0, 2);
  const C = value.subarray(2);
  const S = Buffer.from(secret);
  const P: Buffer[] = [];
  for (let i = 0; i < C.length / 16; i++) {
    const b = i === 0 ? md5(S, requestAuthenticator, salt) : md5(S, C.subarray((i - 1) * 16, i * 16));
    P.push(xor16(C.subarray(i * 16, i * 16 + 16), b));
  }
  const plain = Buffer.concat(P);
  return plain.subarray(1, 1 + (plain[0] ?? 0));
}

const fixedSalt = (hexSalt: string) => () => Buffer.from(hexSalt, 'hex');

describe('salt encryption (RFC 2548 s2.4.2, RFC 2868 s3.5)', () => {
  for (const n of [0, 1, 15, 16, 31, 32, 239]) {
    it(`a ${n}-octet key encrypts exactly as the RFC steps do, and decrypts back`, () => {
      const key = Buffer.alloc(n);
      for (let i = 0; i < n; i++) key[i] = (i * 37 + 11) & 0xff;
      const ours = encryptSalted(key, S, R, fixedSalt('8a3c'));
      assert.deepEqual(ours, rfcEncrypt(key, S, R, Buffer.from('8a3c', 'hex')));
      assert.equal(ours.length, 2 + Math.ceil((n + 1) / 16) * 16);
      assert.deepEqual(decryptSalted(ours, S, R), key);
      assert.deepEqual(rfcDecrypt(ours, S, R), key);
    });
  }

  it('round-trips any key and salt (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 239 }),
        fc.integer({ min: 0x8000, max: 0xffff }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (key, salt, ra) => {
          const s = Buffer.alloc(2);
          s.writeUInt16BE(salt, 0);
          const value = encryptSalted(key, S, ra, () => s);
          assert.deepEqual(value, rfcEncrypt(Buffer.from(key), S, Buffer.from(ra), s));
          assert.deepEqual(decryptSalted(value, S, ra), Buffer.from(key));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a too-long key and a salt without its high bit', () => {
    assert.throws(
      () => encryptSalted(Buffer.alloc(240), S, R),
      (e: unknown) => e instanceof RadiusEncodeError && e.code === 'RADIUS_VALUE_TOO_LONG',
    );
    assert.throws(
      () => encryptSalted(Buffer.alloc(4), S, R, fixedSalt('7fff')),
      (e: unknown) => e instanceof RadiusEncodeError && e.code === 'RADIUS_FIELD_RANGE',
    );
  });

  it('decrypt refuses bad lengths, a low salt and a length sub-field past the data', () => {
    const expect = (value: Buffer, code: string) =>
      assert.throws(
        () => decryptSalted(value, S, R),
        (e: unknown) => e instanceof RadiusDecodeError && e.code === code,
      );
    expect(Buffer.alloc(0), 'RADIUS_SALTED_LENGTH');
    expect(Buffer.alloc(17, 0x80), 'RADIUS_SALTED_LENGTH');
    expect(Buffer.alloc(19, 0x80), 'RADIUS_SALTED_LENGTH');
    expect(Buffer.concat([Buffer.from([0x7f, 0]), Buffer.alloc(16)]), 'RADIUS_SALT_INVALID');
    // A String whose decrypted length octet says 16 when only 15 octets follow.
    const salt = Buffer.from('8001', 'hex');
    const p = Buffer.alloc(16);
    p[0] = 16;
    const c = xor16(p, md5(Buffer.from(S), R, salt));
    expect(Buffer.concat([salt, c]), 'RADIUS_SALTED_KEY_LENGTH');
  });

  it('createSaltGenerator: high bit set, unique across 32768 salts', () => {
    const next = createSaltGenerator(() => Buffer.from('fffe', 'hex'));
    const seen = new Set<number>();
    for (let i = 0; i < 32768; i++) {
      const salt = Buffer.from(next());
      assert.ok((salt[0] ?? 0) & 0x80);
      seen.add(salt.readUInt16BE(0));
    }
    assert.equal(seen.size, 32768);
  });
});

describe('Tunnel-Password (RFC 2868 section 3.5)', () => {
  it('is Tag, Salt and the salt-encrypted password', () => {
    const value = encodeTunnelPassword(3, 'tunnel-pw', S, R, fixedSalt('9234'));
    assert.equal(value[0], 3);
    assert.deepEqual(value.subarray(1), rfcEncrypt(Buffer.from('tunnel-pw'), S, R, Buffer.from('9234', 'hex')));
    const decoded = decodeTunnelPassword(value, S, R);
    assert.equal(decoded.tag, 3);
    assert.equal(decoded.password.toString(), 'tunnel-pw');
  });

  it('refuses tags above 0x1F both ways', () => {
    assert.throws(() => encodeTunnelPassword(0x20, 'x', S, R), RadiusEncodeError);
    const value = encodeTunnelPassword(0, 'x', S, R);
    value[0] = 0x20;
    assert.throws(() => decodeTunnelPassword(value, S, R), RadiusDecodeError);
    assert.throws(() => decodeTunnelPassword(Buffer.alloc(0), S, R), RadiusDecodeError);
  });
});

describe('MS-MPPE-Recv-Key / MS-MPPE-Send-Key (RFC 2548 s2.4.2-2.4.3)', () => {
  const msk = Buffer.alloc(64);
  for (let i = 0; i < 64; i++) msk[i] = i;

  it('Recv-Key carries MSK[0..32), Send-Key MSK[32..64), each in a vendor 311 attribute', () => {
    const [recv, send] = mppeKeyAttributes(msk, S, R, createSaltGenerator(() => Buffer.from('0000', 'hex')));
    for (const [attribute, vendorType, key, salt] of [
      [recv, 17, msk.subarray(0, 32), '8000'],
      [send, 16, msk.subarray(32, 64), '8001'],
    ] as const) {
      assert.equal(attribute.type, AttributeType.VendorSpecific);
      const v = attribute.value;
      assert.equal(v.readUInt32BE(0), MICROSOFT_VENDOR_ID);
      assert.equal(v[4], vendorType);
      assert.equal(v[5], 2 + 2 + 48); // Vendor-Type, Vendor-Length, Salt, 48-octet String
      assert.equal(v.length, 4 + 52);
      assert.equal(v.subarray(6, 8).toString('hex'), salt);
      assert.deepEqual(rfcDecrypt(v.subarray(6), S, R), key);
    }
  });

  it('a NAS recovers the MSK from a signed Access-Accept', () => {
    const attributes = mppeKeyAttributes(msk, S, R);
    const wire = signResponse({ code: PacketCode.AccessAccept, identifier: 1, requestAuthenticator: R, attributes, secret: S });
    const keys = decodeMppeKeys(decodePacket(wire), S, R);
    assert.ok(keys);
    assert.deepEqual(Buffer.concat([keys.recvKey, keys.sendKey]), msk);
    // With the wrong secret the length octet is garbage: a typed error, or keys that differ.
    try {
      const wrong = decodeMppeKeys(decodePacket(wire), 'wrong', R);
      assert.notDeepEqual(wrong?.recvKey, msk.subarray(0, 32));
    } catch (e) {
      assert.ok(e instanceof RadiusDecodeError);
    }
  });

  it('refuses a short MSK and a salt generator that repeats', () => {
    assert.throws(() => mppeKeyAttributes(Buffer.alloc(63), S, R), RadiusEncodeError);
    assert.throws(() => mppeKeyAttributes(msk, S, R, fixedSalt('8123')), RadiusEncodeError);
  });
});
