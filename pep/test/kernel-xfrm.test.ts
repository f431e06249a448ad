/**
 * XFRM backend against this machine's kernel, in a fresh network namespace: policies install and
 * `ip xfrm policy` lists them; an ESP state install fails with KernelError 'NO_ESP' (PEERS.md: the
 * kernel has no CONFIG_INET_ESP). Also the exact command lines (no kernel needed).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ESP_MISSING_RE, XfrmKernelIpsec } from '../kernel/kernel-xfrm.js';
import { KernelError } from '../kernel/kernel-error.js';
import { IpBatch } from '../kernel/ip-batch.js';
import { xfrmPolicyDelete, xfrmPolicyUpdate, xfrmStateAdd } from '../kernel/xfrm-commands.js';
import type { PolicyConfig, SaConfig } from '../kernel/kernel-ipsec.js';

const sa: SaConfig = {
  src: '192.168.0.1',
  dst: '192.168.0.100',
  spi: 0xc0ffee01,
  protocol: 'esp',
  mode: 'tunnel',
  encap: { sport: 4500, dport: 4500 },
  encr: { alg: 'aes-cbc', key: Buffer.alloc(16, 0x11) },
  integ: { alg: 'hmac-sha2-256-128', key: Buffer.alloc(32, 0x22) },
  reqid: 7,
  replayWindow: 32,
  lifetime: { hardSeconds: 3600, softSeconds: 3000 },
};

function policy(dir: 'in' | 'out' | 'fwd', reqid = 7): PolicyConfig {
  const out = dir === 'out';
  return {
    selector: out ? { src: '10.1.0.0/16', dst: '10.3.0.1/32' } : { src: '10.3.0.1/32', dst: '10.1.0.0/16' },
    dir,
    tmpl: out
      ? { src: '192.168.0.1', dst: '192.168.0.100', protocol: 'esp', mode: 'tunnel', reqid }
      : { src: '192.168.0.100', dst: '192.168.0.1', protocol: 'esp', mode: 'tunnel', reqid },
    reqid,
    priority: 2000,
  };
}

describe('xfrm command lines', () => {
  it('state add carries algorithms, encapsulation and limits; the description hides the keys', () => {
    const c = xfrmStateAdd(sa);
    assert.equal(
      c.command,
      'xfrm state add src 192.168.0.1 dst 192.168.0.100 proto esp spi 0xc0ffee01 reqid 7 mode tunnel replay-window 32 ' +
        `enc cbc(aes) 0x${'11'.repeat(16)} auth-trunc hmac(sha256) 0x${'22'.repeat(32)} 128 ` +
        'encap espinudp 4500 4500 0.0.0.0 limit time-soft 3000 limit time-hard 3600',
    );
    assert.ok(!c.describe.includes('1111'));
    const gcm = xfrmStateAdd({ ...sa, encr: { alg: 'aes-gcm-16', key: Buffer.alloc(36, 0x33) }, integ: undefined, lifetime: undefined });
    assert.match(gcm.command, / aead rfc4106\(gcm\(aes\)\) 0x(33){36} 128 encap/);
  });
  it('policy update names selectors, direction, priority and template', () => {
    assert.equal(
      xfrmPolicyUpdate(policy('out')).command,
      'xfrm policy update src 10.1.0.0/16 dst 10.3.0.1/32 dir out priority 2000 tmpl src 192.168.0.1 dst 192.168.0.100 proto esp reqid 7 mode tunnel',
    );
  });
  it('policies with an XFRM interface id carry if_id before the templates, and their delete names it', () => {
    assert.equal(
      xfrmPolicyUpdate({ ...policy('in'), ifId: 4096 }).command,
      'xfrm policy update src 10.3.0.1/32 dst 10.1.0.0/16 dir in priority 2000 if_id 4096 tmpl src 192.168.0.100 dst 192.168.0.1 proto esp reqid 7 mode tunnel',
    );
    assert.equal(xfrmPolicyDelete({ selector: { src: '10.3.0.1/32', dst: '10.1.0.0/16' }, dir: 'in', ifId: 4096 }).command, 'xfrm policy delete src 10.3.0.1/32 dst 10.1.0.0/16 dir in if_id 4096');
    assert.throws(() => xfrmPolicyUpdate({ ...policy('in'), ifId: 0 }), { code: 'INVALID' });
    assert.throws(() => xfrmPolicyUpdate({ ...policy('in'), ifId: 2 ** 32 }), { code: 'INVALID' });
  });
  it('the ESP-missing messages of ip are NO_ESP material, other "not found" are not', () => {
    for (const m of ['Requested type not found.', 'Requested AEAD algorithm not found.', 'Requested crypt algorithm not found.', 'Requested auth algorithm not found.']) assert.match(m, ESP_MISSING_RE);
    assert.doesNotMatch('RTNETLINK answers: No such file or directory', ESP_MISSING_RE);
  });
  it('rejects bad keys and addresses with INVALID', () => {
    assert.throws(() => xfrmStateAdd({ ...sa, encr: { alg: 'aes-cbc', key: Buffer.alloc(5) } }), { code: 'INVALID' });
    assert.throws(() => xfrmStateAdd({ ...sa, dst: '300.1.1.1' }), { code: 'INVALID' });
    assert.throws(() => xfrmStateAdd({ ...sa, integ: undefined }), { code: 'INVALID' });
  });
});

describe('xfrm backend in a namespace (this kernel has no ESP)', () => {
  const ns = `pepk${process.pid.toString(36)}${randomBytes(2).toString('hex')}`;
  const ipArgv = ['ip', 'netns', 'exec', ns, 'ip'];
  let kernel: XfrmKernelIpsec;
  before(() => {
    execFileSync('ip', ['netns', 'add', ns]);
    kernel = new XfrmKernelIpsec({ ipArgv });
  });
  after(async () => {
    await kernel?.close();
    execFileSync('ip', ['netns', 'delete', ns]);
  });
  const listPolicies = (): string => execFileSync('ip', ['-n', ns, 'xfrm', 'policy']).toString();

  it('installs in/out/fwd policies that ip xfrm policy lists', async () => {
    await Promise.all([kernel.installPolicy(policy('out')), kernel.installPolicy(policy('in')), kernel.installPolicy(policy('fwd'))]);
    const text = listPolicies();
    assert.match(text, /src 10\.1\.0\.0\/16 dst 10\.3\.0\.1\/32 \n\s+dir out priority 2000/);
    assert.match(text, /src 10\.3\.0\.1\/32 dst 10\.1\.0\.0\/16 \n\s+dir in priority 2000/);
    assert.match(text, /dir fwd priority 2000/);
    assert.match(text, /tmpl src 192\.168\.0\.1 dst 192\.168\.0\.100\n\s+proto esp reqid 7 mode tunnel/);
  });

  it('an ESP state install fails with NO_ESP and a message naming the fix', async () => {
    await assert.rejects(kernel.installSa(sa), (err: unknown) => {
      assert.ok(err instanceof KernelError);
      assert.equal(err.code, 'NO_ESP');
      assert.match(err.message, /the kernel has no ESP \(CONFIG_INET_ESP\)/);
      assert.match(err.message, /use kernel: userspace/);
      assert.match(err.message, /Requested type not found/);
      assert.ok(!err.message.includes('1111'), 'no key material in the message');
      return true;
    });
    assert.equal(execFileSync('ip', ['-n', ns, 'xfrm', 'state']).toString(), '');
  });

  it('an AEAD (aes-gcm) state install fails with NO_ESP too ("Requested AEAD algorithm not found")', async () => {
    const gcm: SaConfig = { ...sa, spi: 0xc0ffee02, encr: { alg: 'aes-gcm-16', key: Buffer.alloc(20, 0x44) }, integ: undefined };
    await assert.rejects(kernel.installSa(gcm), (err: unknown) => {
      assert.ok(err instanceof KernelError);
      assert.equal(err.code, 'NO_ESP');
      assert.match(err.message, /the kernel has no ESP/);
      assert.match(err.message, /Requested (AEAD algorithm|type) not found/);
      return true;
    });
  });

  it('route-based policies (if_id) install next to plain ones, are listed with their if_id, and flush removes them', async () => {
    await kernel.installPolicy({ ...policy('in', 9), selector: { src: '10.4.0.1/32', dst: '10.2.0.0/16' }, ifId: 4096 });
    await kernel.installPolicy({ ...policy('out', 9), selector: { src: '10.2.0.0/16', dst: '10.4.0.1/32' }, ifId: 4096 });
    const text = listPolicies();
    assert.match(text, /src 10\.4\.0\.1\/32 dst 10\.2\.0\.0\/16 \n\s+dir in priority 2000[^]*?if_id 0x1000/);
    assert.match(text, /src 10\.2\.0\.0\/16 dst 10\.4\.0\.1\/32 \n\s+dir out priority 2000[^]*?if_id 0x1000/);
    await kernel.deletePolicy({ selector: { src: '10.2.0.0/16', dst: '10.4.0.1/32' }, dir: 'out', ifId: 4096 });
    await kernel.flush([9]);
    assert.doesNotMatch(listPolicies(), /10\.4\.0\.1/);
  });

  it('keeps working after ip died on the failed state: queued commands are re-sent', async () => {
    const jobs = [kernel.installSa({ ...sa, spi: 0x1234 }), kernel.installPolicy(policy('out', 8)), kernel.deletePolicy(policy('in'))];
    const [s, p, d] = await Promise.allSettled(jobs);
    assert.equal(s?.status, 'rejected');
    assert.equal(p?.status, 'fulfilled');
    assert.equal(d?.status, 'fulfilled');
    assert.doesNotMatch(listPolicies(), /dir in /);
  });

  it('a failing policy delete is NOT_FOUND; flush(reqids) removes what it installed', async () => {
    await assert.rejects(kernel.deletePolicy({ selector: { src: '10.9.0.0/16', dst: '10.8.0.0/16' }, dir: 'out' }), {
      code: 'NOT_FOUND',
    });
    await kernel.flush([7, 8]);
    assert.equal(listPolicies(), '');
  });

  it('ip batch matches errors to commands when ip keeps running', async () => {
    const batch = new IpBatch({ argv: ipArgv });
    try {
      const r = await Promise.allSettled([batch.run('link show dev lo'), batch.run('nosuchobject x'), batch.run('link set dev lo up')]);
      assert.deepEqual(r.map((x) => x.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.match(String((r[1] as PromiseRejectedResult).reason.message), /Object "nosuchobject" is unknown/);
    } finally {
      await batch.close();
    }
  });
});
