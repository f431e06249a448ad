/**
 * The IKEv2 responder driven by an in-process initiator (codec + crypto, no sockets):
 * IKE_SA_INIT (RFC 7296 1.2, 2.6, 2.7, 2.23), IKE_AUTH with PSK (2.15), the message-ID window
 * (2.1-2.3), INFORMATIONAL delete (1.4.1), and the answers to bad input (2.21: INVALID_SYNTAX,
 * UNSUPPORTED_CRITICAL_PAYLOAD, COOKIE, INVALID_KE_PAYLOAD, silent drops). The wire format against
 * a real peer is proven by integration/pep-psk.test.ts (strongSwan charon as the initiator).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ExchangeType, NotifyType, PayloadType, ProtocolId, TransformType, AuthMethod, IdType, CfgType, CfgAttribute } from '../ike/constants.js';
import { decodeIkeMessage, encodeIkeMessage } from '../ike/message.js';
import { transform } from '../ike/payloads/security-association.js';
import type { IkePayload } from '../ike/payload.js';
import { parseIpsecConf } from '../config/ipsec-conf.js';
import { resolveIpsecConf } from '../config/conn-resolve.js';
import { CryptoService } from '../crypto/crypto-service.js';
import { computeSharedSecret, generateKeyPair } from '../crypto/diffie-hellman.js';
import { deriveIkeSaKeys } from '../crypto/key-derivation.js';
import { createCipher, type SealedCipher } from '../crypto/cipher.js';
import { sharedKeyAuth, signedOctets, verifySharedKeyAuth } from '../crypto/auth.js';
import { IkeResponder, type ResponderEvent, type ResponderLogger } from '../responder/responder.js';
import { natHash } from '../responder/nat-detection.js';
import { protect, unprotect } from '../responder/sk-payload.js';
import { tsFromCidr } from '../responder/ts-narrowing.js';
import { RadiusServer } from '../../radius/server.js';
import { AttributeType, PacketCode, encodeTaggedInteger, joinEapMessage, mppeKeyAttributes } from '../../radius/index.js';
import { RadiusServerPool } from '../radius-relay/server-pool.js';

const PSK = Buffer.from('unit-test-psk');
const MOON = { address: '192.168.0.1', port: 500 };
const CAROL = { address: '192.168.0.100', port: 500 };
const CONF = `
conn psk
     left=192.168.0.1
     leftid=@moon.strongswan.org
     leftauth=psk
     leftsubnet=10.1.0.0/16
     right=%any
     rightid=*@strongswan.org
     rightauth=psk
     ike=aes128-sha256-ecp256,aes256gcm16-prfsha384-x25519!
     esp=aes128gcm16!
     auto=add
`;
const peers = resolveIpsecConf(parseIpsecConf(CONF, 'ipsec.conf'), 'ipsec.conf').peers;

const quiet: ResponderLogger = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined };
const crypto = new CryptoService({ size: 0 });
after(() => crypto.close());

interface Sent { packet: Buffer; natt: boolean }

function responder(extra: Partial<ConstructorParameters<typeof IkeResponder>[0]> = {}) {
  const sent: Sent[] = [];
  const r = new IkeResponder({
    configs: peers,
    crypto,
    log: quiet,
    send: (packet, _l, _r, natt) => sent.push({ packet, natt }),
    psk: () => PSK,
    vips: { acquire: async () => ({ pool: 'p', address: '10.3.0.1' }), release: async () => undefined },
    ...extra,
  });
  return { r, sent };
}

const T = TransformType;
const ikeProposal = (dh: number) => ({
  number: 1,
  protocolId: ProtocolId.IKE,
  spi: new Uint8Array(0),
  transforms: [transform(T.ENCR, 12, 128), transform(T.PRF, 5), transform(T.INTEG, 12), transform(T.DH, dh)],
});

class Initiator {
  readonly spiI = randomBytes(8);
  spiR = Buffer.alloc(8);
  readonly ni = randomBytes(32);
  readonly pair = generateKeyPair('ecp256');
  initRequest!: Buffer;
  initResponse!: Buffer;
  out!: SealedCipher;
  in!: SealedCipher;
  keys!: ReturnType<typeof deriveIkeSaKeys>;
  nr!: Buffer;
  messageId = 1;

  init(extra: IkePayload[] = [], dh = 19, first: IkePayload[] = []): Buffer {
    const payloads: IkePayload[] = [
      ...first,
      { type: PayloadType.SA, proposals: [ikeProposal(dh)] },
      { type: PayloadType.KE, dhGroup: dh, data: this.pair.publicValue },
      { type: PayloadType.Nonce, data: this.ni },
      { type: PayloadType.Notify, protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyType.NAT_DETECTION_SOURCE_IP, data: natHash(this.spiI, Buffer.alloc(8), CAROL) },
      { type: PayloadType.Notify, protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyType.NAT_DETECTION_DESTINATION_IP, data: natHash(this.spiI, Buffer.alloc(8), MOON) },
      ...extra,
    ];
    this.initRequest = encodeIkeMessage({ initiatorSpi: this.spiI, responderSpi: Buffer.alloc(8), exchangeType: ExchangeType.IKE_SA_INIT, initiator: true, response: false, messageId: 0 }, payloads);
    return this.initRequest;
  }

  accept(response: Buffer): void {
    const m = decodeIkeMessage(response);
    this.initResponse = response;
    this.spiR = Buffer.from(m.header.responderSpi);
    const ke = m.payloads.find((p) => p.type === PayloadType.KE) as { data: Uint8Array };
    this.nr = Buffer.from((m.payloads.find((p) => p.type === PayloadType.Nonce) as { data: Uint8Array }).data);
    const shared = computeSharedSecret(this.pair, ke.data);
    const transforms = { prf: 'hmac-sha2-256' as const, encr: 'aes-cbc' as const, encrKeyBits: 128, integ: 'hmac-sha2-256-128' as const };
    this.keys = deriveIkeSaKeys({ transforms, sharedSecret: shared, nonceI: this.ni, nonceR: this.nr, spiI: this.spiI, spiR: this.spiR });
    this.out = createCipher({ encr: 'aes-cbc', keyBits: 128, key: this.keys.skEi, integ: 'hmac-sha2-256-128', integKey: this.keys.skAi });
    this.in = createCipher({ encr: 'aes-cbc', keyBits: 128, key: this.keys.skEr, integ: 'hmac-sha2-256-128', integKey: this.keys.skAr });
  }

  request(exchangeType: number, payloads: IkePayload[], messageId = this.messageId++): Buffer {
    return protect({ initiatorSpi: this.spiI, responderSpi: this.spiR, exchangeType, initiator: true, response: false, messageId }, payloads, this.out);
  }

  open(response: Buffer): IkePayload[] {
    return unprotect(response, decodeIkeMessage(response).header.nextPayload, this.in);
  }

  authPayloads(psk = PSK, id = 'carol@strongswan.org', cpAttrs: number[] = [CfgAttribute.INTERNAL_IP4_ADDRESS]): IkePayload[] {
    const idData = Buffer.from(id);
    const octets = signedOctets({ prf: 'hmac-sha2-256', skP: this.keys.skPi, realMessage: this.initRequest, peerNonce: this.nr, idPayloadBody: Buffer.concat([Buffer.from([IdType.RFC822_ADDR, 0, 0, 0]), idData]) });
    const ts = (cidr: string) => {
      const t = tsFromCidr(cidr);
      return { tsType: 7 as const, ipProtocol: 0, startPort: 0, endPort: 65535, startAddress: t.startAddress, endAddress: t.endAddress };
    };
    return [
      { type: PayloadType.IDi, idType: IdType.RFC822_ADDR, data: idData },
      { type: PayloadType.AUTH, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: sharedKeyAuth('hmac-sha2-256', psk, octets) },
      { type: PayloadType.CP, cfgType: CfgType.CFG_REQUEST, attributes: cpAttrs.map((type) => ({ type, value: new Uint8Array(0) })) },
      { type: PayloadType.SA, proposals: [{ number: 1, protocolId: ProtocolId.ESP, spi: Buffer.from('c0ffee01', 'hex'), transforms: [transform(T.ENCR, 20, 128), transform(T.ESN, 0)] }] },
      { type: PayloadType.TSi, selectors: [ts('0.0.0.0/0')] },
      { type: PayloadType.TSr, selectors: [ts('10.0.0.0/8')] },
    ];
  }
}

function notifyOf(packet: Buffer): number[] {
  return decodeIkeMessage(packet).payloads.filter((p) => p.type === PayloadType.Notify).map((p) => (p as { notifyType: number }).notifyType);
}

async function established() {
  const { r, sent } = responder();
  const i = new Initiator();
  await r.receive(i.init(), MOON, CAROL, false);
  i.accept(sent[0]!.packet);
  const auth = i.request(ExchangeType.IKE_AUTH, i.authPayloads());
  await r.receive(auth, { ...MOON, port: 4500 }, { ...CAROL, port: 4500 }, true);
  return { r, sent, i, auth };
}

describe('responder: IKE_SA_INIT', () => {
  it('answers SA, KE, Nr and NAT detection; the chosen proposal keeps the initiator\'s number', async () => {
    const { r, sent } = responder();
    const i = new Initiator();
    await r.receive(i.init(), MOON, CAROL, false);
    assert.equal(sent.length, 1);
    const m = decodeIkeMessage(sent[0]!.packet);
    assert.equal(m.header.response, true);
    assert.equal(m.header.initiator, false);
    assert.deepEqual(m.payloads.map((p) => p.type), [PayloadType.SA, PayloadType.KE, PayloadType.Nonce, PayloadType.Notify, PayloadType.Notify]);
    const sa = m.payloads[0] as unknown as { proposals: { number: number; transforms: { type: number; id: number }[] }[] };
    assert.equal(sa.proposals.length, 1);
    assert.deepEqual(sa.proposals[0]!.transforms.map((t) => [t.type, t.id]), [[1, 12], [2, 5], [3, 12], [4, 19]]);
    assert.equal(r.halfOpenCount, 1);
  });

  it('a retransmitted request gets the byte-identical response and no second SA', async () => {
    const { r, sent } = responder();
    const i = new Initiator();
    const req = i.init();
    await r.receive(req, MOON, CAROL, false);
    await r.receive(req, MOON, CAROL, false);
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[0]!.packet, sent[1]!.packet);
    assert.equal(r.sas.size, 1);
  });

  it('a KE of a group it will not choose gets INVALID_KE_PAYLOAD naming the wanted group, and no state', async () => {
    const { r, sent } = responder();
    const i = new Initiator();
    const req = i.init([], 19);
    // offer ecp256 and modp2048 in the proposal, but send a KE for modp2048 (14) which the config lacks
    const m = decodeIkeMessage(req);
    const payloads = m.payloads.map((p) => (p.type === PayloadType.SA ? { ...p, proposals: [{ ...ikeProposal(19), transforms: [...ikeProposal(19).transforms, transform(T.DH, 14)] }] } : p.type === PayloadType.KE ? { ...p, dhGroup: 14, data: Buffer.alloc(256, 2) } : p));
    await r.receive(encodeIkeMessage({ ...m.header }, payloads), MOON, CAROL, false);
    const answer = decodeIkeMessage(sent[0]!.packet);
    const n = answer.payloads[0] as { notifyType: number; data: Uint8Array };
    assert.equal(n.notifyType, NotifyType.INVALID_KE_PAYLOAD);
    assert.deepEqual([...n.data], [0, 19]);
    assert.equal(r.sas.size, 0);
  });

  it('no acceptable proposal: NO_PROPOSAL_CHOSEN', async () => {
    const { r, sent } = responder();
    const i = new Initiator();
    const m = decodeIkeMessage(i.init());
    const odd = m.payloads.map((p) => (p.type === PayloadType.SA ? { ...p, proposals: [{ ...ikeProposal(19), transforms: [transform(T.ENCR, 12, 192), transform(T.PRF, 5), transform(T.INTEG, 12), transform(T.DH, 19)] }] } : p));
    await r.receive(encodeIkeMessage(m.header, odd), MOON, CAROL, false);
    assert.deepEqual(notifyOf(sent[0]!.packet), [NotifyType.NO_PROPOSAL_CHOSEN]);
  });

  it('demands a COOKIE above the half-open threshold and accepts the request that returns it first', async () => {
    const { r, sent } = responder({ cookieThreshold: 2 });
    for (let k = 0; k < 2; k++) await r.receive(new Initiator().init(), MOON, CAROL, false);
    const i = new Initiator();
    await r.receive(i.init(), MOON, CAROL, false);
    const answer = decodeIkeMessage(sent[2]!.packet);
    const cookie = answer.payloads[0] as { notifyType: number; data: Uint8Array };
    assert.equal(cookie.notifyType, NotifyType.COOKIE);
    assert.equal(r.sas.size, 2, 'no state for the refused request');
    const again = i.init([], 19, [{ type: PayloadType.Notify, protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyType.COOKIE, data: cookie.data }]);
    await r.receive(again, MOON, CAROL, false);
    assert.equal(decodeIkeMessage(sent[3]!.packet).payloads[0]!.type, PayloadType.SA);
    // a forged cookie is refused again
    const forged = new Initiator();
    await r.receive(forged.init([], 19, [{ type: PayloadType.Notify, protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyType.COOKIE, data: cookie.data }]), MOON, CAROL, false);
    assert.deepEqual(notifyOf(sent[4]!.packet), [NotifyType.COOKIE]);
  });

  it('a burst of requests arriving together cannot slip past the cookie threshold (regression: all 40 of a flood were answered)', async () => {
    const { r, sent } = responder({ cookieThreshold: 2 });
    await Promise.all(Array.from({ length: 6 }, () => r.receive(new Initiator().init(), MOON, CAROL, false)));
    const first = sent.map((s) => decodeIkeMessage(s.packet).payloads[0]!.type);
    assert.equal(first.filter((t) => t === PayloadType.SA).length, 2, JSON.stringify(first));
    assert.equal(sent.filter((s) => notifyOf(s.packet)[0] === NotifyType.COOKIE && decodeIkeMessage(s.packet).payloads.length === 1).length, 4);
    assert.equal(r.sas.size, 2);
  });

  it('an unknown critical payload gets UNSUPPORTED_CRITICAL_PAYLOAD naming its type', async () => {
    const { r, sent } = responder();
    const i = new Initiator();
    const req = i.init([{ type: 'unknown', payloadType: 200, critical: true, data: Buffer.from('x') } as IkePayload]);
    await r.receive(req, MOON, CAROL, false);
    const n = decodeIkeMessage(sent[0]!.packet).payloads[0] as { notifyType: number; data: Uint8Array };
    assert.equal(n.notifyType, NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD);
    assert.deepEqual([...n.data], [200]);
  });

  it('half-open IKE_SAs are forgotten after the timeout (memory stays bounded); a late retransmission is a new request', async () => {
    let now = 0;
    const { r, sent } = responder({ now: () => now, halfOpenTimeoutMs: 1000, maxHalfOpen: 3 });
    for (let k = 0; k < 4; k++) await r.receive(new Initiator().init(), MOON, CAROL, false);
    assert.equal(r.halfOpenCount, 3, 'maxHalfOpen bounds the state');
    assert.equal(sent.length, 3, 'the fourth is dropped');
    now = 1500;
    r.expire();
    assert.equal(r.halfOpenCount, 0);
    assert.equal(r.sas.size, 0);
    assert.equal(r.initIndex.size, 0);
  });

  it('an IKE_SA_INIT without KE gets INVALID_SYNTAX', async () => {
    const { r, sent } = responder();
    const m = decodeIkeMessage(new Initiator().init());
    await r.receive(encodeIkeMessage(m.header, m.payloads.filter((p) => p.type !== PayloadType.KE)), MOON, CAROL, false);
    assert.deepEqual(notifyOf(sent[0]!.packet), [NotifyType.INVALID_SYNTAX]);
  });

  it('property: arbitrary datagrams never throw, and unsolicited junk gets no answer unless it is an IKE_SA_INIT request', async () => {
    const { r, sent } = responder();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300 }), async (bytes) => {
        const before = sent.length;
        await r.receive(Buffer.from(bytes), MOON, CAROL, false);
        if (sent.length > before) assert.equal(bytes[18], ExchangeType.IKE_SA_INIT);
      }),
      { numRuns: 300 },
    );
  });
});

describe('responder: IKE_AUTH with PSK, window, INFORMATIONAL', () => {
  it('verifies the PSK AUTH, answers IDr, AUTH (verifiable), CP with the virtual IP, SA, TSi, TSr narrowed', async () => {
    const { r, sent, i } = await established();
    assert.equal(sent[1]!.natt, true, 'answered on port 4500 with the non-ESP marker');
    const payloads = i.open(sent[1]!.packet);
    assert.deepEqual(payloads.map((p) => p.type), [PayloadType.IDr, PayloadType.AUTH, PayloadType.CP, PayloadType.SA, PayloadType.TSi, PayloadType.TSr]);
    const idr = payloads[0] as { idType: number; data: Uint8Array };
    assert.equal(Buffer.from(idr.data).toString(), 'moon.strongswan.org');
    const auth = payloads[1] as { data: Uint8Array };
    const octets = signedOctets({ prf: 'hmac-sha2-256', skP: i.keys.skPr, realMessage: i.initResponse, peerNonce: i.ni, idPayloadBody: Buffer.concat([Buffer.from([idr.idType, 0, 0, 0]), idr.data]) });
    assert.ok(verifySharedKeyAuth('hmac-sha2-256', PSK, octets, auth.data), "the responder's AUTH verifies");
    const cp = payloads[2] as unknown as { cfgType: number; attributes: { type: number; value: Uint8Array }[] };
    assert.equal(cp.cfgType, CfgType.CFG_REPLY);
    assert.deepEqual([...cp.attributes[0]!.value], [10, 3, 0, 1]);
    const tsi = payloads[4] as unknown as { selectors: { startAddress: Uint8Array; endAddress: Uint8Array }[] };
    const tsr = payloads[5] as unknown as { selectors: { startAddress: Uint8Array; endAddress: Uint8Array }[] };
    assert.deepEqual([...tsi.selectors[0]!.startAddress, ...tsi.selectors[0]!.endAddress], [10, 3, 0, 1, 10, 3, 0, 1]);
    assert.deepEqual([...tsr.selectors[0]!.startAddress, ...tsr.selectors[0]!.endAddress], [10, 1, 0, 0, 10, 1, 255, 255]);
    const sa = r.list()[0]!;
    assert.equal(sa.state, 'ESTABLISHED');
    assert.equal(sa.children[0]?.spiOut, 0xc0ffee01);
    assert.equal(r.halfOpenCount, 0);
  });

  it('CP: DNS servers and split-include subnets only when the client asks for them (RFC 7296 3.15)', async () => {
    const { r, sent } = responder({ dns: ['10.1.0.10'], splitInclude: ['10.1.0.0/16'] });
    const i = new Initiator();
    await r.receive(i.init(), MOON, CAROL, false);
    i.accept(sent[0]!.packet);
    await r.receive(i.request(ExchangeType.IKE_AUTH, i.authPayloads(PSK, 'carol@strongswan.org', [CfgAttribute.INTERNAL_IP4_ADDRESS, CfgAttribute.INTERNAL_IP4_DNS, CfgAttribute.INTERNAL_IP4_SUBNET])), MOON, CAROL, false);
    const cp = i.open(sent[1]!.packet).find((p) => p.type === PayloadType.CP) as unknown as { attributes: { type: number; value: Uint8Array }[] };
    assert.deepEqual(cp.attributes.map((a) => [a.type, [...a.value]]), [
      [CfgAttribute.INTERNAL_IP4_ADDRESS, [10, 3, 0, 1]],
      [CfgAttribute.INTERNAL_IP4_DNS, [10, 1, 0, 10]],
      [CfgAttribute.INTERNAL_IP4_SUBNET, [10, 1, 0, 0, 255, 255, 0, 0]],
    ]);
  });

  it('a retransmitted IKE_AUTH request gets the cached response, byte for byte', async () => {
    const { r, sent, auth } = await established();
    await r.receive(auth, { ...MOON, port: 4500 }, { ...CAROL, port: 4500 }, true);
    assert.equal(sent.length, 3);
    assert.deepEqual(sent[2]!.packet, sent[1]!.packet);
    assert.equal(r.list()[0]!.children.length, 1, 'processed once');
  });

  it('a wrong PSK gets AUTHENTICATION_FAILED and the SA goes away', async () => {
    const { r, sent } = responder();
    const i = new Initiator();
    await r.receive(i.init(), MOON, CAROL, false);
    i.accept(sent[0]!.packet);
    await r.receive(i.request(ExchangeType.IKE_AUTH, i.authPayloads(Buffer.from('wrong'))), MOON, CAROL, false);
    const payloads = i.open(sent[1]!.packet);
    assert.deepEqual(payloads.map((p) => (p as { notifyType?: number }).notifyType), [NotifyType.AUTHENTICATION_FAILED]);
    assert.equal(r.sas.size, 0);
  });

  it('a message whose ICV does not verify is dropped silently; the SA is unaffected', async () => {
    const { r, sent, i } = await established();
    const dpd = i.request(ExchangeType.INFORMATIONAL, []);
    const bad = Buffer.from(dpd);
    bad[bad.length - 1]! ^= 1;
    await r.receive(bad, MOON, CAROL, true);
    assert.equal(sent.length, 2);
    await r.receive(dpd, MOON, CAROL, true);
    assert.equal(sent.length, 3, 'the genuine message with the same ID is still answered');
    assert.deepEqual(i.open(sent[2]!.packet), []);
  });

  it('message IDs outside the window are dropped', async () => {
    const { r, sent, i } = await established();
    await r.receive(i.request(ExchangeType.INFORMATIONAL, [], 7), MOON, CAROL, true);
    await r.receive(i.request(ExchangeType.INFORMATIONAL, [], 0), MOON, CAROL, true);
    assert.equal(sent.length, 2);
  });

  it('a Delete of the IKE_SA is answered and removes the SA with its CHILD_SAs', async () => {
    const { r, sent, i } = await established();
    await r.receive(i.request(ExchangeType.INFORMATIONAL, [{ type: PayloadType.Delete, protocolId: ProtocolId.IKE, spiSize: 0, spis: [] }]), MOON, CAROL, true);
    assert.deepEqual(i.open(sent[2]!.packet), []);
    assert.equal(r.sas.size, 0);
  });

  it('liveness: after dpddelay the responder sends an empty INFORMATIONAL, retransmits it, and deletes the SA when the peer stays silent', async () => {
    let now = 1_000_000;
    const conf = CONF.replace('auto=add', 'dpdaction=clear\n     dpddelay=10s\n     auto=add');
    const dpdPeers = resolveIpsecConf(parseIpsecConf(conf, 'ipsec.conf'), 'ipsec.conf').peers;
    const { r, sent } = responder({ configs: dpdPeers, now: () => now, retransmitBaseMs: 1000, retransmitTries: 2 });
    const i = new Initiator();
    await r.receive(i.init(), MOON, CAROL, false);
    i.accept(sent[0]!.packet);
    await r.receive(i.request(ExchangeType.IKE_AUTH, i.authPayloads()), MOON, CAROL, false);
    assert.equal(r.list()[0]!.state, 'ESTABLISHED');
    now += 5_000;
    r.expire();
    assert.equal(sent.length, 2, 'nothing before dpddelay');
    now += 6_000;
    r.expire();
    assert.equal(sent.length, 3);
    const dpd = decodeIkeMessage(sent[2]!.packet);
    assert.equal(dpd.header.exchangeType, ExchangeType.INFORMATIONAL);
    assert.equal(dpd.header.response, false);
    assert.equal(dpd.header.initiator, false, 'the original responder sends it');
    assert.deepEqual(i.open(sent[2]!.packet), []);
    // The peer answers: the request is done and nothing is retransmitted.
    const answer = protect({ initiatorSpi: i.spiI, responderSpi: i.spiR, exchangeType: ExchangeType.INFORMATIONAL, initiator: true, response: true, messageId: dpd.header.messageId }, [], i.out);
    await r.receive(answer, MOON, CAROL, false);
    now += 2_000;
    r.expire();
    assert.equal(sent.length, 3);
    // Silence: the next check is retransmitted twice, then the SA is gone.
    now += 20_000;
    r.expire();
    assert.equal(sent.length, 4);
    now += 1_100;
    r.expire();
    now += 2_000;
    r.expire();
    assert.equal(sent.length, 6, 'two retransmits');
    assert.deepEqual(sent[5]!.packet, sent[3]!.packet);
    now += 4_000;
    r.expire();
    await new Promise((res) => setImmediate(res));
    assert.equal(r.sas.size, 0, 'peer not responding: IKE_SA deleted');
  });

  it('a Delete of the CHILD_SA is answered with our SPI', async () => {
    const { r, sent, i } = await established();
    const ours = r.list()[0]!.children[0]!.spiIn;
    await r.receive(i.request(ExchangeType.INFORMATIONAL, [{ type: PayloadType.Delete, protocolId: ProtocolId.ESP, spiSize: 4, spis: [Buffer.from('c0ffee01', 'hex')] }]), MOON, CAROL, true);
    const d = i.open(sent[2]!.packet)[0] as unknown as { spis: Uint8Array[] };
    assert.equal(Buffer.from(d.spis[0]!).readUInt32BE(0), ours);
    assert.equal(r.list()[0]!.children.length, 0);
  });
});

// ---------------------------------------------------------------------------------------------
// EAP relayed to an in-process RADIUS server, the group constraint and the config switch.

const EAP_CONF = `
conn rw-allow
     rightgroups=allow
     leftsubnet=10.1.0.0/16
     also=rw-eap
     auto=add

conn rw-isolate
     rightgroups=isolate
     leftsubnet=10.2.0.0/16
     also=rw-eap
     auto=add

conn rw-eap
     left=192.168.0.1
     leftid=@moon.strongswan.org
     leftauth=eap-ttls
     rightauth=eap-radius
     rightid=*@strongswan.org
     right=%any
     rightsourceip=10.3.0.0/24
     ike=aes128-sha256-ecp256!
     esp=aes128gcm16!
`;
const eapPeers = resolveIpsecConf(parseIpsecConf(EAP_CONF, 'ipsec.conf'), 'ipsec.conf').peers;
const RADIUS_SECRET = 'unit-radius';
const MSK = randomBytes(64);

function eapPacket(code: number, id: number, type?: number, data = Buffer.alloc(0)): Buffer {
  const len = 4 + (type === undefined ? 0 : 1 + data.length);
  const b = Buffer.alloc(len);
  b[0] = code;
  b[1] = id;
  b.writeUInt16BE(len, 2);
  if (type !== undefined) {
    b[4] = type;
    data.copy(b, 5);
  }
  return b;
}

describe('responder: IKE_AUTH with EAP relayed to RADIUS, group constraint and config switch', () => {
  let radius: RadiusServer;
  let radiusPort = 0;
  let group = 'isolate';

  before(async () => {
    radius = new RadiusServer({
      auth: { address: '127.0.0.1', port: 0 },
      clients: [{ name: 'moon', address: '127.0.0.1', secret: RADIUS_SECRET, requireMessageAuthenticator: true }],
      handler: {
        access: (req) => {
          const eap = joinEapMessage(req.packet.attributes)!;
          if (eap[4] === 1) return { code: PacketCode.AccessChallenge, attributes: [{ type: AttributeType.EAPMessage, value: eapPacket(1, eap[1]! + 1, 4, Buffer.alloc(17, 3)) }, { type: AttributeType.State, value: Buffer.from('s1') }] };
          return {
            code: PacketCode.AccessAccept,
            attributes: [
              { type: AttributeType.EAPMessage, value: eapPacket(3, eap[1]!) },
              { type: AttributeType.FilterId, value: Buffer.from(group) },
              { type: AttributeType.TunnelType, value: encodeTaggedInteger(0, 9) },
              ...mppeKeyAttributes(MSK, RADIUS_SECRET, req.packet.authenticator),
            ],
          };
        },
        accounting: () => null,
      },
    });
    radiusPort = (await radius.listen()).auth.port;
  });
  after(() => radius.close());

  async function run(eapOnly = true) {
    const msgs: string[] = [];
    const log: ResponderLogger = { info: (_o, m) => msgs.push(m), warn: (_o, m) => msgs.push(m), debug: () => undefined, error: (_o, m) => msgs.push(m) };
    const pool = new RadiusServerPool({ servers: [{ address: '127.0.0.1', port: radiusPort, secret: RADIUS_SECRET }], timeoutMs: 500, tries: 2 });
    const events: ResponderEvent[] = [];
    const { r, sent } = responder({ configs: eapPeers, log, radius: pool, onEvent: (e) => events.push(e) });
    const i = new Initiator();
    await r.receive(i.init(), MOON, CAROL, false);
    i.accept(sent[0]!.packet);
    const first = i.authPayloads(PSK, 'dave@strongswan.org').filter((p) => p.type !== PayloadType.AUTH);
    if (eapOnly) first.push({ type: PayloadType.Notify, protocolId: 0, spi: new Uint8Array(0), notifyType: NotifyType.EAP_ONLY_AUTHENTICATION, data: new Uint8Array(0) });
    const exchange = async (payloads: IkePayload[]) => {
      await r.receive(i.request(ExchangeType.IKE_AUTH, payloads), MOON, CAROL, false);
      return i.open(sent[sent.length - 1]!.packet);
    };
    return { r, i, msgs, pool, exchange, first, events };
  }

  it('dave (Filter-Id isolate with Tunnel-Type ESP) is switched from rw-allow to rw-isolate; the MSK-based AUTH verifies both ways', async () => {
    group = 'isolate';
    const { r, i, msgs, pool, exchange, first, events } = await run();
    const a1 = await exchange(first);
    assert.deepEqual(a1.map((p) => p.type), [PayloadType.IDr, PayloadType.EAP], 'EAP-only: no AUTH before EAP (RFC 5998)');
    const reqId = (a1[1] as { message: Uint8Array }).message;
    assert.equal(reqId[4], 1, 'EAP-Request/Identity');
    const a2 = await exchange([{ type: PayloadType.EAP, message: eapPacket(2, reqId[1]!, 1, Buffer.from('dave@strongswan.org')) }]);
    const md5 = (a2[0] as { message: Uint8Array }).message;
    assert.equal(md5[4], 4, 'the RADIUS server\'s EAP-MD5 request relayed');
    const a3 = await exchange([{ type: PayloadType.EAP, message: eapPacket(2, md5[1]!, 4, Buffer.alloc(17, 9)) }]);
    assert.equal((a3[0] as { message: Uint8Array }).message[0], 3, 'EAP-Success');
    const idi = Buffer.concat([Buffer.from([IdType.RFC822_ADDR, 0, 0, 0]), Buffer.from('dave@strongswan.org')]);
    const octetsI = signedOctets({ prf: 'hmac-sha2-256', skP: i.keys.skPi, realMessage: i.initRequest, peerNonce: i.nr, idPayloadBody: idi });
    const a4 = await exchange([{ type: PayloadType.AUTH, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: sharedKeyAuth('hmac-sha2-256', MSK, octetsI) }]);
    pool.close();
    assert.deepEqual(a4.map((p) => p.type), [PayloadType.AUTH, PayloadType.CP, PayloadType.SA, PayloadType.TSi, PayloadType.TSr]);
    const idr = Buffer.concat([Buffer.from([IdType.FQDN, 0, 0, 0]), Buffer.from('moon.strongswan.org')]);
    const octetsR = signedOctets({ prf: 'hmac-sha2-256', skP: i.keys.skPr, realMessage: i.initResponse, peerNonce: i.ni, idPayloadBody: idr });
    assert.ok(verifySharedKeyAuth('hmac-sha2-256', MSK, octetsR, (a4[0] as { data: Uint8Array }).data), 'moon\'s AUTH is derived from the MSK');
    const tsr = a4[4] as unknown as { selectors: { startAddress: Uint8Array }[] };
    assert.deepEqual([...tsr.selectors[0]!.startAddress], [10, 2, 0, 0], 'rw-isolate\'s leftsubnet');
    const expected = [
      `received RADIUS attribute Filter-Id: 'isolate'`,
      `RADIUS authentication of 'dave@strongswan.org' successful`,
      'EAP method EAP_MD5 succeeded, MSK established',
      `authentication of 'dave@strongswan.org' with EAP successful`,
      `constraint check failed: group membership to 'allow' required`,
      `selected peer config 'rw-allow' inacceptable: constraint checking failed`,
      `switching to peer config 'rw-isolate'`,
    ];
    let at = -1;
    for (const e of expected) {
      const k = msgs.indexOf(e, at + 1);
      assert.ok(k > at, `"${e}" after the previous event:\n${msgs.join('\n')}`);
      at = k;
    }
    assert.ok(msgs.some((m) => /^IKE_SA rw-isolate\[\d+\] established between 192\.168\.0\.1\[moon\.strongswan\.org\]\.\.\.192\.168\.0\.100\[dave@strongswan\.org\]$/.test(m)), msgs.join('\n'));
    assert.deepEqual(r.list()[0]!.groups, ['isolate']);
    const typed = events.filter((e) => e.type !== 'dropped').map((e) => (e.type === 'config-switched' ? `${e.type}:${e.from}->${e.to}` : e.type));
    assert.deepEqual(typed, ['config-switched:rw-allow->rw-isolate', 'ike-established', 'child-installed']);
  });

  it('a group no config accepts: AUTHENTICATION_FAILED after the EAP success', async () => {
    group = 'quarantine';
    const { r, i, msgs, pool, exchange, first } = await run();
    const a1 = await exchange(first);
    const reqId = (a1[1] as { message: Uint8Array }).message;
    const a2 = await exchange([{ type: PayloadType.EAP, message: eapPacket(2, reqId[1]!, 1, Buffer.from('dave@strongswan.org')) }]);
    const md5 = (a2[0] as { message: Uint8Array }).message;
    await exchange([{ type: PayloadType.EAP, message: eapPacket(2, md5[1]!, 4, Buffer.alloc(17, 9)) }]);
    const idi = Buffer.concat([Buffer.from([IdType.RFC822_ADDR, 0, 0, 0]), Buffer.from('dave@strongswan.org')]);
    const octetsI = signedOctets({ prf: 'hmac-sha2-256', skP: i.keys.skPi, realMessage: i.initRequest, peerNonce: i.nr, idPayloadBody: idi });
    const a4 = await exchange([{ type: PayloadType.AUTH, method: AuthMethod.SHARED_KEY_MESSAGE_INTEGRITY_CODE, data: sharedKeyAuth('hmac-sha2-256', MSK, octetsI) }]);
    pool.close();
    assert.deepEqual(a4.map((p) => (p as { notifyType?: number }).notifyType), [NotifyType.AUTHENTICATION_FAILED]);
    assert.ok(msgs.includes('no alternative config found'), msgs.join('\n'));
    assert.equal(r.sas.size, 0);
  });

  it('leftauth=eap-ttls without the initiator\'s EAP_ONLY_AUTHENTICATION: AUTHENTICATION_FAILED (RFC 5998 2)', async () => {
    const { pool, exchange, first } = await run(false);
    const a1 = await exchange(first);
    pool.close();
    assert.deepEqual(a1.map((p) => (p as { notifyType?: number }).notifyType), [NotifyType.AUTHENTICATION_FAILED]);
  });
});
