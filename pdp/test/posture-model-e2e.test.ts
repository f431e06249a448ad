/**
 * The policy model end to end, in-process: our PDP (RADIUS + EAP-TTLS + MD5 + PT-EAP, and PT-TLS)
 * and our TNC client (tnc-client's ImcManager with the OS and Scanner IMCs on fixed host data).
 *
 *   - a device lands in group Debian by its product ("Debian 12 ..." matches defaultFor "Debian 12*");
 *     its first assessment requests the installed packages (packages-blacklist, maxAge one day);
 *     the second, within maxAge, does not request them and counts the policy as passed;
 *   - a device explicitly in group Lab (child of Debian) is isolated by a policy enforced only on
 *     Lab (tcp/22 open), with the policy's remediation text as IETF Remediation Instructions and
 *     PB-Remediation-Parameters; the Debian device with the same port open is allowed;
 *   - with workers: 2 the two assessments of one device run in different EAP worker threads and the
 *     second still skips: both reach the one store in the main thread.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createStandardRegistry, fixedHostSource, OsImc, ScannerImc, type HostSource } from '../../imc-imv/index.js';
import { AccessRecommendation } from '../../tnc/index.js';
import { buildConfig } from '../config/load.js';
import { createLogger } from '../logging.js';
import { Pdp } from '../pdp.js';
import { runTncClient, type TncClientResult } from '../tnc-client/client.js';
import { ImcManager, type ImcManagerEvent } from '../tnc-client/imc-manager.js';

const SECRET = 'model-e2e-secret';

const POSTURE = {
  imvs: {},
  deviceGroups: [
    { name: 'Debian', defaultFor: ['Debian 12*'] },
    { name: 'Lab', parent: 'Debian' },
  ],
  devices: [{ id: 'lab-device-0001', groups: ['Lab'] }],
  policies: [
    { name: 'no-telnet', type: 'packages-blacklist', argument: ['telnetd'] },
    { name: 'no-ssh', type: 'tcp-ports-blocked', argument: ['22'], remediation: 'Stop and disable sshd' },
  ],
  enforcements: [
    { policy: 'no-telnet', group: 'Debian', maxAge: 86400 },
    { policy: 'no-ssh', group: 'Lab' },
  ],
};

function debianHost(): HostSource {
  return fixedHostSource({
    '/etc/os-release': 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n',
    '/proc/sys/net/ipv4/ip_forward': '0\n',
    '/proc/uptime': '1000.5 2000.1\n',
    '/proc/net/tcp': [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
    ].join('\n'),
    '/var/lib/dpkg/status': 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1\n',
  });
}

async function startPdp(dir: string, workers: number) {
  const config = buildConfig(
    {
      stateDir: dir,
      radius: { auth: { address: '127.0.0.1', port: 0 }, accounting: false, clients: [{ name: 'nas', address: '127.0.0.1/32', secret: SECRET }] },
      pki: { serverName: 'pdp.test' },
      users: [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }],
      eap: { tnc: { method: 'pt-eap' } },
      posture: POSTURE,
      workers,
      log: { level: 'silent' },
    },
    'test',
    dir,
  );
  const pdp = new Pdp({ config, logger: createLogger('silent') });
  const bound = await pdp.start();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pdp.tlsIdentity!.caPem);
  return { pdp, port: bound.auth.port, ca: pdp.tlsIdentity!.caPem };
}

async function assess(t: { port: number; ca: string }, deviceId: string): Promise<{ result: TncClientResult; sent: string[] }> {
  const registry = createStandardRegistry();
  const source = debianHost();
  const sent: string[] = [];
  const manager = new ImcManager({
    imcs: [new OsImc({ deviceId }, { source, registry }), new ScannerImc({ source })],
    registry,
    onEvent: (e: ImcManagerEvent) => {
      if (e.type === 'pa-sent') sent.push(...e.attributes);
    },
  });
  const result = await runTncClient(
    { transport: { kind: 'radius', host: '127.0.0.1', port: t.port, secret: SECRET }, user: 'carol', password: 'Ar3etTnp', ca: t.ca, serverName: 'pdp.test', timeoutMs: 20_000 },
    manager,
  );
  return { result, sent };
}

for (const workers of [1, 2]) {
  describe(`policy model end to end (workers: ${workers})`, () => {
    let dir: string;
    let t: Awaited<ReturnType<typeof startPdp>>;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'posture-model-e2e-'));
      t = await startPdp(dir, workers);
    });
    after(async () => {
      await t.pdp.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('first assessment requests the packages; the second within maxAge does not and counts the pass', async () => {
      const first = await assess(t, 'debian-device-0001');
      assert.equal(first.result.outcome.accessRecommendation, AccessRecommendation.AccessAllowed);
      assert.deepEqual(first.result.radius, { accepted: true, filterId: 'allow' });
      assert.ok(first.sent.includes('installed-packages'), `first run sent: ${first.sent.join(', ')}`);

      const second = await assess(t, 'debian-device-0001');
      assert.equal(second.result.outcome.accessRecommendation, AccessRecommendation.AccessAllowed);
      assert.ok(!second.sent.includes('installed-packages'), `second run sent: ${second.sent.join(', ')}`);

      // Both sessions are in the main thread's store, whichever worker ran them.
      const store = t.pdp.store!;
      const sessions = (await store.listSessions({ device: 'debian-device-0001' })).items;
      assert.equal(sessions.length, 2);
      const [latest, earlier] = sessions;
      assert.deepEqual(earlier?.groups, ['Debian']);
      assert.deepEqual(earlier?.policies.map((p) => [p.policy, p.outcome, p.skipped === undefined]), [['no-telnet', 'pass', true]]);
      assert.deepEqual(latest?.policies.map((p) => [p.policy, p.outcome, p.skipped?.maxAge]), [['no-telnet', 'pass', 86400]]);
      assert.match(latest?.policies[0]?.reasons[0] ?? '', /within maxAge 86400 s: not checked again/);
      const device = await store.getDevice('debian-device-0001');
      assert.equal(device?.idKind, 'device-id');
      assert.match(device?.product ?? '', /^Debian 12/);
      // The skip did not refresh the pass: its time is the first session's.
      assert.equal((await store.getPolicyResults('debian-device-0001'))[0]?.session, (await store.listSessions({ device: 'debian-device-0001' })).items[1]?.id);
    });

    it('a device in group Lab is isolated by the policy enforced only on Lab, with its remediation', async () => {
      const lab = await assess(t, 'lab-device-0001');
      assert.equal(lab.result.outcome.accessRecommendation, AccessRecommendation.Quarantined);
      assert.deepEqual(lab.result.radius, { accepted: true, filterId: 'isolate' });
      assert.match(lab.result.outcome.reasons.map((r) => r.reason).join(), /tcp\/22/);
      assert.deepEqual(lab.result.outcome.remediation, [{ type: 'string', text: 'Stop and disable sshd', language: 'en' }]);
      // Lab inherits Debian's enforcement: the packages are checked too.
      assert.ok(lab.sent.includes('installed-packages'));
      const [s] = (await t.pdp.store!.listSessions({ device: 'lab-device-0001' })).items;
      assert.deepEqual(s?.groups, ['Lab', 'Debian']);
      assert.deepEqual(s?.policies.map((p) => [p.policy, p.outcome, p.recommendation]), [
        ['no-telnet', 'pass', 'allow'],
        ['no-ssh', 'fail', 'isolate'],
      ]);
      assert.deepEqual([s?.recommendation, s?.enforced, s?.group, s?.transport, s?.via], ['isolate', 'isolate', 'isolate', 'pt-eap', 'radius']);
    });
  });
}
