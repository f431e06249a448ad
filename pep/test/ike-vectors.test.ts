/**
 * IKEv2 messages captured between two Debian charons (strongSwan 5.9.8), see
 * integration/capture-ike-vectors.ts: every message decodes and re-encodes byte for byte; the
 * IKE_SA_INIT payloads are what charon sends; the SK and SKF payloads, decrypted with the keys
 * from charon's `ike 4` log (AES-CBC + HMAC-SHA2-256-128 or AES-GCM-16, node:crypto), decode
 * with decodePayloadChain into the IKE_AUTH (PSK, certificates, EAP) and INFORMATIONAL payloads
 * of RFC 7296 s1.2, s1.4.1 and s2.16, SKF fragments joined; and the PSK and EAP-without-MSK AUTH
 * payloads verify over the raw IKE_SA_INIT bytes the decoder keeps.
 */
import assert from 'node:assert/strict';
import { createDecipheriv, createHmac } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AuthMethod,
  CertEncoding,
  CfgAttribute,
  CfgType,
  decodeIkeMessage,
  decodePayloadChain,
  encodeIdentification,
  encodeIkeMessage,
  encodePayloadChain,
  ExchangeType,
  findNotify,
  findPayload,
  findPayloads,
  IdType,
  NotifyType,
  PayloadType,
  ProtocolId,
  TransformType,
  type IkeMessage,
  type IkePayload,
} from '../ike/index.js';

const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), 'vectors', 'ike');

interface Vector {
  readonly scenario: string;
  readonly auth: 'psk' | 'pubkey' | 'eap-md5';
  readonly psk?: string;
  readonly initiator: { readonly id: string };
  readonly responder: { readonly id: string };
  readonly keys: Readonly<Record<string, string>>;
  readonly messages: readonly {
    readonly direction: 'initiator-to-responder' | 'responder-to-initiator';
    readonly exchange: string;
    readonly response: boolean;
    readonly messageId: number;
    readonly hex: string;
  }[];
}

const vectors: readonly Vector[] = readdirSync(VECTOR_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(VECTOR_DIR, f), 'utf8')) as Vector);

const ICV_LENGTH = 16; // HMAC_SHA2_256_128, and the AES-GCM-16 tag
const AES_BLOCK = 16;
const GCM_SALT = 4; // RFC 5282 s7.1: the last 4 octets of SK_e are the salt
const GCM_IV = 8;

function key(v: Vector, name: string): Buffer {
  const hex = v.keys[name];
  assert.ok(hex !== undefined, `${v.scenario}: key ${name}`);
  return Buffer.from(hex, 'hex');
}

/**
 * RFC 5282 s5.1 with AES-GCM-16: the associated data runs from the IKE header through the SK/SKF
 * payload header (everything before the IV), so it is `raw` without the body.
 */
function decryptGcm(encrKey: Buffer, raw: Uint8Array, body: Uint8Array): Buffer {
  const salt = encrKey.subarray(encrKey.length - GCM_SALT);
  const k = encrKey.subarray(0, encrKey.length - GCM_SALT);
  const iv = Buffer.concat([salt, body.subarray(0, GCM_IV)]);
  const decipher = createDecipheriv(`aes-${k.length * 8}-gcm` as 'aes-128-gcm', k, iv, { authTagLength: ICV_LENGTH });
  decipher.setAAD(raw.subarray(0, raw.length - body.length));
  decipher.setAuthTag(body.subarray(body.length - ICV_LENGTH));
  return Buffer.concat([decipher.update(body.subarray(GCM_IV, body.length - ICV_LENGTH)), decipher.final()]);
}

/**
 * RFC 7296 s3.14: with AES-CBC and HMAC-SHA2-256-128, checks the ICV over the whole message up to
 * the ICV; with AES-GCM-16 (no Sk_ai/Sk_ar) the tag. Returns the plaintext without padding.
 * `body` is the SK/SKF body (IV .. ICV).
 */
function decryptBody(v: Vector, raw: Uint8Array, body: Uint8Array, fromInitiator: boolean): Buffer {
  const encr = key(v, fromInitiator ? 'sk_ei' : 'sk_er');
  if (v.keys['sk_ai'] === undefined) {
    const padded = decryptGcm(encr, raw, body);
    return padded.subarray(0, padded.length - 1 - padded[padded.length - 1]!);
  }
  const integ = key(v, fromInitiator ? 'sk_ai' : 'sk_ar');
  const icv = createHmac('sha256', integ).update(raw.subarray(0, raw.length - ICV_LENGTH)).digest().subarray(0, ICV_LENGTH);
  assert.deepEqual(Buffer.from(raw.subarray(raw.length - ICV_LENGTH)), icv, 'Integrity Checksum Data');
  const iv = body.subarray(0, AES_BLOCK);
  const ciphertext = body.subarray(AES_BLOCK, body.length - ICV_LENGTH);
  const decipher = createDecipheriv(`aes-${encr.length * 8}-cbc`, encr, iv).setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const padLength = padded[padded.length - 1]!;
  return padded.subarray(0, padded.length - 1 - padLength);
}

/** The inner payloads of one message, or of the SKF fragments of one message joined (RFC 7383 s2.6). */
function innerPayloads(v: Vector, fragments: readonly IkeMessage[]): IkePayload[] {
  const plain: Buffer[] = [];
  let first = 0;
  for (const m of fragments) {
    const fromInitiator = m.header.initiator;
    const last = m.payloads[m.payloads.length - 1]!;
    if (last.type === PayloadType.SK) {
      assert.equal(fragments.length, 1);
      first = last.firstPayload;
      plain.push(decryptBody(v, m.raw, last.body, fromInitiator));
    } else if (last.type === PayloadType.SKF) {
      assert.equal(last.totalFragments, fragments.length);
      assert.equal(last.fragmentNumber, plain.length + 1, 'fragments in order');
      // "In the other fragments, this field MUST be set to zero" (RFC 7383 s2.5)
      if (last.fragmentNumber === 1) first = last.firstPayload;
      else assert.equal(last.firstPayload, 0);
      plain.push(decryptBody(v, m.raw, last.body, fromInitiator));
    } else {
      assert.fail(`no SK/SKF payload in ${v.scenario} message ${m.header.messageId}`);
    }
  }
  const joined = Buffer.concat(plain);
  const payloads = decodePayloadChain(first, joined, 0);
  assert.deepEqual(encodePayloadChain(payloads), joined, 'inner chain re-encodes byte for byte');
  return payloads;
}

function decoded(v: Vector): { readonly dir: string; readonly msg: IkeMessage }[] {
  return v.messages.map((m) => ({ dir: m.direction, msg: decodeIkeMessage(Buffer.from(m.hex, 'hex')) }));
}

function byExchange(v: Vector, exchange: number, response: boolean): IkeMessage[] {
  return decoded(v)
    .map((d) => d.msg)
    .filter((m) => m.header.exchangeType === exchange && m.header.response === response);
}

/** The inner payloads of each message of an exchange type, SKF fragments of one Message ID joined. */
function innerByMessage(v: Vector, exchange: number, response: boolean): IkePayload[][] {
  const groups = new Map<number, IkeMessage[]>();
  for (const m of byExchange(v, exchange, response)) groups.set(m.header.messageId, [...(groups.get(m.header.messageId) ?? []), m]);
  return [...groups.values()].map((fragments) => innerPayloads(v, fragments));
}

function ascii(b: Uint8Array): string {
  return Buffer.from(b).toString('latin1');
}

describe('IKE vectors captured from Debian charon 5.9.8', () => {
  it('has the captured scenarios', () => {
    assert.deepEqual(
      vectors.map((v) => v.scenario),
      ['eap-md5-aes128gcm16-ecp256', 'psk-aes256-sha256-modp2048', 'pubkey-aes128-sha256-ecp256'],
    );
  });

  for (const v of vectors) {
    describe(v.scenario, () => {
      it('every message decodes and re-encodes byte for byte, header fields as captured', () => {
        for (const m of v.messages) {
          const buf = Buffer.from(m.hex, 'hex');
          const msg = decodeIkeMessage(buf);
          assert.equal(msg.header.messageId, m.messageId);
          assert.equal(msg.header.response, m.response);
          assert.equal(msg.header.initiator, m.direction === 'initiator-to-responder');
          assert.equal(msg.header.length, buf.length);
          assert.deepEqual(Buffer.from(msg.raw), buf);
          assert.deepEqual(encodeIkeMessage(msg.header, msg.payloads), buf);
        }
      });

      it('IKE_SA_INIT request and response carry SA, KE, Nonce and the NAT-D notifications', () => {
        const [request] = byExchange(v, ExchangeType.IKE_SA_INIT, false);
        const [response] = byExchange(v, ExchangeType.IKE_SA_INIT, true);
        assert.ok(request && response);
        assert.deepEqual(request.header.responderSpi, new Uint8Array(8), 'responder SPI zero in the first request');
        assert.deepEqual(response.header.initiatorSpi, request.header.initiatorSpi);
        for (const m of [request, response]) {
          const sa = findPayload(m.payloads, PayloadType.SA);
          assert.ok(sa);
          assert.equal(sa.proposals[0]!.protocolId, ProtocolId.IKE);
          assert.equal(sa.proposals[0]!.spi.length, 0, 'initial IKE SA: no SPI in the proposal');
          const dh = sa.proposals[0]!.transforms.find((t) => t.type === TransformType.DH);
          const ke = findPayload(m.payloads, PayloadType.KE);
          assert.ok(ke && dh);
          assert.equal(ke.dhGroup, dh.id);
          assert.ok(findPayload(m.payloads, PayloadType.Nonce));
          assert.ok(findNotify(m.payloads, NotifyType.NAT_DETECTION_SOURCE_IP));
          assert.ok(findNotify(m.payloads, NotifyType.NAT_DETECTION_DESTINATION_IP));
          assert.ok(findNotify(m.payloads, NotifyType.IKEV2_FRAGMENTATION_SUPPORTED));
        }
        assert.equal(findPayload(response.payloads, PayloadType.SA)!.proposals.length, 1, 'the response chooses one proposal');
        assert.ok(findNotify(request.payloads, NotifyType.SIGNATURE_HASH_ALGORITHMS));
      });

      it('IKE_AUTH requests decrypt to IDi, IDr, AUTH (or EAP), CP, SA, TSi, TSr (RFC 7296 s1.2, s2.16)', () => {
        const requests = innerByMessage(v, ExchangeType.IKE_AUTH, false);
        const first = requests[0]!;
        const idi = findPayload(first, PayloadType.IDi);
        assert.ok(idi);
        assert.equal(idi.idType, IdType.RFC822_ADDR);
        assert.equal(ascii(idi.data), v.initiator.id);
        const idr = findPayload(first, PayloadType.IDr);
        assert.ok(idr);
        assert.equal(idr.idType, IdType.FQDN);
        assert.equal(ascii(idr.data), v.responder.id);
        const sa = findPayload(first, PayloadType.SA);
        assert.ok(sa);
        assert.equal(sa.proposals[0]!.protocolId, ProtocolId.ESP);
        assert.equal(sa.proposals[0]!.spi.length, 4);
        const tsi = findPayload(first, PayloadType.TSi);
        const tsr = findPayload(first, PayloadType.TSr);
        assert.ok(tsi && tsr && tsi.selectors.length > 0 && tsr.selectors.length > 0);
        const cp = findPayload(first, PayloadType.CP);
        assert.ok(cp);
        assert.equal(cp.cfgType, CfgType.CFG_REQUEST);
        assert.ok(cp.attributes.some((a) => a.type === CfgAttribute.INTERNAL_IP4_ADDRESS));
        assert.ok(findNotify(first, NotifyType.INITIAL_CONTACT));
        if (v.auth === 'eap-md5') {
          // "the initiator indicates its desire to use EAP by leaving out the AUTH payload" (s2.16)
          assert.equal(findPayload(first, PayloadType.AUTH), undefined);
          assert.ok(findNotify(first, NotifyType.EAP_ONLY_AUTHENTICATION));
          assert.equal(requests.length, 3, 'IDi.., EAP response, AUTH');
          const eap = findPayload(requests[1]!, PayloadType.EAP);
          assert.ok(eap);
          assert.deepEqual([eap.message[0], eap.message[4]], [2, 4], 'EAP Response, type MD5-Challenge');
          // "If the EAP method does not generate an MSK ... the shared key MIC" with SK_pi (s2.16)
          assert.equal(findPayload(requests[2]!, PayloadType.AUTH)?.method, AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE);
        } else {
          assert.equal(requests.length, 1);
          const auth = findPayload(first, PayloadType.AUTH);
          assert.ok(auth);
          assert.equal(auth.method, v.auth === 'psk' ? AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE : AuthMethod.DIGITAL_SIGNATURE);
        }
        if (v.auth === 'pubkey') {
          assert.ok(findPayload(first, PayloadType.CERT));
          assert.ok(findPayload(first, PayloadType.CERTREQ));
        }
      });

      it('IKE_AUTH responses decrypt to IDr, AUTH, CP (virtual IP), SA, TSi, TSr', () => {
        const responses = innerByMessage(v, ExchangeType.IKE_AUTH, true);
        const all = responses.flat();
        const idr = findPayload(responses[0]!, PayloadType.IDr);
        assert.ok(idr);
        assert.equal(ascii(idr.data), v.responder.id);
        assert.ok(findPayload(responses[0]!, PayloadType.AUTH));
        if (v.auth !== 'psk') assert.equal(findPayload(responses[0]!, PayloadType.CERT)?.encoding, CertEncoding.X509_SIGNATURE);
        if (v.auth === 'eap-md5') {
          const request = findPayload(responses[0]!, PayloadType.EAP);
          assert.deepEqual([request?.message[0], request?.message[4]], [1, 4], 'EAP Request, type MD5-Challenge');
          assert.equal(findPayload(responses[1]!, PayloadType.EAP)?.message[0], 3, 'EAP Success');
        }
        const cp = findPayload(all, PayloadType.CP);
        assert.ok(cp);
        assert.equal(cp.cfgType, CfgType.CFG_REPLY);
        const address = cp.attributes.find((a) => a.type === CfgAttribute.INTERNAL_IP4_ADDRESS);
        assert.ok(address);
        assert.equal([...address.value].join('.'), '10.3.0.1', 'first address of moon pool 10.3.0.0/28');
        const sa = findPayload(all, PayloadType.SA);
        assert.ok(sa);
        assert.equal(sa.proposals.length, 1);
        const tsr = findPayload(all, PayloadType.TSr);
        assert.ok(tsr);
        const ts = tsr.selectors[0]!;
        assert.ok(!('other' in ts));
        assert.equal([...ts.startAddress].join('.'), '10.1.0.0');
        assert.equal([...ts.endAddress].join('.'), '10.1.255.255');
        assert.equal(findPayloads(all, PayloadType.TSi).length, 1);
      });

      it('INFORMATIONAL request deletes the IKE SA (Delete payload, protocol IKE, no SPIs)', () => {
        const [request] = byExchange(v, ExchangeType.INFORMATIONAL, false);
        const [response] = byExchange(v, ExchangeType.INFORMATIONAL, true);
        assert.ok(request && response);
        const del = findPayload(innerPayloads(v, [request]), PayloadType.Delete);
        assert.ok(del);
        assert.equal(del.protocolId, ProtocolId.IKE);
        assert.equal(del.spiSize, 0);
        assert.equal(del.spis.length, 0);
        assert.deepEqual(innerPayloads(v, [response]), [], 'the response is empty');
      });

      if (v.auth !== 'pubkey') {
        // PSK: the pre-shared key; EAP without MSK (EAP-MD5): "the shared key is SK_pi" (s2.16)
        const title = v.auth === 'psk' ? 'PSK' : 'SK_pi (EAP-MD5 has no MSK)';
        it(`the initiator AUTH verifies: prf(prf(${title}, "Key Pad for IKEv2"), RealMessage1 | Nr | prf(SK_pi, IDi')) (RFC 7296 s2.15)`, () => {
          const [init] = byExchange(v, ExchangeType.IKE_SA_INIT, false);
          const [initResponse] = byExchange(v, ExchangeType.IKE_SA_INIT, true);
          assert.ok(init && initResponse);
          const requests = innerByMessage(v, ExchangeType.IKE_AUTH, false);
          const idi = findPayload(requests[0]!, PayloadType.IDi)!;
          const auth = findPayload(requests[requests.length - 1]!, PayloadType.AUTH);
          assert.ok(auth);
          const nr = findPayload(initResponse.payloads, PayloadType.Nonce)!.data;
          const prf = (k: Uint8Array, d: Uint8Array): Buffer => createHmac('sha256', k).update(d).digest();
          const maced = prf(key(v, 'sk_pi'), encodeIdentification(idi));
          const octets = Buffer.concat([init.raw, nr, maced]);
          const secret = v.psk !== undefined ? Buffer.from(v.psk) : key(v, 'sk_pi');
          const expected = prf(prf(secret, Buffer.from('Key Pad for IKEv2')), octets);
          assert.deepEqual(Buffer.from(auth.data), expected);
        });
      }
    });
  }
});
