/** RFC 7296 2.7 / 3.3.6 proposal selection against the peer config's proposals. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolId, TransformType } from '../ike/constants.js';
import { transform, type Proposal } from '../ike/payloads/security-association.js';
import { acceptableGroups, answerProposal, selectProposal } from '../responder/proposal-selection.js';

const T = TransformType;
// strongSwan 5.9 charon's default IKE offer (abridged): aes128/aes192/aes256-CBC, sha256.., groups 31, 19, 14 ...
const charonIke: Proposal = {
  number: 1, protocolId: ProtocolId.IKE, spi: new Uint8Array(0),
  transforms: [
    transform(T.ENCR, 12, 128), transform(T.ENCR, 12, 192), transform(T.ENCR, 12, 256),
    transform(T.INTEG, 12), transform(T.INTEG, 13), transform(T.INTEG, 14),
    transform(T.PRF, 5), transform(T.PRF, 6), transform(T.PRF, 7),
    transform(T.DH, 31), transform(T.DH, 19), transform(T.DH, 14),
  ],
};
const charonGcm: Proposal = {
  number: 2, protocolId: ProtocolId.IKE, spi: new Uint8Array(0),
  transforms: [transform(T.ENCR, 20, 128), transform(T.ENCR, 20, 256), transform(T.PRF, 5), transform(T.DH, 31), transform(T.DH, 19)],
};

describe('proposal selection', () => {
  it('takes the first configured proposal the peer offers, with its proposal number', () => {
    const cfg = [{ encr: [{ id: 20, keyBits: 256 }], integ: [], prf: [5], dh: [19], esn: [] }, { encr: [{ id: 12, keyBits: 256 }], integ: [12], prf: [5], dh: [14], esn: [] }];
    const s = selectProposal(cfg, [charonIke, charonGcm], ProtocolId.IKE);
    assert.ok(s);
    assert.equal(s.number, 2);
    assert.deepEqual(s.encr, { id: 20, keyBits: 256 });
    assert.equal(s.dh, 19);
    assert.equal(s.integ, undefined);
    const answer = answerProposal(s, new Uint8Array(0));
    assert.deepEqual(answer.transforms.map((t) => [t.type, t.id]), [[1, 20], [2, 5], [4, 19]]);
  });
  it('key length must match: aes256 is not aes128', () => {
    const cfg = [{ encr: [{ id: 12, keyBits: 256 }], integ: [12], prf: [5], dh: [14], esn: [] }];
    const only128: Proposal = { ...charonIke, transforms: charonIke.transforms.filter((t) => !(t.type === T.ENCR && t.attributes[0]?.format === 'tv' && t.attributes[0].value !== 128)) };
    assert.equal(selectProposal(cfg, [only128], ProtocolId.IKE), undefined);
    assert.ok(selectProposal(cfg, [charonIke], ProtocolId.IKE));
  });
  it('no common DH group: none (NO_PROPOSAL_CHOSEN); acceptable groups listed for INVALID_KE_PAYLOAD', () => {
    const cfg = [{ encr: [{ id: 12, keyBits: 128 }], integ: [12], prf: [5], dh: [20], esn: [] }];
    assert.equal(selectProposal(cfg, [charonIke], ProtocolId.IKE), undefined);
    assert.deepEqual(acceptableGroups([...cfg, { ...cfg[0]!, dh: [20, 31] }]), [20, 31]);
  });
  it('ESP: no DH offered and none configured, ESN defaults to no', () => {
    const esp: Proposal = { number: 1, protocolId: ProtocolId.ESP, spi: Buffer.from('c1a2b3c4', 'hex'), transforms: [transform(T.ENCR, 20, 128), transform(T.ESN, 0)] };
    const s = selectProposal([{ encr: [{ id: 20, keyBits: 128 }], integ: [], prf: [], dh: [], esn: [] }], [esp], ProtocolId.ESP);
    assert.ok(s);
    assert.equal(s.esn, 0);
    assert.deepEqual(Buffer.from(s.spi).toString('hex'), 'c1a2b3c4');
  });
  it('a transform of unknown type makes that proposal unacceptable', () => {
    const odd: Proposal = { ...charonIke, transforms: [...charonIke.transforms, { type: 99, id: 1, attributes: [] }] };
    assert.equal(selectProposal([{ encr: [{ id: 12, keyBits: 128 }], integ: [12], prf: [5], dh: [14], esn: [] }], [odd], ProtocolId.IKE), undefined);
  });
});
