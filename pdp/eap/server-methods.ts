/**
 * Composition of the default server policy: EAP-TTLS first, MD5-Challenge as the alternative a
 * peer may Nak to (RFC 3748 section 5.3). Kept apart from authenticator.ts so that the state machine
 * does not depend on TTLS (TTLS phase 2 runs the same state machine for its inner EAP).
 */
import { EapAuthenticator, type EapAuthenticatorOptions } from './authenticator.js';
import { md5ChallengeMethod } from './md5-challenge.js';
import type { EapMethodFactory } from './method.js';
import { ttlsMethod, type TtlsServerOptions } from './ttls/ttls-method.js';

/** [TTLS, MD5] in that preference order; MD5 only when no TTLS configuration is given. */
export function defaultServerMethods(ttls?: TtlsServerOptions): EapMethodFactory[] {
  return ttls ? [ttlsMethod(ttls), md5ChallengeMethod()] : [md5ChallengeMethod()];
}

/**
 * A per-server factory of authenticators: the method factories (and the TLS context inside the
 * TTLS one) are built once, each conversation gets `create()`.
 */
export function eapAuthenticatorFactory(
  options: Omit<EapAuthenticatorOptions, 'methods' | 'stages'> & { readonly ttls?: TtlsServerOptions; readonly methods?: readonly EapMethodFactory[] },
): { create(): EapAuthenticator } {
  const methods = options.methods ?? defaultServerMethods(options.ttls);
  return { create: () => new EapAuthenticator({ ...options, methods }) };
}
