/**
 * The PEP's eap-radius relay against an in-process RADIUS server (radius/server.ts) over loopback:
 * the EAP conversation, State echo, Message-Authenticator, the attributes strongSwan sends, the MSK
 * from MS-MPPE keys, Filter-Id -> group only with Tunnel-Type ESP, failover, and a clean failure
 * when no server answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { RadiusServer, type RadiusRequest } from '../../radius/server.js';
import { AttributeType, PacketCode, encodeTaggedInteger, getAttribute, joinEapMessage, mppeKeyAttributes } from '../../radius/index.js';
import { EapRadiusSession, RadiusServerPool, type RelayLogger } from '../radius-relay/index.js';

const SECRET = 'relay-secret';
const MSK = randomBytes(64);

interface Line { msg: string; obj: object }
function logger(lines: Line[]): RelayLogger {
  const push = (obj: object, msg: string) => lines.push({ obj, msg });
  return { info: push, warn: push, debug: push };
}

function eap(code: number, id: number, type?: number, data = Buffer.alloc(0)): Buffer {
  const len = 4 + (type === undefined ? 0 : 1 + data.length);
  const b = Buffer.alloc(len);
  b[0] = code; b[1] = id; b.writeUInt16BE(len, 2);
  if (type !== undefined) { b[4] = type; data.copy(b, 5); }
  return b;
}

type Verdict = 'allow-esp' | 'allow-no-esp' | 'reject' | 'no-msk';

/** A scripted EAP-MD5-ish server: Identity -> Challenge(MD5, State) -> Accept/Reject. */
function scriptedServer(verdict: () => Verdict, seen: RadiusRequest[]): RadiusServer {
  return new RadiusServer({
    auth: { address: '127.0.0.1', port: 0 },
    clients: [{ name: 'moon', address: '127.0.0.1', secret: SECRET, requireMessageAuthenticator: true }],
    handler: {
      access: (req) => {
        seen.push(req);
        const msg = joinEapMessage(req.packet.attributes)!;
        if (msg[4] === 1) {
          return {
            code: PacketCode.AccessChallenge,
            attributes: [
              { type: AttributeType.EAPMessage, value: eap(1, msg[1]! + 1, 4, Buffer.alloc(17, 7)) },
              { type: AttributeType.State, value: Buffer.from('state-1') },
            ],
          };
        }
        const v = verdict();
        if (v === 'reject') return { code: PacketCode.AccessReject, attributes: [{ type: AttributeType.EAPMessage, value: eap(4, msg[1]!) }] };
        const attrs = [
          { type: AttributeType.EAPMessage, value: eap(3, msg[1]!) },
          { type: AttributeType.FilterId, value: Buffer.from('isolate') },
          { type: AttributeType.Class, value: Buffer.from('class-7') },
          ...(v === 'allow-esp' ? [{ type: AttributeType.TunnelType, value: encodeTaggedInteger(0, 9) }] : []),
          ...(v === 'no-msk' ? [] : mppeKeyAttributes(MSK, SECRET, req.packet.authenticator)),
        ];
        return { code: PacketCode.AccessAccept, attributes: attrs };
      },
      accounting: () => null,
    },
  });
}

const sessionOpts = {
  peerId: 'dave@strongswan.org',
  ikeSaName: 'rw-allow',
  uniqueId: 2,
  local: { address: '192.168.0.1', port: 4500 },
  remote: { address: '192.168.0.200', port: 4500 },
  firstIdentifier: 5,
  nasIdentifier: 'moon.strongswan.org',
};

async function run(pool: RadiusServerPool, lines: Line[], extra: { filterId?: boolean } = {}) {
  const s = new EapRadiusSession(pool, { ...sessionOpts, ...extra }, logger(lines));
  const req = s.initiate();
  assert.deepEqual([...req], [1, 5, 0, 5, 1]);
  const r1 = await s.process(eap(2, 5, 1, Buffer.from('dave@strongswan.org')));
  if (r1.kind !== 'challenge') return r1;
  assert.equal(r1.eap[4], 4);
  return s.process(eap(2, r1.eap[1]!, 4, Buffer.alloc(17, 1)));
}

describe('eap-radius relay', () => {
  let server: RadiusServer;
  let port = 0;
  let verdict: Verdict = 'allow-esp';
  const seen: RadiusRequest[] = [];
  let silent: dgram.Socket;
  let silentPort = 0;

  before(async () => {
    server = scriptedServer(() => verdict, seen);
    port = (await server.listen()).auth.port;
    silent = dgram.createSocket('udp4');
    silent.on('message', () => undefined); // a server that stopped answering
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    silentPort = silent.address().port;
  });
  after(async () => {
    silent.close();
    await server.close();
  });

  it('relays Identity and Challenge, echoes State, sends strongSwan\'s attributes, and yields MSK and group on Accept with Tunnel-Type ESP', async () => {
    verdict = 'allow-esp';
    seen.length = 0;
    const lines: Line[] = [];
    const pool = new RadiusServerPool({ servers: [{ address: '127.0.0.1', port, secret: SECRET }], timeoutMs: 200, tries: 2 });
    const r = await run(pool, lines);
    pool.close();
    assert.equal(r.kind, 'success');
    assert.ok(r.kind === 'success');
    assert.deepEqual(r.msk, MSK);
    assert.deepEqual(r.groups, ['isolate']);
    assert.deepEqual(r.classes.map(String), ['class-7']);
    assert.equal(r.method, 'EAP_MD5');
    assert.equal(r.eap[0], 3);
    assert.equal(seen.length, 2);
    const [first, second] = seen as [RadiusRequest, RadiusRequest];
    assert.equal(getAttribute(first.packet, AttributeType.State), undefined);
    assert.equal(String(getAttribute(second.packet, AttributeType.State)), 'state-1');
    for (const p of [first, second]) {
      assert.equal(String(getAttribute(p.packet, AttributeType.UserName)), 'dave@strongswan.org');
      assert.equal(getAttribute(p.packet, AttributeType.NASPortType)!.readUInt32BE(0), 5);
      assert.equal(getAttribute(p.packet, AttributeType.NASPort)!.readUInt32BE(0), 2);
      assert.deepEqual([...getAttribute(p.packet, AttributeType.NASIPAddress)!], [192, 168, 0, 1]);
      assert.equal(String(getAttribute(p.packet, AttributeType.CalledStationId)), '192.168.0.1[4500]');
      assert.equal(String(getAttribute(p.packet, AttributeType.CallingStationId)), '192.168.0.200[4500]');
      assert.equal(String(getAttribute(p.packet, AttributeType.NASIdentifier)), 'moon.strongswan.org');
      assert.ok(getAttribute(p.packet, AttributeType.MessageAuthenticator), 'Message-Authenticator on every request');
    }
    const msgs = lines.map((l) => l.msg);
    for (const expected of [
      `received RADIUS Access-Accept from server '127.0.0.1'`,
      'received RADIUS attribute Tunnel-Type: tag = 0, value = 9',
      `received RADIUS attribute Filter-Id: 'isolate'`,
      `RADIUS authentication of 'dave@strongswan.org' successful`,
      'EAP method EAP_MD5 succeeded, MSK established',
    ]) assert.ok(msgs.includes(expected), `log line: ${expected}\n${msgs.join('\n')}`);
    assert.ok(!JSON.stringify(lines).includes(MSK.toString('hex')), 'the MSK is never logged');
  });

  it('Filter-Id without Tunnel-Type ESP gives no group (as strongSwan)', async () => {
    verdict = 'allow-no-esp';
    const pool = new RadiusServerPool({ servers: [{ address: '127.0.0.1', port, secret: SECRET }] });
    const r = await run(pool, []);
    pool.close();
    assert.ok(r.kind === 'success');
    assert.deepEqual(r.groups, []);
  });

  it('filter_id = no: Filter-Id gives no group even with Tunnel-Type ESP', async () => {
    verdict = 'allow-esp';
    const pool = new RadiusServerPool({ servers: [{ address: '127.0.0.1', port, secret: SECRET }] });
    const r = await run(pool, [], { filterId: false });
    pool.close();
    assert.ok(r.kind === 'success');
    assert.deepEqual(r.groups, []);
  });

  it('an Accept without MS-MPPE keys succeeds without an MSK (AUTH from SK_p, as charon)', async () => {
    verdict = 'no-msk';
    const lines: Line[] = [];
    const pool = new RadiusServerPool({ servers: [{ address: '127.0.0.1', port, secret: SECRET }] });
    const r = await run(pool, lines);
    pool.close();
    assert.equal(r.kind, 'success');
    assert.ok(r.kind === 'success' && r.msk === undefined);
    assert.equal(r.eap[0], 3);
    assert.ok(lines.some((l) => /succeeded, no MSK established/.test(String(l.msg))), 'strongSwan\'s log line');
  });

  it('Access-Reject becomes EAP-Failure', async () => {
    verdict = 'reject';
    const lines: Line[] = [];
    const pool = new RadiusServerPool({ servers: [{ address: '127.0.0.1', port, secret: SECRET }] });
    const r = await run(pool, lines);
    pool.close();
    assert.ok(r.kind === 'failure');
    assert.equal(r.eap[0], 4);
    assert.ok(lines.some((l) => l.msg === `RADIUS authentication of 'dave@strongswan.org' failed`));
  });

  it('fails over to the next server when the first stops answering, and keeps the dead one last', async () => {
    verdict = 'allow-esp';
    let t = 1000;
    const down: string[] = [];
    const dead = { name: 'dead', address: '127.0.0.1', port: silentPort, secret: SECRET };
    const live = { name: 'live', address: '127.0.0.1', port, secret: SECRET };
    const pool = new RadiusServerPool({ servers: [dead, live], timeoutMs: 60, tries: 2, now: () => t, retryAfterMs: 10_000, onServerDown: (s) => down.push(s.name!) });
    const started = Date.now();
    const r = await run(pool, []);
    assert.ok(r.kind === 'success');
    assert.deepEqual(down, ['dead']);
    assert.ok(Date.now() - started >= 110, 'two tries of 60 ms on the dead server first');
    assert.deepEqual(pool.order().map((s) => s.name), ['live', 'dead']);
    t += 10_000;
    assert.deepEqual(pool.order().map((s) => s.name), ['dead', 'live'], 'tried first again after retryAfterMs');
    pool.close();
  });

  it('gives a clean failure when no server answers', async () => {
    const pool = new RadiusServerPool({
      servers: [{ address: '127.0.0.1', port: silentPort, secret: SECRET }, { address: '127.0.0.1', port: silentPort, secret: SECRET, name: 'b' }],
      timeoutMs: 40,
      tries: 2,
    });
    const s = new EapRadiusSession(pool, sessionOpts, logger([]));
    s.initiate();
    const r = await s.process(eap(2, 5, 1, Buffer.from('carol@strongswan.org')));
    pool.close();
    assert.ok(r.kind === 'failure');
    assert.match(r.reason, /no RADIUS server answered/);
    assert.equal(r.eap[0], 4);
  });
});
