/**
 * pep/crypto CryptoService and its worker pool: the event loop keeps serving while 200 MODP-2048
 * computations run in workers (and, as a control, does not with the in-thread fallback), the same
 * for a flood of cheap ECP-256 DH under the adaptive in-thread policy (its budget caps the
 * in-thread share; the control with an unlimited share blocks), BUSY shedding with a bounded
 * queue, CLOSED on close(), typed errors crossing the thread boundary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { ADAPTIVE_INLINE_GROUPS, CryptoError, CryptoService, InlineBudget, computeSharedSecret, generateKeyPair } from '../crypto/index.js';

const code = (c: string) => (e: unknown): boolean => e instanceof CryptoError && e.code === c;

/** Runs 200 DH computations and a setImmediate ping loop; returns the event order. */
async function pingWhileComputing(svc: CryptoService): Promise<{ events: string[]; ok: boolean }> {
  const a = await svc.dhGenerateKeyPair('modp2048');
  const peers = await Promise.all(Array.from({ length: 8 }, () => svc.dhGenerateKeyPair('modp2048')));
  const want = peers.map((p) => computeSharedSecret(p, a.publicValue));
  const events: string[] = [];
  let done = false;
  const ping = (): void => {
    if (done) return;
    events.push('ping');
    setImmediate(ping);
  };
  setImmediate(ping);
  const jobs = Array.from({ length: 200 }, (_, i) =>
    svc.dhComputeSharedSecret(a, peers[i % 8]!.publicValue).then((s) => {
      events.push('dh');
      return s.equals(want[i % 8]!);
    }));
  const results = await Promise.all(jobs);
  done = true;
  return { events, ok: results.every(Boolean) };
}

test('event loop stays responsive while 200 MODP-2048 DH computations run in the pool', async () => {
  const svc = new CryptoService({ size: 2, maxQueue: 256 });
  try {
    assert.equal(svc.workers, 2);
    const { events, ok } = await pingWhileComputing(svc);
    assert.ok(ok, 'every shared secret matches the in-thread computation');
    assert.equal(events.filter((e) => e === 'dh').length, 200);
    // pings are served between DH completions, not only after the batch
    const firstDh = events.indexOf('dh');
    const lastDh = events.lastIndexOf('dh');
    const pingsDuring = events.slice(firstDh, lastDh).filter((e) => e === 'ping').length;
    assert.ok(events.indexOf('ping') < lastDh, 'a ping ran before the last computation finished');
    assert.ok(pingsDuring > 0, 'pings interleave with DH completions');
    assert.equal(svc.pending, 0);
  } finally {
    await svc.close();
  }
});

test('control: with size 0 (in-thread fallback) the same batch blocks the pings', async () => {
  const svc = new CryptoService({ size: 0 });
  try {
    assert.equal(svc.workers, 0);
    const { events, ok } = await pingWhileComputing(svc);
    assert.ok(ok);
    assert.equal(events.filter((e) => e === 'dh').length, 200);
    assert.ok(events.indexOf('ping') === -1 || events.indexOf('ping') > events.lastIndexOf('dh'),
      'no ping between in-thread computations');
  } finally {
    await svc.close();
  }
});

test('a full queue sheds jobs with BUSY instead of queueing them', async () => {
  const svc = new CryptoService({ size: 1, maxQueue: 2 });
  try {
    const settled = await Promise.allSettled(Array.from({ length: 10 }, () => svc.dhGenerateKeyPair('modp2048')));
    const busy = settled.filter((s) => s.status === 'rejected' && code('BUSY')(s.reason)).length;
    const ok = settled.filter((s) => s.status === 'fulfilled').length;
    assert.equal(ok, 3); // one running + two queued
    assert.equal(busy, 7);
    // the shed jobs leave no residue: the pool serves again
    const pair = await svc.dhGenerateKeyPair('curve25519');
    assert.ok(Buffer.isBuffer(pair.publicValue) && Buffer.isBuffer(pair.privateKey));
    assert.equal(pair.publicValue.length, 32);
  } finally {
    await svc.close();
  }
});

test('close() fails queued jobs with CLOSED and refuses new ones', async () => {
  const svc = new CryptoService({ size: 1, maxQueue: 50 });
  const jobs = Array.from({ length: 20 }, () => svc.dhGenerateKeyPair('modp2048'));
  const all = Promise.allSettled(jobs);
  await svc.close();
  const settled = await all;
  assert.ok(settled.some((s) => s.status === 'rejected' && code('CLOSED')(s.reason)));
  assert.ok(settled.every((s) => s.status === 'fulfilled' || code('CLOSED')(s.reason)));
  await assert.rejects(svc.dhGenerateKeyPair('ecp256'), code('CLOSED'));
});

for (const size of [0, 1]) {
  test(`size ${size}: DH, sign, verify and typed errors through the service`, async () => {
    const svc = new CryptoService({ size });
    try {
      for (const group of ['modp2048', 'ecp256', 'ecp384', 'curve25519'] as const) {
        const a = await svc.dhGenerateKeyPair(group);
        const b = await svc.dhGenerateKeyPair(group);
        const s1 = await svc.dhComputeSharedSecret(a, b.publicValue);
        assert.ok(Buffer.isBuffer(s1));
        assert.deepEqual(s1, await svc.dhComputeSharedSecret(b, a.publicValue));
        await assert.rejects(svc.dhComputeSharedSecret(a, Buffer.alloc(a.publicValue.length)), code('INVALID_KE'));
      }
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const octets = Buffer.from('octets');
      const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
      const auth = await svc.signAuth({ method: 'digital-signature', privateKey: pem, octets, hash: 'sha384' });
      assert.ok(Buffer.isBuffer(auth));
      assert.equal(await svc.verifyAuth({ method: 'digital-signature', publicKey, octets, authData: auth }), true);
      assert.equal(await svc.verifyAuth({ method: 'digital-signature', publicKey, octets: Buffer.from('other'), authData: auth }), false);
      await assert.rejects(svc.verifyAuth({ method: 'digital-signature', publicKey, octets, authData: Buffer.of(99) }), code('BAD_SIGNATURE_FORMAT'));
      // sync parts
      assert.equal(svc.prf('hmac-sha2-256', Buffer.alloc(32), octets).length, 32);
      assert.equal(svc.prfPlus('hmac-sha2-256', Buffer.alloc(32), octets, 100).length, 100);
      const c = svc.createCipher({ encr: 'aes-gcm-16', keyBits: 256, key: Buffer.alloc(36, 1) });
      assert.deepEqual(c.open(octets, c.seal(octets, Buffer.alloc(8, 7))), Buffer.alloc(8, 7));
    } finally {
      await svc.close();
    }
  });
}

/** A flood of ECP-256 IKE_SA_INIT-like DH (generate + compute) and a setImmediate ping loop. */
async function pingDuringEcpFlood(svc: CryptoService, n: number): Promise<{ events: string[]; ok: boolean }> {
  const peer = generateKeyPair('ecp256');
  const events: string[] = [];
  let done = false;
  const ping = (): void => {
    if (done) return;
    events.push('ping');
    setImmediate(ping);
  };
  setImmediate(ping);
  const jobs = Array.from({ length: n }, async () => {
    const pair = await svc.dhGenerateKeyPair('ecp256');
    const s = await svc.dhComputeSharedSecret(pair, peer.publicValue);
    events.push('dh');
    return s.equals(computeSharedSecret(peer, pair.publicValue));
  });
  const results = await Promise.all(jobs);
  done = true;
  return { events, ok: results.every(Boolean) };
}

test('adaptive: a flood of cheap ECP-256 DH goes to the workers past the budget; pings interleave', async () => {
  const svc = new CryptoService({ size: 2, maxQueue: 1024, inlineGroups: ADAPTIVE_INLINE_GROUPS, inline: { share: 0.2, windowMs: 20 } });
  try {
    const { events, ok } = await pingDuringEcpFlood(svc, 400);
    assert.ok(ok, 'every shared secret matches');
    const st = svc.inlineStats;
    assert.ok(st.inline > 0, 'some DH ran in-thread');
    assert.ok(st.offloaded > 0, `the flood spilled to the workers (${JSON.stringify(st)})`);
    const firstDh = events.indexOf('dh');
    const lastDh = events.lastIndexOf('dh');
    assert.ok(events.slice(firstDh, lastDh).filter((e) => e === 'ping').length > 0, 'pings interleave with DH completions');
  } finally {
    await svc.close();
  }
});

test('adaptive control: an unlimited in-thread share runs the whole flood in-thread and blocks the pings', async () => {
  const svc = new CryptoService({ size: 2, inlineGroups: ADAPTIVE_INLINE_GROUPS, inline: { share: 1, windowMs: 1e9 } });
  try {
    const { events, ok } = await pingDuringEcpFlood(svc, 200);
    assert.ok(ok);
    assert.equal(svc.inlineStats.offloaded, 0);
    assert.ok(events.indexOf('ping') === -1 || events.indexOf('ping') > events.lastIndexOf('dh'), 'no ping between in-thread computations');
  } finally {
    await svc.close();
  }
});

test('adaptive: MODP-2048 and groups outside inlineGroups never run in-thread when there are workers', async () => {
  const svc = new CryptoService({ size: 1, inlineGroups: ADAPTIVE_INLINE_GROUPS, inline: { share: 1 } });
  try {
    const a = await svc.dhGenerateKeyPair('modp2048');
    await svc.dhComputeSharedSecret(a, generateKeyPair('modp2048').publicValue);
    await svc.dhGenerateKeyPair('ecp384');
    assert.deepEqual(svc.inlineStats, { inline: 0, offloaded: 0 });
    const b = await svc.dhGenerateKeyPair('ecp256');
    await svc.dhComputeSharedSecret(b, generateKeyPair('ecp256').publicValue);
    assert.deepEqual(svc.inlineStats, { inline: 2, offloaded: 0 });
  } finally {
    await svc.close();
  }
});

test('dhAgree: one step, in-thread or in a worker, both sides agree; INVALID_KE crosses', async () => {
  for (const inlineGroups of [[], ADAPTIVE_INLINE_GROUPS]) {
    const svc = new CryptoService({ size: 1, inlineGroups });
    try {
      for (const group of ['modp2048', 'ecp256', 'ecp384', 'curve25519'] as const) {
        const peer = generateKeyPair(group);
        const r = await svc.dhAgree(group, peer.publicValue);
        assert.ok(Buffer.isBuffer(r.publicValue) && Buffer.isBuffer(r.sharedSecret));
        assert.deepEqual(r.sharedSecret, computeSharedSecret(peer, r.publicValue));
        await assert.rejects(svc.dhAgree(group, Buffer.alloc(peer.publicValue.length)), code('INVALID_KE'));
      }
    } finally {
      await svc.close();
    }
  }
});

test('InlineBudget: share of a window with an injected clock', () => {
  let t = 0;
  const b = new InlineBudget(() => t, { share: 0.25, windowMs: 100 });
  const work = (ms: number) => () => {
    t += ms;
    return 'in';
  };
  assert.equal(b.run(work(20), 'off'), 'in'); // spent 20 of 25
  assert.equal(b.run(work(10), 'off'), 'in'); // 20 < 25: runs, spent 30
  assert.equal(b.run(work(1), 'off'), 'off'); // budget used
  t = 130; // next window
  assert.equal(b.run(work(1), 'off'), 'in');
  assert.deepEqual({ inline: b.inline, offloaded: b.offloaded }, { inline: 3, offloaded: 1 });
  assert.equal(new InlineBudget(() => 0, { share: 0 }).run(() => 'in', 'off'), 'off');
  assert.throws(() => new InlineBudget(() => 0, { share: 2 }), RangeError);
});
