/**
 * Re-assessment on an open PT-TLS connection (PB-TNC SRETRY, RFC 5793 section 3.2), in process:
 * our tnc-client --watch connects to our PT-TLS server (OS + Scanner IMVs, a policy that blocks
 * tcp/2222), gets its first decision (Access Allowed), then the host's posture changes (the
 * injected HostSource starts listening on tcp/2222), PtTlsServer.reassess() sends SRETRY, the
 * client's IMCs measure again and answer in a CRETRY, and the second decision is Quarantined,
 * printed by the client; Ctrl-C (the AbortSignal) ends with a CLOSE batch.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HostSource } from '../../imc-imv/index.js';
import { buildConfig } from '../config/load.js';
import { makeTestPki } from '../eap/test/certs.js';
import { createPostureService } from '../posture/module.js';
import { PtTlsServer } from '../pt-tls/server.js';
import { ConfigUserDirectory } from '../users.js';
import { EXIT, tncClientMain } from '../tnc-client/main.js';
import { writeFileSync } from 'node:fs';

const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const listener = (hexPort: string, n: number) => `   ${n}: 00000000:${hexPort} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${n + 1} 1 0 100 0 0 10 0`;

/** A host whose listening TCP ports can change while the client runs. */
function changingHost(): HostSource & { listen(port: number): void } {
  const ports = [22];
  const files: Record<string, string> = {
    '/etc/os-release': 'NAME="Debian GNU/Linux"\nID=debian\nVERSION_ID="12"\n',
    '/etc/machine-id': '0123456789abcdef0123456789abcdef\n',
    '/proc/sys/net/ipv4/ip_forward': '0\n',
    '/proc/uptime': '1000.5 2000.1\n',
    '/var/lib/dpkg/status': 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1\n',
  };
  return {
    readText: async (path) => {
      if (path === '/proc/net/tcp') return [TCP_HEADER, ...ports.map((p, i) => listener(p.toString(16).toUpperCase().padStart(4, '0'), i))].join('\n');
      return files[path];
    },
    machine: () => 'x86_64',
    now: () => new Date('2026-01-01T00:00:00Z'),
    listen: (port) => ports.push(port),
  };
}

describe('tnc-client --watch: the PDP re-assesses an open PT-TLS connection (SRETRY)', () => {
  let dir: string;
  let server: PtTlsServer;
  let port: number;
  let caFile: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tnc-watch-'));
    const pki = await makeTestPki({ serverName: 'pdp.test' });
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, pki.caPem);
    const config = buildConfig(
      {
        stateDir: dir,
        radius: { auth: { address: '127.0.0.1', port: 0 }, accounting: false, clients: [{ name: 'nas', address: '127.0.0.1/32', secret: 'unused-secret' }] },
        pki: { serverName: 'pdp.test' },
        users: [{ name: 'carol', password: 'Ar3etTnp', group: 'allow' }],
        posture: { imvs: { os: {}, scanner: { blockedPorts: ['tcp/2222'] } } },
        log: { level: 'silent' },
      },
      'test',
      dir,
    );
    server = new PtTlsServer({
      port: 0,
      identity: { certificatePem: pki.certPem, privateKeyPem: pki.keyPem, caPem: pki.caPem },
      clientAuth: 'sasl-plain',
      users: new ConfigUserDirectory(config.users),
      postureService: createPostureService(config),
      idleTimeoutMs: 500, // shorter than the pause below: a decided connection must survive it
    });
    port = (await server.listen()).port;
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('first Access Allowed; after tcp/2222 opens, reassess() gives Quarantined on the same connection', async () => {
    const host = changingHost();
    const stop = new AbortController();
    const out: string[] = [];
    const err: string[] = [];
    const decisions: (number | undefined)[] = [];
    server.on('decision', (d) => decisions.push(d.accessRecommendation));
    const connections = new Set<number>();
    server.on('connection', (p) => connections.add(p.id));
    const run = tncClientMain(
      ['--pt-tls', `127.0.0.1:${port}`, '--ca', caFile, '--server-name', 'pdp.test', '--user', 'carol', '--password', 'Ar3etTnp', '--watch'],
      { out: (l) => out.push(l), err: (l) => err.push(l) },
      { source: host, signal: stop.signal },
    );
    const until = async (what: () => boolean, label: string) => {
      for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(what(), `${label}\n${out.join('\n')}\n${err.join('\n')}`);
    };
    await until(() => server.list().some((c) => c.decided) && /Assessment 1/.test(out.join('\n')), 'a first decision, printed');
    assert.match(out.join('\n'), /^Assessment 1 .*\n {2}Recommendation: Access Allowed$/m);
    // Silent longer than the idle timeout: a connection in Decided is not dropped.
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(server.list().length, 1);

    host.listen(2222);
    const [again, ...rest] = await server.reassess((c) => c.user === 'carol' && c.decided, { timeoutMs: 10_000 });
    assert.equal(rest.length, 0);
    assert.ok(again?.ok, JSON.stringify(again));
    assert.equal(again.decision?.recommendation, 'isolate');
    assert.equal(again.accessRecommendation, 3);
    await until(() => /Assessment 2/.test(out.join('\n')), 'the second result printed');
    assert.match(out.join('\n'), /^Assessment 2 .*\n {2}Recommendation: Quarantined$/m);
    assert.match(out.join('\n'), /tcp\/2222/);
    assert.match(err.join('\n'), /new assessment \(SRETRY\)/);
    assert.deepEqual(decisions, [1, 3]);
    assert.equal(connections.size, 1, 'one TCP/TLS connection for both assessments');

    // Reassessing an unknown connection fails without harm.
    const [unknown] = await server.reassess(9999);
    assert.ok(unknown && !unknown.ok);
    assert.equal(unknown.code, 'PTTLS_NO_SUCH_CONNECTION');

    stop.abort();
    assert.equal(await run, EXIT.isolate, `${out.join('\n')}\n${err.join('\n')}`);
    await until(() => server.list().length === 0, 'the connection closed after the CLOSE batch');
  });

  it('--watch needs --pt-tls', async () => {
    const err: string[] = [];
    const code = await tncClientMain(['--radius', '127.0.0.1', '--secret', 's', '--user', 'u', '--password', 'p', '--ca', caFile, '--watch'], { out: () => undefined, err: (l) => err.push(l) });
    assert.equal(code, EXIT.error);
    assert.match(err.join('\n'), /--watch needs --pt-tls/);
  });
});
