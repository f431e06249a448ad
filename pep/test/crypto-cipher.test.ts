/**
 * pep/crypto cipher API shared by IKE SK payloads and ESP: RFC 3602 section 4 AES-CBC vectors,
 * GCM spec (McGrew-Viega) test cases 3, 4, 16 split as RFC 4106 salt || IV, ICV coverage of
 * aad || IV || ciphertext, integrity/length errors, the GCM IV counter, IKE padding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CryptoError, createCipher, integrityIcv, padIke, unpadIke, type IntegAlg } from '../crypto/index.js';

const H = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const code = (c: string) => (e: unknown): boolean => e instanceof CryptoError && e.code === c;
const range = (from: number, n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => from + i));

test('RFC 3602 section 4 cases 1-4: AES-128-CBC ciphertext, ICV over aad || IV || ciphertext', () => {
  const cases = [
    ['06a9214036b8a15b512e03d534120006', '3dafba429d9eb430b422da802c9fac41', Buffer.from('Single block msg'),
      'e353779c1079aeb82708942dbe77181a'],
    ['c286696d887c9aa0611bbb3e2025a45a', '562e17996d093d28ddb3ba695a2e6f58', range(0, 32),
      'd296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1'],
    ['6c3ea0477630ce21a2ce334aa746c2cd', 'c782dc4c098c66cbd9cd27d825682c81', Buffer.from('This is a 48-byte message (exactly 3 AES blocks)'),
      'd0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5021c19216bad525c8579695d83ba2684'],
    ['56e47a38c5598974bc46903dba290349', '8ce82eefbea0da3c44699ed7db51b7d9', range(0xa0, 64),
      'c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55'],
  ] as const;
  const integKey = Buffer.alloc(32, 0x33);
  const aad = H('c0ffee00 00000001'); // ESP-style SPI || Seq
  for (const [key, iv, pt, ct] of cases) {
    const c = createCipher({ encr: 'aes-cbc', keyBits: 128, key: H(key), integ: 'hmac-sha2-256-128', integKey, iv: () => H(iv) });
    const sealed = c.seal(aad, pt);
    assert.deepEqual(sealed.subarray(0, 16), H(iv));
    assert.deepEqual(sealed.subarray(16, sealed.length - 16), H(ct));
    assert.deepEqual(sealed.subarray(sealed.length - 16), integrityIcv('hmac-sha2-256-128', integKey, aad, H(iv), H(ct)));
    assert.deepEqual(c.open(aad, sealed), pt);
  }
});

const GCM = [
  { // GCM spec test case 3 (AES-128, no AAD)
    key: 'feffe9928665731c6d6a8f9467308308', aad: '',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255',
    ct: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985',
    tag: '4d5c2af327cd64a62cf35abd2ba6fab4', bits: 128 as const,
  },
  { // test case 4 (AES-128, 20-octet AAD, 60-octet plaintext)
    key: 'feffe9928665731c6d6a8f9467308308', aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    ct: '42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091',
    tag: '5bc94fbc3221a5db94fae95ae7121a47', bits: 128 as const,
  },
  { // test case 16 (AES-256)
    key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308', aad: 'feedfacedeadbeeffeedfacedeadbeefabaddad2',
    pt: 'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    ct: '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662',
    tag: '76fc6ece0f4e1768cddf8853bb2d551b', bits: 256 as const,
  },
];

test('GCM spec test cases 3, 4, 16 as RFC 4106: key || salt, nonce = salt || 8-octet IV', () => {
  for (const v of GCM) {
    // 96-bit GCM IV cafebabefacedbaddecaf888 = salt cafebabe || ESP IV facedbaddecaf888
    const c = createCipher({ encr: 'aes-gcm-16', keyBits: v.bits, key: H(v.key + 'cafebabe'), iv: () => H('facedbaddecaf888') });
    assert.equal(c.ivLength, 8);
    assert.equal(c.icvLength, 16);
    assert.equal(c.blockSize, 4);
    const sealed = c.seal(H(v.aad), H(v.pt));
    assert.equal(sealed.toString('hex'), 'facedbaddecaf888' + v.ct + v.tag);
    assert.deepEqual(c.open(H(v.aad), sealed), H(v.pt));
  }
});

const VARIANTS: { name: string; make: () => ReturnType<typeof createCipher> }[] = [
  ...(['hmac-sha1-96', 'hmac-sha2-256-128', 'hmac-sha2-384-192', 'hmac-sha2-512-256'] as IntegAlg[]).flatMap((integ) =>
    ([128, 192, 256] as const).map((bits) => ({
      name: `aes-cbc-${bits}/${integ}`,
      make: () => createCipher({
        encr: 'aes-cbc', keyBits: bits, key: Buffer.alloc(bits / 8, 7), integ,
        integKey: Buffer.alloc({ 'hmac-sha1-96': 20, 'hmac-sha2-256-128': 32, 'hmac-sha2-384-192': 48, 'hmac-sha2-512-256': 64 }[integ], 9),
      }),
    }))),
  ...([128, 192, 256] as const).map((bits) => ({
    name: `aes-gcm-16-${bits}`,
    make: () => createCipher({ encr: 'aes-gcm-16', keyBits: bits, key: Buffer.alloc(bits / 8 + 4, 5) }),
  })),
];

test('every cipher: round trip, tampering anywhere is INTEGRITY, short/misaligned is BAD_LENGTH', () => {
  for (const v of VARIANTS) {
    const c = v.make();
    const aad = Buffer.from('IKE header and SK payload header');
    const pt = padIke(Buffer.from('payloads'), c.blockSize);
    const sealed = c.seal(aad, pt);
    assert.equal(sealed.length, c.ivLength + pt.length + c.icvLength, v.name);
    assert.deepEqual(c.open(aad, sealed), pt, v.name);
    for (const pos of [0, c.ivLength, sealed.length - 1]) {
      const t = Buffer.from(sealed);
      t[pos]! ^= 0x80;
      assert.throws(() => c.open(aad, t), code('INTEGRITY'), `${v.name} byte ${pos}`);
    }
    const badAad = Buffer.from(aad);
    badAad[0]! ^= 1;
    assert.throws(() => c.open(badAad, sealed), code('INTEGRITY'), v.name);
    assert.throws(() => c.open(aad, sealed.subarray(0, c.ivLength + c.icvLength - 1)), code('BAD_LENGTH'), v.name);
    if (c.blockSize === 16) {
      assert.throws(() => c.open(aad, Buffer.concat([sealed, Buffer.of(0)])), code('BAD_LENGTH'), v.name);
      assert.throws(() => c.seal(aad, Buffer.alloc(15)), code('BAD_LENGTH'), v.name);
    }
  }
});

test('IVs: CBC random per packet; GCM a per-cipher 64-bit counter from 0', () => {
  const cbc = VARIANTS[0]!.make();
  const ivs = new Set(Array.from({ length: 50 }, () => cbc.seal(Buffer.alloc(0), Buffer.alloc(16)).subarray(0, 16).toString('hex')));
  assert.equal(ivs.size, 50);
  const gcm = createCipher({ encr: 'aes-gcm-16', keyBits: 128, key: Buffer.alloc(20, 1) });
  const seq = Array.from({ length: 3 }, () => gcm.seal(Buffer.alloc(8), Buffer.alloc(4)).subarray(0, 8).toString('hex'));
  assert.deepEqual(seq, ['0000000000000000', '0000000000000001', '0000000000000002']);
  const other = createCipher({ encr: 'aes-gcm-16', keyBits: 128, key: Buffer.alloc(20, 2) });
  assert.equal(other.seal(Buffer.alloc(0), Buffer.alloc(0)).subarray(0, 8).toString('hex'), '0000000000000000');
});

test('bad keys and transform combinations are refused', () => {
  assert.throws(() => createCipher({ encr: 'aes-cbc', keyBits: 128, key: Buffer.alloc(15), integ: 'hmac-sha1-96', integKey: Buffer.alloc(20) }), code('BAD_KEY'));
  assert.throws(() => createCipher({ encr: 'aes-cbc', keyBits: 128, key: Buffer.alloc(16), integ: 'hmac-sha1-96', integKey: Buffer.alloc(16) }), code('BAD_KEY'));
  assert.throws(() => createCipher({ encr: 'aes-cbc', keyBits: 128, key: Buffer.alloc(16) }), code('UNSUPPORTED'));
  assert.throws(() => createCipher({ encr: 'aes-gcm-16', keyBits: 128, key: Buffer.alloc(16) }), code('BAD_KEY')); // salt missing
  assert.throws(() => createCipher({ encr: 'aes-gcm-16', keyBits: 160, key: Buffer.alloc(24) }), code('UNSUPPORTED'));
  assert.throws(() => createCipher({ encr: 'aes-gcm-16', keyBits: 128, key: Buffer.alloc(20), integ: 'hmac-sha1-96', integKey: Buffer.alloc(20) }), code('UNSUPPORTED'));
});

test('padIke / unpadIke (RFC 7296 3.14): minimal padding, Pad Length last, bounded', () => {
  assert.deepEqual(padIke(Buffer.alloc(15, 1), 16), Buffer.concat([Buffer.alloc(15, 1), Buffer.of(0)]));
  assert.deepEqual(padIke(Buffer.alloc(16, 1), 16), Buffer.concat([Buffer.alloc(16, 1), Buffer.alloc(15), Buffer.of(15)]));
  assert.deepEqual(padIke(Buffer.alloc(0), 4), Buffer.of(0, 0, 0, 3));
  assert.throws(() => unpadIke(Buffer.alloc(0)), code('BAD_PADDING'));
  assert.throws(() => unpadIke(Buffer.of(1, 2, 3)), code('BAD_PADDING'));
  assert.deepEqual(unpadIke(Buffer.of(9, 2, 2)), Buffer.alloc(0));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(1, 4, 8, 16), (data, bs) => {
    const p = padIke(data, bs);
    return p.length % bs === 0 && p.length - data.length <= bs && Buffer.from(data).equals(unpadIke(p));
  }));
  // unpadIke never throws anything but CryptoError
  fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
    try { unpadIke(data); } catch (e) { return e instanceof CryptoError; }
    return true;
  }));
});

test('property: open(seal(x)) = x for every cipher, and open never throws a foreign error', () => {
  const ciphers = VARIANTS.map((v) => v.make());
  fc.assert(fc.property(fc.nat({ max: ciphers.length - 1 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 40 }),
    (i, data, aad) => {
      const c = ciphers[i]!;
      const pt = padIke(data, c.blockSize);
      return c.open(aad, c.seal(aad, pt)).equals(pt);
    }), { numRuns: 200 });
  fc.assert(fc.property(fc.nat({ max: ciphers.length - 1 }), fc.uint8Array({ maxLength: 120 }), (i, junk) => {
    try { ciphers[i]!.open(Buffer.alloc(0), junk); } catch (e) { return e instanceof CryptoError; }
    return false; // random bytes must never authenticate
  }), { numRuns: 300 });
});
