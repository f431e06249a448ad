/**
 * The SASL PLAIN mechanism (RFC 4616) as the PT-TLS server runs it (RFC 6876 section 3.8 allows
 * any SASL mechanism; strongSwan offers PLAIN, src/libpttls/sasl/sasl_plain):
 *
 *   message   = [authzid] UTF8NUL authcid UTF8NUL passwd
 *   authcid   = 1*SAFE ; MUST accept up to 255 octets
 *   passwd    = 1*SAFE ; MUST accept up to 255 octets
 *
 * Pure: the caller passes the user directory. We do not support authorising as another identity:
 * a non-empty authzid must equal authcid. The password never leaves this function.
 */
import type { UserDirectory } from '../users.js';

export const SASL_PLAIN = 'PLAIN';

export interface SaslPlainCredentials {
  readonly authzid: string;
  readonly authcid: string;
  readonly password: Buffer;
}

export type SaslPlainOutcome =
  | { readonly ok: true; readonly user: string; readonly group: string }
  | { readonly ok: false; readonly user: string | undefined; readonly reason: 'malformed' | 'unknown-user' | 'wrong-password' | 'authzid-mismatch' };

const MAX_FIELD = 255;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Splits a PLAIN message; undefined when it is not `authzid NUL authcid NUL passwd` (RFC 4616). */
export function parseSaslPlain(message: Uint8Array): SaslPlainCredentials | undefined {
  const first = message.indexOf(0);
  if (first < 0) return undefined;
  const second = message.indexOf(0, first + 1);
  if (second < 0) return undefined;
  const authzidBytes = message.subarray(0, first);
  const authcidBytes = message.subarray(first + 1, second);
  const password = message.subarray(second + 1);
  if (authcidBytes.length === 0 || authcidBytes.length > MAX_FIELD) return undefined;
  if (password.length === 0 || password.length > MAX_FIELD || password.includes(0)) return undefined;
  if (authzidBytes.length > MAX_FIELD) return undefined;
  try {
    return { authzid: utf8.decode(authzidBytes), authcid: utf8.decode(authcidBytes), password: Buffer.from(password) };
  } catch {
    return undefined;
  }
}

/** Builds a PLAIN message (the client side). */
export function encodeSaslPlain(user: string, password: string, authzid = ''): Uint8Array {
  return Buffer.concat([Buffer.from(authzid, 'utf8'), Buffer.of(0), Buffer.from(user, 'utf8'), Buffer.of(0), Buffer.from(password, 'utf8')]);
}

/** Checks a PLAIN message against the PDP's users. */
export function verifySaslPlain(message: Uint8Array, users: UserDirectory): SaslPlainOutcome {
  const credentials = parseSaslPlain(message);
  if (credentials === undefined) return { ok: false, user: undefined, reason: 'malformed' };
  const { authzid, authcid, password } = credentials;
  if (authzid !== '' && authzid !== authcid) return { ok: false, user: authcid, reason: 'authzid-mismatch' };
  const entry = users.get(authcid);
  if (entry === undefined) return { ok: false, user: authcid, reason: 'unknown-user' };
  if (!users.verifyPassword(entry, password)) return { ok: false, user: authcid, reason: 'wrong-password' };
  return { ok: true, user: authcid, group: entry.group };
}
