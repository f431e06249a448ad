/**
 * Smoke test of the cached strongSwan 5.9.8 build WITH PB-TNC (lib/build-strongswan-tnc.sh), which
 * the PB-TNC scenarios need because Debian's strongSwan lacks every PB-TNC piece (PEERS.md). The
 * first run on a machine builds it (a few minutes on 2 cores, progress on stderr); later runs find
 * the cache and take well under a second.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run, Scope, startProc } from './lib/proc.js';
import { ensureStrongswanTnc, type StrongswanTnc } from './lib/strongswan-tnc.js';
import { makeTempDir } from './lib/tmp.js';

const BUILD_TIMEOUT_MS = 45 * 60_000;

const PLUGINS = [
  'tnccs-20',
  'tnccs-11',
  'tnccs-dynamic',
  'tnc-tnccs',
  'tnc-imc',
  'tnc-imv',
  'tnc-pdp',
  'eap-tnc',
  'eap-ttls',
  'eap-md5',
  'eap-identity',
  'eap-radius',
  'kernel-libipsec',
  'openssl',
  'sqlite',
  'kdf',
  'vici',
];
/** Loaded into charon by the last test, in this order (the PB-TNC set and the EAP methods around it). */
const CHARON_PLUGINS = [
  'eap-identity',
  'eap-md5',
  'eap-ttls',
  'eap-tnc',
  'eap-radius',
  'tnc-tnccs',
  'tnc-imc',
  'tnc-imv',
  'tnc-pdp',
  'tnccs-20',
  'tnccs-11',
  'tnccs-dynamic',
  'sqlite',
];
const IMCVS = ['imc-os', 'imc-scanner', 'imc-test', 'imv-os', 'imv-scanner', 'imv-test'];

describe('strongSwan 5.9.8 with PB-TNC, built from Debian source and cached', { timeout: BUILD_TIMEOUT_MS + 60_000 }, () => {
  const scope = new Scope();
  let ss: StrongswanTnc;

  before(async () => {
    ss = await ensureStrongswanTnc({ timeoutMs: BUILD_TIMEOUT_MS });
  }, { timeout: BUILD_TIMEOUT_MS + 30_000 });
  after(() => scope.close());

  it('a second call finds the cache (completion stamp) without rebuilding', { timeout: 30_000 }, async () => {
    const started = performance.now();
    const lines: string[] = [];
    const again = await ensureStrongswanTnc({ onProgress: (l) => lines.push(l) });
    assert.deepEqual(again, ss);
    assert.ok(existsSync(join(ss.prefix, '.tnc-build-complete')));
    assert.ok(performance.now() - started < 10_000, 'the cached path took more than 10 s');
  });

  it('charon --version reports strongSwan 5.9.8', { timeout: 30_000 }, async () => {
    const r = await run(ss.charon, ['--version'], { timeoutMs: 20_000 });
    assert.match(r.stdout, /strongSwan 5\.9\.8\b/, `charon --version: ${r.stdout}${r.stderr}`);
  });

  it('every PB-TNC plugin and IMC/IMV exists and ldd resolves its libraries', { timeout: 60_000 }, async () => {
    const files = [
      ss.charon,
      ss.ptTlsClient,
      ss.swanctl,
      ...PLUGINS.map((p) => join(ss.pluginDir, `libstrongswan-${p}.so`)),
      ...IMCVS.map((m) => join(ss.imcDir, `${m}.so`)),
    ];
    for (const f of files) {
      assert.ok(existsSync(f), `missing ${f}`);
      const r = await run('ldd', [f], { timeoutMs: 20_000 });
      assert.doesNotMatch(r.stdout, /not found/, `${f} has unresolved libraries:\n${r.stdout}`);
    }
  });

  it('pt-tls-client --help loads tnccs-20 and the OS, Scanner and Test IMCs', { timeout: 60_000 }, async () => {
    // A private strongswan.conf (the prefix's own config is not read) naming a tnc_config with the
    // three IMCs; pt-tls-client loads its plugins and the IMCs before it looks at --help.
    const dir = makeTempDir(scope, 'strongswan-tnc-pt-tls');
    const tncConfig = join(dir, 'tnc_config');
    writeFileSync(
      tncConfig,
      ['OS', 'Scanner', 'Test'].map((n) => `IMC "${n}" ${join(ss.imcDir, `imc-${n.toLowerCase()}.so`)}\n`).join(''),
    );
    const conf = join(dir, 'strongswan.conf');
    writeFileSync(
      conf,
      `libtnccs {\n  tnc_config = ${tncConfig}\n}\nlibimcv {\n  plugins {\n    imc-os {\n      device_id = smoke-test\n    }\n  }\n}\n`,
    );
    const r = await run(ss.ptTlsClient, ['--help'], {
      timeoutMs: 30_000,
      env: { ...process.env, STRONGSWAN_CONF: conf },
      check: false,
    });
    const out = `${r.stdout}${r.stderr}`;
    assert.equal(r.code, 0, `pt-tls-client --help exited ${r.code}:\n${out}`);
    assert.match(out, /Usage: pt-tls/, out);
    // pt-tls-client's built-in plugin list has tnccs-20 only (PT-TLS carries PB-TNC, never 1.1).
    const loaded = /loaded plugins: (.*)/.exec(out)?.[1]?.split(' ') ?? [];
    for (const p of ['tnc-tnccs', 'tnc-imc', 'tnccs-20']) {
      assert.ok(loaded.includes(p), `plugin ${p} not loaded by pt-tls-client:\n${out}`);
    }
    for (const imc of ['OS', 'Scanner', 'Test']) {
      assert.match(out, new RegExp(`IMC \\d+ "${imc}" loaded from '${ss.imcDir}/imc-${imc.toLowerCase()}\\.so'`), `IMC ${imc} not loaded:\n${out}`);
    }
  });

  it('charon loads tnccs-20/-11/-dynamic, tnc-imc/-imv, tnc-pdp and the Test IMC and IMV', {
    timeout: 60_000,
    skip: process.getuid?.() === 0 ? false : 'needs root (private mount and network namespace for charon)',
  }, async () => {
    // Own network namespace (tnc-pdp binds the RADIUS port, IKE a random port) and own /run (the
    // pid file): nothing of this machine's is touched. charon logs "loaded plugins:" once ready.
    const dir = makeTempDir(scope, 'strongswan-tnc-charon');
    const runDir = join(dir, 'run');
    mkdirSync(runDir);
    const tncConfig = join(dir, 'tnc_config');
    writeFileSync(tncConfig, `IMC "Test" ${join(ss.imcDir, 'imc-test.so')}\nIMV "Test" ${join(ss.imcDir, 'imv-test.so')}\n`);
    const conf = join(dir, 'strongswan.conf');
    writeFileSync(
      conf,
      `charon {
  load = random nonce openssl pem pkcs1 x509 pubkey kdf socket-default kernel-libipsec kernel-netlink ${CHARON_PLUGINS.join(' ')} vici
  port = 0
  port_nat_t = 0
  filelog {
    stdout {
      default = 1
    }
  }
  syslog {
    daemon {
      default = -1
    }
  }
  plugins {
    vici {
      socket = unix://${join(runDir, 'charon.vici')}
    }
    tnc-pdp {
      server = pdp.smoke.test
      radius {
        secret = smoke-Secret
      }
    }
  }
}
libtnccs {
  tnc_config = ${tncConfig}
}
`,
    );
    const proc = startProc(
      scope,
      'stdbuf',
      ['-oL', 'unshare', '--net', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind "$1" /run && exec "$2"', 'sh', runDir, ss.charon],
      { name: 'charon-tnc', env: { ...process.env, STRONGSWAN_CONF: conf }, maxLifetimeMs: 60_000 },
    );
    try {
      const line = await proc.waitForLine((l) => l.includes('loaded plugins:'), { timeoutMs: 30_000, what: 'charon "loaded plugins:"' });
      const loaded = line.slice(line.indexOf('loaded plugins:') + 'loaded plugins:'.length).trim().split(' ');
      for (const p of CHARON_PLUGINS) assert.ok(loaded.includes(p), `charon did not load ${p}:\n${proc.lines.join('\n')}`);
      assert.ok(proc.lines.some((l) => /IMC 1 "Test" loaded from/.test(l)), proc.lines.join('\n'));
      assert.ok(proc.lines.some((l) => /IMV 1 "Test" loaded from/.test(l)), proc.lines.join('\n'));
    } finally {
      await proc.stop();
    }
  });
});
