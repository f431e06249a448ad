/**
 * Secret comparison. Both sides are hashed first so that `timingSafeEqual` compares equal-length
 * values and the comparison time does not reveal the length of the stored secret.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function secretsEqual(a: Uint8Array, b: Uint8Array): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
