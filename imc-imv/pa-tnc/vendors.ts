/**
 * IANA Private Enterprise Numbers that name the attribute namespaces used here
 * (RFC 5792 section 4.2: the PA-TNC Attribute Vendor ID is an SMI Private Enterprise Number).
 * Vendor folders are keyed by these: `ietf/`, `tcg/`, `ita/`.
 */
export const Pen = {
  /** IETF standard attributes (RFC 5792 section 4.2, vendor id 0). */
  IETF: 0x000000,
  /** Trusted Computing Group (IF-M Segmentation, PTS, SWID ...). */
  TCG: 0x005597,
  /** Institute for Internet Technologies and Applications (strongSwan's private attributes). */
  ITA: 0x00902a,
} as const;

/** RFC 5792 section 4.2: the Attribute Vendor ID 0xffffff is reserved. */
export const RESERVED_VENDOR_ID = 0xffffff;
/** RFC 5792 section 4.2: the Attribute Type 0xffffffff is reserved. */
export const RESERVED_ATTRIBUTE_TYPE = 0xffffffff;

const NAMES = new Map<number, string>([
  [Pen.IETF, 'IETF'],
  [Pen.TCG, 'TCG'],
  [Pen.ITA, 'ITA'],
]);

/** "IETF", "TCG", "ITA" or the number in hex. */
export function vendorName(vendorId: number): string {
  return NAMES.get(vendorId) ?? `0x${vendorId.toString(16).padStart(6, '0')}`;
}
