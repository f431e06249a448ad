/**
 * pep/crypto against real strongSwan 5.9.8 exchanges (pep/test/vectors/ike/*.json, captured with
 * tshark, keys from charon's keymat_v2 DBG4 log): SKEYSEED and all seven SK_* keys re-derived from
 * the captured nonces, SPIs and logged g^ir; every SK payload of the capture opened with our
 * cipher (ICV checked, IKE padding removed); the PSK exchange's AUTH payloads recomputed.
 * A minimal read-only payload walk is used here so this test does not depend on pep/ike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createCipher, deriveIkeSaKeys, sharedKeyAuth, signedOctets, skeyseed, unpadIke,
  type EncrAlg, type IkeSaTransforms,
} from '../crypto/index.js';

import { parseProposal } from '../config/proposals.js';
import { ENCR_ALGS, INTEG_ALGS, PRF_ALGS } from '../crypto/transform-ids.js';

const DIR = fileURLToPath(new URL('./vectors/ike/', import.meta.url));

interface Vector {
  scenario: string;
  ikeProposal: string;
  auth: string;
  psk?: string;
  keys: Record<string, string>;
  messages: { exchange: string; response: boolean; nonEspMarker: boolean; hex: string }[];
}

function message(hex: string): Buffer {
  let b = Buffer.from(hex, 'hex');
  if (b.readUInt32BE(24) !== b.length && b.readUInt32BE(0) === 0) b = b.subarray(4); // non-ESP marker
  assert.equal(b.readUInt32BE(24), b.length, 'IKE header length');
  return b;
}

/** Payloads as [type, body] following the Next Payload chain (RFC 7296 3.2). */
function payloads(chain: Buffer, first: number): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  let type = first;
  let off = 0;
  while (type !== 0 && off + 4 <= chain.length) {
    const len = chain.readUInt16BE(off + 2);
    assert.ok(len >= 4 && off + len <= chain.length, 'payload length in bounds');
    out.push([type, chain.subarray(off + 4, off + len)]);
    type = chain[off]!;
    if (type === 46 || type === 53) break; // SK / SKF: the rest is encrypted
    off += len;
  }
  return out;
}

/** The capture's strongSwan proposal string, parsed by the PEP's own proposal parser, as crypto names. */
function transforms(proposal: string): IkeSaTransforms {
  const p = parseProposal(proposal, 'ike');
  const encr = p.encr[0];
  const prf = PRF_ALGS.name(p.prf[0] ?? -1);
  const encrName = ENCR_ALGS.name(encr?.id ?? -1);
  assert.ok(encr && prf && encrName, `proposal ${proposal}`);
  const integ = p.integ[0] === undefined ? undefined : INTEG_ALGS.name(p.integ[0]);
  return { prf, encr: encrName, encrKeyBits: encr.keyBits, ...(integ ? { integ } : {}) };
}

const files = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.json')) : [];

test('captured strongSwan vectors are present', () => {
  assert.ok(files.length >= 1, `no vectors in ${DIR}`);
});

for (const file of files) {
  const v = JSON.parse(readFileSync(DIR + file, 'utf8')) as Vector;
  const t = transforms(v.ikeProposal);
  const k = (name: string): Buffer => Buffer.from(v.keys[name]!, 'hex');
  const init = v.messages.filter((m) => m.exchange === 'IKE_SA_INIT').map((m) => message(m.hex));
  const [req, resp] = [init.find((m) => (m[19]! & 0x20) === 0)!, init.find((m) => (m[19]! & 0x20) !== 0)!];
  const nonce = (m: Buffer): Buffer => payloads(m.subarray(28), m[16]!).find(([ty]) => ty === 40)![1];
  const ni = nonce(req);
  const nr = nonce(resp);
  const spiI = resp.subarray(0, 8);
  const spiR = resp.subarray(8, 16);

  test(`${v.scenario}: SKEYSEED and SK_d..SK_pr match charon's`, () => {
    assert.deepEqual(skeyseed(t.prf, ni, nr, k('dhSharedSecret')), k('skeyseed'));
    const keys = deriveIkeSaKeys({ transforms: t, sharedSecret: k('dhSharedSecret'), nonceI: ni, nonceR: nr, spiI, spiR });
    assert.deepEqual(keys.skD, k('sk_d'));
    // With an AEAD (AES-GCM) there are no SK_a keys: charon logs none, we derive empty ones.
    if (t.integ) {
      assert.deepEqual(keys.skAi, k('sk_ai'));
      assert.deepEqual(keys.skAr, k('sk_ar'));
    } else {
      assert.equal(keys.skAi.length + keys.skAr.length, 0);
    }
    assert.deepEqual(keys.skEi, k('sk_ei'));
    assert.deepEqual(keys.skEr, k('sk_er'));
    assert.deepEqual(keys.skPi, k('sk_pi'));
    assert.deepEqual(keys.skPr, k('sk_pr'));
  });

  test(`${v.scenario}: every SK/SKF payload opens with our cipher (ICV, padding)`, () => {
    const keys = deriveIkeSaKeys({ transforms: t, sharedSecret: k('dhSharedSecret'), nonceI: ni, nonceR: nr, spiI, spiR });
    const enc = v.messages.filter((m) => m.exchange !== 'IKE_SA_INIT').map((m) => message(m.hex));
    assert.ok(enc.length > 0);
    for (const m of enc) {
      const fromInitiator = (m[19]! & 0x08) !== 0; // Initiator flag
      const c = createCipher({
        encr: t.encr, keyBits: t.encrKeyBits, key: fromInitiator ? keys.skEi : keys.skEr,
        ...(t.integ ? { integ: t.integ, integKey: fromInitiator ? keys.skAi : keys.skAr } : {}),
      });
      const list = payloads(m.subarray(28), m[16]!);
      const skOff = 28 + list.slice(0, -1).reduce((n, [, b]) => n + 4 + b.length, 0);
      // SK (46): aad = header .. SK generic header; SKF (53) has 4 more octets (Fragment Number, Total)
      const skType = list[list.length - 1]![0];
      const hdrLen = 4 + (skType === 53 ? 4 : 0);
      const aad = m.subarray(0, skOff + hdrLen);
      const plain = unpadIke(c.open(aad, m.subarray(skOff + hdrLen)));
      // an unfragmented SK payload decrypts to a payload chain that starts at its Next Payload
      if (skType === 46 && m[skOff] !== 0) assert.ok(payloads(plain, m[skOff]!).length > 0);
    }
  });

  if (v.auth === 'psk' && v.psk) {
    test(`${v.scenario}: both PSK AUTH payloads recomputed from the capture`, () => {
      const keys = deriveIkeSaKeys({ transforms: t, sharedSecret: k('dhSharedSecret'), nonceI: ni, nonceR: nr, spiI, spiR });
      const auths = v.messages.filter((m) => m.exchange === 'IKE_AUTH').map((m) => message(m.hex));
      for (const m of auths) {
        const fromInitiator = (m[19]! & 0x08) !== 0;
        const c = createCipher({
          encr: t.encr, keyBits: t.encrKeyBits, key: fromInitiator ? keys.skEi : keys.skEr,
          ...(t.integ ? { integ: t.integ, integKey: fromInitiator ? keys.skAi : keys.skAr } : {}),
        });
        const list = payloads(m.subarray(28), m[16]!);
        const [skType] = list[list.length - 1]!;
        assert.equal(skType, 46);
        const skOff = 28 + list.slice(0, -1).reduce((n, [, b]) => n + 4 + b.length, 0);
        const inner = unpadIke(c.open(m.subarray(0, skOff + 4), m.subarray(skOff + 4)));
        const innerList = payloads(inner, m[skOff]!);
        const id = innerList.find(([ty]) => ty === (fromInitiator ? 35 : 36))![1];
        const auth = innerList.find(([ty]) => ty === 39)![1];
        assert.equal(auth[0], 2, 'Shared Key Message Integrity Code');
        const octets = signedOctets({
          prf: t.prf, skP: fromInitiator ? keys.skPi : keys.skPr, realMessage: fromInitiator ? req : resp,
          peerNonce: fromInitiator ? nr : ni, idPayloadBody: id,
        });
        assert.deepEqual(sharedKeyAuth(t.prf, Buffer.from(v.psk!, 'utf8'), octets), auth.subarray(4));
      }
    });
  }
}
