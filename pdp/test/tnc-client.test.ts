/**
 * tnc-client against the PDP in-process on loopback, over PT-TLS and over RADIUS (EAP-TTLS +
 * MD5 + PT-EAP), with the real IMCs reading this host (the scanner sees the port this test opens)
 * or fixed host data; the CLI's exit codes; actionable errors (refused, untrusted CA, timeout).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixedHostSource, linuxHostSource, type HostSource } from '../../imc-imv/index.js';
import { buildConfig } from '../config/load.js';
import { createLogger } from '../logging.js';
import { Pdp } from '../pdp.js';
import { makeTestPki } from '../eap/test/certs.js';
import { EXIT, tncClientMain } from '../tnc-client/main.js';

const SECRET = 'tnc-client-secret';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function listenAny(): Promise<{ server: Server; port: number }> {
  const server = createServer((c) => c.destroy());
  await new Promise<void>((r) => server.listen(0, '0.0.0.0', r));
  return { server, port: (server.address() as { port: number }).port };
}

async function startPdp(dir: string, posture: object) {
  const ptTlsPort = await freePort();
  const config = buildConfig(
    {
      stateDir: dir,
      radius: { auth: { address: '127.0.0.1', port: 0 }, accounting: false, clients: [{ name: 'nas', address: '127.0.0.1/32', secret: SECRET }] },
      pki: { serverName: 'pdp.test' },
      users: [
        { name: 'carol', password: 'Ar3etTnp', group: 'allow' },
        { name: 'dave', password: 'W7R0g3do', group: 'isolate' },
      ],
      eap: { tnc: { method: 'pt-eap' } },
      ptTls: { address: '127.0.0.1', port: ptTlsPort, clientAuth: 'sasl-plain' },
      posture,
      log: { level: 'silent' },
    },
    'test',
    dir,
  );
  const pdp = new Pdp({ config, logger: createLogger('silent') });
  const bound = await pdp.start();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pdp.tlsIdentity!.caPem);
  return { pdp, radiusPort: bound.auth.port, ptTlsPort, caFile };
}

interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function cli(args: string[], source?: HostSource): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tncClientMain(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, source ? { source } : {});
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tnc-client against the PDP (OS, Scanner and Test IMVs; a policy that blocks a port we open)', () => {
  let dir: string;
  let t: Awaited<ReturnType<typeof startPdp>>;
  let open: { server: Server; port: number };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tnc-client-'));
    open = await listenAny();
    t = await startPdp(dir, { imvs: { os: {}, scanner: { blockedPorts: [`tcp/${open.port}`] }, test: {} } });
  });
  after(async () => {
    await t.pdp.stop();
    open.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ptTls = () => ['--pt-tls', `127.0.0.1:${t.ptTlsPort}`, '--ca', t.caFile, '--server-name', 'pdp.test', '--user', 'carol', '--password', 'Ar3etTnp'];
  const radius = () => ['--radius', `127.0.0.1:${t.radiusPort}`, '--secret', SECRET, '--ca', t.caFile, '--server-name', 'pdp.test', '--user', 'carol', '--password', 'Ar3etTnp'];

  for (const [name, args] of [
    ['PT-TLS', ptTls],
    ['RADIUS', radius],
  ] as const) {
    it(`${name}: this host with the blocked port open -> Quarantined, exit 1, the port named in reasons and remediation`, async () => {
      const r = await cli([...args(), '--test-command', 'allow']);
      assert.equal(r.code, EXIT.isolate, `${r.out}\n${r.err}`);
      assert.match(r.out, /^Recommendation: Quarantined$/m);
      assert.match(r.out, /^Assessment:     non-compliant major$/m);
      assert.match(r.out, new RegExp(`open ports not allowed by policy: .*tcp/${open.port}`));
      assert.match(r.out, new RegExp(`Close these ports: .*tcp/${open.port}`));
      assert.match(r.err, /authenticated; posture assessment started/);
      assert.match(r.err, /batch 1 from the server/);
      if (name === 'RADIUS') assert.match(r.out, /Access-Accept, Filter-Id isolate/);
    });

    it(`${name}: fixed host data without that port and Test IMC allow -> Access Allowed, exit 0`, async () => {
      const r = await cli([...args(), '--test-command', 'allow'], debianHost());
      assert.equal(r.code, EXIT.allow, `${r.out}\n${r.err}`);
      assert.match(r.out, /^Recommendation: Access Allowed$/m);
      assert.match(r.out, /^Assessment:     compliant$/m);
    });

    it(`${name}: Test IMC block -> Access Denied, exit 2`, async () => {
      const r = await cli([...args(), '--test-command', 'block'], debianHost());
      assert.equal(r.code, EXIT.noAccess, `${r.out}\n${r.err}`);
      assert.match(r.out, /^Recommendation: Access Denied$/m);
      assert.match(r.out, /IMC Test was not configured with "command = allow"/);
      if (name === 'RADIUS') assert.match(r.out, /Access-Reject/);
    });
  }

  it('the PDP real-host default (no --test-command) still ends with a recommendation', async () => {
    const r = await cli(ptTls(), linuxHostSource());
    assert.ok([EXIT.allow, EXIT.isolate, EXIT.noAccess].includes(r.code as 0 | 1 | 2), `${r.out}\n${r.err}`);
  });

  it('wrong CA -> exit 3 with a hint about --ca (PT-TLS and RADIUS)', async () => {
    const other = await makeTestPki();
    const caFile = join(dir, 'other-ca.pem');
    writeFileSync(caFile, other.caPem);
    const withCa = (args: string[]) => args.map((a) => (a === t.caFile ? caFile : a));
    for (const args of [withCa(ptTls()), withCa(radius())]) {
      const r = await cli(args, debianHost());
      assert.equal(r.code, EXIT.error, `${r.out}\n${r.err}`);
      assert.match(r.err, /--ca/);
      assert.match(r.err, /CERTIFICATE_UNTRUSTED/);
    }
  });

  it('wrong password -> exit 3 AUTHENTICATION_FAILED (PT-TLS and RADIUS)', async () => {
    for (const args of [ptTls(), radius()]) {
      const r = await cli(args.map((a) => (a === 'Ar3etTnp' ? 'wrong' : a)), debianHost());
      assert.equal(r.code, EXIT.error, `${r.out}\n${r.err}`);
      assert.match(r.err, /AUTHENTICATION_FAILED/);
    }
  });

  it('connection refused (PT-TLS) and no answer (RADIUS, wrong secret) -> exit 3 with what to check', async () => {
    const closed = await freePort();
    const refused = await cli(['--pt-tls', `127.0.0.1:${closed}`, '--ca', t.caFile], debianHost());
    assert.equal(refused.code, EXIT.error);
    assert.match(refused.err, /connection refused by 127\.0\.0\.1:\d+.*\[CONNECTION_REFUSED\]/);
    const silent = await cli(radius().map((a) => (a === SECRET ? 'not-the-secret' : a)).concat(['--timeout', '20']), debianHost());
    assert.equal(silent.code, EXIT.error);
    assert.match(silent.err, /no answer from the RADIUS server.*--secret.*\[TIMEOUT\]/);
  });

  it('the installed command (node --import tsx pdp/tnc-client/cli.ts) exits 1 on this host, result on stdout', async () => {
    // Asynchronous spawn: the PDP runs in this process's event loop.
    const r = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'pdp/tnc-client/cli.ts', ...ptTls(), '--test-command', 'allow', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.on('close', (status: number | null) => resolve({ status, stdout }));
    });
    assert.equal(r.status, EXIT.isolate, r.stdout);
    assert.match(r.stdout, /^Recommendation: Quarantined$/m);
  });

  it('usage errors -> exit 3', async () => {
    assert.equal((await cli([])).code, EXIT.error);
    assert.equal((await cli(['--radius', '127.0.0.1', '--user', 'carol', '--password', 'x'])).code, EXIT.error);
    assert.equal((await cli(['--pt-tls', '127.0.0.1:99999'])).code, EXIT.error);
  });
});

describe('tnc-client: the OS IMV asks for the installed packages (Attribute Request + Segmentation Contract)', () => {
  let dir: string;
  let t: Awaited<ReturnType<typeof startPdp>>;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tnc-client-os-'));
    t = await startPdp(dir, { imvs: { os: { blacklistedPackages: ['telnetd'] } } });
  });
  after(async () => {
    await t.pdp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const transport of ['--pt-tls', '--radius'] as const) {
    it(`${transport}: this host's dpkg list (no telnetd here) -> Access Allowed; a host with telnetd -> Quarantined`, async () => {
      const base =
        transport === '--pt-tls'
          ? ['--pt-tls', `127.0.0.1:${t.ptTlsPort}`]
          : ['--radius', `127.0.0.1:${t.radiusPort}`, '--secret', SECRET];
      const args = [...base, '--ca', t.caFile, '--server-name', 'pdp.test', '--user', 'carol', '--password', 'Ar3etTnp'];
      const real = await cli(args, linuxHostSource());
      assert.equal(real.code, EXIT.allow, `${real.out}\n${real.err}`);
      const many = Array.from({ length: 3000 }, (_, i) => `Package: lib-example-package-${i}\nStatus: install ok installed\nVersion: 1.${i}.0-1+deb12u1\n`).join('\n');
      const big = debianHost({ '/var/lib/dpkg/status': `${many}\nPackage: telnetd\nStatus: install ok installed\nVersion: 0.17-44\n` });
      const bad = await cli(args, big);
      assert.equal(bad.code, EXIT.isolate, `${bad.out}\n${bad.err}`);
      assert.match(bad.out, /blacklisted packages installed: telnetd/);
      assert.match(bad.out, /remove telnetd/);
    });
  }
});

function debianHost(extra: Record<string, string> = {}): HostSource {
  return fixedHostSource({
    '/etc/os-release': 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n',
    '/etc/machine-id': '0123456789abcdef0123456789abcdef\n',
    '/proc/sys/net/ipv4/ip_forward': '0\n',
    '/proc/uptime': '1000.5 2000.1\n',
    '/proc/net/tcp': [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0',
    ].join('\n'),
    '/var/lib/dpkg/status': 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1\n',
    ...extra,
  });
}
