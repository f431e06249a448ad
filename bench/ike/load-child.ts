/**
 * The IKE load-generator process: bench/ike/initiator.ts against one responder, run inside the
 * responder's network namespace (`ip netns exec NS node --import tsx bench/ike/load-child.ts JOB`).
 *
 * mode 'loop' (set-up rate): a closed loop of `slots` IKE_SA set-ups in flight, each SA deleted
 * (INFORMATIONAL Delete) as soon as it is established, not awaited by the slot, so the latency
 * is that of IKE_SA_INIT + IKE_AUTH alone; warm-up, then `BENCH measure-start`, the measured
 * phase, `BENCH measure-end`, `BENCH-RESULT {json}` (bench/load/job.ts's protocol).
 *
 * mode 'hold' (memory per SA, and the integration test): establishes `count` SAs (`slots` at a
 * time), prints `BENCH-IKE-HELD {json}` and keeps them until `releaseFile` exists (or the hard limit), then
 * deletes them all and prints `BENCH-IKE-DELETED {json}`.
 *
 * It exits by itself after job.hardLimitMs whatever happens.
 */
import { existsSync, readFileSync } from 'node:fs';
import { closedLoop, UserPool, type OpOutcome } from '../load/closed-loop.js';
import { MEASURE_END, MEASURE_START, RESULT_PREFIX } from '../load/job.js';
import { IkeInitiator, IkeInitiatorError, type EstablishedSa, type InitiatorAuth } from './initiator.js';
import { DELETED_PREFIX, HELD_PREFIX, type HeldResult, type IkeLoadJob, type IkeLoadResult } from './job.js';
import { parseEspSuite, parseIkeSuite } from './suites.js';

function outcomeOf(e: unknown): OpOutcome {
  if (e instanceof IkeInitiatorError) {
    if (e.code === 'TIMEOUT') return { kind: 'timeout', roundTrips: 0 };
    return { kind: 'failed', reason: e.message.slice(0, 160), roundTrips: 0 };
  }
  return { kind: 'failed', reason: `exception: ${(e as Error)?.message ?? String(e)}`.slice(0, 160), roundTrips: 0 };
}

async function openInitiator(job: IkeLoadJob): Promise<IkeInitiator> {
  return IkeInitiator.open({
    remote: job.remote,
    ...(job.natPort !== undefined ? { natPort: job.natPort } : {}),
    ike: parseIkeSuite(job.ike),
    esp: parseEspSuite(job.esp),
    responder: job.trust.kind === 'psk' ? job.trust : { kind: 'pubkey', trust: readFileSync(job.trust.caPath, 'utf8') },
    responderId: job.responderId,
    timeoutMs: job.timeoutMs,
    tries: job.tries,
    reuseDhKey: job.reuseDhKey,
  });
}

/** `round` > 0 (hold mode, more SAs than users) makes the IKE identity distinct: user-2@domain. */
function params(job: IkeLoadJob, u: number, round = 0): { identity: string; auth: InitiatorAuth; virtualIp: boolean } {
  const user = job.users[u] as string;
  const auth: InitiatorAuth = job.auth === 'psk' ? { kind: 'psk', secret: job.secret } : { kind: 'eap-md5', password: job.passwords?.[u] ?? job.secret, eapIdentity: user };
  return { identity: `${user}${round > 0 ? `-${round}` : ''}@${job.domain}`, auth, virtualIp: job.virtualIp };
}

async function loop(job: IkeLoadJob): Promise<IkeLoadResult> {
  const init = await openInitiator(job);
  const deletes = new Set<Promise<void>>();
  let deleteFailures = 0;
  const op = async (u: number): Promise<OpOutcome> => {
    let sa: EstablishedSa;
    try {
      sa = await init.establish(params(job, u));
    } catch (e) {
      return outcomeOf(e);
    }
    const d = init.delete(sa).catch(() => {
      deleteFailures++;
    });
    deletes.add(d);
    void d.finally(() => deletes.delete(d));
    return { kind: 'ok', roundTrips: sa.roundTrips };
  };
  const pool = new UserPool(job.users.length);
  const maxOps = job.maxOps ?? 1_000_000;
  if ((job.warmupMs ?? 0) > 0) await closedLoop({ slots: job.slots, durationMs: job.warmupMs ?? 0, maxOps }, pool, op);
  await Promise.all([...deletes]);
  const t0 = { ...init.transport.counters, ...init.counters };
  deleteFailures = 0;
  process.stdout.write(`${MEASURE_START}\n`);
  const cpu0 = process.cpuUsage();
  const r = await closedLoop({ slots: job.slots, durationMs: job.durationMs ?? 10_000, maxOps }, pool, op);
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${MEASURE_END}\n`);
  await Promise.all([...deletes]);
  const c = { ...init.transport.counters, ...init.counters };
  await init.close();
  return {
    kind: 'ike',
    ok: r.ok,
    failed: r.failed,
    timeouts: r.timeouts,
    reasons: r.reasons,
    elapsedMs: r.elapsedMs,
    opsPerSec: r.elapsedMs > 0 ? (r.ok / r.elapsedMs) * 1000 : 0,
    latency: r.latency,
    roundTripsPerOp: r.ok > 0 ? r.roundTrips / r.ok : 0,
    retransmissions: c.retransmits - t0.retransmits,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    deleteFailures,
    cookies: c.cookies - t0.cookies,
    invalidKe: c.invalidKe - t0.invalidKe,
    dropped: c.dropped - t0.dropped + c.malformed - t0.malformed,
  };
}

async function hold(job: IkeLoadJob): Promise<void> {
  const init = await openInitiator(job);
  const count = job.count ?? 1;
  const held: EstablishedSa[] = [];
  const reasons: Record<string, number> = {};
  let failed = 0;
  let next = 0;
  const t0 = performance.now();
  const slot = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      try {
        held.push(await init.establish(params(job, n % job.users.length, Math.floor(n / job.users.length))));
      } catch (e) {
        failed++;
        const o = outcomeOf(e);
        const reason = o.kind === 'failed' ? o.reason : 'timeout';
        reasons[reason] = (reasons[reason] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.slots, count) }, slot));
  const result: HeldResult = {
    ok: held.length,
    failed,
    reasons,
    elapsedMs: performance.now() - t0,
    cookies: init.counters.cookies,
    invalidKe: init.counters.invalidKe,
    retransmissions: init.transport.counters.retransmits,
    sample: held.slice(0, 20).map((s) => ({
      identity: s.identity,
      ...(s.virtualIp !== undefined ? { virtualIp: s.virtualIp } : {}),
      spiI: s.spiI.toString('hex'),
      spiR: s.spiR.toString('hex'),
      natT: s.natT,
      roundTrips: s.roundTrips,
    })),
  };
  process.stdout.write(`${HELD_PREFIX}${JSON.stringify(result)}\n`);
  // Released when job.releaseFile appears (a file, not a signal: deterministic across ip netns exec).
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (job.releaseFile === undefined || existsSync(job.releaseFile)) {
        clearInterval(t);
        resolve();
      }
    }, 50);
  });
  let deleteFailures = 0;
  let i = 0;
  const del = async (): Promise<void> => {
    while (i < held.length) {
      const sa = held[i++] as EstablishedSa;
      await init.delete(sa).catch(() => {
        deleteFailures++;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(job.slots, Math.max(1, held.length)) }, del));
  process.stdout.write(`${DELETED_PREFIX}${JSON.stringify({ deleted: held.length - deleteFailures, deleteFailures })}\n`);
  await init.close();
}

const job = JSON.parse(process.argv[2] ?? '{}') as IkeLoadJob;
setTimeout(() => {
  process.stderr.write(`ike load generator: hard limit of ${job.hardLimitMs} ms reached\n`);
  process.exit(3);
}, job.hardLimitMs).unref();
(job.mode === 'hold' ? hold(job).then(() => undefined) : loop(job).then((r) => void process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(r)}\n`))).then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`ike load generator failed: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
