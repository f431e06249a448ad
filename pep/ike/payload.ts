/**
 * The IKEv2 payloads as one discriminated union on `type` (the Payload Type number, RFC 7296
 * section 3.2), the registry of payload codecs keyed by that number (STYLE.md point 5: registries,
 * not switches), and lookup helpers for the responder.
 *
 * A payload type this codec does not know decodes to an `UnknownPayload` that keeps its octets,
 * unless its Critical bit is set (payload-chain.ts throws UNSUPPORTED_CRITICAL_PAYLOAD then).
 */
import { PayloadType } from './constants.js';
import { authenticationCodec, type AuthenticationPayload } from './payloads/authentication.js';
import { certificateRequestCodec, type CertificateRequestPayload } from './payloads/certificate-request.js';
import { certificateCodec, type CertificatePayload } from './payloads/certificate.js';
import { configurationCodec, type ConfigurationPayload } from './payloads/configuration.js';
import { deleteCodec, type DeletePayload } from './payloads/delete.js';
import { eapCodec, type EapPayload } from './payloads/eap.js';
import { encryptedFragmentCodec, type EncryptedFragmentPayload } from './payloads/encrypted-fragment.js';
import { encryptedCodec, type EncryptedPayload } from './payloads/encrypted.js';
import { identificationCodec, type IdentificationPayload } from './payloads/identification.js';
import { keyExchangeCodec, type KeyExchangePayload } from './payloads/key-exchange.js';
import { nonceCodec, type NoncePayload } from './payloads/nonce.js';
import { notifyCodec, type NotifyPayload } from './payloads/notify.js';
import type { PayloadCodec } from './payloads/payload-codec.js';
import { securityAssociationCodec, type SecurityAssociationPayload } from './payloads/security-association.js';
import { trafficSelectorCodec, type TrafficSelectorPayload } from './payloads/traffic-selector.js';
import { vendorIdCodec, type VendorIdPayload } from './payloads/vendor-id.js';

/** A payload of a type this codec does not interpret (Critical bit clear), kept as received. */
export interface UnknownPayload {
  readonly type: 'unknown';
  /** The Payload Type number from the previous header's Next Payload field. */
  readonly payloadType: number;
  readonly critical?: boolean;
  readonly data: Uint8Array;
}

export type IkePayload =
  | SecurityAssociationPayload
  | KeyExchangePayload
  | IdentificationPayload
  | CertificatePayload
  | CertificateRequestPayload
  | AuthenticationPayload
  | NoncePayload
  | NotifyPayload
  | DeletePayload
  | VendorIdPayload
  | TrafficSelectorPayload
  | EncryptedPayload
  | ConfigurationPayload
  | EapPayload
  | EncryptedFragmentPayload
  | UnknownPayload;

/** The payload interface for each known Payload Type number. */
export interface PayloadByType {
  [PayloadType.SA]: SecurityAssociationPayload;
  [PayloadType.KE]: KeyExchangePayload;
  [PayloadType.IDi]: IdentificationPayload;
  [PayloadType.IDr]: IdentificationPayload;
  [PayloadType.CERT]: CertificatePayload;
  [PayloadType.CERTREQ]: CertificateRequestPayload;
  [PayloadType.AUTH]: AuthenticationPayload;
  [PayloadType.Nonce]: NoncePayload;
  [PayloadType.Notify]: NotifyPayload;
  [PayloadType.Delete]: DeletePayload;
  [PayloadType.VendorID]: VendorIdPayload;
  [PayloadType.TSi]: TrafficSelectorPayload;
  [PayloadType.TSr]: TrafficSelectorPayload;
  [PayloadType.SK]: EncryptedPayload;
  [PayloadType.CP]: ConfigurationPayload;
  [PayloadType.EAP]: EapPayload;
  [PayloadType.SKF]: EncryptedFragmentPayload;
}
export type KnownPayloadType = keyof PayloadByType;

/** Payload codecs by Payload Type number. */
export type PayloadCodecRegistry = ReadonlyMap<number, PayloadCodec<IkePayload>>;

function buildRegistry(codecs: readonly PayloadCodec<IkePayload>[]): PayloadCodecRegistry {
  const map = new Map<number, PayloadCodec<IkePayload>>();
  for (const codec of codecs) for (const t of codec.types) map.set(t, codec);
  return map;
}

export const PAYLOAD_CODECS: PayloadCodecRegistry = buildRegistry([
  securityAssociationCodec,
  keyExchangeCodec,
  identificationCodec,
  certificateCodec,
  certificateRequestCodec,
  authenticationCodec,
  nonceCodec,
  notifyCodec,
  deleteCodec,
  vendorIdCodec,
  trafficSelectorCodec,
  encryptedCodec,
  configurationCodec,
  eapCodec,
  encryptedFragmentCodec,
]);

/** Payload types whose header Next Payload names the first inner payload (RFC 7296 s3.14, RFC 7383 s2.5). */
export function isEncryptedType(type: number): boolean {
  return type === PayloadType.SK || type === PayloadType.SKF;
}

/** The Payload Type number of a payload (the `payloadType` of an unknown one). */
export function payloadTypeOf(p: IkePayload): number {
  return p.type === 'unknown' ? p.payloadType : p.type;
}

/** The first payload of the given type, typed by it: `findPayload(ps, PayloadType.SA)?.proposals`. */
export function findPayload<T extends KnownPayloadType>(payloads: readonly IkePayload[], type: T): PayloadByType[T] | undefined {
  return payloads.find((p) => p.type === type) as PayloadByType[T] | undefined;
}

/** Every payload of the given type, in message order. */
export function findPayloads<T extends KnownPayloadType>(payloads: readonly IkePayload[], type: T): readonly PayloadByType[T][] {
  return payloads.filter((p) => p.type === type) as PayloadByType[T][];
}

/** The first Notify payload of the given Notify Message Type. */
export function findNotify(payloads: readonly IkePayload[], notifyType: number): NotifyPayload | undefined {
  return payloads.find((p): p is NotifyPayload => p.type === PayloadType.Notify && p.notifyType === notifyType);
}

/** Every Notify payload of the given type (e.g. the two NAT_DETECTION_SOURCE_IP of a multihomed peer). */
export function findNotifies(payloads: readonly IkePayload[], notifyType: number): readonly NotifyPayload[] {
  return payloads.filter((p): p is NotifyPayload => p.type === PayloadType.Notify && p.notifyType === notifyType);
}
