import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseCidr, parseRange } from '../config/addresses.js';
import { JsonFileLeaseStore, MemoryLeaseStore } from '../pool/lease-store.js';
import { MemoryPool } from '../pool/memory-pool.js';
import { PersistentPool } from '../pool/persistent-pool.js';
import { PoolError } from '../pool/pool-error.js';
import { formatLeases, formatPoolStatus } from '../pool/pool-format.js';

test('memory pool: network and broadcast skipped, reuse, reassignment, exhaustion', async () => {
  const p = new MemoryPool('10.3.0.0/30', parseCidr('10.3.0.0/30')!);
  assert.equal(p.size, 2);
  assert.equal(await p.acquire('carol'), '10.3.0.1');
  assert.equal(await p.acquire('dave'), '10.3.0.2');
  await assert.rejects(p.acquire('eve'), (e: unknown) => e instanceof PoolError && e.code === 'POOL_EXHAUSTED');
  assert.equal(await p.acquire('carol', '10.3.0.1'), '10.3.0.1', 'reconnect while online');
  assert.equal(await p.release('10.3.0.1'), true);
  assert.equal(await p.release('10.3.0.1'), true);
  assert.equal(await p.acquire('carol'), '10.3.0.1', 'offline lease back to its identity');
  await p.release('10.3.0.2');
  assert.equal(await p.acquire('eve'), '10.3.0.2', 'full: an offline lease of another identity');
  assert.equal(new MemoryPool('x', parseCidr('10.3.0.0/24')!).size, 254);
  assert.equal(new MemoryPool('x', parseCidr('10.3.0.5/24')!).size, 250);
  assert.equal(new MemoryPool('x', parseRange('10.3.0.0-10.3.0.9')!).size, 10);
});

test('persistent pool: leases survive a re-open; crash mid-write leaves the old file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pep-pool-'));
  let now = 1_700_000_000_000;
  const clock = () => now;
  const cfg = { name: 'bigpool', range: parseCidr('10.3.1.0/29')!, leaseTimeoutSeconds: 3600 };
  const p1 = await PersistentPool.open(cfg, new JsonFileLeaseStore(dir), clock);
  assert.equal(await p1.acquire('carol@strongswan.org'), '10.3.1.1');
  assert.equal(await p1.acquire('dave@strongswan.org'), '10.3.1.2');
  await p1.release('10.3.1.1');
  const file = join(dir, 'bigpool.leases.json');
  const before = readFileSync(file, 'utf8');
  writeFileSync(`${file}.tmp-99999-1`, '{"half": ');
  now += 1000;
  const p2 = await PersistentPool.open(cfg, new JsonFileLeaseStore(dir), clock);
  assert.deepEqual(p2.leases().map((l) => [l.address, l.identity, l.status]), [
    ['10.3.1.1', 'carol@strongswan.org', 'valid'],
    ['10.3.1.2', 'dave@strongswan.org', 'valid'],
  ]);
  assert.ok(before.includes('carol@strongswan.org'));
  assert.equal(await p2.acquire('dave@strongswan.org'), '10.3.1.2', 'bound to its identity across restarts');
  assert.equal(await p2.acquire('eve'), '10.3.1.3');
  const st = p2.status();
  assert.deepEqual([st.start, st.end, st.size, st.online, st.used], ['10.3.1.1', '10.3.1.6', 6, 2, 3]);
  const table = formatPoolStatus([st]);
  assert.equal(table.split('\n')[0], '    name           start             end  timeout   size      online       usage');
  assert.equal(table.split('\n')[1], ' bigpool        10.3.1.1        10.3.1.6       1h      6     2 (33%)     3 (50%) ');
  const leases = formatLeases(p2.leases(), { utc: true }).split('\n');
  assert.equal(leases[0], 'name     address         status   start                     end                       identity');
  assert.equal(leases[1], 'bigpool  10.3.1.1        valid    Nov 14 22:13:20 UTC 2023  Nov 14 22:13:20 UTC 2023  carol@strongswan.org');
  assert.equal(leases[2], 'bigpool  10.3.1.2        online   Nov 14 22:13:21 UTC 2023                            dave@strongswan.org');
  // Expired leases go to others only when nothing is free.
  for (const id of ['a', 'b', 'c']) await p2.acquire(id);
  await assert.rejects(p2.acquire('z'), (e: unknown) => e instanceof PoolError && e.code === 'POOL_EXHAUSTED');
  now += 2 * 3600_000;
  assert.equal(await p2.acquire('z'), '10.3.1.1');
});

test('fuzz: no address is ever held by two identities at once', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 5 }), fc.boolean()), { maxLength: 60 }),
      async (ops) => {
        const mem = new MemoryPool('m', parseCidr('10.0.0.0/29')!);
        const per = await PersistentPool.open({ name: 'p', range: parseCidr('10.0.0.0/29')!, leaseTimeoutSeconds: 0 }, new MemoryLeaseStore());
        for (const pool of [mem, per]) {
          const held = new Map<string, string>();
          for (const [acq, who, requestOwn] of ops) {
            const id = `id${who}`;
            if (acq) {
              try {
                const a = await pool.acquire(id, requestOwn ? held.get(id) : undefined);
                const owner = [...held].find(([i, addr]) => addr === a && i !== id);
                assert.equal(owner, undefined, `${a} given to ${id} while ${owner?.[0]} holds it`);
                held.set(id, a);
              } catch (e) {
                if (!(e instanceof PoolError)) throw e;
              }
            } else if (held.has(id)) {
              await pool.release(held.get(id)!);
              held.delete(id);
            }
          }
        }
      },
    ),
    { numRuns: 150 },
  );
});
