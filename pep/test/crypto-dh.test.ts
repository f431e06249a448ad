/**
 * pep/crypto Diffie-Hellman: RFC 3526 group 14 prime, RFC 5903 section 8 ECP vectors (KE encoding
 * x || y and the x-coordinate shared secret), RFC 7748 5.2 / 6.1 X25519 vectors, peer-value checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDiffieHellman } from 'node:crypto';
import {
  CryptoError, MODP2048_PRIME, computeSharedSecret, generateKeyPair, keLength, keyPairFromPrivateKey,
  type DhGroup,
} from '../crypto/index.js';

const H = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const invalidKe = (e: unknown): boolean => e instanceof CryptoError && e.code === 'INVALID_KE';

test('RFC 3526 group 14 prime equals OpenSSL modp14 and the RFC formula', () => {
  assert.equal(MODP2048_PRIME.length, 256);
  assert.deepEqual(MODP2048_PRIME, getDiffieHellman('modp14').getPrime());
  // p = 2^2048 - 2^1984 - 1 + 2^64 * ( floor(2^1918 * pi) + 124476 ): check the fixed parts.
  assert.equal(MODP2048_PRIME.subarray(0, 8).toString('hex'), 'ffffffffffffffff');
  assert.equal(MODP2048_PRIME.subarray(248).toString('hex'), 'ffffffffffffffff');
  assert.equal(MODP2048_PRIME.subarray(8, 16).toString('hex'), 'c90fdaa22168c234'); // pi's bits
});

// RFC 5903 section 8.1 (group 19) and 8.2 (group 20).
const ECP = [
  {
    group: 'ecp256' as const,
    i: 'C88F01F5 10D9AC3F 70A292DA A2316DE5 44E9AAB8 AFE84049 C62A9C57 862D1433',
    gix: 'DAD0B653 94221CF9 B051E1FE CA5787D0 98DFE637 FC90B9EF 945D0C37 72581180',
    giy: '5271A046 1CDB8252 D61F1C45 6FA3E59A B1F45B33 ACCF5F58 389E0577 B8990BB3',
    grx: 'D12DFB52 89C8D4F8 1208B702 70398C34 2296970A 0BCCB74C 736FC755 4494BF63',
    gry: '56FBF3CA 366CC23E 8157854C 13C58D6A AC23F046 ADA30F83 53E74F33 039872AB',
    girx: 'D6840F6B 42F6EDAF D13116E0 E1256520 2FEF8E9E CE7DCE03 812464D0 4B9442DE',
  },
  {
    group: 'ecp384' as const,
    i: '099F3C70 34D4A2C6 99884D73 A375A67F 7624EF7C 6B3C0F16 0647B674 14DCE655 E35B5380 41E649EE 3FAEF896 783AB194',
    gix: '667842D7 D180AC2C DE6F74F3 7551F557 55C7645C 20EF73E3 1634FE72 B4C55EE6 DE3AC808 ACB4BDB4 C88732AE E95F41AA',
    giy: '9482ED1F C0EEB9CA FC498462 5CCFC23F 65032149 E0E144AD A0241815 35A0F38E EB9FCFF3 C2C947DA E69B4C63 4573A81C',
    grx: 'E558DBEF 53EECDE3 D3FCCFC1 AEA08A89 A987475D 12FD950D 83CFA417 32BC509D 0D1AC43A 0336DEF9 6FDA41D0 774A3571',
    gry: 'DCFBEC7A ACF31964 72169E83 8430367F 66EEBE3C 6E70C416 DD5F0C68 759DD1FF F83FA401 42209DFF 5EAAD96D B9E6386C',
    girx: '11187331 C279962D 93D60424 3FD592CB 9D0A926F 422E4718 7521287E 7156C5C4 D6031355 69B9E9D0 9CF5D4A2 70F59746',
  },
];

for (const v of ECP) {
  test(`RFC 5903 section 8 ${v.group}: KE data is gix || giy and g^ir is girx`, () => {
    const pair = keyPairFromPrivateKey(v.group, H(v.i));
    assert.deepEqual(pair.publicValue, Buffer.concat([H(v.gix), H(v.giy)]));
    assert.equal(pair.publicValue.length, keLength(v.group));
    assert.deepEqual(computeSharedSecret(pair, Buffer.concat([H(v.grx), H(v.gry)])), H(v.girx));
  });

  test(`${v.group}: peer values of the wrong length or off the curve are INVALID_KE`, () => {
    const pair = keyPairFromPrivateKey(v.group, H(v.i));
    const gr = Buffer.concat([H(v.grx), H(v.gry)]);
    assert.throws(() => computeSharedSecret(pair, Buffer.concat([Buffer.of(4), gr])), invalidKe); // SEC1 tag
    assert.throws(() => computeSharedSecret(pair, gr.subarray(1)), invalidKe);
    const off = Buffer.from(gr);
    off[off.length - 1]! ^= 1;
    assert.throws(() => computeSharedSecret(pair, off), invalidKe);
    assert.throws(() => computeSharedSecret(pair, Buffer.alloc(gr.length, 0xaa)), invalidKe);
  });
}

test('RFC 7748 section 5.2 X25519 function vectors', () => {
  const cases = [
    ['a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
      'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
      'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552'],
    ['4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
      'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
      '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957'],
  ] as const;
  for (const [k, u, out] of cases) {
    assert.equal(computeSharedSecret(keyPairFromPrivateKey('curve25519', H(k)), H(u)).toString('hex'), out);
  }
  // Iterated test: k = u = 9; after 1 and 1000 iterations.
  let k: Buffer = H('09'.padEnd(64, '0'));
  let u: Buffer = Buffer.from(k);
  for (let n = 1; n <= 1000; n++) {
    const r = computeSharedSecret(keyPairFromPrivateKey('curve25519', k), u);
    u = k;
    k = r;
    if (n === 1) assert.equal(k.toString('hex'), '422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079');
  }
  assert.equal(k.toString('hex'), '684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51');
});

test('RFC 7748 section 6.1 Curve25519 Diffie-Hellman (RFC 8031 KE encoding: 32-octet u)', () => {
  const a = keyPairFromPrivateKey('curve25519', H('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'));
  const b = keyPairFromPrivateKey('curve25519', H('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'));
  assert.equal(a.publicValue.toString('hex'), '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
  assert.equal(b.publicValue.toString('hex'), 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
  const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
  assert.equal(computeSharedSecret(a, b.publicValue).toString('hex'), k);
  assert.equal(computeSharedSecret(b, a.publicValue).toString('hex'), k);
});

test('X25519: small-order peer values (all-zero result) and wrong lengths are INVALID_KE', () => {
  const a = generateKeyPair('curve25519');
  assert.throws(() => computeSharedSecret(a, Buffer.alloc(32)), invalidKe); // u = 0
  assert.throws(() => computeSharedSecret(a, Buffer.concat([Buffer.of(1), Buffer.alloc(31)])), invalidKe); // u = 1
  assert.throws(() => computeSharedSecret(a, Buffer.alloc(31, 9)), invalidKe);
  assert.throws(() => computeSharedSecret(a, Buffer.alloc(33, 9)), invalidKe);
});

test('MODP 2048: 1 < y < p-1 and the exact prime length are enforced', () => {
  const a = generateKeyPair('modp2048');
  const pMinus1 = Buffer.from(MODP2048_PRIME);
  pMinus1[255]! -= 1;
  const one = Buffer.alloc(256);
  one[255] = 1;
  for (const bad of [Buffer.alloc(256), one, pMinus1, MODP2048_PRIME, Buffer.alloc(256, 0xff)]) {
    assert.throws(() => computeSharedSecret(a, bad), invalidKe);
  }
  const two = Buffer.alloc(256);
  two[255] = 2;
  assert.equal(computeSharedSecret(a, two).length, 256); // the smallest value accepted
  assert.throws(() => computeSharedSecret(a, a.publicValue.subarray(1)), invalidKe);
  assert.throws(() => computeSharedSecret(a, Buffer.concat([Buffer.of(0), a.publicValue])), invalidKe);
});

test('every group: fresh pairs agree, KE data has the group length, secrets are padded', () => {
  const sizes: Record<DhGroup, [number, number]> = {
    modp2048: [256, 256], ecp256: [64, 32], ecp384: [96, 48], curve25519: [32, 32],
  };
  for (const group of Object.keys(sizes) as DhGroup[]) {
    for (let n = 0; n < 5; n++) {
      const a = generateKeyPair(group);
      const b = generateKeyPair(group);
      assert.equal(a.publicValue.length, sizes[group][0], group);
      const s1 = computeSharedSecret(a, b.publicValue);
      assert.deepEqual(s1, computeSharedSecret(b, a.publicValue), group);
      assert.equal(s1.length, sizes[group][1], group);
      // a pair rebuilt from its private value is the same pair
      assert.deepEqual(keyPairFromPrivateKey(group, a.privateKey).publicValue, a.publicValue, group);
    }
  }
});
