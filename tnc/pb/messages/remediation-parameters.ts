/**
 * PB-Remediation-Parameters, IETF message type 4 (RFC 5793 section 4.8): how the endpoint can
 * become compliant, sent only in a RESULT batch (registry.ts), without NOSKIP.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Reserved   |       Remediation Parameters Vendor ID        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Remediation Parameters Type                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            Remediation Parameters (Variable Length)           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IETF Remediation Parameters Types (IANA): 1 Remediation-URI (the parameters are the URI, section
 * 4.8.1) and 2 Remediation-String (section 4.8.2):
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   Remediation String Length                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Remediation String (Variable Length)           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Lang Code Len |  Remediation String Lang Code (Variable Len)  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Strings are UTF-8; like strongSwan we reject a NUL inside the string or language code. Any other
 * (vendor, type) keeps its parameters as bytes.
 */
import { invalidParameter } from '../../errors.js';
import { Pen, WireWriter, assertNoNul, copyOf, readUint24, readUint32, readUint8, readUtf8, utf8 } from '../wire.js';
import type { PbTncMessageCodec } from './codec.js';

export const RemediationParametersType = { Uri: 1, String: 2 } as const;

export type RemediationParameters =
  | { readonly type: 'uri'; readonly uri: string }
  | { readonly type: 'string'; readonly text: string; readonly language: string }
  | { readonly type: 'other'; readonly vendorId: number; readonly parametersType: number; readonly data: Uint8Array };

export interface PbRemediationParametersMessage {
  readonly kind: 'remediation-parameters';
  readonly parameters: RemediationParameters;
}

function encodeParameters(p: RemediationParameters): { vendorId: number; type: number; data: Uint8Array } {
  switch (p.type) {
    case 'uri':
      return { vendorId: Pen.IETF, type: RemediationParametersType.Uri, data: utf8(p.uri) };
    case 'string': {
      assertNoNul(p.text, 'Remediation String');
      assertNoNul(p.language, 'Remediation String Lang Code');
      const text = utf8(p.text);
      const lang = utf8(p.language);
      const w = new WireWriter().uint32(text.length, 'Remediation String Length').bytes(text);
      return {
        vendorId: Pen.IETF,
        type: RemediationParametersType.String,
        data: w.uint8(lang.length, 'Lang Code Len').bytes(lang).finish(),
      };
    }
    case 'other':
      return { vendorId: p.vendorId, type: p.parametersType, data: p.data };
  }
}

/** Parses a Remediation-String whose parameters start at `at` in the message value. */
function decodeString(value: Uint8Array, at: number): RemediationParameters {
  const length = readUint32(value, at, 'Remediation String Length');
  const textAt = at + 4;
  if (length > value.length - textAt) {
    throw invalidParameter('PB_VALUE_TRUNCATED', at, `Remediation String Length ${length} exceeds the message`);
  }
  const text = readUtf8(value, textAt, textAt + length, 'Remediation String');
  const langAt = textAt + length;
  const langLength = readUint8(value, langAt, 'Lang Code Len');
  const end = langAt + 1 + langLength;
  if (end > value.length) {
    throw invalidParameter('PB_VALUE_TRUNCATED', langAt, `Lang Code Len ${langLength} exceeds the message`);
  }
  const language = readUtf8(value, langAt + 1, end, 'Remediation String Lang Code');
  if (end !== value.length) {
    throw invalidParameter('PB_VALUE_INVALID', end, 'octets after the Remediation String Lang Code');
  }
  return { type: 'string', text, language };
}

export const remediationParametersCodec: PbTncMessageCodec<PbRemediationParametersMessage> = {
  kind: 'remediation-parameters',
  name: 'PB-Remediation-Parameters',
  vendorId: 0,
  type: 4,

  encode(m) {
    const { vendorId, type, data } = encodeParameters(m.parameters);
    return new WireWriter()
      .uint8(0, 'Reserved')
      .uint24(vendorId, 'Remediation Parameters Vendor ID')
      .uint32(type, 'Remediation Parameters Type')
      .bytes(data)
      .finish();
  },

  decode(value) {
    const vendorId = readUint24(value, 1, 'Remediation Parameters Vendor ID');
    const parametersType = readUint32(value, 4, 'Remediation Parameters Type');
    let parameters: RemediationParameters;
    if (vendorId === Pen.IETF && parametersType === RemediationParametersType.Uri) {
      parameters = { type: 'uri', uri: readUtf8(value, 8, value.length, 'Remediation URI', 'allowed') };
    } else if (vendorId === Pen.IETF && parametersType === RemediationParametersType.String) {
      parameters = decodeString(value, 8);
    } else {
      parameters = { type: 'other', vendorId, parametersType, data: copyOf(value, 8) };
    }
    return { kind: 'remediation-parameters', parameters };
  },
};
