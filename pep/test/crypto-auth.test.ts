/**
 * pep/crypto AUTH payloads: signed octets (RFC 7296 2.15), shared-key and EAP MIC (2.15, 2.16),
 * RFC 7427 AlgorithmIdentifier bytes (Appendix A), sign/verify round trips of every signature
 * method with generated keys and tampered-data negatives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  CryptoError, algorithmIdentifier, eapAuthSecret, lookupAlgorithmIdentifier, prf, sharedKeyAuth, signAuth,
  signedOctets, verifyAuth, verifySharedKeyAuth, type SignParams,
} from '../crypto/index.js';

const code = (c: string) => (e: unknown): boolean => e instanceof CryptoError && e.code === c;

test('signed octets = RealMessage | peer Nonce | prf(SK_p, RestOfIDPayload)', () => {
  const skP = Buffer.alloc(32, 0x21);
  const idBody = Buffer.concat([Buffer.of(2, 0, 0, 0), Buffer.from('moon.strongswan.org')]); // ID_FQDN
  const o = signedOctets({ prf: 'hmac-sha2-256', skP, realMessage: Buffer.from('MSG1'), peerNonce: Buffer.from('NONCE'), idPayloadBody: idBody });
  const maced = createHmac('sha256', skP).update(idBody).digest();
  assert.deepEqual(o, Buffer.concat([Buffer.from('MSG1NONCE'), maced]));
});

test('shared key AUTH = prf(prf(secret, "Key Pad for IKEv2"), octets); EAP uses the MSK, else SK_p', () => {
  const octets = Buffer.from('signed octets');
  const secret = Buffer.from('psk-secret');
  const inner = createHmac('sha256', secret).update('Key Pad for IKEv2').digest();
  const want = createHmac('sha256', inner).update(octets).digest();
  assert.deepEqual(sharedKeyAuth('hmac-sha2-256', secret, octets), want);
  assert.equal(verifySharedKeyAuth('hmac-sha2-256', secret, octets, want), true);
  const bad = Buffer.from(want);
  bad[0]! ^= 1;
  assert.equal(verifySharedKeyAuth('hmac-sha2-256', secret, octets, bad), false);
  assert.equal(verifySharedKeyAuth('hmac-sha2-256', secret, octets, want.subarray(1)), false);
  const msk = Buffer.alloc(64, 0x4d);
  const skP = Buffer.alloc(32, 0x50);
  assert.equal(eapAuthSecret(msk, skP), msk);
  assert.equal(eapAuthSecret(undefined, skP), skP);
  assert.deepEqual(sharedKeyAuth('hmac-sha2-512', eapAuthSecret(msk, skP), octets),
    prf('hmac-sha2-512', prf('hmac-sha2-512', msk, Buffer.from('Key Pad for IKEv2')), octets));
});

test('RFC 7427 Appendix A AlgorithmIdentifier encodings', () => {
  const hex = (k: 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa', h: 'sha256' | 'sha384' | 'sha512'): string => algorithmIdentifier({ kind: k, hash: h }).toString('hex');
  assert.equal(hex('rsa-pkcs1', 'sha256'), '300d06092a864886f70d01010b0500'); // A.1.2
  assert.equal(hex('rsa-pkcs1', 'sha384'), '300d06092a864886f70d01010c0500'); // A.1.3
  assert.equal(hex('rsa-pkcs1', 'sha512'), '300d06092a864886f70d01010d0500'); // A.1.4
  assert.equal(hex('ecdsa', 'sha256'), '300a06082a8648ce3d040302'); // A.3.2
  assert.equal(hex('ecdsa', 'sha384'), '300a06082a8648ce3d040303'); // A.3.3
  assert.equal(hex('ecdsa', 'sha512'), '300a06082a8648ce3d040304'); // A.3.4
  assert.equal(hex('rsa-pss', 'sha256'), // A.4.3 RSASSA-PSS with SHA-256
    '304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a06092a864886f70d010108' +
    '300d06096086480165030402010500a203020120a303020101');
  assert.deepEqual(lookupAlgorithmIdentifier(Buffer.from('300a06082a8648ce3d040303', 'hex')), { kind: 'ecdsa', hash: 'sha384' });
  assert.equal(lookupAlgorithmIdentifier(Buffer.from('300906072a8648ce3d0401', 'hex')), undefined); // ecdsa-with-sha1
});

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const ec = {
  p256: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
  p384: generateKeyPairSync('ec', { namedCurve: 'secp384r1' }),
  p521: generateKeyPairSync('ec', { namedCurve: 'secp521r1' }),
};
const octets = Buffer.from('InitiatorSignedOctets: RealMessage1 | NonceRData | MACedIDForI');

const CASES: { name: string; sign: Omit<SignParams, 'octets'>; pub: KeyObject | string; len?: number }[] = [
  { name: 'method 1 RSA SHA-1', sign: { method: 'rsa', privateKey: rsa.privateKey }, pub: rsa.publicKey, len: 256 },
  { name: 'method 9 ECDSA P-256', sign: { method: 'ecdsa-256', privateKey: ec.p256.privateKey }, pub: ec.p256.publicKey, len: 64 },
  { name: 'method 10 ECDSA P-384', sign: { method: 'ecdsa-384', privateKey: ec.p384.privateKey }, pub: ec.p384.publicKey, len: 96 },
  { name: 'method 11 ECDSA P-521', sign: { method: 'ecdsa-521', privateKey: ec.p521.privateKey }, pub: ec.p521.publicKey, len: 132 },
  ...(['sha256', 'sha384', 'sha512'] as const).flatMap((hash) => [
    { name: `method 14 RSA PKCS#1 ${hash}`, sign: { method: 'digital-signature' as const, privateKey: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, hash },
      pub: rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string },
    { name: `method 14 RSASSA-PSS ${hash}`, sign: { method: 'digital-signature' as const, privateKey: rsa.privateKey, hash, rsaPadding: 'pss' as const }, pub: rsa.publicKey },
    { name: `method 14 RSASSA-PSS key ${hash}`, sign: { method: 'digital-signature' as const, privateKey: rsaPss.privateKey, hash }, pub: rsaPss.publicKey },
    { name: `method 14 ECDSA ${hash}`, sign: { method: 'digital-signature' as const, privateKey: ec.p256.privateKey, hash }, pub: ec.p256.publicKey },
  ]),
];

for (const c of CASES) {
  test(`${c.name}: sign/verify round trip, tampered data and signature fail`, () => {
    const auth = signAuth({ ...c.sign, octets });
    if (c.len !== undefined) assert.equal(auth.length, c.len);
    assert.equal(verifyAuth({ method: c.sign.method, publicKey: c.pub, octets, authData: auth }), true);
    const tamperedData = Buffer.from(octets);
    tamperedData[5]! ^= 1;
    assert.equal(verifyAuth({ method: c.sign.method, publicKey: c.pub, octets: tamperedData, authData: auth }), false);
    const tamperedSig = Buffer.from(auth);
    tamperedSig[tamperedSig.length - 2]! ^= 1;
    assert.equal(verifyAuth({ method: c.sign.method, publicKey: c.pub, octets, authData: tamperedSig }), false);
    if (c.sign.method === 'digital-signature') {
      const id = lookupAlgorithmIdentifier(auth.subarray(1, 1 + auth[0]!));
      assert.ok(id !== undefined);
      assert.equal(id.hash, c.sign.hash);
    }
  });
}

test('signature errors: wrong key kind, wrong curve, malformed RFC 7427 prefix, unknown algorithm', () => {
  assert.throws(() => signAuth({ method: 'ecdsa-256', privateKey: ec.p384.privateKey, octets }), code('BAD_KEY'));
  assert.throws(() => signAuth({ method: 'rsa', privateKey: ec.p256.privateKey, octets }), code('BAD_KEY'));
  assert.throws(() => signAuth({ method: 'rsa', privateKey: 'not a pem', octets }), code('BAD_KEY'));
  const ecdsaAuth = signAuth({ method: 'digital-signature', privateKey: ec.p256.privateKey, octets });
  assert.throws(() => verifyAuth({ method: 'digital-signature', publicKey: rsa.publicKey, octets, authData: ecdsaAuth }), code('BAD_KEY'));
  assert.throws(() => verifyAuth({ method: 'digital-signature', publicKey: ec.p256.publicKey, octets, authData: Buffer.of(200, 1, 2) }), code('BAD_SIGNATURE_FORMAT'));
  assert.throws(() => verifyAuth({ method: 'digital-signature', publicKey: ec.p256.publicKey, octets, authData: Buffer.alloc(0) }), code('BAD_SIGNATURE_FORMAT'));
  const sha1Id = Buffer.from('300906072a8648ce3d0401', 'hex');
  assert.throws(() => verifyAuth({ method: 'digital-signature', publicKey: ec.p256.publicKey, octets,
    authData: Buffer.concat([Buffer.of(sha1Id.length), sha1Id, Buffer.alloc(70)]) }), code('UNSUPPORTED'));
  // a DER signature that does not parse is simply not valid
  const id = algorithmIdentifier({ kind: 'ecdsa', hash: 'sha256' });
  assert.equal(verifyAuth({ method: 'digital-signature', publicKey: ec.p256.publicKey, octets,
    authData: Buffer.concat([Buffer.of(id.length), id, Buffer.of(0x30, 0x99, 1)]) }), false);
  // r||s of the wrong length for the method
  assert.equal(verifyAuth({ method: 'ecdsa-256', publicKey: ec.p256.publicKey, octets, authData: Buffer.alloc(63) }), false);
});
