/**
 * IKE header and payload chain (RFC 7296 s3.1, s3.2): a message built from the bit diagrams, the
 * generic payload header rules (Critical bit, unknown payloads, SK last), the bounds, and the
 * lookup helpers the responder uses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeIkeHeader,
  decodeIkeMessage,
  decodePayloadChain,
  encodeIkeMessage,
  encodePayloadChain,
  ExchangeType,
  exchangeTypeName,
  findNotifies,
  findNotify,
  findPayload,
  findPayloads,
  firstPayloadType,
  IKE_LIMITS,
  IkeDecodeError,
  IkeEncodeError,
  isErrorNotify,
  notify,
  notifyTypeName,
  NotifyType,
  payloadTypeName,
  PayloadType,
  transformIdName,
  TransformType,
  type IkeHeaderInit,
  type IkePayload,
} from '../ike/index.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function rejects(fn: () => unknown, check: (e: IkeDecodeError) => void): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof IkeDecodeError, `expected IkeDecodeError, got ${String(err)}`);
    check(err);
    return true;
  });
}

const NONCE = '5a'.repeat(16);
/** IKE_SA_INIT-shaped request: header, Nonce (40), Notify (41) NAT_DETECTION_SOURCE_IP. */
const MESSAGE = hex(`
  0102030405060708 0000000000000000
  28 20 22 08 00000000 0000003c
  29 00 0014 ${NONCE}
  00 00 000c 00004004 aabbccdd`);

const HEADER: IkeHeaderInit = {
  initiatorSpi: hex('0102030405060708'),
  responderSpi: new Uint8Array(8),
  exchangeType: ExchangeType.IKE_SA_INIT,
  initiator: true,
  response: false,
  messageId: 0,
};

describe('IKE header (RFC 7296 s3.1)', () => {
  it('reads SPIs, Next Payload, version 2.0, exchange, flags, Message ID and Length', () => {
    const h = decodeIkeHeader(MESSAGE);
    assert.deepEqual(h, {
      initiatorSpi: new Uint8Array(hex('0102030405060708')),
      responderSpi: new Uint8Array(8),
      nextPayload: PayloadType.Nonce,
      majorVersion: 2,
      minorVersion: 0,
      exchangeType: ExchangeType.IKE_SA_INIT,
      initiator: true,
      version: false,
      response: false,
      messageId: 0,
      length: 60,
    });
  });

  it('reads the R and V flags and a large Message ID; ignores the X bits', () => {
    const buf = Buffer.from(MESSAGE);
    buf[19] = 0x20 | 0x10 | 0xc7;
    buf.writeUInt32BE(0xfffffffe, 20);
    const h = decodeIkeHeader(buf);
    assert.deepEqual([h.response, h.version, h.initiator, h.messageId], [true, true, false, 0xfffffffe]);
  });

  it('is TRUNCATED below 28 octets', () => {
    rejects(() => decodeIkeHeader(MESSAGE.subarray(0, 27)), (e) => assert.deepEqual([e.code, e.offset], ['TRUNCATED', 27]));
  });
});

describe('IKE message (RFC 7296 s3.1, s3.2)', () => {
  it('decodes the byte table and encodes the same bytes from header fields and payloads', () => {
    const m = decodeIkeMessage(MESSAGE);
    assert.deepEqual(m.payloads, [
      { type: PayloadType.Nonce, data: new Uint8Array(hex(NONCE)) },
      notify(NotifyType.NAT_DETECTION_SOURCE_IP, new Uint8Array(hex('aabbccdd'))),
    ]);
    assert.deepEqual(Buffer.from(m.raw), MESSAGE);
    assert.deepEqual(encodeIkeMessage(HEADER, m.payloads), MESSAGE);
    assert.deepEqual(encodeIkeMessage(m.header, m.payloads), MESSAGE);
  });

  it('reports another Major Version as BAD_VERSION with the header attached (s2.5 INVALID_MAJOR_VERSION)', () => {
    const buf = Buffer.from(MESSAGE);
    buf[17] = 0x30;
    rejects(
      () => decodeIkeMessage(buf),
      (e) => {
        assert.deepEqual([e.code, e.offset, e.majorVersion, e.minorVersion], ['BAD_VERSION', 17, 3, 0]);
        assert.deepEqual(e.header?.initiatorSpi, new Uint8Array(hex('0102030405060708')));
      },
    );
  });

  it('accepts any Minor Version ("MUST ignore")', () => {
    const buf = Buffer.from(MESSAGE);
    buf[17] = 0x21;
    assert.equal(decodeIkeMessage(buf).header.minorVersion, 1);
  });

  it('checks the Length against the datagram and the maximum size', () => {
    const code = (buf: Buffer): [string, number] => {
      try {
        decodeIkeMessage(buf);
      } catch (e) {
        assert.ok(e instanceof IkeDecodeError);
        assert.ok(e.header, 'header attached');
        return [e.code, e.offset];
      }
      return ['none', -1];
    };
    assert.deepEqual(code(Buffer.concat([MESSAGE, hex('00')])), ['BAD_LENGTH', 24]);
    assert.deepEqual(code(MESSAGE.subarray(0, 59)), ['TRUNCATED', 59]);
    const small = Buffer.from(MESSAGE);
    small.writeUInt32BE(27, 24);
    assert.deepEqual(code(small), ['BAD_LENGTH', 24]);
    const huge = Buffer.from(MESSAGE);
    huge.writeUInt32BE(IKE_LIMITS.maxMessageSize + 1, 24);
    assert.deepEqual(code(huge), ['MESSAGE_TOO_LARGE', 24]);
  });

  it('rejects a Payload Length below 4 or past the end, and octets after the last payload', () => {
    const short = Buffer.from(MESSAGE);
    short.writeUInt16BE(3, 30);
    rejects(() => decodeIkeMessage(short), (e) => assert.deepEqual([e.code, e.offset], ['BAD_LENGTH', 30]));
    const long = Buffer.from(MESSAGE);
    long.writeUInt16BE(13, 50);
    rejects(() => decodeIkeMessage(long), (e) => assert.deepEqual([e.code, e.offset], ['BAD_LENGTH', 50]));
    const trailing = Buffer.concat([MESSAGE, hex('0000')]);
    trailing.writeUInt32BE(trailing.length, 24);
    rejects(() => decodeIkeMessage(trailing), (e) => assert.deepEqual([e.code, e.offset], ['BAD_LENGTH', 60]));
  });

  it('keeps an unknown payload whose Critical bit is clear, and re-encodes it', () => {
    const chain = hex('00 00 0008 aabbccdd');
    const payloads = decodePayloadChain(99, chain, 28);
    assert.deepEqual(payloads, [{ type: 'unknown', payloadType: 99, data: new Uint8Array(hex('aabbccdd')) }]);
    assert.deepEqual(encodePayloadChain(payloads), chain);
    assert.equal(firstPayloadType(payloads), 99);
  });

  it('rejects an unknown payload with the Critical bit: UNSUPPORTED_CRITICAL_PAYLOAD with its type (s2.5)', () => {
    const buf = Buffer.from(MESSAGE);
    buf[28] = 99; // Nonce's Next Payload -> unknown type 99 instead of Notify
    buf[49] = 0x80; // Critical bit of the following payload
    rejects(
      () => decodeIkeMessage(buf),
      (e) => {
        assert.deepEqual([e.code, e.offset, e.payloadType], ['UNSUPPORTED_CRITICAL_PAYLOAD', 48, 99]);
        assert.ok(e.header);
      },
    );
    // "MUST be ignored by the recipient if the recipient understands the payload type code"
    const known = Buffer.from(MESSAGE);
    known[49] = 0x80;
    assert.equal(decodeIkeMessage(known).payloads[1]!.critical, true);
    assert.deepEqual(encodeIkeMessage(HEADER, decodeIkeMessage(known).payloads), known);
  });

  it('an SK payload ends the chain, keeps the inner first type and must be last (s3.14)', () => {
    const payloads: IkePayload[] = [{ type: PayloadType.SK, firstPayload: PayloadType.IDi, body: hex('00112233') }];
    const bytes = encodeIkeMessage({ ...HEADER, exchangeType: ExchangeType.IKE_AUTH, messageId: 1 }, payloads);
    assert.equal(bytes[16], PayloadType.SK);
    assert.equal(bytes[28], PayloadType.IDi, 'SK Next Payload = first inner payload');
    assert.deepEqual(decodeIkeMessage(bytes).payloads, [{ ...payloads[0], body: new Uint8Array(hex('00112233')) }]);
    const notLast = Buffer.concat([bytes, hex('00000004')]);
    notLast.writeUInt32BE(notLast.length, 24);
    rejects(() => decodeIkeMessage(notLast), (e) => assert.deepEqual([e.code, e.offset], ['ENCRYPTED_NOT_LAST', 28]));
    assert.throws(() => encodePayloadChain([...payloads, notify(NotifyType.COOKIE)]), IkeEncodeError);
  });

  it('bounds the number of payloads', () => {
    const many: IkePayload[] = Array.from({ length: IKE_LIMITS.maxPayloads + 1 }, () => ({ type: PayloadType.VendorID, data: new Uint8Array(1) }));
    const bytes = encodeIkeMessage(HEADER, many);
    rejects(() => decodeIkeMessage(bytes), (e) => assert.equal(e.code, 'TOO_MANY_PAYLOADS'));
    assert.equal(decodeIkeMessage(encodeIkeMessage(HEADER, many.slice(1))).payloads.length, IKE_LIMITS.maxPayloads);
  });

  it('refuses to encode a message above the maximum size or with bad header fields', () => {
    const big: IkePayload[] = Array.from({ length: 2 }, () => ({ type: PayloadType.VendorID, data: new Uint8Array(40_000) }));
    assert.throws(() => encodeIkeMessage(HEADER, big), (e: unknown) => e instanceof IkeEncodeError && e.code === 'MESSAGE_TOO_LARGE');
    assert.throws(() => encodeIkeMessage({ ...HEADER, initiatorSpi: new Uint8Array(4) }, []), IkeEncodeError);
    assert.throws(() => encodeIkeMessage({ ...HEADER, messageId: 2 ** 32 }, []), IkeEncodeError);
  });

  it('an empty message has Next Payload 0 and Length 28', () => {
    const bytes = encodeIkeMessage({ ...HEADER, exchangeType: ExchangeType.INFORMATIONAL, response: true }, []);
    assert.equal(bytes.length, 28);
    assert.equal(bytes[16], 0);
    assert.equal(bytes[19], 0x28);
    assert.deepEqual(decodeIkeMessage(bytes).payloads, []);
  });
});

describe('IKE lookup helpers and names', () => {
  const payloads: IkePayload[] = [
    notify(NotifyType.NAT_DETECTION_SOURCE_IP, new Uint8Array([1])),
    { type: PayloadType.Nonce, data: new Uint8Array(16) },
    notify(NotifyType.NAT_DETECTION_SOURCE_IP, new Uint8Array([2])),
    { type: PayloadType.TSi, selectors: [] },
    { type: PayloadType.TSr, selectors: [] },
  ];

  it('findPayload / findPayloads / findNotify / findNotifies', () => {
    assert.equal(findPayload(payloads, PayloadType.Nonce)?.data.length, 16);
    assert.equal(findPayload(payloads, PayloadType.SA), undefined);
    assert.equal(findPayload(payloads, PayloadType.TSr)?.type, PayloadType.TSr);
    assert.equal(findPayloads(payloads, PayloadType.Notify).length, 2);
    assert.deepEqual(findNotify(payloads, NotifyType.NAT_DETECTION_SOURCE_IP)?.data, new Uint8Array([1]));
    assert.equal(findNotifies(payloads, NotifyType.NAT_DETECTION_SOURCE_IP).length, 2);
    assert.equal(findNotify(payloads, NotifyType.COOKIE), undefined);
  });

  it('IANA names and error/status split', () => {
    assert.equal(exchangeTypeName(35), 'IKE_AUTH');
    assert.equal(payloadTypeName(53), 'SKF');
    assert.equal(notifyTypeName(16417), 'EAP_ONLY_AUTHENTICATION');
    assert.equal(notifyTypeName(16431), 'SIGNATURE_HASH_ALGORITHMS');
    assert.equal(notifyTypeName(12345), undefined);
    assert.equal(transformIdName(TransformType.DH, 31), 'CURVE25519');
    assert.equal(transformIdName(TransformType.ENCR, 20), 'AES_GCM_16');
    assert.equal(isErrorNotify(NotifyType.NO_PROPOSAL_CHOSEN), true);
    assert.equal(isErrorNotify(NotifyType.INITIAL_CONTACT), false);
  });
});
