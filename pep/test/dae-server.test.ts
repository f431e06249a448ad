/**
 * The PEP's RFC 5176 Dynamic Authorization server (pep/radius-relay/dae-server.ts and
 * dynamic-authorization.ts): requests built by radius/builder.ts as a DAC builds them (the PDP's
 * pdp/admin/dynamic-authorization.ts uses the same builder), replies checked with
 * radius/builder.ts verifyResponse. Bad authenticators, unknown clients, stale timestamps are
 * dropped; unknown sessions get NAK 503; duplicates get the same bytes and no second action.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fc from 'fast-check';
import { AttributeType, PacketCode, buildRequest, decodePacket, encodeTaggedInteger, getAttribute, getAttributes, verifyResponse, type RadiusAttribute } from '../../radius/index.js';
import { DaeServer, type DaeAction, type DaeSession, type RelayLogger } from '../radius-relay/index.js';

const SECRET = 'dae-Secret-42';
const NOW = 1_700_000_000_000;

interface Line { msg: string; obj: Record<string, unknown> }
function logger(lines: Line[]): RelayLogger {
  const push = (obj: object, msg: string) => lines.push({ obj: obj as Record<string, unknown>, msg });
  return { info: push, warn: push, debug: push };
}

const sessions: DaeSession[] = [
  { uniqueId: 1, label: 'rw-allow[1]', userName: 'carol@strongswan.org', acctSessionId: '65530000-00000001', framedIps: ['10.3.0.1'], callingStationId: '192.168.0.100[4500]', accepts: (g) => g.includes('allow') },
  { uniqueId: 2, label: 'rw-isolate[2]', userName: 'dave@strongswan.org', framedIps: ['10.4.0.1'], callingStationId: '192.168.0.200[4500]', accepts: (g) => g.includes('isolate') },
];

const text = (type: number, v: string): RadiusAttribute => ({ type, value: Buffer.from(v) });
const u32 = (type: number, v: number): RadiusAttribute => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return { type, value: b };
};
const user = (n: string) => text(AttributeType.UserName, n);

function request(code: number, attributes: RadiusAttribute[], o: { id?: number; secret?: string; ma?: boolean } = {}): Buffer {
  return buildRequest({ code, identifier: o.id ?? 7, attributes, secret: o.secret ?? SECRET, addMessageAuthenticator: o.ma ?? true });
}

function server(lines: Line[], applied: DaeAction[][], extra: Partial<ConstructorParameters<typeof DaeServer>[0]> = {}): DaeServer {
  return new DaeServer({
    listen: { address: '127.0.0.1', port: 0 },
    clients: [{ address: '127.0.0.1', secret: SECRET }],
    context: () => ({ sessions, nasIdentifier: 'moon.strongswan.org', nasAddresses: ['192.168.0.1'] }),
    apply: (a) => void applied.push([...a]),
    log: logger(lines),
    now: () => NOW,
    ...extra,
  });
}

function answer(reply: Buffer | undefined, req: Buffer) {
  assert.ok(reply, 'a reply');
  const check = verifyResponse(reply, req.subarray(4, 20), SECRET);
  assert.ok(check.valid, 'reply signed with the shared secret over the request authenticator');
  const p = decodePacket(reply);
  assert.equal(p.identifier, req[1]);
  return { code: p.code, cause: getAttribute(p, AttributeType.ErrorCause)?.readUInt32BE(0), packet: p, messageAuthenticator: check.messageAuthenticator };
}

describe('RFC 5176 Dynamic Authorization server (decisions, no socket)', () => {
  const lines: Line[] = [];
  const applied: DaeAction[][] = [];
  const das = server(lines, applied);
  const handle = (raw: Buffer, port = 40000) => das.handle(raw, '127.0.0.1', port);

  it('Disconnect-Request by User-Name: Disconnect-ACK, the IKE_SA is deleted', () => {
    const req = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org'), u32(AttributeType.EventTimestamp, NOW / 1000)]);
    const out = handle(req);
    const a = answer(out.reply, req);
    assert.equal(a.code, PacketCode.DisconnectACK);
    assert.equal(a.cause, undefined);
    assert.equal(a.messageAuthenticator, 'valid', 'Message-Authenticator mirrored');
    assert.deepEqual(out.actions, [{ kind: 'delete', uniqueId: 1, reason: 'RADIUS Disconnect-Request' }]);
    assert.ok(lines.some((l) => l.msg === "received RADIUS DAE Disconnect-Request for 'carol@strongswan.org' from 127.0.0.1[40000]"));
    assert.ok(lines.some((l) => l.msg === 'closing 1 IKE_SA matching Disconnect-Request, sending Disconnect-ACK'));
  });

  it('every identification attribute must match: Acct-Session-Id, Framed-IP-Address, Calling-Station-Id, NAS-Port', () => {
    const ok = handle(request(PacketCode.DisconnectRequest, [text(AttributeType.AcctSessionId, '65530000-00000001')], { id: 20 }));
    assert.deepEqual(ok.actions.map((a) => a.uniqueId), [1]);
    const ip = handle(request(PacketCode.DisconnectRequest, [{ type: AttributeType.FramedIPAddress, value: Buffer.from([10, 4, 0, 1]) }], { id: 21 }));
    assert.deepEqual(ip.actions.map((a) => a.uniqueId), [2]);
    const port = handle(request(PacketCode.DisconnectRequest, [u32(AttributeType.NASPort, 2), text(AttributeType.CallingStationId, '192.168.0.200[4500]')], { id: 22 }));
    assert.deepEqual(port.actions.map((a) => a.uniqueId), [2]);
    const mixed = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org'), { type: AttributeType.FramedIPAddress, value: Buffer.from([10, 4, 0, 1]) }], { id: 23 });
    const none = handle(mixed);
    assert.equal(answer(none.reply, mixed).cause, 503);
    assert.deepEqual(none.actions, []);
  });

  it('unknown session: Disconnect-NAK with Error-Cause 503 Session Context Not Found', () => {
    const req = request(PacketCode.DisconnectRequest, [user('mallory@strongswan.org')], { id: 8 });
    const out = handle(req);
    const a = answer(out.reply, req);
    assert.equal(a.code, PacketCode.DisconnectNAK);
    assert.equal(a.cause, 503);
    assert.deepEqual(out.actions, []);
  });

  it('a bad Request Authenticator (wrong secret, or a flipped octet) is silently dropped', () => {
    const wrong = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org')], { id: 9, secret: 'not-the-secret', ma: false });
    assert.equal(handle(wrong).reply, undefined);
    const flipped = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org')], { id: 10, ma: false });
    flipped[flipped.length - 1]! ^= 1;
    const out = handle(flipped);
    assert.equal(out.reply, undefined);
    assert.deepEqual(out.actions, []);
    assert.ok(lines.some((l) => l.obj['event'] === 'dae.bad-authenticator'));
  });

  it('a duplicate (same source port, Identifier, authenticator) gets the identical reply and no second action', () => {
    const req = request(PacketCode.DisconnectRequest, [user('dave@strongswan.org')], { id: 11 });
    const first = handle(req, 40001);
    const again = handle(req, 40001);
    assert.ok(first.reply && again.reply);
    assert.ok(first.reply.equals(again.reply), 'byte-identical');
    assert.equal(again.duplicate, true);
    assert.equal(first.actions.length, 1);
    assert.deepEqual(again.actions, []);
    // From another source port it is a new request (RFC 5080 2.2.2 keys on the port too).
    assert.equal(handle(req, 40002).actions.length, 1);
  });

  it('NAS identification that is not ours: NAK 403; Service-Type: NAK 405; other attributes: NAK 401; no identification: NAK 402', () => {
    const cases: [RadiusAttribute[], number, number][] = [
      [[user('carol@strongswan.org'), text(AttributeType.NASIdentifier, 'sun.strongswan.org')], PacketCode.DisconnectRequest, 403],
      [[user('carol@strongswan.org'), { type: AttributeType.NASIPAddress, value: Buffer.from([192, 168, 0, 2]) }], PacketCode.DisconnectRequest, 403],
      [[user('carol@strongswan.org'), u32(AttributeType.ServiceType, 17)], PacketCode.CoARequest, 405],
      [[user('carol@strongswan.org'), text(AttributeType.ReplyMessage, 'hi')], PacketCode.DisconnectRequest, 401],
      [[user('carol@strongswan.org'), text(AttributeType.FilterId, 'allow')], PacketCode.DisconnectRequest, 401],
      [[text(AttributeType.NASIdentifier, 'moon.strongswan.org')], PacketCode.DisconnectRequest, 402],
      [[user('carol@strongswan.org')], PacketCode.CoARequest, 402],
    ];
    cases.forEach(([attrs, code, cause], i) => {
      const req = request(code, attrs, { id: 100 + i });
      const a = answer(handle(req).reply, req);
      assert.equal(a.code, code === PacketCode.CoARequest ? PacketCode.CoANAK : PacketCode.DisconnectNAK, `case ${i}`);
      assert.equal(a.cause, cause, `case ${i}`);
    });
    const ours = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org'), text(AttributeType.NASIdentifier, 'moon.strongswan.org'), { type: AttributeType.NASIPAddress, value: Buffer.from([192, 168, 0, 1]) }], { id: 120 });
    assert.equal(answer(handle(ours).reply, ours).code, PacketCode.DisconnectACK);
  });

  it('CoA-Request: Filter-Id the config accepts updates the groups, one it does not deletes the IKE_SA; Session-Timeout sets the lifetime', () => {
    const keep = request(PacketCode.CoARequest, [user('carol@strongswan.org'), text(AttributeType.FilterId, 'allow'), encodeTunnelEsp()], { id: 30 });
    const k = handle(keep);
    assert.equal(answer(k.reply, keep).code, PacketCode.CoAACK);
    assert.deepEqual(k.actions, [{ kind: 'set-groups', uniqueId: 1, groups: ['allow'] }]);
    const move = request(PacketCode.CoARequest, [user('carol@strongswan.org'), text(AttributeType.FilterId, 'isolate')], { id: 31 });
    const m = handle(move);
    assert.equal(answer(m.reply, move).code, PacketCode.CoAACK);
    assert.equal(m.actions[0]?.kind, 'delete');
    assert.match((m.actions[0] as { reason: string }).reason, /group 'isolate' requires re-authentication/);
    const life = request(PacketCode.CoARequest, [user('dave@strongswan.org'), u32(AttributeType.SessionTimeout, 30)], { id: 32 });
    const l = handle(life);
    assert.equal(answer(l.reply, life).code, PacketCode.CoAACK);
    assert.deepEqual(l.actions, [{ kind: 'lifetime', uniqueId: 2, seconds: 30 }]);
    assert.ok(lines.some((x) => x.msg === 'applying 30s lifetime to 1 IKE_SA matching CoA-Request, sending CoA-ACK'));
    const unknown = request(PacketCode.CoARequest, [user('eve@strongswan.org'), u32(AttributeType.SessionTimeout, 30)], { id: 33 });
    const u = answer(handle(unknown).reply, unknown);
    assert.equal(u.code, PacketCode.CoANAK);
    assert.equal(u.cause, 503);
  });

  it('Proxy-State is copied into the reply, in order', () => {
    const req = request(PacketCode.DisconnectRequest, [text(AttributeType.ProxyState, 'p1'), user('mallory@strongswan.org'), text(AttributeType.ProxyState, 'p2')], { id: 40 });
    const a = answer(handle(req).reply, req);
    assert.deepEqual(getAttributes(a.packet, AttributeType.ProxyState).map((b) => b.toString()), ['p1', 'p2']);
  });

  it('stale Event-Timestamp, unknown client, missing required Message-Authenticator: dropped', () => {
    const stale = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org'), u32(AttributeType.EventTimestamp, NOW / 1000 - 301)], { id: 50 });
    assert.equal(handle(stale).reply, undefined);
    assert.ok(lines.some((l) => l.obj['event'] === 'dae.stale'));
    const fresh = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org'), u32(AttributeType.EventTimestamp, NOW / 1000 - 299)], { id: 51 });
    assert.ok(handle(fresh).reply);
    const req = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org')], { id: 52 });
    assert.equal(das.handle(req, '127.0.0.9', 40000).reply, undefined);
    const strictLines: Line[] = [];
    const strict = server(strictLines, [], { requireMessageAuthenticator: true, requireEventTimestamp: true });
    const noMa = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org'), u32(AttributeType.EventTimestamp, NOW / 1000)], { id: 53, ma: false });
    assert.equal(strict.handle(noMa, '127.0.0.1', 1).reply, undefined);
    const noTs = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org')], { id: 54 });
    assert.equal(strict.handle(noTs, '127.0.0.1', 1).reply, undefined);
    assert.deepEqual(strictLines.map((l) => l.obj['event']), ['dae.missing-message-authenticator', 'dae.missing-timestamp']);
  });

  it('never throws on arbitrary datagrams (fuzz), and answers only verified requests', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.constantFrom(40, 43, 4, 1), (bytes, code) => {
        const b = Buffer.from(bytes);
        if (b.length > 0) b[0] = code;
        const out = das.handle(b, '127.0.0.1', 41000);
        assert.equal(out.reply, undefined);
      }),
      { numRuns: 500 },
    );
  });
});

function encodeTunnelEsp(): RadiusAttribute {
  return { type: AttributeType.TunnelType, value: encodeTaggedInteger(0, 9) };
}

describe('RFC 5176 Dynamic Authorization server over UDP', () => {
  const lines: Line[] = [];
  const applied: DaeAction[][] = [];
  const das = server(lines, applied);
  let port = 0;
  let client: dgram.Socket;
  before(async () => {
    port = (await das.listen()).port;
    client = dgram.createSocket('udp4');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
  });
  after(() => {
    das.close();
    client.close();
  });

  const exchange = (req: Buffer, waitMs = 1000): Promise<Buffer | undefined> =>
    new Promise((resolve) => {
      const t = setTimeout(() => (client.off('message', on), resolve(undefined)), waitMs);
      const on = (m: Buffer) => (clearTimeout(t), client.off('message', on), resolve(m));
      client.on('message', on);
      client.send(req, port, '127.0.0.1');
    });

  it('answers a Disconnect-Request with a signed Disconnect-ACK, then carries out the delete; a retransmission gets the same bytes', async () => {
    const req = request(PacketCode.DisconnectRequest, [user('carol@strongswan.org')], { id: 77 });
    const reply = await exchange(req);
    assert.equal(answer(reply, req).code, PacketCode.DisconnectACK);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(applied, [[{ kind: 'delete', uniqueId: 1, reason: 'RADIUS Disconnect-Request' }]]);
    const again = await exchange(req);
    assert.ok(again && reply && again.equals(reply));
    assert.equal(applied.length, 1);
    assert.equal(await exchange(request(PacketCode.DisconnectRequest, [user('carol@strongswan.org')], { id: 78, secret: 'wrong' }), 300), undefined);
  });
});
