/** RadiusServer transport behaviour over real loopback UDP (no policy: a scripted handler). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { RadiusServer, type DropEvent, type RadiusRequest } from '../server.js';
import { AttributeType, PacketCode, buildRequest, decodePacket, verifyResponse, getAttributes } from '../index.js';

const SECRET = 'transport-secret';

describe('RadiusServer', () => {
  let server: RadiusServer;
  let port = 0;
  let acctPort = 0;
  const handled: RadiusRequest[] = [];
  const drops: DropEvent[] = [];
  let mode: 'accept' | 'throw' | 'decline' = 'accept';
  let sock: dgram.Socket;

  before(async () => {
    server = new RadiusServer({
      auth: { address: '127.0.0.1', port: 0 },
      accounting: { address: '127.0.0.1', port: 0 },
      clients: [{ name: 'nas', address: '127.0.0.1', secret: SECRET, requireMessageAuthenticator: true }],
      handler: {
        access: (req) => {
          handled.push(req);
          if (mode === 'throw') throw new Error('boom');
          if (mode === 'decline') return null;
          return { code: PacketCode.AccessAccept, attributes: [{ type: AttributeType.FilterId, value: Buffer.from('allow') }] };
        },
        accounting: () => ({ code: PacketCode.AccountingResponse, attributes: [] }),
      },
    });
    server.on('dropped', (d) => drops.push(d));
    const bound = await server.listen();
    port = bound.auth.port;
    acctPort = bound.accounting!.port;
    sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  });
  after(async () => {
    sock.close();
    await server.close();
  });

  async function exchange(wire: Buffer, toPort = port, waitMs = 300): Promise<Buffer | undefined> {
    const got = once(sock, 'message').then(([m]) => m as Buffer);
    sock.send(wire, toPort, '127.0.0.1');
    return Promise.race([got, new Promise<undefined>((r) => setTimeout(() => r(undefined), waitMs))]);
  }
  const access = (id: number, extra: { type: number; value: Buffer }[] = []) =>
    buildRequest({ code: PacketCode.AccessRequest, identifier: id, secret: SECRET, attributes: [{ type: AttributeType.UserName, value: Buffer.from('carol') }, ...extra] });

  it('answers a signed Access-Request with a verified reply carrying Message-Authenticator, Proxy-State copied in order', async () => {
    mode = 'accept';
    const wire = access(1, [
      { type: AttributeType.ProxyState, value: Buffer.from('p1') },
      { type: AttributeType.ProxyState, value: Buffer.from('p2') },
    ]);
    const reply = await exchange(wire);
    assert.ok(reply);
    const v = verifyResponse(reply, wire.subarray(4, 20), SECRET);
    assert.equal(v.valid, true);
    assert.equal(v.messageAuthenticator, 'valid');
    assert.deepEqual(getAttributes(decodePacket(reply), AttributeType.ProxyState).map(String), ['p1', 'p2']);
  });

  it('a retransmission gets the byte-identical cached reply and the handler runs once', async () => {
    mode = 'accept';
    const before = handled.length;
    const wire = access(2);
    const a = await exchange(wire);
    const b = await exchange(wire);
    assert.ok(a && b);
    assert.deepEqual(a, b);
    assert.equal(handled.length - before, 1);
  });

  it('drops, with a reason event and no reply: truncated, bad lengths, wrong secret, wrong port code', async () => {
    drops.length = 0;
    const good = access(3);
    const wrongSecret = buildRequest({ code: PacketCode.AccessRequest, identifier: 4, secret: 'not-the-secret', attributes: [] });
    const badAttr = Buffer.from(good);
    badAttr[21] = 1; // first attribute Length 1
    const longLen = Buffer.from(good);
    longLen.writeUInt16BE(good.length + 10, 2);
    assert.equal(await exchange(good.subarray(0, 12)), undefined);
    assert.equal(await exchange(badAttr), undefined);
    assert.equal(await exchange(longLen), undefined);
    assert.equal(await exchange(wrongSecret), undefined);
    assert.equal(await exchange(access(5), acctPort), undefined);
    assert.deepEqual(drops.map((d) => d.reason), ['malformed', 'malformed', 'malformed', 'bad-message-authenticator', 'unexpected-code']);
  });

  it('a handler that throws or declines costs a drop event, not the server', async () => {
    drops.length = 0;
    mode = 'throw';
    assert.equal(await exchange(access(6)), undefined);
    mode = 'decline';
    assert.equal(await exchange(access(7)), undefined);
    mode = 'accept';
    assert.ok(await exchange(access(8)));
    assert.deepEqual(drops.map((d) => d.reason), ['handler-error', 'handler-declined']);
    assert.equal(server.inFlight, 0);
  });

  it('Status-Server with Message-Authenticator is answered on both ports (RFC 5997)', async () => {
    const ss = buildRequest({ code: PacketCode.StatusServer, identifier: 9, secret: SECRET, attributes: [] });
    const a = await exchange(ss);
    assert.equal(a?.[0], PacketCode.AccessAccept);
    const ss2 = buildRequest({ code: PacketCode.StatusServer, identifier: 10, secret: SECRET, attributes: [] });
    const b = await exchange(ss2, acctPort);
    assert.equal(b?.[0], PacketCode.AccountingResponse);
  });
});
