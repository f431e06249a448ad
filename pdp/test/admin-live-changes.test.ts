/**
 * Admin changes reach the running PDP at once, over real HTTP (GraphQL) and real RADIUS/UDP, with
 * EAP in the RADIUS thread (workers: 1) and in worker threads (workers: 2):
 *
 *   - users come from the store: one created through GraphQL authenticates with EAP-TTLS/MD5 (+
 *     PT-EAP posture, in the EAP workers) and with PAP (in the RADIUS thread) within a second; a
 *     changed group changes Filter-Id; a deleted one is rejected;
 *   - RADIUS clients come from the store: one created through GraphQL can send right away, a
 *     deleted one is dropped (radius.dropped, unknown-client);
 *   - a manual quarantine sticks: quarantineEndpoint disconnects the endpoint (RFC 5176, to a NAS
 *     stand-in) and its next assessment is isolated (Filter-Id isolate, PB-TNC reason string and a
 *     session record saying "quarantined by ops"), NO_ACCESS rejects, releaseEndpoint lifts it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStandardRegistry, fixedHostSource, OsImc, ScannerImc } from '../../imc-imv/index.js';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { AttributeType, PacketCode, buildRequest, decodePacket, getAttribute, hidePassword, verifyResponse } from '../../radius/index.js';
import { AccessRecommendation } from '../../tnc/index.js';
import { buildConfig } from '../config/load.js';
import type { DropEvent } from '../../radius/server.js';
import { Pdp } from '../pdp.js';
import { runTncClient, type TncClientResult } from '../tnc-client/client.js';
import { ImcManager } from '../tnc-client/imc-manager.js';
import { fakeDas, memoryLog, NAS_SECRET } from './admin-helpers.js';

const TOKEN = 'live-admin-token-0123456789abcdef';
const SECRET = NAS_SECRET; // the NAS stand-in (fakeDas) answers RFC 5176 requests with this secret

const debianHost = () =>
  fixedHostSource({
    '/etc/os-release': 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n',
    '/proc/sys/net/ipv4/ip_forward': '0\n',
    '/proc/uptime': '1000.5 2000.1\n',
    '/proc/net/tcp': '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n',
    '/var/lib/dpkg/status': 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1\n',
  });

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 1000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

for (const workers of [1, 2]) {
  describe(`admin changes reach the running PDP (workers: ${workers})`, () => {
    let dir: string;
    let pdp: Pdp;
    let port: number;
    let ca: string;
    let url: string;
    const das = fakeDas();
    const drops: DropEvent[] = [];
    const logged = memoryLog();

    const gql = async (query: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify({ query }) });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return body.data;
    };
    /** Plain PAP (RFC 2865 User-Password, with Message-Authenticator), answered in the RADIUS thread; rejects on no answer. */
    const pap = async (user: string, password: string, o: { bind?: string; secret?: string; timeoutMs?: number } = {}) => {
      const secret = o.secret ?? SECRET;
      const authenticator = randomBytes(16);
      const wire = buildRequest({
        code: PacketCode.AccessRequest,
        identifier: 7,
        secret,
        authenticator,
        addMessageAuthenticator: true,
        attributes: [
          { type: AttributeType.UserName, value: Buffer.from(user) },
          { type: AttributeType.UserPassword, value: hidePassword(Buffer.from(password), secret, authenticator) },
        ],
      });
      const socket = dgram.createSocket('udp4');
      try {
        await new Promise<void>((r) => socket.bind(0, o.bind ?? '127.0.0.1', () => r()));
        const reply = new Promise<Buffer>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no answer')), o.timeoutMs ?? 500);
          socket.once('message', (m) => (clearTimeout(timer), resolve(m)));
        });
        socket.send(wire, port, '127.0.0.1');
        const raw = await reply;
        // The reply is signed with the client's secret (RFC 2865 section 3, Response Authenticator).
        assert.ok(verifyResponse(raw, authenticator, secret).valid, 'reply signed with the client secret');
        const packet = decodePacket(raw);
        return { code: packet.code, filterId: getAttribute(packet, AttributeType.FilterId)?.toString() };
      } finally {
        socket.close();
      }
    };
    /** EAP-TTLS with inner EAP-MD5 and PT-EAP, our TNC client with the OS and Scanner IMCs. */
    const assess = async (user: string, password: string, deviceId: string): Promise<TncClientResult | Error> => {
      const registry = createStandardRegistry();
      const source = debianHost();
      const manager = new ImcManager({ imcs: [new OsImc({ deviceId }, { source, registry }), new ScannerImc({ source })], registry });
      try {
        // User-Name = the user, as strongSwan's eap-radius sends it (the active session is found by it).
        return await runTncClient({ transport: { kind: 'radius', host: '127.0.0.1', port, secret: SECRET }, user, outerIdentity: user, password, ca, serverName: 'pdp.test', timeoutMs: 20_000 }, manager);
      } catch (e) {
        return e as Error;
      }
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'admin-live-'));
      const daePort = await das.port;
      const config = buildConfig(
        {
          stateDir: dir,
          radius: { auth: { address: '127.0.0.1', port: 0 }, accounting: false, clients: [{ name: 'nas', address: '127.0.0.1/32', secret: SECRET }] },
          pki: { serverName: 'pdp.test' },
          users: [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }],
          eap: { tnc: { method: 'pt-eap' } },
          posture: { imvs: {}, deviceGroups: [{ name: 'Debian', defaultFor: ['Debian 12*'] }], policies: [{ name: 'no-telnet', type: 'packages-blacklist', argument: ['telnetd'] }], enforcements: [{ policy: 'no-telnet', group: 'Debian' }] },
          admin: { listen: { address: '127.0.0.1', port: 0 }, tokens: [{ name: 'ops', token: TOKEN, role: 'admin' }], dynamicAuthorizationPort: daePort },
          workers,
        },
        'test',
        dir,
      );
      pdp = new Pdp({ config, logger: logged.log });
      pdp.on('dropped', (ev) => drops.push(ev));
      port = (await pdp.start()).auth.port;
      ca = pdp.tlsIdentity!.caPem;
      url = `http://127.0.0.1:${pdp.admin!.address!.port}/graphql`;
    });
    after(async () => {
      await pdp.stop();
      das.socket.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('a user created through GraphQL logs in (TTLS/MD5 + posture, and PAP) within a second; a group change changes Filter-Id; deleted: rejected', async () => {
      assert.equal((await pap('erin', 'Erin-pass-1')).code, PacketCode.AccessReject);
      await gql('mutation { createUser(input: { name: "erin", password: "Erin-pass-1", group: "guests" }) { name } }');
      const created = Date.now();
      const accepted = await until('PAP accept for the new user', async () => {
        const r = await pap('erin', 'Erin-pass-1');
        return r.code === PacketCode.AccessAccept ? r : undefined;
      });
      assert.equal(accepted.filterId, 'guests');
      // EAP-TTLS/MD5 runs where the conversations live (an EAP worker thread with workers: 2).
      const ttls = await until('TTLS/MD5 accept for the new user', async () => {
        if (Date.now() - created > 1000) return undefined;
        const r = await assess('erin', 'Erin-pass-1', 'erin-device');
        return r instanceof Error || !r.radius?.accepted ? undefined : r;
      });
      assert.equal(ttls.radius?.filterId, 'allow');
      assert.equal(ttls.outcome.accessRecommendation, AccessRecommendation.AccessAllowed);
      assert.equal((await pap('erin', 'wrong')).code, PacketCode.AccessReject);

      await gql('mutation { updateUser(name: "erin", patch: { group: "staff" }) { group } }');
      await until('Filter-Id follows the new group', async () => ((await pap('erin', 'Erin-pass-1')).filterId === 'staff' ? true : undefined));

      await gql('mutation { deleteUser(name: "erin") { id } }');
      await until('PAP reject for the deleted user', async () => ((await pap('erin', 'Erin-pass-1')).code === PacketCode.AccessReject ? true : undefined));
      const gone = await assess('erin', 'Erin-pass-1', 'erin-device');
      assert.ok(gone instanceof Error || gone.radius?.accepted === false, `deleted user still accepted: ${JSON.stringify(gone)}`);
    });

    it('a RADIUS client created through GraphQL sends right away; deleted, it is dropped as unknown-client', async () => {
      const other = { bind: '127.0.0.2', secret: 'moon2-secret-xyz', timeoutMs: 300 };
      await assert.rejects(pap('carol', 'Ar3etTnp', other));
      assert.ok(drops.some((d) => d.reason === 'unknown-client' && d.address === '127.0.0.2'));
      await gql('mutation { createRadiusClient(input: { name: "moon2", address: "127.0.0.2/32", secret: "moon2-secret-xyz" }) { name } }');
      const r = await until('the new client is answered', () => pap('carol', 'Ar3etTnp', other).then((x) => x, () => undefined));
      assert.deepEqual(r, { code: PacketCode.AccessAccept, filterId: 'allow' });
      assert.ok(logged.lines.some((l) => l['event'] === 'radius.clients' && l['count'] === 2));

      await gql('mutation { deleteRadiusClient(name: "moon2") { id } }');
      const before = drops.length;
      await until('the deleted client is dropped', async () => {
        await pap('carol', 'Ar3etTnp', other).catch(() => undefined);
        return drops.slice(before).some((d) => d.reason === 'unknown-client' && d.address === '127.0.0.2') ? true : undefined;
      });
      // The configured NAS is untouched.
      assert.equal((await pap('carol', 'Ar3etTnp')).code, PacketCode.AccessAccept);
    });

    it('quarantineEndpoint sticks: disconnect (RFC 5176), then isolated with "quarantined by ops" until releaseEndpoint', async () => {
      const device = `live-device-${workers}`;
      const first = await assess('carol', 'Ar3etTnp', device);
      assert.ok(!(first instanceof Error), String(first));
      assert.deepEqual(first.radius, { accepted: true, filterId: 'allow' });

      const sent = das.received.length;
      const q = await gql(`mutation { quarantineEndpoint(endpoint: "${device}") { devices replies { request outcome } override { enforce actor } } }`);
      assert.deepEqual(q.quarantineEndpoint, { devices: [device], replies: [{ request: 'Disconnect-Request', outcome: 'ACK' }], override: { enforce: 'ISOLATE', actor: 'ops' } });
      assert.equal(das.received[sent]?.code, PacketCode.DisconnectRequest);
      assert.equal(getAttribute(das.received[sent]!, AttributeType.UserName)?.toString(), 'carol');

      // The endpoint comes back: the assessment passes, the quarantine holds.
      const again = await assess('carol', 'Ar3etTnp', device);
      assert.ok(!(again instanceof Error), String(again));
      assert.deepEqual(again.radius, { accepted: true, filterId: 'isolate' });
      assert.equal(again.outcome.accessRecommendation, AccessRecommendation.Quarantined);
      assert.ok(again.outcome.reasons.some((r) => r.reason === 'quarantined by ops'), JSON.stringify(again.outcome.reasons));
      const [s] = (await pdp.store!.listSessions({ device, limit: 1 })).items;
      assert.deepEqual([s?.recommendation, s?.enforced, s?.group], ['allow', 'isolate', 'isolate']);
      const q1 = s?.policies.find((p) => p.type === 'admin-quarantine');
      assert.match(q1?.reasons[0] ?? '', /^quarantined by ops at \d{4}-/);
      assert.ok(!(await pdp.store!.getPolicyResults(device)).some((r) => r.policy === 'quarantine'), 'the quarantine is no policy result of the device');
      const audit = (await pdp.store!.listAudit({ kind: 'device', key: device })).items;
      assert.deepEqual([audit[0]?.actor, (audit[0]?.after as { override?: { enforce: string } }).override?.enforce], ['ops', 'isolate']);

      // NO_ACCESS: Access-Reject.
      await gql(`mutation { quarantineEndpoint(endpoint: "${device}", enforce: NO_ACCESS) { devices } }`);
      const denied = await assess('carol', 'Ar3etTnp', device);
      assert.ok(!(denied instanceof Error), String(denied));
      assert.equal(denied.radius?.accepted, false);
      assert.equal(denied.outcome.accessRecommendation, AccessRecommendation.AccessDenied);

      // Released: a CoA-Request to re-assess where it is connected, and the next assessment allows.
      const coa = das.received.length;
      const r = await gql(`mutation { releaseEndpoint(endpoint: "${device}") { devices override { enforce } } }`);
      assert.deepEqual(r.releaseEndpoint, { devices: [device], override: null });
      const coas = das.received.slice(coa);
      assert.ok(coas.length > 0 && coas.every((p) => p.code === PacketCode.CoARequest), `sent: ${coas.map((p) => p.code).join()}`);
      const released = await assess('carol', 'Ar3etTnp', device);
      assert.ok(!(released instanceof Error), String(released));
      assert.deepEqual(released.radius, { accepted: true, filterId: 'allow' });
      assert.ok(!released.outcome.reasons.some((x) => x.reason.startsWith('quarantined')));
    });
  });
}
