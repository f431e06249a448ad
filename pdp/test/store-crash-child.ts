/**
 * Child of store-crash.test.ts: writes to an embedded store in a loop (sessions with results,
 * admin changes, accounting), several in flight at once, and prints `ack <n>` once write n's
 * promise resolved (the store acknowledged it). The parent kill -9's it mid-write.
 */
import { EmbeddedStore } from '../store/embedded-store.js';
import { result, session } from './store-conformance-suite.js';

const dir = process.argv[2]!;
const start = Number(process.argv[3] ?? '0');
const store = await EmbeddedStore.open({ dir, snapshotEvery: 50 });
let n = start;
const one = async (i: number): Promise<void> => {
  if (i % 3 === 0) await store.recordSession(session(i, { device: `dev-${i}` }), result(i));
  else if (i % 3 === 1) await store.create('policy', { name: `p${i}`, type: 'test-command' }, { actor: 'crash' });
  else await store.recordAccounting({ client: 'moon', status: 'start', sessionId: `a${i}`, receivedAt: i });
  process.stdout.write(`ack ${i}\n`);
};
for (;;) await Promise.all([one(n++), one(n++), one(n++), one(n++)]);
