/**
 * pep/crypto PRF, prf+ and key derivation: RFC 4231 HMAC-SHA2 vectors (PRF_HMAC_SHA2_*), RFC 4868
 * section 2.7.2 authenticator vectors (AUTH_HMAC_SHA2_*_*), prf+ against a hand expansion of
 * RFC 7296 2.13, and the SK_* / KEYMAT splits of 2.14, 2.17, 2.18.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  CryptoError, deriveChildSaKeys, deriveIkeSaKeys, deriveRekeyedIkeSaKeys, integrityIcv, prf, prfPlus,
  type IntegAlg, type PrfAlg,
} from '../crypto/index.js';

const H = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const A = (s: string): Buffer => Buffer.from(s, 'ascii');

test('RFC 4231 test cases 1, 2, 3, 6, 7 through prf()', () => {
  const cases: { key: Buffer; data: Buffer; out: Partial<Record<PrfAlg, string>> }[] = [
    { key: Buffer.alloc(20, 0x0b), data: A('Hi There'), out: {
      'hmac-sha2-256': 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      'hmac-sha2-384': 'afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6',
      'hmac-sha2-512': '87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854',
    } },
    { key: A('Jefe'), data: A('what do ya want for nothing?'), out: {
      'hmac-sha2-256': '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      'hmac-sha2-384': 'af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649',
      'hmac-sha2-512': '164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737',
    } },
    { key: Buffer.alloc(20, 0xaa), data: Buffer.alloc(50, 0xdd), out: {
      'hmac-sha2-256': '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
      'hmac-sha2-384': '88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27',
      'hmac-sha2-512': 'fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb',
    } },
    { key: Buffer.alloc(131, 0xaa), data: A('Test Using Larger Than Block-Size Key - Hash Key First'), out: {
      'hmac-sha2-256': '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      'hmac-sha2-384': '4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952',
      'hmac-sha2-512': '80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598',
    } },
    { key: Buffer.alloc(131, 0xaa), data: A('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'), out: {
      'hmac-sha2-256': '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      'hmac-sha2-384': '6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e',
    } },
  ];
  for (const c of cases) {
    for (const [alg, out] of Object.entries(c.out) as [PrfAlg, string][]) {
      assert.equal(prf(alg, c.key, c.data).toString('hex'), out, alg);
      // prf() concatenates its data arguments
      assert.equal(prf(alg, c.key, c.data.subarray(0, 3), c.data.subarray(3)).toString('hex'), out, alg);
    }
  }
});

test('RFC 4868 section 2.7.2 authenticator test vectors (truncated ICVs)', () => {
  const rows: [IntegAlg, Buffer, Buffer, string][] = [
    ['hmac-sha2-256-128', Buffer.alloc(32, 0x0b), A('Hi There'), '198a607eb44bfbc69903a0f1cf2bbdc5'],
    ['hmac-sha2-384-192', Buffer.alloc(48, 0x0b), A('Hi There'), 'b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973'],
    ['hmac-sha2-512-256', Buffer.alloc(64, 0x0b), A('Hi There'), '637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8'],
    ['hmac-sha2-256-128', A('Jefe'.repeat(8)), A('what do ya want for nothing?'), '167f928588c5cc2eef8e3093caa0e87c'],
    ['hmac-sha2-384-192', A('Jefe'.repeat(12)), A('what do ya want for nothing?'), '2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d'],
    ['hmac-sha2-512-256', A('Jefe'.repeat(16)), A('what do ya want for nothing?'), 'cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454'],
    ['hmac-sha2-256-128', Buffer.alloc(32, 0xaa), Buffer.alloc(50, 0xdd), 'cdcb1220d1ecccea91e53aba3092f962'],
    ['hmac-sha2-384-192', Buffer.alloc(48, 0xaa), Buffer.alloc(50, 0xdd), '809f439be00274321d4a538652164b53554a508184a0c316'],
    ['hmac-sha2-512-256', Buffer.alloc(64, 0xaa), Buffer.alloc(50, 0xdd), '2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8'],
  ];
  for (const [alg, key, data, icv] of rows) assert.equal(integrityIcv(alg, key, data).toString('hex'), icv, alg);
  // RFC 2404 HMAC-SHA-1-96: RFC 2202 test case 2 truncated to 96 bits.
  assert.equal(integrityIcv('hmac-sha1-96', A('Jefe'), A('what do ya want for nothing?')).toString('hex'),
    'effcdf6ae5eb2fa2d27416d5');
});

test('prf+ equals a hand expansion of RFC 7296 2.13 (T1 = prf(K, S|01), Tn = prf(K, Tn-1|S|n))', () => {
  const K = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
  const S = A('seed for prf+');
  const mac = (...parts: Buffer[]): Buffer => createHmac('sha256', K).update(Buffer.concat(parts)).digest();
  const t1 = mac(S, Buffer.of(1));
  const t2 = mac(t1, S, Buffer.of(2));
  const t3 = mac(t2, S, Buffer.of(3));
  const want = Buffer.concat([t1, t2, t3]);
  assert.deepEqual(prfPlus('hmac-sha2-256', K, S, 96), want);
  assert.deepEqual(prfPlus('hmac-sha2-256', K, S, 70), want.subarray(0, 70));
  assert.deepEqual(prfPlus('hmac-sha2-256', K, S, 32), t1);
  assert.equal(prfPlus('hmac-sha2-256', K, S, 0).length, 0);
  // 255 blocks is the limit; the 255th block uses counter 0xff.
  assert.equal(prfPlus('hmac-sha2-256', K, S, 255 * 32).length, 255 * 32);
  assert.throws(() => prfPlus('hmac-sha2-256', K, S, 255 * 32 + 1), (e) => e instanceof CryptoError && e.code === 'BAD_LENGTH');
});

const NI = H('0102030405060708090a0b0c0d0e0f10111213141516171819');
const NR = H('a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9bab');
const SPII = H('1111111111111111');
const SPIR = H('2222222222222222');
const GIR = Buffer.alloc(256, 0x5a);

test('IKE SA keys: SKEYSEED = prf(Ni|Nr, g^ir); SK_* split with CBC + HMAC lengths', () => {
  const keys = deriveIkeSaKeys({
    transforms: { prf: 'hmac-sha2-256', encr: 'aes-cbc', encrKeyBits: 256, integ: 'hmac-sha2-256-128' },
    sharedSecret: GIR, nonceI: NI, nonceR: NR, spiI: SPII, spiR: SPIR,
  });
  const seed = createHmac('sha256', Buffer.concat([NI, NR])).update(GIR).digest();
  const km = prfPlus('hmac-sha2-256', seed, Buffer.concat([NI, NR, SPII, SPIR]), 32 * 3 + 32 * 2 + 32 * 2);
  const parts = [km.subarray(0, 32), km.subarray(32, 64), km.subarray(64, 96), km.subarray(96, 128),
    km.subarray(128, 160), km.subarray(160, 192), km.subarray(192, 224)];
  assert.deepEqual([keys.skD, keys.skAi, keys.skAr, keys.skEi, keys.skEr, keys.skPi, keys.skPr], parts);
});

test('IKE SA keys with AES-GCM: no SK_a, SK_e = key + 4-octet salt (RFC 5282)', () => {
  const keys = deriveIkeSaKeys({
    transforms: { prf: 'hmac-sha2-384', encr: 'aes-gcm-16', encrKeyBits: 128 },
    sharedSecret: GIR, nonceI: NI, nonceR: NR, spiI: SPII, spiR: SPIR,
  });
  const seed = prf('hmac-sha2-384', Buffer.concat([NI, NR]), GIR);
  const km = prfPlus('hmac-sha2-384', seed, Buffer.concat([NI, NR, SPII, SPIR]), 48 + 20 + 20 + 48 + 48);
  assert.equal(keys.skAi.length, 0);
  assert.equal(keys.skAr.length, 0);
  assert.deepEqual(keys.skD, km.subarray(0, 48));
  assert.deepEqual(keys.skEi, km.subarray(48, 68));
  assert.deepEqual(keys.skEr, km.subarray(68, 88));
  assert.deepEqual(keys.skPi, km.subarray(88, 136));
  assert.deepEqual(keys.skPr, km.subarray(136, 184));
  assert.throws(() => deriveIkeSaKeys({
    transforms: { prf: 'hmac-sha2-256', encr: 'aes-gcm-16', encrKeyBits: 128, integ: 'hmac-sha2-256-128' },
    sharedSecret: GIR, nonceI: NI, nonceR: NR, spiI: SPII, spiR: SPIR,
  }), (e) => e instanceof CryptoError && e.code === 'UNSUPPORTED');
});

test('rekeyed IKE SA: SKEYSEED = prf_old(SK_d(old), g^ir(new) | Ni | Nr) (RFC 7296 2.18)', () => {
  const oldSkD = Buffer.alloc(32, 0x42);
  const transforms = { prf: 'hmac-sha2-512', encr: 'aes-cbc', encrKeyBits: 128, integ: 'hmac-sha2-512-256' } as const;
  const keys = deriveRekeyedIkeSaKeys({
    transforms, oldPrf: 'hmac-sha2-256', oldSkD, sharedSecret: GIR, nonceI: NI, nonceR: NR, spiI: SPII, spiR: SPIR,
  });
  const seed = createHmac('sha256', oldSkD).update(Buffer.concat([GIR, NI, NR])).digest();
  const km = prfPlus('hmac-sha2-512', seed, Buffer.concat([NI, NR, SPII, SPIR]), 64);
  assert.deepEqual(keys.skD, km);
  assert.equal(keys.skAi.length, 64);
  assert.equal(keys.skEi.length, 16);
});

test('Child SA KEYMAT: prf+(SK_d, [g^ir |] Ni | Nr), i->r keys first, encryption before integrity', () => {
  const skD = Buffer.alloc(32, 0x17);
  const k = deriveChildSaKeys({
    prf: 'hmac-sha2-256', skD, nonceI: NI, nonceR: NR,
    transforms: { encr: 'aes-cbc', encrKeyBits: 128, integ: 'hmac-sha1-96' },
  });
  const km = prfPlus('hmac-sha2-256', skD, Buffer.concat([NI, NR]), 2 * (16 + 20));
  assert.deepEqual([k.encrI, k.integI, k.encrR, k.integR],
    [km.subarray(0, 16), km.subarray(16, 36), km.subarray(36, 52), km.subarray(52, 72)]);

  const pfs = deriveChildSaKeys({
    prf: 'hmac-sha2-256', skD, nonceI: NI, nonceR: NR, sharedSecret: GIR,
    transforms: { encr: 'aes-gcm-16', encrKeyBits: 256 },
  });
  const km2 = prfPlus('hmac-sha2-256', skD, Buffer.concat([GIR, NI, NR]), 2 * 36);
  assert.deepEqual(pfs.encrI, km2.subarray(0, 36));
  assert.deepEqual(pfs.encrR, km2.subarray(36, 72));
  assert.equal(pfs.integI.length, 0);
});
