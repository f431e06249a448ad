/**
 * Micro-benchmark for the XFRM backend's transport (run as root):
 *   node --import tsx pep/kernel/bench-xfrm.ts [N]
 * In a throw-away namespace: N policy installs through one `ip -force -batch -` process (as
 * XfrmKernelIpsec does, all in flight at once), against one `ip xfrm policy update` process per
 * policy (the naive alternative). Prints policies per second for both.
 */
import { execFileSync, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { XfrmKernelIpsec } from './kernel-xfrm.js';

const run = promisify(execFile);
const n = Number(process.argv[2] ?? 2000);
const ns = `pepbench${process.pid}`;
execFileSync('ip', ['netns', 'add', ns]);
try {
  const kernel = new XfrmKernelIpsec({ ipArgv: ['ip', 'netns', 'exec', ns, 'ip'] });
  const policy = (i: number) => ({
    selector: { src: '10.1.0.0/16', dst: `10.${3 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32` },
    dir: 'out' as const,
    tmpl: { src: '192.168.0.1', dst: '192.168.0.100', protocol: 'esp' as const, mode: 'tunnel' as const, reqid: i + 1 },
    reqid: i + 1,
    priority: 2000,
  });
  await kernel.installPolicy(policy(0)); // start ip
  let t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: n }, (_, i) => kernel.installPolicy(policy(i + 1))));
  const batchRate = n / (Number(process.hrtime.bigint() - t) / 1e9);
  await kernel.close();
  const m = Math.min(n, 200);
  t = process.hrtime.bigint();
  for (let i = 0; i < m; i++) {
    const p = policy(n + 10 + i);
    await run('ip', ['-n', ns, 'xfrm', 'policy', 'update', 'src', p.selector.src, 'dst', p.selector.dst, 'dir', 'out',
      'tmpl', 'src', p.tmpl.src, 'dst', p.tmpl.dst, 'proto', 'esp', 'reqid', String(p.reqid), 'mode', 'tunnel']);
  }
  const spawnRate = m / (Number(process.hrtime.bigint() - t) / 1e9);
  const listed = execFileSync('ip', ['-n', ns, 'xfrm', 'policy', 'count']).toString().trim();
  console.log(JSON.stringify({ batch: { policies: n, perSecond: Math.round(batchRate) }, spawnPerCommand: { policies: m, perSecond: Math.round(spawnRate) }, kernelCount: listed }));
} finally {
  execFileSync('ip', ['netns', 'delete', ns]);
}
