import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8', timeout: 20_000 });

describe('tnc-pdp command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-'));
  it('--check accepts a valid file (exit 0) and says so', () => {
    const f = join(dir, 'ok.yaml');
    writeFileSync(f, 'radius:\n  clients: [{ name: moon, address: 10.1.0.1, secret: s }]\nusers: []\n');
    const r = run('--config', f, '--check');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /configuration is valid \(1 RADIUS clients, 0 users\)/);
  });
  it('--check rejects an invalid file (exit 2) naming the file and field', () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'radius:\n  clients: [{ name: moon, address: 10.1.0.1, secret: s, requireMessageAuthenticator: "yes" }]\nusers: []\n');
    const r = run('--config', f, '--check');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad\.yaml: invalid configuration/);
    assert.match(r.stderr, /radius\.clients\.0\.requireMessageAuthenticator: must be boolean/);
  });
  it('an unknown option gets usage and exit 2', () => {
    const r = run('--frobnicate');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /usage: tnc-pdp/);
  });
});
