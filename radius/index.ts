/**
 * Public API of the RADIUS codec library (RFC 2865, 2866, 2868, 2869, 3579, 5176, 2548).
 * Codec only: no sockets here (server.ts, client-table.ts and duplicate-cache.ts add transport).
 */
export { RadiusDecodeError, RadiusEncodeError } from './errors.js';
export type { RadiusDecodeErrorCode, RadiusEncodeErrorCode } from './errors.js';
export {
  PacketCode,
  packetCodeName,
  isKnownPacketCode,
  hasComputedRequestAuthenticator,
  hasRandomRequestAuthenticator,
} from './codes.js';
export { AttributeType, ATTRIBUTE_DEFINITIONS, attributeName } from './attribute-types.js';
export type { AttributeDataType, AttributeDefinition } from './attribute-types.js';
export type { RadiusSecret, RandomSource } from './digest.js';
export {
  AUTHENTICATOR_LENGTH,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  MAX_PACKET_LENGTH,
  MIN_PACKET_LENGTH,
  decodePacket,
  encodePacket,
  getAttribute,
  getAttributes,
  packetBytes,
} from './packet.js';
export type { RadiusAttribute, RadiusPacket } from './packet.js';
export {
  computeRequestAuthenticator,
  computeResponseAuthenticator,
  randomAuthenticator,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
} from './authenticator.js';
export {
  computeMessageAuthenticator,
  signMessageAuthenticator,
  verifyMessageAuthenticator,
} from './message-authenticator.js';
export type { MessageAuthenticatorCheck } from './message-authenticator.js';
export { hideUserPassword, revealUserPassword } from './user-password.js';
/** Short names used by pdp/access-handler.ts; the same functions. */
export { hideUserPassword as hidePassword, revealUserPassword as revealPassword } from './user-password.js';
export {
  createSaltGenerator,
  decodeTunnelPassword,
  decryptSalted,
  encodeTunnelPassword,
  encryptSalted,
} from './salt-encryption.js';
export type { SaltGenerator, TunnelPassword } from './salt-encryption.js';
export {
  decodeVendorSpecific,
  encodeVendorSpecific,
  getVendorAttributes,
  vendorSpecificAttribute,
} from './vendor-specific.js';
export type { VendorAttribute, VendorSpecific } from './vendor-specific.js';
export { decodeTaggedInteger, decodeTaggedString, encodeTaggedInteger, encodeTaggedString } from './tagged.js';
export type { Tagged } from './tagged.js';
export { joinEapMessage, splitEapMessage } from './eap-message.js';
export {
  MICROSOFT_VENDOR_ID,
  MicrosoftAttributeType,
  decodeMppeKeys,
  mppeKeyAttribute,
} from './vendors/microsoft.js';
export type { MppeKeys } from './vendors/microsoft.js';
export { buildRequest, mppeKeyAttributes, signResponse, verifyRequest, verifyResponse } from './builder.js';
export type {
  BuildRequestOptions,
  RequestVerification,
  ResponseVerification,
  SignResponseOptions,
} from './builder.js';
