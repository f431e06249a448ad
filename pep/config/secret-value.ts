/**
 * A secret (PSK, EAP password, key passphrase) that never prints itself: toString, toJSON and
 * util.inspect give '<secret>'. The bytes are reached only with reveal().
 */
import { timingSafeEqual } from 'node:crypto';

const inspect = Symbol.for('nodejs.util.inspect.custom');

export class SecretValue {
  readonly #bytes: Buffer;
  constructor(bytes: Uint8Array) {
    this.#bytes = Buffer.from(bytes);
  }
  get length(): number {
    return this.#bytes.length;
  }
  /** A copy of the secret bytes. */
  reveal(): Buffer {
    return Buffer.from(this.#bytes);
  }
  equals(other: SecretValue): boolean {
    const o = other.reveal();
    return o.length === this.#bytes.length && timingSafeEqual(o, this.#bytes);
  }
  toString(): string {
    return '<secret>';
  }
  toJSON(): string {
    return '<secret>';
  }
  [inspect](): string {
    return '<secret>';
  }
}
