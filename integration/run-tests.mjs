#!/usr/bin/env node
// `npm test`: installs the Debian packages the integration tests need when they are missing,
// typechecks, then runs the unit tests of every layer and the integration scenarios with the
// real peers. Plain JavaScript so it runs before anything is built.
//
//   npm test                      everything
//   TEST_ONLY=unit npm test       unit tiers only (byte vectors, fuzz, regression)
//   TEST_ONLY=integration npm test
//   npm test -- integration/radclient.test.ts   just these files
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

// Binaries the integration tests start, and the Debian packages that provide them.
const peers = [
  ['/usr/bin/eapol_test', 'eapoltest'],
  ['/usr/bin/radclient', 'freeradius-utils'],
  ['/usr/sbin/freeradius', 'freeradius'],
  ['/usr/lib/ipsec/charon', 'strongswan-charon'],
  ['/usr/sbin/swanctl', 'strongswan-swanctl'],
  ['/usr/lib/ipsec/plugins/libstrongswan-eap-radius.so', 'libcharon-extra-plugins'],
  ['/usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so', 'libcharon-extra-plugins'],
  ['/usr/lib/ipsec/plugins/libstrongswan-eap-ttls.so', 'libcharon-extra-plugins'],
  ['/usr/bin/pki', 'strongswan-pki'],
  ['/usr/bin/tshark', 'tshark'],
  ['/usr/sbin/ip', 'iproute2'],
  ['/usr/bin/ping', 'iputils-ping'],
  // Issue 5: the shared store, IF-MAP schema validation, GraphiQL in a real browser.
  ['/usr/bin/redis-server', 'redis-server'],
  ['/usr/bin/xmllint', 'libxml2-utils'],
  ['/usr/bin/chromium', 'chromium'],
  // The PEP's TUN addon (pep/native) is compiled by node-gyp: a C compiler, make and python3.
  ['/usr/bin/cc', 'gcc'],
  ['/usr/bin/g++', 'g++'],
  ['/usr/bin/make', 'make'],
  ['/usr/bin/python3', 'python3'],
];
const basePackages = ['strongswan-charon', 'strongswan-swanctl', 'libcharon-extra-plugins', 'libstrongswan-extra-plugins', 'libstrongswan-standard-plugins', 'strongswan-pki', 'freeradius', 'freeradius-utils', 'eapoltest', 'iproute2', 'iputils-ping', 'tshark', 'gcc', 'g++', 'make', 'python3', 'redis-server', 'libxml2-utils', 'chromium'];

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status ?? 1;
}

function ensurePeers() {
  const missing = [...new Set(peers.filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg))];
  if (missing.length === 0) return true;
  const line = `apt-get install -y ${basePackages.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`integration tests need Debian packages that are missing (${missing.join(', ')}).\nRun as root:\n  apt-get update && ${line}`);
    return false;
  }
  console.log(`[setup] installing missing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['update', '-qq'], { env }) !== 0) return false;
  // tshark asks whether non-root users may capture; answer no without a prompt.
  spawnSync('sh', ['-c', 'echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections'], { stdio: 'inherit' });
  if (run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...basePackages], { env }) !== 0) return false;
  const still = peers.filter(([bin]) => !existsSync(bin)).map(([b]) => b);
  if (still.length) {
    console.error(`still missing after apt-get: ${still.join(', ')}`);
    return false;
  }
  return true;
}

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

const only = process.env.TEST_ONLY ?? 'all';
const explicit = process.argv.slice(2).filter((a) => a.endsWith('.ts'));
const unit = explicit.length ? explicit.filter((f) => !f.startsWith('integration/')) : ['radius', 'tnc', 'imc-imv', 'pdp', 'pep'].flatMap((d) => findTests(d));
const integration = explicit.length ? explicit.filter((f) => f.startsWith('integration/')) : findTests('integration');

console.log('[typecheck] tsc -p tsconfig.check.json');
if (run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.check.json']) !== 0) {
  console.error('typecheck failed');
  process.exit(1);
}

// `npm ci` builds pep/native/tun.node when a compiler is there and only warns otherwise (so a
// machine without build tools can still install); here, after the tools are ensured, it must exist.
function ensureNativeAddon() {
  if (existsSync(join(root, 'pep/native/build/Release/tun.node'))) return true;
  console.log('[setup] building the TUN addon: node pep/native/build.mjs');
  return run(process.execPath, ['pep/native/build.mjs'], { env: { ...process.env, TNC_NATIVE_STRICT: '1' } }) === 0;
}

const results = [];
function testRun(label, files, concurrency) {
  if (files.length === 0) return;
  console.log(`\n[${label}] ${files.length} files`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./integration/lib/count-reporter.mjs', `--test-reporter-destination=${countFile(label)}`, ...files], { stdio: 'inherit', env: process.env });
  results.push({ label, status: r.status ?? 1 });
}
function countFile(label) {
  return join(root, '.test-counts-' + label + '.json');
}

// The peers (and build tools) first: some unit tests of pep/ open TUN devices and namespaces.
if (!ensurePeers()) {
  console.error('cannot run the tests: see above');
  process.exit(1);
}
if (!ensureNativeAddon()) {
  console.error('the TUN addon (pep/native) does not build: see the compiler output above');
  process.exit(1);
}
if (only !== 'integration') testRun('unit', unit, 2);
if (only !== 'unit') testRun('integration', integration, 1);

let passed = 0, failed = 0, skipped = 0;
const { readFileSync, rmSync } = await import('node:fs');
for (const { label } of results) {
  try {
    const c = JSON.parse(readFileSync(countFile(label), 'utf8'));
    passed += c.passed; failed += c.failed; skipped += c.skipped;
    rmSync(countFile(label));
  } catch { failed++; }
}
const ok = results.every((r) => r.status === 0);
console.log(`\n${results.map((r) => `${r.label}: ${r.status === 0 ? 'ok' : 'FAILED'}`).join(', ')}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(ok && failed === 0 ? 0 : 1);
