/**
 * rightauth=pubkey in the responder: the certificate path to ipsec.d/cacerts (ok, expired, not yet
 * valid, untrusted, intermediate, issuer not a CA), the IDi bound to the certificate, the AUTH
 * methods 1 (RSA), 9 (ECDSA P-256) and 14 (RFC 7427), CERTREQ and SIGNATURE_HASH_ALGORITHMS in
 * IKE_SA_INIT, and a fragmented IKE_AUTH response. Also charon's own captured IKE_AUTH
 * (pubkey-aes128-sha256-ecp256.json): carol's certificate chains to the captured CA at the capture
 * date and her RFC 7427 signature verifies.
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { AuthMethod, CertEncoding, ExchangeType, IdType, NotifyType, PayloadType, ProtocolId, TransformType as T } from '../ike/constants.js';
import { decodeIkeHeader } from '../ike/header.js';
import { decodeIkeMessage, encodeIkeMessage } from '../ike/message.js';
import { transform } from '../ike/payloads/security-association.js';
import { parseIpsecConf } from '../config/ipsec-conf.js';
import { resolveIpsecConf } from '../config/conn-resolve.js';
import { CryptoService } from '../crypto/crypto-service.js';
import { computeSharedSecret, generateKeyPair } from '../crypto/diffie-hellman.js';
import { deriveIkeSaKeys } from '../crypto/key-derivation.js';
import { createCipher, type SealedCipher } from '../crypto/cipher.js';
import { signedOctets } from '../crypto/auth.js';
import { signAuth, verifyAuth } from '../crypto/signature.js';
import { IkeResponder, type LocalCredential } from '../responder/responder.js';
import { certificateMatchesIdentity, verifyChain } from '../responder/certificate-chain.js';
import { TrustStore } from '../responder/trust-store.js';
import { DEFAULT_FRAGMENT_LIMITS, FragmentReassembly, readFragment } from '../responder/ike-fragmentation.js';
import { protect, unprotect } from '../responder/sk-payload.js';
import type { IkePayload } from '../responder/payload-types.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);
const DAY = 86_400_000;
const NOW = new Date('2026-06-01T00:00:00Z');
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 } as const;
type Keys = CryptoKeyPair;
interface Issued { cert: X509Certificate; keys: Keys; pc: x509.X509Certificate }

async function make(o: { cn: string; alg: typeof EC | typeof RSA; issuer?: Issued; ca?: boolean; san?: x509.JsonGeneralName[]; from?: Date; to?: Date }): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(o.alg, true, ['sign', 'verify'])) as Keys;
  const base = {
    serialNumber: randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    notBefore: o.from ?? new Date(NOW.getTime() - DAY),
    notAfter: o.to ?? new Date(NOW.getTime() + 30 * DAY),
    extensions: [new x509.BasicConstraintsExtension(!!o.ca, undefined, true), ...(o.san ? [new x509.SubjectAlternativeNameExtension(o.san)] : [])],
  };
  const name = `C=CH, O=strongSwan Test, CN=${o.cn}`;
  const pc = o.issuer
    ? await x509.X509CertificateGenerator.create({ ...base, subject: name, issuer: o.issuer.pc.subject, publicKey: keys.publicKey, signingKey: o.issuer.keys.privateKey, signingAlgorithm: o.issuer.keys.privateKey.algorithm })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...base, name, keys, signingAlgorithm: o.alg });
  return { cert: new X509Certificate(Buffer.from(pc.rawData)), keys, pc };
}
const der = (i: Issued) => Buffer.from(i.pc.rawData);
const keyOf = (i: Issued) => KeyObject.from(i.keys.privateKey);

let root: Issued, inter: Issued, carolEc: Issued, carolRsa: Issued, viaInter: Issued, expired: Issued, future: Issued, rogueRoot: Issued, rogue: Issued, leafAsIssuer: Issued, underLeaf: Issued, moon: Issued;
before(async () => {
  root = await make({ cn: 'strongSwan Root CA', alg: EC, ca: true });
  inter = await make({ cn: 'Intermediate CA', alg: EC, ca: true, issuer: root });
  const email = (v: string): x509.JsonGeneralName[] => [{ type: 'email', value: v }];
  carolEc = await make({ cn: 'carol@strongswan.org', alg: EC, issuer: root, san: email('carol@strongswan.org') });
  carolRsa = await make({ cn: 'carol@strongswan.org', alg: RSA, issuer: root, san: email('carol@strongswan.org') });
  viaInter = await make({ cn: 'dave@strongswan.org', alg: EC, issuer: inter, san: [...email('dave@strongswan.org'), { type: 'dns', value: 'dave.strongswan.org' }, { type: 'ip', value: '192.168.0.200' }] });
  expired = await make({ cn: 'old', alg: EC, issuer: root, san: email('carol@strongswan.org'), from: new Date(NOW.getTime() - 60 * DAY), to: new Date(NOW.getTime() - DAY) });
  future = await make({ cn: 'new', alg: EC, issuer: root, san: email('carol@strongswan.org'), from: new Date(NOW.getTime() + DAY) });
  rogueRoot = await make({ cn: 'Rogue CA', alg: EC, ca: true });
  rogue = await make({ cn: 'carol@strongswan.org', alg: EC, issuer: rogueRoot, san: email('carol@strongswan.org') });
  leafAsIssuer = await make({ cn: 'not a CA', alg: EC, issuer: root });
  underLeaf = await make({ cn: 'eve@strongswan.org', alg: EC, issuer: leafAsIssuer, san: email('eve@strongswan.org') });
  moon = await make({ cn: 'moon.strongswan.org', alg: RSA, issuer: root, san: [{ type: 'dns', value: 'moon.strongswan.org' }] });
});

const chain = (ee: Issued, extra: Issued[] = [], now = NOW) => verifyChain({ endEntity: der(ee), intermediates: extra.map(der), anchors: [root.cert], now });

describe('certificate path to the trust store', () => {
  it('ok directly under the root, and through an intermediate the peer sent', () => {
    assert.equal(chain(carolEc).ok, true);
    const r = chain(viaInter, [inter]);
    assert.ok(r.ok);
    assert.equal(r.path.length, 2);
  });
  it('refused: expired, not yet valid, untrusted CA, missing intermediate, an issuer that is not a CA', () => {
    const code = (r: ReturnType<typeof chain>) => (r.ok ? 'OK' : r.code);
    assert.equal(code(chain(expired)), 'EXPIRED');
    assert.equal(code(chain(future)), 'NOT_YET_VALID');
    assert.equal(code(chain(rogue, [rogueRoot])), 'UNTRUSTED');
    assert.equal(code(chain(viaInter)), 'UNTRUSTED');
    assert.equal(code(chain(underLeaf, [leafAsIssuer])), 'NOT_CA');
    assert.equal(code(chain(carolEc, [], new Date(NOW.getTime() + 90 * DAY))), 'EXPIRED', 'the root itself expired');
    assert.equal(code(verifyChain({ endEntity: Buffer.from('junk'), intermediates: [], anchors: [root.cert], now: NOW })), 'UNPARSABLE');
  });
  it('the IDi must be a subjectAltName (email, DNS, IP) or the subject DN', () => {
    const id = (idType: number, s: string | Buffer) => ({ idType, data: typeof s === 'string' ? Buffer.from(s) : s });
    assert.equal(certificateMatchesIdentity(viaInter.cert, id(IdType.RFC822_ADDR, 'dave@strongswan.org')), true);
    assert.equal(certificateMatchesIdentity(viaInter.cert, id(IdType.FQDN, 'DAVE.strongswan.org')), true);
    assert.equal(certificateMatchesIdentity(viaInter.cert, id(IdType.IPV4_ADDR, Buffer.from([192, 168, 0, 200]))), true);
    assert.equal(certificateMatchesIdentity(viaInter.cert, id(IdType.DER_ASN1_DN, Buffer.from(viaInter.pc.subjectName.toArrayBuffer()))), true);
    assert.equal(certificateMatchesIdentity(viaInter.cert, id(IdType.RFC822_ADDR, 'carol@strongswan.org')), false);
    assert.equal(certificateMatchesIdentity(viaInter.cert, id(IdType.IPV4_ADDR, Buffer.from([192, 168, 0, 100]))), false);
  });
  it('CERTREQ data: the SHA-1 of each CA\'s SubjectPublicKeyInfo', () => {
    const store = new TrustStore([der(root), der(inter)]);
    const spki = (i: Issued) => createHash('sha1').update(i.cert.publicKey.export({ type: 'spki', format: 'der' })).digest();
    assert.deepEqual(store.certreqData(), Buffer.concat([spki(root), spki(inter)]));
  });
});

describe('charon\'s captured certificate IKE_AUTH (RFC 7427, fragmented)', () => {
  it('carol\'s certificate chains to the captured CA at the capture date, names her, and her AUTH verifies; expired a month later', () => {
    const v = JSON.parse(readFileSync(join(import.meta.dirname, 'vectors', 'ike', 'pubkey-aes128-sha256-ecp256.json'), 'utf8')) as { caCertPem: string; keys: Record<string, string>; messages: { exchange: string; response: boolean; hex: string }[] };
    const k = (n: string) => Buffer.from(v.keys[n]!, 'hex');
    const cipher = createCipher({ encr: 'aes-cbc', keyBits: 128, key: k('sk_ei'), integ: 'hmac-sha2-256-128', integKey: k('sk_ai') });
    const frags = v.messages.filter((m) => m.exchange === 'IKE_AUTH' && !m.response).map((m) => Buffer.from(m.hex, 'hex'));
    const re = new FragmentReassembly(1, DEFAULT_FRAGMENT_LIMITS, 0);
    const done = frags.map((f) => re.add(readFragment(f, decodeIkeHeader(f).nextPayload, 1)!, cipher, 0)).pop()!;
    assert.equal(done.kind, 'complete');
    if (done.kind !== 'complete') return;
    const p = <X>(t: number) => done.payloads.find((x) => x.type === t) as X;
    const idi = p<{ idType: number; data: Uint8Array }>(PayloadType.IDi);
    const cert = p<{ data: Uint8Array }>(PayloadType.CERT);
    const auth = p<{ method: number; data: Uint8Array }>(PayloadType.AUTH);
    const ca = new X509Certificate(v.caCertPem);
    const captured = new Date('2026-11-23T23:30:00Z');
    const r = verifyChain({ endEntity: cert.data, intermediates: [], anchors: [ca], now: captured });
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(certificateMatchesIdentity(r.endEntity, idi), true);
    const init = decodeIkeMessage(Buffer.from(v.messages[1]!.hex, 'hex'));
    const nonceR = (init.payloads.find((x) => x.type === PayloadType.Nonce) as { data: Uint8Array }).data;
    const octets = signedOctets({ prf: 'hmac-sha2-256', skP: k('sk_pi'), realMessage: Buffer.from(v.messages[0]!.hex, 'hex'), peerNonce: nonceR, idPayloadBody: Buffer.concat([Buffer.from([idi.idType, 0, 0, 0]), idi.data]) });
    assert.equal(auth.method, AuthMethod.DIGITAL_SIGNATURE);
    assert.equal(verifyAuth({ method: 'digital-signature', publicKey: r.endEntity, octets, authData: auth.data }), true);
    assert.equal(verifyAuth({ method: 'digital-signature', publicKey: r.endEntity, octets: Buffer.concat([octets, Buffer.from([0])]), authData: auth.data }), false);
    const later = verifyChain({ endEntity: cert.data, intermediates: [], anchors: [ca], now: new Date('2027-01-01T00:00:00Z') });
    assert.equal(later.ok ? 'OK' : later.code, 'EXPIRED');
  });
});

// --- the responder end to end, driven by an in-process initiator ---
const MOON = { address: '192.168.0.1', port: 500 };
const CAROL = { address: '192.168.0.100', port: 500 };
const peers = resolveIpsecConf(parseIpsecConf(`
conn cert
     left=192.168.0.1
     leftid=@moon.strongswan.org
     leftauth=pubkey
     leftsubnet=10.1.0.0/16
     right=%any
     rightid=*@strongswan.org
     rightauth=pubkey
     ike=aes128-sha256-ecp256!
     esp=aes128gcm16!
     auto=add
`, 'ipsec.conf'), 'ipsec.conf').peers;
const crypto = new CryptoService({ size: 0 });
after(() => crypto.close());

async function exchange(o: { ee: Issued; method: 'rsa' | 'ecdsa-256' | 'digital-signature'; id?: string; bigCredential?: boolean }) {
  const sent: Buffer[] = [];
  const logs: string[] = [];
  const log = { info: (_: object, m: string) => logs.push(m), warn: (_: object, m: string) => logs.push(m), debug: () => undefined, error: (_: object, m: string) => logs.push(m) };
  const cred: LocalCredential = { certs: o.bigCredential ? [der(moon), der(root), der(inter), der(rogueRoot)] : [der(moon)], privateKey: keyOf(moon), keyType: 'rsa' };
  const r = new IkeResponder({ configs: peers, crypto, log, send: (p) => sent.push(p), credential: () => cred, trustAnchors: new TrustStore([der(root)]), now: () => NOW.getTime() });
  const spiI = randomBytes(8), ni = randomBytes(32), pair = generateKeyPair('ecp256');
  const n = (type: number, data: Uint8Array = Buffer.alloc(0)): IkePayload => ({ type: PayloadType.Notify, protocolId: 0, spi: new Uint8Array(0), notifyType: type, data });
  const initReq = encodeIkeMessage({ initiatorSpi: spiI, responderSpi: Buffer.alloc(8), exchangeType: ExchangeType.IKE_SA_INIT, initiator: true, response: false, messageId: 0 }, [
    { type: PayloadType.SA, proposals: [{ number: 1, protocolId: ProtocolId.IKE, spi: new Uint8Array(0), transforms: [transform(T.ENCR, 12, 128), transform(T.PRF, 5), transform(T.INTEG, 12), transform(T.DH, 19)] }] },
    { type: PayloadType.KE, dhGroup: 19, data: pair.publicValue },
    { type: PayloadType.Nonce, data: ni },
    n(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED),
    n(NotifyType.SIGNATURE_HASH_ALGORITHMS, Buffer.from([0, 2, 0, 3, 0, 4])),
  ]);
  await r.receive(initReq, MOON, CAROL, false);
  const initResp = sent.shift()!;
  const m = decodeIkeMessage(initResp);
  const spiR = Buffer.from(m.header.responderSpi);
  const nr = (m.payloads.find((p) => p.type === PayloadType.Nonce) as { data: Uint8Array }).data;
  const keys = deriveIkeSaKeys({ transforms: { prf: 'hmac-sha2-256', encr: 'aes-cbc', encrKeyBits: 128, integ: 'hmac-sha2-256-128' }, sharedSecret: computeSharedSecret(pair, (m.payloads.find((p) => p.type === PayloadType.KE) as { data: Uint8Array }).data), nonceI: ni, nonceR: nr, spiI, spiR });
  const out: SealedCipher = createCipher({ encr: 'aes-cbc', keyBits: 128, key: keys.skEi, integ: 'hmac-sha2-256-128', integKey: keys.skAi });
  const inC: SealedCipher = createCipher({ encr: 'aes-cbc', keyBits: 128, key: keys.skEr, integ: 'hmac-sha2-256-128', integKey: keys.skAr });
  const idData = Buffer.from(o.id ?? 'carol@strongswan.org');
  const octets = signedOctets({ prf: 'hmac-sha2-256', skP: keys.skPi, realMessage: initReq, peerNonce: nr, idPayloadBody: Buffer.concat([Buffer.from([IdType.RFC822_ADDR, 0, 0, 0]), idData]) });
  const method = { rsa: AuthMethod.RSA_DIGITAL_SIGNATURE, 'ecdsa-256': AuthMethod.ECDSA_SHA256_P256, 'digital-signature': AuthMethod.DIGITAL_SIGNATURE }[o.method];
  const authReq = protect({ initiatorSpi: spiI, responderSpi: spiR, exchangeType: ExchangeType.IKE_AUTH, initiator: true, response: false, messageId: 1 }, [
    { type: PayloadType.IDi, idType: IdType.RFC822_ADDR, data: idData },
    { type: PayloadType.CERT, encoding: CertEncoding.X509_SIGNATURE, data: der(o.ee) },
    { type: PayloadType.AUTH, method, data: signAuth({ method: o.method, privateKey: keyOf(o.ee), octets }) },
  ], out);
  await r.receive(authReq, MOON, CAROL, false);
  let answer: IkePayload[];
  if (sent.length > 1) {
    const re = new FragmentReassembly(1, DEFAULT_FRAGMENT_LIMITS, 0);
    const last = sent.map((f) => re.add(readFragment(f, decodeIkeHeader(f).nextPayload, 1)!, inC, 0)).pop()!;
    assert.equal(last.kind, 'complete');
    answer = last.kind === 'complete' ? last.payloads : [];
  } else answer = unprotect(sent[0]!, decodeIkeMessage(sent[0]!).header.nextPayload, inC);
  return { r, m, answer, fragments: sent.length, logs };
}

describe('responder: rightauth=pubkey', () => {
  it('IKE_SA_INIT answers CERTREQ (SHA-1 of the CA key), IKEV2_FRAGMENTATION_SUPPORTED and SIGNATURE_HASH_ALGORITHMS', async () => {
    const { m } = await exchange({ ee: carolEc, method: 'ecdsa-256' });
    const certreq = m.payloads.find((p) => p.type === PayloadType.CERTREQ) as { encoding: number; data: Uint8Array };
    assert.equal(certreq.encoding, CertEncoding.X509_SIGNATURE);
    assert.deepEqual(Buffer.from(certreq.data), createHash('sha1').update(root.cert.publicKey.export({ type: 'spki', format: 'der' })).digest());
    const notes = m.payloads.filter((p) => p.type === PayloadType.Notify).map((p) => (p as { notifyType: number }).notifyType);
    assert.ok(notes.includes(NotifyType.IKEV2_FRAGMENTATION_SUPPORTED) && notes.includes(NotifyType.SIGNATURE_HASH_ALGORITHMS));
  });
  for (const [label, ee, method] of [['ECDSA P-256 (method 9)', () => carolEc, 'ecdsa-256'], ['RSA (method 1)', () => carolRsa, 'rsa'], ['RFC 7427 ECDSA (method 14)', () => carolEc, 'digital-signature'], ['RFC 7427 RSA (method 14)', () => carolRsa, 'digital-signature']] as const) {
    it(`${label}: verified, the IKE_SA is established and we answer IDr, CERT and our RFC 7427 AUTH`, async () => {
      const { r, answer, logs } = await exchange({ ee: ee(), method });
      assert.deepEqual(answer.slice(0, 3).map((p) => p.type), [PayloadType.IDr, PayloadType.CERT, PayloadType.AUTH], logs.join('\n'));
      assert.equal((answer[2] as { method: number }).method, AuthMethod.DIGITAL_SIGNATURE);
      assert.equal(r.list()[0]?.state, 'ESTABLISHED');
      assert.ok(logs.some((l) => /^authentication of 'carol@strongswan\.org' with .* successful$/.test(l)), logs.join('\n'));
    });
  }
  it('an IDi the certificate does not name, an expired or untrusted certificate: AUTHENTICATION_FAILED with the reason logged', async () => {
    const wrongId = await exchange({ ee: carolEc, method: 'ecdsa-256', id: 'dave@strongswan.org' });
    assert.deepEqual(wrongId.answer.map((p) => (p as { notifyType?: number }).notifyType), [NotifyType.AUTHENTICATION_FAILED]);
    assert.ok(wrongId.logs.some((l) => /does not confirm identity 'dave@strongswan\.org'/.test(l)), wrongId.logs.join('\n'));
    const exp = await exchange({ ee: expired, method: 'ecdsa-256' });
    assert.deepEqual(exp.answer.map((p) => (p as { notifyType?: number }).notifyType), [NotifyType.AUTHENTICATION_FAILED]);
    assert.ok(exp.logs.some((l) => /not trusted \(EXPIRED\): certificate "C=CH, O=strongSwan Test, CN=old" expired/.test(l)), exp.logs.join('\n'));
    const untrusted = await exchange({ ee: rogue, method: 'ecdsa-256' });
    assert.ok(untrusted.logs.some((l) => /not trusted \(UNTRUSTED\)/.test(l)));
    assert.equal(untrusted.r.list().length, 0, 'the failed IKE_SA is gone');
  });
  it('a response larger than fragment_size is sent as SKF fragments the initiator reassembles', async () => {
    const { answer, fragments, logs } = await exchange({ ee: carolEc, method: 'ecdsa-256', bigCredential: true });
    assert.ok(fragments >= 2, `${fragments} fragments`);
    assert.equal(answer.filter((p) => p.type === PayloadType.CERT).length, 4);
    assert.ok(logs.some((l) => /^splitting IKE message \(\d+ bytes\) into \d+ fragments$/.test(l)));
  });
});
