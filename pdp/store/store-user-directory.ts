/**
 * The RADIUS users of the store (users are admin entities there, seeded from the configuration)
 * as the synchronous UserDirectory the authenticators use (pdp/users.ts): a copy in memory, loaded
 * at start and kept current by the store's change notifications (an admin change in any PDP
 * sharing the store reaches every PDP's copy within a round trip). A notification missed while
 * the store was unreachable is caught up by `refresh()` (the PDP may call it periodically).
 * Passwords stay in memory only, as with the configuration's users.
 */
import { ConfigUserDirectory, type UserDirectory } from '../users.js';
import type { UserEntry } from '../config/types.js';
import type { Store } from './store.js';

const MAX_USERS = 1_000_000;

export class StoreUserDirectory implements UserDirectory {
  readonly #store: Store;
  readonly #users = new Map<string, UserEntry>();
  readonly #compare = new ConfigUserDirectory([]);
  readonly #unwatch: () => void;

  private constructor(store: Store, onError: (e: unknown) => void) {
    this.#store = store;
    this.#unwatch = store.watch((c) => {
      if (c.kind === 'user') void this.#reload(c.key).catch(onError);
      else if (c.action === 'seed') void this.refresh().catch(onError);
    });
  }

  static async load(store: Store, onError: (e: unknown) => void = () => undefined): Promise<StoreUserDirectory> {
    const d = new StoreUserDirectory(store, onError);
    await d.refresh();
    return d;
  }

  get size(): number {
    return this.#users.size;
  }

  /** Reads every user again. */
  async refresh(): Promise<void> {
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#store.list('user', { limit: 1000, ...(cursor ? { cursor } : {}) });
      names.push(...page.items.map((u) => u.name));
      cursor = page.cursor;
    } while (cursor && names.length < MAX_USERS);
    for (const name of [...this.#users.keys()]) if (!names.includes(name)) this.#users.delete(name);
    for (let i = 0; i < names.length; i += 100) await Promise.all(names.slice(i, i + 100).map((n) => this.#reload(n)));
  }

  async #reload(name: string): Promise<void> {
    const [user, password] = await Promise.all([this.#store.get('user', name), this.#store.getCredential('user', name)]);
    if (!user || password === undefined) this.#users.delete(name);
    else this.#users.set(name, { name, group: user.group, password });
  }

  get(name: string): UserEntry | undefined {
    return this.#users.get(name);
  }

  verifyPassword(user: UserEntry, password: Buffer): boolean {
    return this.#compare.verifyPassword(user, password);
  }

  close(): void {
    this.#unwatch();
  }
}
