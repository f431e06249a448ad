/**
 * The EAP side of the captures of the real peers (radius/test/vectors/captures/, README.md there):
 * eapol_test 2.10 and strongSwan 5.9 (carol through moon's eap-radius) doing EAP-TTLS with our PDP
 * and, for comparison, with FreeRADIUS 3.2. The RADIUS side of the same datagrams is checked in
 * radius/test/captures.test.ts; here, for every EAP packet joined from EAP-Message:
 *
 * - decodeEapPacket then encodeEapPacket gives back the exact octets (RFC 3748 section 4);
 * - the EAP Code fits the RADIUS Code and the Identifiers pair up (RFC 3748 sections 4.1, 4.2);
 * - EAP-TTLS frames (RFC 5281 section 9.1) decode; fragments (section 9.2.2) carry L on the first
 *   fragment, M on all but the last, and each is answered by an ACK; reassembled, the TLS data is a
 *   run of whole TLS records, the first server flight opening with a TLS 1.2 handshake record
 *   (16 03 03) holding a ServerHello, the peer's first flight with a ClientHello;
 * - the Access-Accept carrying EAP-Success carries MS-MPPE keys that decrypt to 32 octets each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttributeType, PacketCode, decodeMppeKeys, decodePacket, getAttribute, joinEapMessage } from '../../../radius/index.js';
import { loadCaptures, requestOf, type CapturedPacket, type CaptureScenario } from '../../../radius/test/vectors/captures/index.js';
import { EapCode, EapType, decodeEapPacket, encodeEapPacket, type EapPacket } from '../index.js';
import { decodeTtlsFrame, isTtlsAck, TTLS_VERSION, type TtlsFrame } from '../ttls/flags.js';

const TLS_CONTENT_TYPES: ReadonlySet<number> = new Set([20, 21, 22, 23]); // change_cipher_spec, alert, handshake, application_data
const TLS_HANDSHAKE = 22;
const CLIENT_HELLO = 1;
const SERVER_HELLO = 2;

interface EapItem {
  readonly captured: CapturedPacket;
  readonly where: string;
  readonly bytes: Buffer;
  readonly eap: EapPacket;
  /** The EAP-TTLS frame of a TTLS Request/Response. */
  readonly ttls?: TtlsFrame;
}

function eapItems(s: CaptureScenario): EapItem[] {
  const items: EapItem[] = [];
  for (const captured of s.packets) {
    const bytes = joinEapMessage(decodePacket(captured.bytes).attributes);
    if (!bytes) continue;
    const eap = decodeEapPacket(bytes);
    const where = `${s.dir}/${captured.file}`;
    const ttls = eap.type === EapType.TTLS ? decodeTtlsFrame(eap.data) : undefined;
    items.push(ttls ? { captured, where, bytes, eap, ttls } : { captured, where, bytes, eap });
  }
  return items;
}

/** The EAP Code each RADIUS Code carries (RFC 3579 section 2). */
const EAP_CODE_FOR: ReadonlyMap<number, number> = new Map([
  [PacketCode.AccessRequest, EapCode.Response],
  [PacketCode.AccessChallenge, EapCode.Request],
  [PacketCode.AccessAccept, EapCode.Success],
  [PacketCode.AccessReject, EapCode.Failure],
]);

interface TlsMessage {
  readonly data: Buffer;
  readonly fragments: readonly { readonly item: EapItem; readonly frame: TtlsFrame }[];
}

/**
 * Reassembles the TLS data one side sent (RFC 5281 section 9.2.2): fragments with M are joined
 * up to the first without M. ACKs and the Start packet carry no TLS data and are skipped.
 */
function reassemble(items: readonly EapItem[]): TlsMessage[] {
  const messages: TlsMessage[] = [];
  let pending: { item: EapItem; frame: TtlsFrame }[] = [];
  for (const item of items) {
    const frame = item.ttls;
    if (!frame || frame.start || isTtlsAck(frame)) continue;
    pending.push({ item, frame });
    if (frame.moreFragments) continue;
    messages.push({ data: Buffer.concat(pending.map((f) => f.frame.data)), fragments: pending });
    pending = [];
  }
  assert.equal(pending.length, 0, `fragments without a last one: ${pending.map((f) => f.item.where).join(', ')}`);
  return messages;
}

/** Walks TLS records (RFC 5246 section 6.2.1) and returns their content types; throws unless they tile `data`. */
function tlsRecords(data: Buffer, where: string): { type: number; version: number; fragment: Buffer }[] {
  const records: { type: number; version: number; fragment: Buffer }[] = [];
  let at = 0;
  while (at < data.length) {
    assert.ok(at + 5 <= data.length, `${where}: TLS record header cut at ${at}`);
    const type = data[at]!;
    const version = data.readUInt16BE(at + 1);
    const length = data.readUInt16BE(at + 3);
    assert.ok(TLS_CONTENT_TYPES.has(type), `${where}: TLS content type ${type} at ${at}`);
    assert.equal(version >> 8, 3, `${where}: TLS record version ${version.toString(16)} at ${at}`);
    assert.ok(at + 5 + length <= data.length, `${where}: TLS record of ${length} octets runs past the data at ${at}`);
    records.push({ type, version, fragment: data.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return records;
}

const captures = loadCaptures().filter((s) => s.packets.some((p) => getAttribute(decodePacket(p.bytes), AttributeType.EAPMessage)));

describe('EAP in the captures of the real peers (radius/test/vectors/captures)', () => {
  it('has EAP-TTLS conversations with eapol_test and strongSwan, for our PDP and for FreeRADIUS', () => {
    const dirs = captures.map((s) => s.dir);
    for (const name of ['eapol-ttls-md5-tls12', 'eapol-ttls-pap-tls12', 'eapol-ttls-md5-tls12-frag200', 'strongswan-gateway-ttls-md5']) {
      assert.ok(dirs.includes(name), `missing ${name}`);
      assert.ok(dirs.includes(`freeradius-${name}`), `missing freeradius-${name}`);
    }
  });

  for (const s of captures) {
    describe(s.dir, () => {
      const items = eapItems(s);
      const fromPeer = items.filter((i) => i.captured.direction === 'client-to-server');
      const fromServer = items.filter((i) => i.captured.direction === 'server-to-client');

      it('every EAP packet decodes and encodes back to the same octets', () => {
        for (const i of items) assert.deepEqual(encodeEapPacket(i.eap), i.bytes, i.where);
      });

      it('EAP Codes fit the RADIUS Codes; one conversation from Identity to Success', () => {
        for (const i of items) assert.equal(i.eap.code, EAP_CODE_FOR.get(i.captured.code), `${i.where}: EAP Code ${i.eap.code}`);
        const first = items[0];
        assert.ok(first && first.eap.code === EapCode.Response && first.eap.type === EapType.Identity, `${s.dir}: starts with Response/Identity`);
        assert.equal(first.eap.data.toString('utf8'), s.user.name, `${first.where}: identity`);
        assert.equal(items.filter((i) => i.eap.type === EapType.Identity).length, 1, `${s.dir}: one Identity`);
        assert.equal(items.at(-1)?.eap.code, EapCode.Success, `${s.dir}: ends with Success`);
        for (const i of items.slice(1, -1)) assert.equal(i.eap.type, EapType.TTLS, `${i.where}: EAP-TTLS`);
      });

      it('Identifiers: a Response echoes its Request, each Request takes a new one, Success echoes the last Response', () => {
        let lastRequest: EapItem | undefined;
        let lastResponse: EapItem | undefined;
        for (const i of items) {
          if (i.eap.code === EapCode.Request) {
            if (lastRequest) assert.notEqual(i.eap.identifier, lastRequest.eap.identifier, `${i.where}: Identifier not changed`);
            lastRequest = i;
          } else if (i.eap.code === EapCode.Response) {
            if (lastRequest) assert.equal(i.eap.identifier, lastRequest.eap.identifier, `${i.where}: Response to ${lastRequest.where}`);
            lastResponse = i;
          } else {
            assert.equal(i.eap.identifier, lastResponse?.eap.identifier, `${i.where}: Success/Failure Identifier`);
          }
        }
      });

      it('EAP-TTLS frames: version 0, Start only in the first Request, L with the total on first fragments, an ACK for every fragment', () => {
        const ttls = items.filter((i) => i.ttls);
        for (const i of ttls) assert.equal(i.ttls?.version, TTLS_VERSION, `${i.where}: version`);
        const starts = ttls.filter((i) => i.ttls?.start);
        assert.deepEqual(starts, ttls.slice(0, 1), `${s.dir}: S only in the first EAP-TTLS packet`);
        assert.equal(starts[0]?.captured.direction, 'server-to-client');
        assert.equal(starts[0]?.ttls?.data.length, 0, `${starts[0]?.where}: Start without data`);

        for (const [side, own] of [['peer', fromPeer], ['server', fromServer]] as const) {
          for (const message of reassemble(own)) {
            const [first, ...rest] = message.fragments;
            assert.ok(first);
            const w = `${side} message ${first.item.where}`;
            // The first fragment of a fragmented message carries L and the total Message Length.
            if (rest.length > 0) assert.ok(first.frame.lengthIncluded, `${w}: L on the first fragment`);
            for (const f of message.fragments) {
              if (f.frame.messageLength !== undefined) assert.equal(f.frame.messageLength, message.data.length, `${f.item.where}: Message Length`);
            }
            // Every fragment but the last is answered by an ACK from the other side.
            for (const f of message.fragments.slice(0, -1)) {
              const next = items[items.indexOf(f.item) + 1];
              assert.ok(next?.ttls && isTtlsAck(next.ttls), `${f.item.where}: the next EAP packet must be an ACK`);
              assert.notEqual(next.captured.direction, f.item.captured.direction, `${next.where}: ACK from the other side`);
            }
          }
        }
      });

      it('reassembled TLS data: whole records; the server flight opens with 16 03 03 and a ServerHello, the peer with a ClientHello', () => {
        const peerMessages = reassemble(fromPeer);
        const serverMessages = reassemble(fromServer);
        assert.ok(peerMessages.length >= 2 && serverMessages.length >= 2, `${s.dir}: TLS flights`);
        for (const m of [...peerMessages, ...serverMessages]) tlsRecords(m.data, m.fragments[0]?.item.where ?? s.dir);

        const serverFlight = serverMessages[0]!;
        const sw = `${serverFlight.fragments[0]?.item.where}: first server flight`;
        assert.deepEqual([...serverFlight.data.subarray(0, 3)], [0x16, 0x03, 0x03], `${sw} starts with a TLS 1.2 handshake record`);
        const serverRecords = tlsRecords(serverFlight.data, sw);
        assert.ok(serverRecords.every((r) => r.type === TLS_HANDSHAKE), `${sw}: handshake records only`);
        assert.equal(serverRecords[0]?.fragment[0], SERVER_HELLO, `${sw}: ServerHello first`);
        assert.equal(serverRecords[0]?.fragment.readUInt16BE(4), 0x0303, `${sw}: server_version TLS 1.2`);

        const clientFlight = peerMessages[0]!;
        const cw = `${clientFlight.fragments[0]?.item.where}: first peer flight`;
        const clientRecords = tlsRecords(clientFlight.data, cw);
        assert.equal(clientRecords[0]?.type, TLS_HANDSHAKE, cw);
        assert.equal(clientRecords[0]?.fragment[0], CLIENT_HELLO, `${cw}: ClientHello`);
        assert.equal(clientRecords[0]?.fragment.readUInt16BE(4), 0x0303, `${cw}: client_version TLS 1.2`);

        // The peer's last flight is the inner method's AVPs (PAP, or the EAP-MD5 response) as application data.
        assert.ok(tlsRecords(peerMessages.at(-1)!.data, s.dir).every((r) => r.type === 23), `${s.dir}: last peer flight is application data`);
      });

      it('the Access-Accept with EAP-Success carries MS-MPPE-Recv-Key and -Send-Key of 32 octets each', () => {
        const success = items.find((i) => i.eap.code === EapCode.Success);
        assert.ok(success, s.dir);
        assert.equal(success.captured.code, PacketCode.AccessAccept, success.where);
        const request = decodePacket(requestOf(s, success.captured).bytes);
        const keys = decodeMppeKeys(decodePacket(success.captured.bytes), s.secret, request.authenticator);
        assert.ok(keys, `${success.where}: MS-MPPE keys`);
        assert.equal(keys.recvKey.length, 32, `${success.where}: MS-MPPE-Recv-Key`);
        assert.equal(keys.sendKey.length, 32, `${success.where}: MS-MPPE-Send-Key`);
        assert.notDeepEqual(keys.recvKey, keys.sendKey, success.where);
      });
    });
  }
});
