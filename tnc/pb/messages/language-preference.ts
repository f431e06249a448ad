/**
 * PB-Language-Preference, IETF message type 6 (RFC 5793 section 4.10), without NOSKIP: the
 * languages the Posture Broker Client prefers for reason strings and remediation text.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |              Language Preference (Variable Length)            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * The value is an HTTP Accept-Language header, "Accept-Language: en" in the strongSwan captures.
 * `language` is what follows the "Accept-Language: " prefix; like strongSwan we require the
 * prefix and reject a NUL-terminated value.
 */
import { invalidParameter } from '../../errors.js';
import { assertNoNul, readUtf8, utf8 } from '../wire.js';
import type { PbTncMessageCodec } from './codec.js';

export const LANGUAGE_PREFIX = 'Accept-Language: ';
const PREFIX = utf8(LANGUAGE_PREFIX);

export interface PbLanguagePreferenceMessage {
  readonly kind: 'language-preference';
  /** The Accept-Language value, e.g. "en" or "de, en;q=0.5". */
  readonly language: string;
}

export const languagePreferenceCodec: PbTncMessageCodec<PbLanguagePreferenceMessage> = {
  kind: 'language-preference',
  name: 'PB-Language-Preference',
  vendorId: 0,
  type: 6,
  encode(m) {
    assertNoNul(m.language, 'Language Preference', true);
    return utf8(LANGUAGE_PREFIX + m.language);
  },
  decode(value) {
    if (value.length < PREFIX.length || PREFIX.some((b, i) => value[i] !== b)) {
      throw invalidParameter('PB_VALUE_INVALID', 0, `Language Preference must start with "${LANGUAGE_PREFIX}"`);
    }
    const language = readUtf8(value, PREFIX.length, value.length, 'Language Preference', 'trailing');
    return { kind: 'language-preference', language };
  },
};
