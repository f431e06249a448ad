/**
 * Several PDPs (issue 5 item 2, docs/cluster.md): two of our PDP processes on loopback, each the
 * other's cluster peer. REFERENCE-SCENARIO steps 2-6 with alice as two instances: the NAS (this
 * test, one UDP socket, as moon's eap-radius with two servers) sends the Access-Requests of ONE
 * conversation alternately to instance A and instance B.
 *   - EAP-TTLS/MD5: Access-Accept, MS-MPPE keys = the in-process supplicant's MSK.
 *   - EAP-TTLS/MD5 + PT-EAP with our IMCs (eap.tnc): Access-Accept with Filter-Id.
 *   - the owner killed (SIGKILL) mid-conversation: the other instance answers Access-Reject with
 *     EAP-Failure within seconds, never hangs; a new conversation then succeeds there.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStandardRegistry, fixedHostSource, OsImc, ScannerImc } from '../imc-imv/index.js';
import { AttributeType, PacketCode, getAttribute, joinEapMessage } from '../radius/index.js';
import { ImcManager } from '../pdp/tnc-client/imc-manager.js';
import { MultiServerNas, runConversation, type Target } from '../pdp/test/cluster-nas.js';
import { makePdpConfig, REFERENCE_USERS, SERVER_NAME } from './lib/pdp-config.js';
import { startOurPdp } from './lib/pdp.js';
import { freeUdpPorts } from './lib/ports.js';
import { Scope } from './lib/proc.js';
import type { RadiusServer } from './lib/radius-server.js';
import { makeTempDir } from './lib/tmp.js';

const SECRET = 'cluster-integration-secret';
const CLUSTER_SECRET = 'integration cluster key, not for production';
const CAROL = REFERENCE_USERS[0]!;

async function startPair(scope: Scope, label: string, tnc: boolean): Promise<{ a: RadiusServer; b: RadiusServer; ca: string }> {
  const dir = makeTempDir(scope, label);
  const [authA, acctA, authB, acctB, clusterA, clusterB] = await freeUdpPorts(6);
  const cluster = (id: number) => ({
    instanceId: id,
    listen: { address: '127.0.0.1', port: id === 1 ? clusterA! : clusterB! },
    peers: [{ id: id === 1 ? 2 : 1, address: '127.0.0.1', port: id === 1 ? clusterB! : clusterA! }],
    secret: CLUSTER_SECRET,
    helloIntervalMs: 200,
    peerDeadAfterMs: 1000,
    forwardTimeoutMs: 500,
  });
  const base = (stateDir: string, auth: number, acct: number) =>
    makePdpConfig({
      stateDir,
      auth: { address: '127.0.0.1', port: auth },
      accounting: { address: '127.0.0.1', port: acct },
      clients: [{ name: 'nas', address: '127.0.0.1/32', secret: SECRET }],
      // debug: the cluster.forwarded lines the test counts.
      logLevel: 'debug',
      ...(tnc ? { tnc: { method: 'pt-eap' as const } } : {}),
    });
  const a = await startOurPdp(scope, { ...base(join(dir, 'a'), authA!, acctA!), cluster: cluster(1) } as never);
  // One PKI for the cluster: B starts with A's CA and server certificate (its own state otherwise).
  cpSync(join(dir, 'a', 'pki'), join(dir, 'b', 'pki'), { recursive: true });
  const b = await startOurPdp(scope, { ...base(join(dir, 'b'), authB!, acctB!), cluster: cluster(2) } as never);
  // Wait until each has heard the other.
  await a.proc.waitForJson((o) => o['event'] === 'cluster.peer-up', { timeoutMs: 10_000, what: 'A: cluster.peer-up' });
  await b.proc.waitForJson((o) => o['event'] === 'cluster.peer-up', { timeoutMs: 10_000, what: 'B: cluster.peer-up' });
  return { a, b, ca: readFileSync(a.caCertPath, 'utf8') };
}

const target = (s: RadiusServer): Target => ({ address: s.auth.address, port: s.auth.port });

describe('two PDP processes, one conversation alternating between them', { timeout: 120_000 }, () => {
  const scope = new Scope();
  let nas: MultiServerNas;
  before(() => {
    nas = new MultiServerNas(SECRET);
  });
  after(async () => {
    nas.close();
    await scope.close();
  });

  it('EAP-TTLS/MD5: Access-Accept with the supplicant MSK as MS-MPPE keys', async () => {
    const { a, b, ca } = await startPair(scope, 'cluster-md5', false);
    const r = await runConversation({ nas, secret: SECRET, route: (n) => target(n % 2 ? a : b), user: CAROL.name, password: CAROL.password, ca, serverName: SERVER_NAME });
    assert.equal(r.final.code, PacketCode.AccessAccept);
    assert.equal(r.peerStep?.kind, 'success');
    assert.ok(r.rounds >= 4);
    assert.ok(r.peerKeys && r.mppe);
    assert.deepEqual(r.mppe.recvKey, r.peerKeys.msk.subarray(0, 32));
    assert.deepEqual(r.mppe.sendKey, r.peerKeys.msk.subarray(32, 64));
    assert.equal(getAttribute(r.final, AttributeType.FilterId)?.toString(), CAROL.group);
    const forwarded = b.proc.jsonLines().filter((o) => o['event'] === 'cluster.forwarded');
    assert.ok(forwarded.length >= Math.floor(r.rounds / 2), `B forwarded ${forwarded.length} of ${r.rounds} rounds`);
  });

  it('TTLS + MD5 + PT-EAP with our IMCs (eap.tnc): Access-Accept with Filter-Id', async () => {
    const { a, b, ca } = await startPair(scope, 'cluster-tnc', true);
    const registry = createStandardRegistry();
    const source = fixedHostSource({
      '/etc/os-release': 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
      '/proc/sys/net/ipv4/ip_forward': '0\n',
      '/proc/uptime': '1000.5 2000.1\n',
      '/proc/net/tcp': '  sl  local_address rem_address   st\n',
      '/var/lib/dpkg/status': 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1\n',
    });
    const manager = new ImcManager({ imcs: [new OsImc({ deviceId: 'cluster-it-device' }, { source, registry }), new ScannerImc({ source })], registry });
    const first = await manager.begin();
    const r = await runConversation({ nas, secret: SECRET, route: (n) => target(n % 2 ? a : b), user: CAROL.name, password: CAROL.password, ca, serverName: SERVER_NAME, posture: { manager, first } });
    assert.equal(r.final.code, PacketCode.AccessAccept, `final code ${r.final.code} after ${r.rounds} rounds`);
    assert.equal(getAttribute(r.final, AttributeType.FilterId)?.toString(), 'allow');
    assert.ok(manager.outcome, 'the IMCs got an assessment result');
    assert.ok(r.mppe && r.peerKeys);
    assert.deepEqual(r.mppe.recvKey, r.peerKeys.msk.subarray(0, 32));
    await manager.close();
  });

  it('the owner killed mid-conversation: the other instance answers Access-Reject + EAP-Failure, never hangs', async () => {
    const { a, b, ca } = await startPair(scope, 'cluster-kill', false);
    const r = await runConversation({ nas, secret: SECRET, route: () => target(a), user: CAROL.name, password: CAROL.password, ca, serverName: SERVER_NAME, stopAfter: 3 });
    await a.proc.stop({ signal: 'SIGKILL' });
    const t0 = Date.now();
    const ex = await nas.request(target(b), r.next!.attributes, { timeoutMs: 700, tries: 8 });
    const elapsed = Date.now() - t0;
    assert.equal(ex.packet.code, PacketCode.AccessReject);
    assert.equal(joinEapMessage(ex.packet.attributes)?.[0], 4, 'EAP-Failure');
    assert.ok(elapsed < 5000, `answered after ${elapsed} ms`);
    assert.ok(b.proc.jsonLines().some((o) => o['event'] === 'cluster.peer-down' && o['peer'] === 1));
    const fresh = await runConversation({ nas, secret: SECRET, route: () => target(b), user: CAROL.name, password: CAROL.password, ca, serverName: SERVER_NAME });
    assert.equal(fresh.final.code, PacketCode.AccessAccept);
  });
});
