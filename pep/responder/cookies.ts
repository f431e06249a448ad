/**
 * Stateless cookies, RFC 7296 section 2.6, against floods of half-open IKE_SA_INITs.
 *
 *   Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>)
 *
 * "The responder in that case MAY reject the message by sending a response containing a COOKIE
 * notification" ... the secret "SHOULD be changed periodically"; cookies made with the previous
 * secret are still accepted for a while. Cookies are demanded only while the number of half-open
 * IKE_SAs is at or above `threshold` (strongSwan: charon.cookie_threshold = 10).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface CookieOptions {
  readonly threshold?: number;
  /** Secret lifetime (default 60 s); the previous secret stays valid for one more period. */
  readonly rotateMs?: number;
  readonly now?: () => number;
  readonly random?: (n: number) => Buffer;
}

const VERSION_LENGTH = 4;

export class CookieJar {
  readonly threshold: number;
  readonly #rotateMs: number;
  readonly #now: () => number;
  readonly #random: (n: number) => Buffer;
  #version = 0;
  #secret: Buffer;
  #previous: Buffer | undefined;
  #rotatedAt: number;

  constructor(o: CookieOptions = {}) {
    this.threshold = o.threshold ?? 10;
    this.#rotateMs = o.rotateMs ?? 60_000;
    this.#now = o.now ?? Date.now;
    this.#random = o.random ?? randomBytes;
    this.#secret = this.#random(32);
    this.#rotatedAt = this.#now();
  }

  required(halfOpen: number): boolean {
    return halfOpen >= this.threshold;
  }

  make(ni: Uint8Array, ip: string, spii: Uint8Array): Buffer {
    this.#rotate();
    return this.#cookie(this.#version, this.#secret, ni, ip, spii);
  }

  verify(cookie: Uint8Array, ni: Uint8Array, ip: string, spii: Uint8Array): boolean {
    this.#rotate();
    if (cookie.length !== VERSION_LENGTH + 32) return false;
    const version = Buffer.from(cookie).readUInt32BE(0);
    const secret = version === this.#version ? this.#secret : version === this.#version - 1 ? this.#previous : undefined;
    if (!secret) return false;
    return timingSafeEqual(this.#cookie(version, secret, ni, ip, spii), cookie);
  }

  #rotate(): void {
    if (this.#now() - this.#rotatedAt < this.#rotateMs) return;
    this.#previous = this.#secret;
    this.#secret = this.#random(32);
    this.#version = (this.#version + 1) >>> 0;
    this.#rotatedAt = this.#now();
  }

  #cookie(version: number, secret: Buffer, ni: Uint8Array, ip: string, spii: Uint8Array): Buffer {
    const v = Buffer.alloc(VERSION_LENGTH);
    v.writeUInt32BE(version, 0);
    const h = createHash('sha256').update(ni).update(ip).update(spii).update(secret).digest();
    return Buffer.concat([v, h]);
  }
}
