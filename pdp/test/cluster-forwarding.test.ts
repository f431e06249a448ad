/**
 * Two PDP instances in this process, each other's cluster peers (pdp/cluster, docs/cluster.md):
 * one EAP conversation whose Access-Requests go alternately to A and B completes; retransmissions
 * that arrive at the other instance are answered from the owner's duplicate cache (RFC 5080); the
 * owner stopping mid-conversation ends it in Access-Reject + EAP-Failure, never in a hang.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createStandardRegistry, fixedHostSource, OsImc, ScannerImc } from '../../imc-imv/index.js';
import { AttributeType, PacketCode, getAttribute, joinEapMessage } from '../../radius/index.js';
import { buildConfig } from '../config/load.js';
import { createLogger } from '../logging.js';
import { Pdp } from '../pdp.js';
import { ImcManager } from '../tnc-client/imc-manager.js';
import { stateOwner } from '../eap-service/conversation-state.js';
import { MultiServerNas, runConversation, type Target } from './cluster-nas.js';

const SECRET = 'cluster-nas-secret';
const CLUSTER_SECRET = 'cluster key for the test, 32 chars';

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Instance {
  pdp: Pdp;
  target: Target;
  logs: Record<string, unknown>[];
  ca: string;
}

async function startInstance(dir: string, id: number, ports: Record<number, number>, posture: boolean, pkiOf?: Instance): Promise<Instance> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { for (const l of String(chunk).split('\n')) if (l) logs.push(JSON.parse(l)); cb(); } });
  const config = buildConfig(
    {
      stateDir: join(dir, `pdp${id}`),
      radius: { auth: { address: '127.0.0.1', port: 0 }, accounting: false, clients: [{ name: 'nas', address: '127.0.0.1/32', secret: SECRET }] },
      // One PKI for the cluster: B serves A's certificate (each keeps its own state and store).
      pki: pkiOf ? { serverName: 'pdp.test', ...pkiOf.pdp.tlsIdentity!.files } : { serverName: 'pdp.test' },
      users: [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }],
      ...(posture ? { eap: { tnc: { method: 'pt-eap' } } } : {}),
      log: { level: 'debug' },
      cluster: {
        instanceId: id,
        listen: { address: '127.0.0.1', port: ports[id]! },
        peers: Object.entries(ports).filter(([k]) => Number(k) !== id).map(([k, port]) => ({ id: Number(k), address: '127.0.0.1', port })),
        secret: CLUSTER_SECRET,
        helloIntervalMs: 100,
        peerDeadAfterMs: 600,
        forwardTimeoutMs: 300,
      },
    },
    'test',
    dir,
  );
  const pdp = new Pdp({ config, logger: createLogger('debug', sink) });
  const bound = await pdp.start();
  return { pdp, target: { address: '127.0.0.1', port: bound.auth.port }, logs, ca: pdp.tlsIdentity!.caPem };
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const posture of [false, true]) {
  describe(`two PDP instances, one conversation alternating between them (${posture ? 'TTLS + MD5 + PT-EAP' : 'TTLS + MD5'})`, () => {
    let dir: string;
    let a: Instance;
    let b: Instance;
    let nas: MultiServerNas;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'cluster-fwd-'));
      const ports = { 1: await freeUdpPort(), 2: await freeUdpPort() };
      a = await startInstance(dir, 1, ports, posture);
      b = await startInstance(dir, 2, ports, posture, a);
      nas = new MultiServerNas(SECRET);
      await until(() => b.logs.some((l) => l['event'] === 'cluster.peer-up') && a.logs.some((l) => l['event'] === 'cluster.peer-up'), 3000, 'peers up');
    });
    after(async () => {
      nas.close();
      await a.pdp.stop();
      await b.pdp.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const postureArgs = () => {
      const registry = createStandardRegistry();
      const source = fixedHostSource({
        '/etc/os-release': 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n',
        '/proc/sys/net/ipv4/ip_forward': '0\n',
        '/proc/uptime': '1000.5 2000.1\n',
        '/proc/net/tcp': '  sl  local_address rem_address   st\n',
        '/var/lib/dpkg/status': 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1\n',
      });
      return new ImcManager({ imcs: [new OsImc({ deviceId: 'cluster-device-1' }, { source, registry }), new ScannerImc({ source })], registry });
    };

    it('completes with Access-Accept and the supplicant MSK as MS-MPPE keys', async () => {
      const manager = posture ? postureArgs() : undefined;
      const first = manager ? await manager.begin() : undefined;
      const r = await runConversation({
        nas,
        secret: SECRET,
        route: (n) => (n % 2 ? a.target : b.target),
        user: 'carol',
        password: 'Ar3etTnp',
        ca: a.ca,
        serverName: 'pdp.test',
        ...(manager && first ? { posture: { manager, first } } : {}),
      });
      assert.equal(r.final.code, PacketCode.AccessAccept, `final ${r.final.code} after ${r.rounds} rounds`);
      assert.equal(r.peerStep?.kind, 'success');
      assert.ok(r.rounds >= (posture ? 8 : 4), `${r.rounds} rounds`);
      const msk = r.peerKeys?.msk;
      assert.ok(msk && r.mppe);
      assert.deepEqual(r.mppe.recvKey, msk.subarray(0, 32));
      assert.deepEqual(r.mppe.sendKey, msk.subarray(32, 64));
      assert.equal(getAttribute(r.final, AttributeType.FilterId)?.toString(), 'allow');
      // Every State named instance 1 (which saw the first packet); B forwarded each of its rounds.
      for (const ex of r.exchanges.slice(0, -1)) assert.equal(stateOwner(getAttribute(ex.packet, AttributeType.State)!)?.instance, 1);
      const forwarded = b.logs.filter((l) => l['event'] === 'cluster.forwarded' && l['outcome'] === 'reply').length;
      assert.ok(forwarded >= Math.floor(r.rounds / 2) - 0, `B forwarded ${forwarded} of ${r.rounds} rounds`);
      if (posture) assert.equal(manager?.outcome?.accessRecommendation !== undefined, true);
    });

    if (posture) return;

    it('answers a retransmission that arrives at the other instance from the owner\'s duplicate cache (RFC 5080)', async () => {
      const r = await runConversation({ nas, secret: SECRET, route: () => a.target, user: 'carol', password: 'Ar3etTnp', ca: a.ca, serverName: 'pdp.test', stopAfter: 2 });
      const next = r.next!.attributes;
      // To the owner first, then the same bytes to B (a NAS failing over): the same reply.
      const first = await nas.request(a.target, next);
      assert.equal(first.packet.code, PacketCode.AccessChallenge);
      const again = await nas.send(first.wire, b.target);
      assert.deepEqual(again.raw, first.raw, 'the owner answered from its duplicate cache');
      // And the other way round: to B (forwarded), then directly to the owner.
      const r2 = await runConversation({ nas, secret: SECRET, route: () => a.target, user: 'carol', password: 'Ar3etTnp', ca: a.ca, serverName: 'pdp.test', stopAfter: 3 });
      const viaB = await nas.request(b.target, r2.next!.attributes);
      assert.equal(viaB.packet.code, PacketCode.AccessChallenge);
      const direct = await nas.send(viaB.wire, a.target);
      assert.deepEqual(direct.raw, viaB.raw);
      assert.ok(a.logs.some((l) => l['event'] === 'radius.replayed'), 'A logged the replays');
    });

    it('drops forged cluster messages and logs them', async () => {
      const s = dgram.createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
      const port = Number((a.pdp.options.config.cluster!.listen.port));
      s.send(Buffer.alloc(100, 0x54), port, '127.0.0.1');
      await until(() => a.logs.some((l) => l['event'] === 'cluster.dropped'), 2000, 'cluster.dropped');
      s.close();
      const line = a.logs.find((l) => l['event'] === 'cluster.dropped')!;
      assert.match(String(line['reason']), /bad-hmac|malformed/);
      assert.ok(!JSON.stringify(a.logs).includes(CLUSTER_SECRET), 'the cluster secret never reaches the log');
    });

    it('ends the conversation with Access-Reject + EAP-Failure when the owner is gone, without hanging', async () => {
      const r = await runConversation({ nas, secret: SECRET, route: () => a.target, user: 'carol', password: 'Ar3etTnp', ca: a.ca, serverName: 'pdp.test', stopAfter: 3 });
      await a.pdp.stop();
      const t0 = Date.now();
      // The NAS retransmits as a NAS does; the first tries may meet silence (owner not yet known dead).
      const ex = await nas.request(b.target, r.next!.attributes, { timeoutMs: 400, tries: 8 });
      const elapsed = Date.now() - t0;
      assert.equal(ex.packet.code, PacketCode.AccessReject);
      assert.equal(joinEapMessage(ex.packet.attributes)?.[0], 4, 'EAP-Failure');
      assert.ok(elapsed < 3000, `answered after ${elapsed} ms`);
      assert.ok(b.logs.some((l) => l['event'] === 'cluster.peer-down' && l['peer'] === 1));
      // A new conversation (no State) is served by the live instance alone.
      const fresh = await runConversation({ nas, secret: SECRET, route: () => b.target, user: 'carol', password: 'Ar3etTnp', ca: a.ca, serverName: 'pdp.test' });
      assert.equal(fresh.final.code, PacketCode.AccessAccept);
    });
  });
}
