/**
 * Users with credentials and group membership, from the configuration. EAP-MD5 needs the
 * cleartext password (RFC 3748 section 5.4), so passwords are kept as configured; comparisons are
 * constant-time.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { UserEntry } from './config/types.js';

export interface UserDirectory {
  get(name: string): UserEntry | undefined;
  verifyPassword(user: UserEntry, password: Buffer): boolean;
}

export class ConfigUserDirectory implements UserDirectory {
  readonly #users: Map<string, UserEntry>;
  constructor(users: readonly UserEntry[]) {
    this.#users = new Map(users.map((u) => [u.name, u]));
  }
  get(name: string): UserEntry | undefined {
    return this.#users.get(name);
  }
  verifyPassword(user: UserEntry, password: Buffer): boolean {
    // Hash both sides so the comparison is constant-time whatever the lengths.
    const a = createHash('sha256').update(user.password, 'utf8').digest();
    const b = createHash('sha256').update(password).digest();
    return timingSafeEqual(a, b);
  }
}
