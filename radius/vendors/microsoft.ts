/**
 * Microsoft vendor-specific attributes, RFC 2548 (vendor 311): the MPPE keys of sections 2.4.2
 * and 2.4.3, which carry the EAP keying material to the NAS.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Vendor-Type  | Vendor-Length |             Salt
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *                                String...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Vendor-Type 16 is MS-MPPE-Send-Key, 17 is MS-MPPE-Recv-Key; Salt and String are salt-encrypted
 * (salt-encryption.ts, with the Request Authenticator of the Access-Request being answered).
 *
 * Which part of the EAP MSK goes where: RFC 5216 section 2.3 says the MSK's first 32 octets are
 * the Enc-RECV-Key and the next 32 the Enc-SEND-Key, carried as MS-MPPE-Recv-Key and
 * MS-MPPE-Send-Key as FreeRADIUS and strongSwan do; the NAS puts them back together in that order.
 */
import type { RadiusSecret } from '../digest.js';
import type { RadiusAttribute, RadiusPacket } from '../packet.js';
import { createSaltGenerator, decryptSalted, encryptSalted, type SaltGenerator } from '../salt-encryption.js';
import { getVendorAttributes, vendorSpecificAttribute } from '../vendor-specific.js';

export const MICROSOFT_VENDOR_ID = 311;

export const MicrosoftAttributeType = {
  MSMPPESendKey: 16,
  MSMPPERecvKey: 17,
} as const;

/** Octets of the EAP MSK that go into each MPPE key attribute. */
export const MPPE_KEY_LENGTH = 32;

/** A Vendor-Specific attribute with one salt-encrypted MS-MPPE-Send-Key or -Recv-Key. */
export function mppeKeyAttribute(
  vendorType: (typeof MicrosoftAttributeType)[keyof typeof MicrosoftAttributeType],
  key: Uint8Array,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array,
  nextSalt: SaltGenerator = createSaltGenerator(),
): RadiusAttribute {
  const value = encryptSalted(key, secret, requestAuthenticator, nextSalt);
  return vendorSpecificAttribute(MICROSOFT_VENDOR_ID, [{ type: vendorType, value }]);
}

export interface MppeKeys {
  readonly recvKey: Buffer;
  readonly sendKey: Buffer;
}

/**
 * The decrypted MS-MPPE-Recv-Key and MS-MPPE-Send-Key of an Access-Accept, or undefined when
 * either is missing. Throws RadiusDecodeError when one does not decrypt.
 */
export function decodeMppeKeys(
  accept: RadiusPacket,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array,
): MppeKeys | undefined {
  let recvKey: Buffer | undefined;
  let sendKey: Buffer | undefined;
  for (const a of getVendorAttributes(accept, MICROSOFT_VENDOR_ID)) {
    if (a.type === MicrosoftAttributeType.MSMPPERecvKey && !recvKey) {
      recvKey = decryptSalted(a.value, secret, requestAuthenticator);
    } else if (a.type === MicrosoftAttributeType.MSMPPESendKey && !sendKey) {
      sendKey = decryptSalted(a.value, secret, requestAuthenticator);
    }
  }
  return recvKey && sendKey ? { recvKey, sendKey } : undefined;
}
