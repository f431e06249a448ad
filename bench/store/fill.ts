/**
 * Fills a store with `count` devices straight through the Store API, before the PDP that serves
 * them starts: for each device one recordDevice (ITA Device ID, an OS product) and one
 * recordSession (its latest assessment, with the per-policy results written atomically with it),
 * so that `endpoints` has something behind every field it resolves (latestSession, policyResults).
 *
 * Products rotate over PRODUCTS: the filtered query `product: FILTER_PRODUCT` matches one device
 * in PRODUCTS.length. lastSeen is spread over the past `count` seconds, so pages are ordered by a
 * real key and not by ties. Writes are issued `window` at a time (the Redis store pipelines them,
 * the embedded one groups its journal appends).
 */
import type { PolicyResultRecord, SessionRecord, Store } from '../../pdp/store/store.js';

export const PRODUCTS = ['Debian 12 x86_64', 'Ubuntu 22.04 x86_64', 'Windows 10 Enterprise 22H2', 'Fedora 39 x86_64'] as const;
/** Case-insensitive substring of the second product: a quarter of the devices. */
export const FILTER_PRODUCT = 'ubuntu 22.04';

export function fillDeviceId(i: number): string {
  return `bench-store-${String(i).padStart(6, '0')}`;
}

function sessionOf(i: number, end: number): { session: SessionRecord; results: PolicyResultRecord[] } {
  const id = `bench-session-${String(i).padStart(6, '0')}`;
  const fail = i % 3 === 0;
  const recommendation = fail ? 'isolate' : 'allow';
  const policies = [
    { policy: 'packages', type: 'packages-blacklist', outcome: fail ? 'fail' : 'pass', recommendation, reasons: fail ? ['blacklisted package bench-blacklisted'] : [] },
    { policy: 'forwarding', type: 'forwarding-disabled', outcome: 'pass', recommendation: 'allow', reasons: [] },
  ] as const;
  const session: SessionRecord = {
    id,
    user: `user${String((i % 1000) + 1).padStart(4, '0')}`,
    device: fillDeviceId(i),
    transport: 'radius/eap-ttls/pt-eap',
    via: 'bench',
    start: end - 60,
    end,
    groups: ['Default'],
    policies: policies.map((p) => ({ ...p, reasons: [...p.reasons] })),
    imvs: [{ imv: 'os', recommendation, evaluation: fail ? 'non-compliant-minor' : 'compliant', reasons: [] }],
    recommendation,
    evaluation: fail ? 'non-compliant-minor' : 'compliant',
    enforced: recommendation,
    group: recommendation,
  };
  const results: PolicyResultRecord[] = policies.map((p) => ({ policy: p.policy, outcome: p.outcome, recommendation: p.recommendation, at: end, session: id, reasons: [...p.reasons] }));
  return { session, results };
}

export interface FillResult {
  readonly devices: number;
  readonly sessions: number;
  readonly elapsedMs: number;
}

/** `count` devices, each with one session; `onProgress` every 10 %. */
export async function fillStore(store: Store, count: number, now: number, window: number, onProgress: (done: number) => void): Promise<FillResult> {
  const t0 = performance.now();
  let next = 0;
  let done = 0;
  let nextReport = Math.ceil(count / 10);
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      // Oldest first: device i was last seen (count - i) seconds ago.
      const at = now - (count - i) * 1000;
      await store.recordDevice({ id: fillDeviceId(i), idKind: 'device-id', product: PRODUCTS[i % PRODUCTS.length] as string, user: `user${String((i % 1000) + 1).padStart(4, '0')}`, at });
      const { session, results } = sessionOf(i, at);
      await store.recordSession(session, results);
      done++;
      if (done >= nextReport) {
        onProgress(done);
        nextReport += Math.ceil(count / 10);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, window) }, worker));
  return { devices: count, sessions: count, elapsedMs: performance.now() - t0 };
}
