/**
 * PB-Reason-String, IETF message type 7 (RFC 5793 section 4.11), sent only in a RESULT batch
 * (registry.ts), without NOSKIP: why the server reached its result, in human language.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                      Reason String Length                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Reason String (Variable Length)                |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Lang Code Len | Reason String Language Code (Variable Length) |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * (strongSwan's pb_reason_string_msg.c heads this diagram "PB-Language-Preference message": the
 * copy-paste slip STYLE.md warns about.) Both strings are UTF-8; like strongSwan we reject a
 * NUL-terminated string or language code, and we reject octets after the language code.
 */
import { invalidParameter } from '../../errors.js';
import { WireWriter, assertNoNul, readUint32, readUint8, readUtf8, utf8 } from '../wire.js';
import type { PbTncMessageCodec } from './codec.js';

export interface PbReasonStringMessage {
  readonly kind: 'reason-string';
  readonly reason: string;
  /** Language code of the reason (RFC 5646 tag, e.g. "en"); may be empty. */
  readonly language: string;
}

export const reasonStringCodec: PbTncMessageCodec<PbReasonStringMessage> = {
  kind: 'reason-string',
  name: 'PB-Reason-String',
  vendorId: 0,
  type: 7,

  encode(m) {
    assertNoNul(m.reason, 'Reason String', true);
    assertNoNul(m.language, 'Reason String Language Code', true);
    const reason = utf8(m.reason);
    const language = utf8(m.language);
    return new WireWriter()
      .uint32(reason.length, 'Reason String Length')
      .bytes(reason)
      .uint8(language.length, 'Lang Code Len')
      .bytes(language)
      .finish();
  },

  decode(value) {
    const length = readUint32(value, 0, 'Reason String Length');
    if (length > value.length - 4) {
      throw invalidParameter('PB_VALUE_TRUNCATED', 0, `Reason String Length ${length} exceeds the message`);
    }
    const reason = readUtf8(value, 4, 4 + length, 'Reason String', 'trailing');
    const langAt = 4 + length;
    const langLength = readUint8(value, langAt, 'Lang Code Len');
    const end = langAt + 1 + langLength;
    if (end > value.length) {
      throw invalidParameter('PB_VALUE_TRUNCATED', langAt, `Lang Code Len ${langLength} exceeds the message`);
    }
    const language = readUtf8(value, langAt + 1, end, 'Reason String Language Code', 'trailing');
    if (end !== value.length) {
      throw invalidParameter('PB_VALUE_INVALID', end, 'octets after the Reason String Language Code');
    }
    return { kind: 'reason-string', reason, language };
  },
};
