/**
 * RFC 5176 client (pdp/admin/dynamic-authorization.ts) against a NAS stand-in on loopback: the
 * request's wire form (Request Authenticator over 16 zero octets, Message-Authenticator,
 * identification attributes, Event-Timestamp), ACK and NAK with Error-Cause, retransmission with
 * the same Identifier and bytes, replies signed with a wrong secret ignored, timeout.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { AttributeType, PacketCode, decodePacket, getAttribute, signResponse, verifyRequest, type RadiusAttribute } from '../../radius/index.js';
import { DynamicAuthorizationClient, sessionAttributes } from '../admin/dynamic-authorization.js';
import { errorCauseName } from '../admin/error-cause.js';

const SECRET = 'nas-dae-secret';

/** A NAS's DAE server: `answer` decides what to do with each request (undefined: stay silent). */
function fakeNas(answer: (raw: Buffer, n: number) => { code: number; attributes?: RadiusAttribute[]; secret?: string } | undefined) {
  const socket = dgram.createSocket('udp4');
  const received: Buffer[] = [];
  socket.on('message', (raw, rinfo) => {
    received.push(raw);
    const a = answer(raw, received.length);
    if (!a) return;
    const reply = signResponse({ code: a.code, identifier: raw[1]!, requestAuthenticator: raw.subarray(4, 20), attributes: a.attributes ?? [], secret: a.secret ?? SECRET });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  const ready = new Promise<number>((r) => socket.bind(0, '127.0.0.1', () => r(socket.address().port)));
  return { socket, received, ready };
}

const u32 = (type: number, v: number): RadiusAttribute => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return { type, value: b };
};

describe('RFC 5176 dynamic authorization client', () => {
  const sockets: dgram.Socket[] = [];
  let dae: DynamicAuthorizationClient;
  before(() => {
    dae = new DynamicAuthorizationClient({ timeoutMs: 150, tries: 3, now: () => 1_700_000_000 });
  });
  after(() => {
    dae.close();
    for (const s of sockets) s.close();
  });

  it('sends a signed Disconnect-Request identifying the session and returns the Disconnect-ACK', async () => {
    const nas = fakeNas(() => ({ code: PacketCode.DisconnectACK }));
    sockets.push(nas.socket);
    const port = await nas.ready;
    const r = await dae.disconnect({ name: 'moon', address: '127.0.0.1', port, secret: SECRET, nasIdentifier: 'moon' }, { userName: 'carol@strongswan.org', acctSessionId: 'A1', callingStationId: '192.168.0.100[4500]', framedIp: '10.3.0.1' });
    assert.deepEqual(r, { nas: 'moon', request: 'Disconnect-Request', outcome: 'ack', tries: 1 });
    const raw = nas.received[0]!;
    assert.equal(raw[0], PacketCode.DisconnectRequest);
    // RFC 5176 section 2.3: the Request Authenticator is MD5 over the packet with 16 zero octets;
    // section 3.4: the Message-Authenticator is computed first, over the zero authenticator.
    const check = verifyRequest(raw, SECRET);
    assert.equal(check.authenticator, 'valid');
    assert.equal(check.messageAuthenticator, 'valid');
    assert.equal(verifyRequest(raw, 'another secret').valid, false);
    const p = decodePacket(raw);
    assert.equal(getAttribute(p, AttributeType.UserName)?.toString(), 'carol@strongswan.org');
    assert.equal(getAttribute(p, AttributeType.NASIdentifier)?.toString(), 'moon');
    assert.equal(getAttribute(p, AttributeType.AcctSessionId)?.toString(), 'A1');
    assert.equal(getAttribute(p, AttributeType.CallingStationId)?.toString(), '192.168.0.100[4500]');
    assert.deepEqual([...getAttribute(p, AttributeType.FramedIPAddress)!], [10, 3, 0, 1]);
    assert.equal(getAttribute(p, AttributeType.EventTimestamp)?.readUInt32BE(0), 1_700_000_000);
  });

  it('returns a CoA-NAK with its Error-Cause, and the CoA-Request carries Session-Timeout', async () => {
    const nas = fakeNas(() => ({ code: PacketCode.CoANAK, attributes: [u32(AttributeType.ErrorCause, 503)] }));
    sockets.push(nas.socket);
    const port = await nas.ready;
    const r = await dae.coa({ name: 'moon', address: '127.0.0.1', port, secret: SECRET }, { userName: 'dave' }, { sessionTimeout: 5 });
    assert.equal(r.outcome, 'nak');
    assert.equal(r.errorCause, 503);
    assert.equal(r.errorCauseName, 'Session Context Not Found');
    const p = decodePacket(nas.received[0]!);
    assert.equal(p.code, PacketCode.CoARequest);
    assert.equal(getAttribute(p, AttributeType.SessionTimeout)?.readUInt32BE(0), 5);
  });

  it('retransmits the same bytes with the same Identifier until the NAS answers', async () => {
    const nas = fakeNas((_, n) => (n < 3 ? undefined : { code: PacketCode.DisconnectNAK }));
    sockets.push(nas.socket);
    const port = await nas.ready;
    const r = await dae.disconnect({ name: 'moon', address: '127.0.0.1', port, secret: SECRET }, { userName: 'carol' });
    assert.equal(r.outcome, 'nak');
    assert.equal(r.tries, 3);
    assert.equal(nas.received.length, 3);
    assert.ok(nas.received.every((b) => b.equals(nas.received[0]!)), 'retransmissions are byte-identical');
  });

  it('ignores a reply signed with another secret (and the wrong reply code) and times out', async () => {
    const nas = fakeNas((_, n) => (n % 2 ? { code: PacketCode.DisconnectACK, secret: 'not the secret' } : { code: PacketCode.CoAACK }));
    sockets.push(nas.socket);
    const port = await nas.ready;
    const r = await dae.disconnect({ name: 'moon', address: '127.0.0.1', port, secret: SECRET }, { userName: 'carol' });
    assert.deepEqual(r, { nas: 'moon', request: 'Disconnect-Request', outcome: 'timeout', tries: 3 });
  });

  it('refuses bad identification before sending', () => {
    assert.throws(() => sessionAttributes({ userName: '' }), /userName/);
    assert.throws(() => sessionAttributes({ userName: 'x', framedIp: '::1' }), /framedIp/);
    assert.throws(() => dae.coa({ name: 'n', address: '127.0.0.1', secret: 's' }, { userName: 'x' }, { sessionTimeout: 0 }), /sessionTimeout/);
    assert.equal(errorCauseName(999), 'Error-Cause 999');
  });
});
