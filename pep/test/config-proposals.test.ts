import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PepConfigError } from '../config/config-error.js';
import { DEFAULT_IKE_PROPOSALS, effectiveProposals, parseProposal, parseProposalList, TRANSFORM_IDS } from '../config/proposals.js';

const { encr, integ, prf, dh } = TRANSFORM_IDS;

test('IANA numbers (RFC 7296 3.3.2, RFC 4106, RFC 4868, RFC 5903, RFC 8031)', () => {
  assert.deepEqual([encr.AES_CBC, encr.AES_GCM_16], [12, 20]);
  assert.deepEqual([integ.HMAC_SHA2_256_128, integ.HMAC_SHA2_384_192, integ.HMAC_SHA2_512_256], [12, 13, 14]);
  assert.deepEqual([prf.HMAC_SHA2_256, prf.HMAC_SHA2_384, prf.HMAC_SHA2_512], [5, 6, 7]);
  assert.deepEqual([dh.MODP_2048, dh.ECP_256, dh.ECP_384, dh.CURVE_25519], [14, 19, 20, 31]);
});

const table: [string, 'ike' | 'esp', object][] = [
  ['aes256-sha256-modp2048', 'ike', { encr: [{ id: 12, keyBits: 256 }], integ: [12], prf: [5], dh: [14], esn: [] }],
  ['aes128gcm16-prfsha256-ecp256', 'ike', { encr: [{ id: 20, keyBits: 128 }], integ: [], prf: [5], dh: [19], esn: [] }],
  ['aes256gcm16-sha384-x25519', 'ike', { encr: [{ id: 20, keyBits: 256 }], integ: [], prf: [6], dh: [31], esn: [] }],
  ['aes128-sha256-ecp256', 'ike', { encr: [{ id: 12, keyBits: 128 }], integ: [12], prf: [5], dh: [19], esn: [] }],
  ['aes128-aes256-sha512-sha256-prfsha384-ecp384-curve25519', 'ike', { encr: [{ id: 12, keyBits: 128 }, { id: 12, keyBits: 256 }], integ: [14, 12], prf: [6], dh: [20, 31], esn: [] }],
  ['aes128gcm16', 'esp', { encr: [{ id: 20, keyBits: 128 }], integ: [], prf: [], dh: [], esn: [0] }],
  ['aes256-sha384-esn-noesn', 'esp', { encr: [{ id: 12, keyBits: 256 }], integ: [13], prf: [], dh: [], esn: [1, 0] }],
  ['AES128-SHA256-MODP2048', 'esp', { encr: [{ id: 12, keyBits: 128 }], integ: [12], prf: [], dh: [14], esn: [0] }],
];

test('proposal table', () => {
  for (const [text, kind, want] of table) assert.deepEqual(parseProposal(text, kind), want, text);
});

test('lists, the strict flag and strongSwan defaults', () => {
  const l = parseProposalList('aes256-sha256-modp2048,aes128gcm16-prfsha256-ecp256!', 'ike');
  assert.equal(l.strict, true);
  assert.equal(l.proposals.length, 2);
  assert.equal(effectiveProposals(l, 'ike').length, 2);
  const loose = parseProposalList('aes256-sha256-modp2048', 'ike');
  assert.equal(loose.strict, false);
  assert.deepEqual(effectiveProposals(loose, 'ike'), [...loose.proposals, ...DEFAULT_IKE_PROPOSALS]);
  assert.deepEqual(effectiveProposals(undefined, 'ike'), DEFAULT_IKE_PROPOSALS);
  assert.deepEqual(DEFAULT_IKE_PROPOSALS[1]!.encr.map((e) => e.id), [20, 20]);
});

const errors: [string, 'ike' | 'esp', RegExp][] = [
  ['aes192-sha256-modp2048', 'ike', /'aes192' is not supported/],
  ['aes128-sha1-modp2048', 'ike', /'sha1' is not supported/],
  ['aes128-sha256-modp3072', 'ike', /'modp3072' is not supported/],
  ['3des-md5-modp1024', 'ike', /'3des' is not supported/],
  ['aes128-sha256', 'ike', /no key exchange method/],
  ['aes128gcm16-ecp256', 'ike', /no PRF/],
  ['aes128-prfsha256-ecp256', 'ike', /no integrity algorithm/],
  ['sha256-ecp256', 'ike', /no encryption algorithm/],
  ['aes128-aes128gcm16-sha256-ecp256', 'ike', /mixes AEAD and non-AEAD/],
  ['aes128--sha256', 'esp', /empty algorithm/],
  ['aes128-prfsha256', 'esp', /PRF, which ESP proposals do not have/],
  ['aes128-sha256-esn-ecp256', 'ike', /ESP proposals only/],
];

test('errors name the token, the file, line and key', () => {
  for (const [text, kind, re] of errors) {
    assert.throws(() => parseProposal(text, kind, { file: 'ipsec.conf', line: 7, key: kind }), (e: unknown) => {
      assert.ok(e instanceof PepConfigError);
      assert.match(e.message, re);
      assert.match(e.message, new RegExp(`^ipsec\\.conf:7: ${kind}: `));
      return true;
    }, text);
  }
  assert.throws(() => parseProposalList('!', 'ike'), /empty proposal list/);
});

test('fuzz: only PepConfigError escapes', () => {
  const word = fc.oneof(fc.constantFrom('aes128', 'aes256gcm16', 'sha256', 'prfsha384', 'ecp256', 'x25519', 'esn', '!', ','), fc.string({ maxLength: 6 }));
  fc.assert(
    fc.property(fc.array(word, { maxLength: 8 }), fc.constantFrom('ike' as const, 'esp' as const), (ws, kind) => {
      try {
        parseProposalList(ws.join('-'), kind);
      } catch (e) {
        if (!(e instanceof PepConfigError)) throw e;
      }
    }),
    { numRuns: 500 },
  );
});
