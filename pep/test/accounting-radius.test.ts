/**
 * RADIUS accounting from the PEP (pep/radius-relay/accounting.ts) against an in-process RADIUS
 * accounting server (radius/server.ts, which verifies the Request Authenticator of RFC 2866
 * section 3 and drops anything else): Start / Interim-Update / Stop with strongSwan's attributes,
 * Class echoed, counters with gigawords, a unique Acct-Session-Id per IKE_SA, failover from a
 * server that does not answer, and Stop never overtaking Start.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { RadiusServer, type RadiusRequest } from '../../radius/server.js';
import { AttributeType, PacketCode, getAttribute, getAttributes } from '../../radius/index.js';
import { AcctStatusType, AcctTerminateCause, RadiusAccounting, RadiusServerPool, type AccountingCounters, type RelayLogger } from '../radius-relay/index.js';

const SECRET = 'acct-secret';

interface Line { msg: string; obj: Record<string, unknown> }
function logger(lines: Line[]): RelayLogger {
  const push = (obj: object, msg: string) => lines.push({ obj: obj as Record<string, unknown>, msg });
  return { info: push, warn: push, debug: push };
}

const int = (r: RadiusRequest, t: number): number | undefined => getAttribute(r.packet, t)?.readUInt32BE(0);
const str = (r: RadiusRequest, t: number): string | undefined => getAttribute(r.packet, t)?.toString('utf8');

const carol = {
  uniqueId: 3,
  userName: 'carol@strongswan.org',
  framedIp: '10.3.0.1',
  local: { address: '192.168.0.1', port: 4500 },
  remote: { address: '192.168.0.100', port: 4500 },
  classes: [Buffer.from('class-A'), Buffer.from([0, 1, 2, 255])],
};

describe('RADIUS accounting from the PEP', () => {
  let server: RadiusServer;
  let acctPort = 0;
  const seen: RadiusRequest[] = [];
  let silent: dgram.Socket;
  let silentPort = 0;
  let counters: AccountingCounters = { bytesIn: 0, packetsIn: 0, bytesOut: 0, packetsOut: 0 };
  let now = 1_700_000_000_000;

  before(async () => {
    server = new RadiusServer({
      auth: { address: '127.0.0.1', port: 0 },
      accounting: { address: '127.0.0.1', port: 0 },
      clients: [{ name: 'moon', address: '127.0.0.1', secret: SECRET, requireMessageAuthenticator: false }],
      handler: {
        access: () => null,
        accounting: (req) => {
          seen.push(req);
          return { code: PacketCode.AccountingResponse, attributes: [] };
        },
      },
    });
    acctPort = (await server.listen()).accounting!.port;
    silent = dgram.createSocket('udp4');
    silent.on('message', () => undefined);
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', () => r()));
    silentPort = silent.address().port;
  });
  after(async () => {
    await server.close();
    silent.close();
  });

  function accounting(lines: Line[], servers: { port: number }[], interim = 0, every?: (ms: number, f: () => void) => () => void) {
    const pool = new RadiusServerPool({ servers: servers.map((s, i) => ({ name: `r${i}`, address: '127.0.0.1', port: s.port, secret: SECRET })), timeoutMs: 150, tries: 2 });
    const acct = new RadiusAccounting({
      pool,
      log: logger(lines),
      nasIdentifier: 'moon.strongswan.org',
      interimIntervalSeconds: interim,
      counters: async () => counters,
      now: () => now,
      ...(every ? { every } : {}),
    });
    return { pool, acct };
  }

  it('Start, Interim-Update and Stop carry the session, the NAS, Class and the counters', async () => {
    seen.length = 0;
    const lines: Line[] = [];
    let tick: (() => void) | undefined;
    let intervalMs = 0;
    const { pool, acct } = accounting(lines, [{ port: acctPort }], 60, (ms, f) => ((intervalMs = ms), (tick = f), () => (tick = undefined)));
    try {
      await acct.start(carol);
      assert.equal(intervalMs, 60_000);
      const start = seen[0]!;
      assert.equal(start.service, 'accounting');
      assert.equal(start.packet.code, PacketCode.AccountingRequest);
      assert.equal(int(start, AttributeType.AcctStatusType), AcctStatusType.Start);
      const sessionId = str(start, AttributeType.AcctSessionId)!;
      assert.match(sessionId, /^[0-9a-f]{8}-00000003$/);
      assert.equal(acct.sessionId(3), sessionId);
      assert.equal(str(start, AttributeType.UserName), 'carol@strongswan.org');
      assert.deepEqual([...getAttribute(start.packet, AttributeType.FramedIPAddress)!], [10, 3, 0, 1]);
      assert.deepEqual([...getAttribute(start.packet, AttributeType.NASIPAddress)!], [192, 168, 0, 1]);
      assert.equal(str(start, AttributeType.NASIdentifier), 'moon.strongswan.org');
      assert.equal(int(start, AttributeType.NASPortType), 5);
      assert.equal(int(start, AttributeType.NASPort), 3);
      assert.equal(str(start, AttributeType.CalledStationId), '192.168.0.1[4500]');
      assert.equal(str(start, AttributeType.CallingStationId), '192.168.0.100[4500]');
      assert.deepEqual(getAttributes(start.packet, AttributeType.Class), carol.classes);
      assert.equal(int(start, AttributeType.EventTimestamp), 1_700_000_000);
      assert.equal(getAttribute(start.packet, AttributeType.AcctInputOctets), undefined, 'no counters in Start');

      now += 61_000;
      counters = { bytesIn: 5 * 2 ** 32 + 1000, packetsIn: 10, bytesOut: 2000, packetsOut: 12 };
      tick!();
      await acct.interim(3); // a second one queued behind the timer's: both arrive, in order
      const interim = seen[1]!;
      assert.equal(int(interim, AttributeType.AcctStatusType), AcctStatusType.InterimUpdate);
      assert.equal(str(interim, AttributeType.AcctSessionId), sessionId);
      assert.equal(int(interim, AttributeType.AcctSessionTime), 61);
      assert.equal(int(interim, AttributeType.AcctInputOctets), 1000);
      assert.equal(int(interim, AttributeType.AcctInputGigawords), 5);
      assert.equal(int(interim, AttributeType.AcctInputPackets), 10);
      assert.equal(int(interim, AttributeType.AcctOutputOctets), 2000);
      assert.equal(int(interim, AttributeType.AcctOutputGigawords), 0);
      assert.equal(int(interim, AttributeType.AcctOutputPackets), 12);
      assert.equal(seen.length, 3);

      now += 10_000;
      await acct.stop(3, AcctTerminateCause.AdminReset);
      assert.equal(tick, undefined, 'interim timer cancelled');
      const stop = seen[3]!;
      assert.equal(int(stop, AttributeType.AcctStatusType), AcctStatusType.Stop);
      assert.equal(str(stop, AttributeType.AcctSessionId), sessionId);
      assert.equal(int(stop, AttributeType.AcctTerminateCause), AcctTerminateCause.AdminReset);
      assert.equal(int(stop, AttributeType.AcctSessionTime), 71);
      assert.equal(acct.sessionId(3), undefined);
      assert.deepEqual(lines.filter((l) => l.obj['event'] === 'accounting.sent').map((l) => l.obj['status']), ['Start', 'Interim-Update', 'Interim-Update', 'Stop']);
      assert.ok(!JSON.stringify(lines).includes(SECRET));
    } finally {
      acct.close();
      pool.close();
    }
  });

  it('Acct-Session-Id is unique per IKE_SA; a Stop right after the Start goes out after it', async () => {
    seen.length = 0;
    const { pool, acct } = accounting([], [{ port: acctPort }]);
    try {
      const a = acct.start(carol);
      const b = acct.start({ ...carol, uniqueId: 4, userName: 'dave@strongswan.org', framedIp: '10.4.0.1' });
      const stop = acct.stop(3, AcctTerminateCause.UserRequest);
      await Promise.all([a, b, stop]);
      const forCarol = seen.filter((r) => str(r, AttributeType.UserName) === 'carol@strongswan.org').map((r) => int(r, AttributeType.AcctStatusType));
      assert.deepEqual(forCarol, [AcctStatusType.Start, AcctStatusType.Stop]);
      const ids = new Set(seen.filter((r) => int(r, AttributeType.AcctStatusType) === 1).map((r) => str(r, AttributeType.AcctSessionId)));
      assert.equal(ids.size, 2);
    } finally {
      acct.close();
      pool.close();
    }
  });

  it('fails over to the next server on its accounting port; with none answering it logs and gives up', async () => {
    seen.length = 0;
    const lines: Line[] = [];
    const one = accounting(lines, [{ port: silentPort }, { port: acctPort }]);
    try {
      await one.acct.start(carol);
      assert.equal(seen.length, 1);
      assert.equal(lines.find((l) => l.obj['event'] === 'accounting.sent')?.obj['server'], 'r1');
    } finally {
      one.acct.close();
      one.pool.close();
    }
    const dead: Line[] = [];
    const two = accounting(dead, [{ port: silentPort }]);
    try {
      await two.acct.start(carol);
      const failed = dead.find((l) => l.obj['event'] === 'accounting.failed');
      assert.ok(failed, JSON.stringify(dead));
      assert.match(failed.msg, /RADIUS accounting Start for 'carol@strongswan\.org' failed: no RADIUS server answered/);
    } finally {
      two.acct.close();
      two.pool.close();
    }
  });
});
