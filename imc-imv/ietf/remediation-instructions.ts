/**
 * IETF Remediation Instructions (type 10), RFC 5792 section 4.2.10.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |    Reserved   |       Remediation Parameters Vendor ID        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Remediation Parameters Type                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            Remediation Parameters (Variable Length)           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * IETF Remediation Parameters Types (IANA): 1 URI (section 4.2.10.1, the URI as UTF-8, the
 * rest of the value), 2 String (section 4.2.10.2):
 *
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                   Remediation String Length                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                Remediation String (Variable Length)           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Lang Code Len |  Remediation String Lang Code (Variable Len)  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Any other (vendor, type) keeps its parameters as octets.
 */
import { PaTncEncodeError } from '../errors.js';
import { defineAttribute } from '../pa-tnc/attribute.js';
import { FieldReader, FieldWriter } from '../pa-tnc/fields.js';
import { Pen } from '../pa-tnc/vendors.js';

export const RemediationParametersType = {
  Uri: 1,
  String: 2,
} as const;

export type RemediationParameters =
  | { readonly kind: 'uri'; readonly uri: string }
  | { readonly kind: 'string'; readonly text: string; readonly languageCode: string }
  | { readonly kind: 'other'; readonly vendorId: number; readonly type: number; readonly data: Uint8Array };

export interface RemediationInstructions {
  /** The Reserved octet; 0 when omitted, as received when decoded. */
  readonly reserved?: number;
  readonly parameters: RemediationParameters;
}

function parametersType(p: RemediationParameters): { vendorId: number; type: number } {
  if (p.kind === 'uri') return { vendorId: Pen.IETF, type: RemediationParametersType.Uri };
  if (p.kind === 'string') return { vendorId: Pen.IETF, type: RemediationParametersType.String };
  if (p.vendorId === Pen.IETF && (p.type === RemediationParametersType.Uri || p.type === RemediationParametersType.String)) {
    throw new PaTncEncodeError('PA_TNC_FIELD_RANGE', `IETF parameters type ${p.type} must be given as 'uri' or 'string'`);
  }
  return { vendorId: p.vendorId, type: p.type };
}

export const remediationInstructions = defineAttribute({
  vendorId: Pen.IETF,
  type: 10,
  name: 'remediation-instructions',
  title: 'Remediation Instructions',
  encode(v: RemediationInstructions): Uint8Array {
    const p = v.parameters;
    const t = parametersType(p);
    const w = new FieldWriter(64);
    w.u8(v.reserved ?? 0, 'Reserved').u24(t.vendorId, 'Remediation Parameters Vendor ID').u32(t.type, 'Remediation Parameters Type');
    if (p.kind === 'uri') w.utf8(p.uri, 'Remediation URI');
    else if (p.kind === 'string') {
      w.string32(p.text, 'Remediation String', { noNul: true }).string8(p.languageCode, 'Remediation String Lang Code');
    } else w.bytes(p.data);
    return w.finish();
  },
  decode(value: Uint8Array): RemediationInstructions {
    const r = new FieldReader(value);
    const reserved = r.u8('Reserved');
    const vendorId = r.u24('Remediation Parameters Vendor ID');
    const type = r.u32('Remediation Parameters Type');
    if (vendorId === Pen.IETF && type === RemediationParametersType.Uri) {
      return { reserved, parameters: { kind: 'uri', uri: r.utf8Rest('Remediation URI') } };
    }
    if (vendorId === Pen.IETF && type === RemediationParametersType.String) {
      const text = r.string32('Remediation String', { noNul: true });
      const languageCode = r.string8('Remediation String Lang Code');
      r.end('Remediation String Lang Code');
      return { reserved, parameters: { kind: 'string', text, languageCode } };
    }
    return { reserved, parameters: { kind: 'other', vendorId, type, data: r.rest() } };
  },
});
