/** The store conformance suite (store-conformance-suite.ts) against the embedded store, and through the worker-thread proxy. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { EmbeddedStore } from '../store/embedded-store.js';
import { RemoteStore, newStoreChannelName, serveStore } from '../store/remote-store.js';
import { storeConformance } from './store-conformance-suite.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

storeConformance('embedded', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'store-conf-'));
    dirs.push(dir);
    const store = await EmbeddedStore.open({ dir, fsync: false, snapshotEvery: 7 });
    return { store, reopen: () => EmbeddedStore.open({ dir, fsync: false }) };
  },
});

storeConformance('embedded via RemoteStore (worker-thread proxy)', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'store-conf-'));
    dirs.push(dir);
    const owner = await EmbeddedStore.open({ dir, fsync: false });
    const channel = newStoreChannelName();
    const server = serveStore(owner, channel);
    const remote = new RemoteStore(channel);
    const close = remote.close.bind(remote);
    remote.close = async () => {
      await close();
      server.close();
      await owner.close();
    };
    return { store: remote };
  },
});
