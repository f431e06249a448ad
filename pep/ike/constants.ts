/**
 * IKEv2 numbers (RFC 7296 section 3 and the IANA "Internet Key Exchange Version 2 (IKEv2)
 * Parameters" registry), as `as const` tables with name lookups.
 *
 * Keys are the RFC / IANA names (`IKE_SA_INIT`, `NAT_DETECTION_SOURCE_IP`, `HMAC_SHA2_256_128`),
 * values the numbers on the wire. Each table has a type of its values and a `xxxName(n)` lookup that
 * returns the name or undefined for a number the table does not know (the codec keeps unknown
 * numbers: RFC 7296 section 3.3.6 and 3.10.1 tell the receiver what to do with them, not the codec).
 */

/** Exchange Type, RFC 7296 section 3.1. */
export const ExchangeType = {
  IKE_SA_INIT: 34,
  IKE_AUTH: 35,
  CREATE_CHILD_SA: 36,
  INFORMATIONAL: 37,
  IKE_SESSION_RESUME: 38, // RFC 5723
  GSA_AUTH: 39, // RFC 9838 (G-IKEv2)
  GSA_REGISTRATION: 40,
  GSA_REKEY: 41,
  IKE_INTERMEDIATE: 43, // RFC 9242
  IKE_FOLLOWUP_KE: 44, // RFC 9370
} as const;
export type ExchangeType = (typeof ExchangeType)[keyof typeof ExchangeType];

/** Header flags, RFC 7296 section 3.1 (bits of the Flags octet). */
export const HeaderFlag = {
  /** Initiator: set in messages sent by the original initiator of the IKE SA. */
  INITIATOR: 0x08,
  /** Version: the sender can speak a higher major version. */
  VERSION: 0x10,
  /** Response: this message is a response to a message with the same Message ID. */
  RESPONSE: 0x20,
} as const;

/** Payload Type ("Next Payload" values), RFC 7296 section 3.2, RFC 7383 (SKF). */
export const PayloadType = {
  NONE: 0,
  SA: 33,
  KE: 34,
  IDi: 35,
  IDr: 36,
  CERT: 37,
  CERTREQ: 38,
  AUTH: 39,
  Nonce: 40,
  Notify: 41,
  Delete: 42,
  VendorID: 43,
  TSi: 44,
  TSr: 45,
  SK: 46,
  CP: 47,
  EAP: 48,
  GSPM: 49, // RFC 6467
  IDg: 50,
  GSA: 51,
  KD: 52,
  SKF: 53, // RFC 7383
  PS: 54, // RFC 8019 (puzzle solution)
} as const;
export type PayloadType = (typeof PayloadType)[keyof typeof PayloadType];

/** Transform Type, RFC 7296 section 3.3.2. */
export const TransformType = {
  ENCR: 1,
  PRF: 2,
  INTEG: 3,
  DH: 4,
  ESN: 5,
} as const;
export type TransformType = (typeof TransformType)[keyof typeof TransformType];

/** Transform Type 1 - Encryption Algorithm Transform IDs (IANA). */
export const EncrId = {
  DES_IV64: 1,
  DES: 2,
  '3DES': 3,
  RC5: 4,
  IDEA: 5,
  CAST: 6,
  BLOWFISH: 7,
  '3IDEA': 8,
  DES_IV32: 9,
  NULL: 11,
  AES_CBC: 12,
  AES_CTR: 13,
  AES_CCM_8: 14,
  AES_CCM_12: 15,
  AES_CCM_16: 16,
  AES_GCM_8: 18,
  AES_GCM_12: 19,
  AES_GCM_16: 20,
  NULL_AUTH_AES_GMAC: 21,
  CAMELLIA_CBC: 23,
  CAMELLIA_CTR: 24,
  CAMELLIA_CCM_8: 25,
  CAMELLIA_CCM_12: 26,
  CAMELLIA_CCM_16: 27,
  CHACHA20_POLY1305: 28,
} as const;
export type EncrId = (typeof EncrId)[keyof typeof EncrId];

/** Transform Type 2 - Pseudorandom Function Transform IDs (IANA). */
export const PrfId = {
  HMAC_MD5: 1,
  HMAC_SHA1: 2,
  HMAC_TIGER: 3,
  AES128_XCBC: 4,
  HMAC_SHA2_256: 5,
  HMAC_SHA2_384: 6,
  HMAC_SHA2_512: 7,
  AES128_CMAC: 8,
} as const;
export type PrfId = (typeof PrfId)[keyof typeof PrfId];

/** Transform Type 3 - Integrity Algorithm Transform IDs (IANA). */
export const IntegId = {
  NONE: 0,
  HMAC_MD5_96: 1,
  HMAC_SHA1_96: 2,
  DES_MAC: 3,
  KPDK_MD5: 4,
  AES_XCBC_96: 5,
  HMAC_MD5_128: 6,
  HMAC_SHA1_160: 7,
  AES_CMAC_96: 8,
  AES_128_GMAC: 9,
  AES_192_GMAC: 10,
  AES_256_GMAC: 11,
  HMAC_SHA2_256_128: 12,
  HMAC_SHA2_384_192: 13,
  HMAC_SHA2_512_256: 14,
} as const;
export type IntegId = (typeof IntegId)[keyof typeof IntegId];

/** Transform Type 4 - Diffie-Hellman Group Transform IDs (IANA). */
export const DhGroup = {
  NONE: 0,
  MODP_768: 1,
  MODP_1024: 2,
  MODP_1536: 5,
  MODP_2048: 14,
  MODP_3072: 15,
  MODP_4096: 16,
  MODP_6144: 17,
  MODP_8192: 18,
  ECP_256: 19,
  ECP_384: 20,
  ECP_521: 21,
  MODP_1024_160: 22,
  MODP_2048_224: 23,
  MODP_2048_256: 24,
  ECP_192: 25,
  ECP_224: 26,
  BRAINPOOL_P224R1: 27,
  BRAINPOOL_P256R1: 28,
  BRAINPOOL_P384R1: 29,
  BRAINPOOL_P512R1: 30,
  CURVE25519: 31,
  CURVE448: 32,
} as const;
export type DhGroup = (typeof DhGroup)[keyof typeof DhGroup];

/** Transform Type 5 - Extended Sequence Numbers Transform IDs (RFC 7296 section 3.3.2). */
export const EsnId = {
  NO_ESN: 0,
  ESN: 1,
} as const;
export type EsnId = (typeof EsnId)[keyof typeof EsnId];

/** Transform Attribute Types, RFC 7296 section 3.3.5 (only Key Length is defined; TV format). */
export const TransformAttributeType = {
  KEY_LENGTH: 14,
} as const;

/** Security Protocol Identifier, RFC 7296 section 3.3.1 (Proposal) and 3.11 (Delete), 3.10 (Notify). */
export const ProtocolId = {
  NONE: 0,
  IKE: 1,
  AH: 2,
  ESP: 3,
} as const;
export type ProtocolId = (typeof ProtocolId)[keyof typeof ProtocolId];

/** ID Type, RFC 7296 section 3.5 (and RFC 7619 ID_NULL). */
export const IdType = {
  IPV4_ADDR: 1,
  FQDN: 2,
  RFC822_ADDR: 3,
  IPV6_ADDR: 5,
  DER_ASN1_DN: 9,
  DER_ASN1_GN: 10,
  KEY_ID: 11,
  FC_NAME: 12,
  NULL: 13,
} as const;
export type IdType = (typeof IdType)[keyof typeof IdType];

/** Certificate Encoding, RFC 7296 section 3.6 (and RFC 7670). */
export const CertEncoding = {
  PKCS7_WRAPPED_X509: 1,
  PGP: 2,
  DNS_SIGNED_KEY: 3,
  X509_SIGNATURE: 4,
  KERBEROS_TOKEN: 6,
  CRL: 7,
  ARL: 8,
  SPKI: 9,
  X509_ATTRIBUTE: 10,
  RAW_RSA_KEY: 11,
  HASH_AND_URL_X509: 12,
  HASH_AND_URL_X509_BUNDLE: 13,
  OCSP_CONTENT: 14,
  RAW_PUBLIC_KEY: 15,
} as const;
export type CertEncoding = (typeof CertEncoding)[keyof typeof CertEncoding];

/** Authentication Method, RFC 7296 section 3.8, RFC 4754 (ECDSA), RFC 7427 (Digital Signature). */
export const AuthMethod = {
  RSA_DIGITAL_SIGNATURE: 1,
  SHARED_KEY_MESSAGE_INTEGRITY_CODE: 2,
  DSS_DIGITAL_SIGNATURE: 3,
  ECDSA_SHA256_P256: 9,
  ECDSA_SHA384_P384: 10,
  ECDSA_SHA512_P521: 11,
  GENERIC_SECURE_PASSWORD: 12,
  NULL: 13,
  DIGITAL_SIGNATURE: 14,
} as const;
export type AuthMethod = (typeof AuthMethod)[keyof typeof AuthMethod];

/** Hash Algorithm identifiers of SIGNATURE_HASH_ALGORITHMS, RFC 7427 section 7. */
export const HashAlgorithm = {
  SHA1: 1,
  SHA2_256: 2,
  SHA2_384: 3,
  SHA2_512: 4,
  IDENTITY: 5,
} as const;
export type HashAlgorithm = (typeof HashAlgorithm)[keyof typeof HashAlgorithm];

/**
 * Notify Message Types, RFC 7296 section 3.10.1 and IANA. 1..16383 are errors, 16384.. status
 * types ("Types in the range 0 - 16383 are intended for reporting errors").
 */
export const NotifyType = {
  // --- errors ---
  UNSUPPORTED_CRITICAL_PAYLOAD: 1,
  INVALID_IKE_SPI: 4,
  INVALID_MAJOR_VERSION: 5,
  INVALID_SYNTAX: 7,
  INVALID_MESSAGE_ID: 9,
  INVALID_SPI: 11,
  NO_PROPOSAL_CHOSEN: 14,
  INVALID_KE_PAYLOAD: 17,
  AUTHENTICATION_FAILED: 24,
  SINGLE_PAIR_REQUIRED: 34,
  NO_ADDITIONAL_SAS: 35,
  INTERNAL_ADDRESS_FAILURE: 36,
  FAILED_CP_REQUIRED: 37,
  TS_UNACCEPTABLE: 38,
  INVALID_SELECTORS: 39,
  UNACCEPTABLE_ADDRESSES: 40, // RFC 4555
  UNEXPECTED_NAT_DETECTED: 41, // RFC 4555
  USE_ASSIGNED_HoA: 42, // RFC 5026
  TEMPORARY_FAILURE: 43,
  CHILD_SA_NOT_FOUND: 44,
  INVALID_GROUP_ID: 45, // RFC 9838
  AUTHORIZATION_FAILED: 46, // RFC 9838
  STATE_NOT_FOUND: 47, // RFC 9370
  TS_MAX_QUEUE: 48, // RFC 9611
  // --- status ---
  INITIAL_CONTACT: 16384,
  SET_WINDOW_SIZE: 16385,
  ADDITIONAL_TS_POSSIBLE: 16386,
  IPCOMP_SUPPORTED: 16387,
  NAT_DETECTION_SOURCE_IP: 16388,
  NAT_DETECTION_DESTINATION_IP: 16389,
  COOKIE: 16390,
  USE_TRANSPORT_MODE: 16391,
  HTTP_CERT_LOOKUP_SUPPORTED: 16392,
  REKEY_SA: 16393,
  ESP_TFC_PADDING_NOT_SUPPORTED: 16394,
  NON_FIRST_FRAGMENTS_ALSO: 16395,
  MOBIKE_SUPPORTED: 16396, // RFC 4555
  ADDITIONAL_IP4_ADDRESS: 16397,
  ADDITIONAL_IP6_ADDRESS: 16398,
  NO_ADDITIONAL_ADDRESSES: 16399,
  UPDATE_SA_ADDRESSES: 16400,
  COOKIE2: 16401,
  NO_NATS_ALLOWED: 16402,
  AUTH_LIFETIME: 16403, // RFC 4478
  MULTIPLE_AUTH_SUPPORTED: 16404, // RFC 4739
  ANOTHER_AUTH_FOLLOWS: 16405, // RFC 4739
  REDIRECT_SUPPORTED: 16406, // RFC 5685
  REDIRECT: 16407,
  REDIRECTED_FROM: 16408,
  TICKET_LT_OPAQUE: 16409, // RFC 5723
  TICKET_REQUEST: 16410,
  TICKET_ACK: 16411,
  TICKET_NACK: 16412,
  TICKET_OPAQUE: 16413,
  LINK_ID: 16414, // RFC 5739
  USE_WESP_MODE: 16415, // RFC 5840
  ROHC_SUPPORTED: 16416, // RFC 5857
  EAP_ONLY_AUTHENTICATION: 16417, // RFC 5998
  CHILDLESS_IKEV2_SUPPORTED: 16418, // RFC 6023
  QUICK_CRASH_DETECTION: 16419, // RFC 6290
  IKEV2_MESSAGE_ID_SYNC_SUPPORTED: 16420, // RFC 6311
  IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED: 16421,
  IKEV2_MESSAGE_ID_SYNC: 16422,
  IPSEC_REPLAY_COUNTER_SYNC: 16423,
  SECURE_PASSWORD_METHODS: 16424, // RFC 6467
  PSK_PERSIST: 16425, // RFC 6631
  PSK_CONFIRM: 16426,
  ERX_SUPPORTED: 16427, // RFC 6867
  IFOM_CAPABILITY: 16428,
  SENDER_REQUEST_ID: 16429,
  IKEV2_FRAGMENTATION_SUPPORTED: 16430, // RFC 7383
  SIGNATURE_HASH_ALGORITHMS: 16431, // RFC 7427
  CLONE_IKE_SA_SUPPORTED: 16432, // RFC 7791
  CLONE_IKE_SA: 16433,
  PUZZLE: 16434, // RFC 8019
  USE_PPK: 16435, // RFC 8784
  PPK_IDENTITY: 16436,
  NO_PPK_AUTH: 16437,
  INTERMEDIATE_EXCHANGE_SUPPORTED: 16438, // RFC 9242
  IP4_ALLOWED: 16439, // RFC 8983
  IP6_ALLOWED: 16440,
  ADDITIONAL_KEY_EXCHANGE: 16441, // RFC 9370
  USE_AGGFRAG: 16442, // RFC 9347
} as const;
export type NotifyType = (typeof NotifyType)[keyof typeof NotifyType];

/** RFC 7296 section 3.10.1: "Types in the range 0 - 16383 are intended for reporting errors." */
export function isErrorNotify(type: number): boolean {
  return type > 0 && type < 16384;
}

/** CFG Type, RFC 7296 section 3.15. */
export const CfgType = {
  CFG_REQUEST: 1,
  CFG_REPLY: 2,
  CFG_SET: 3,
  CFG_ACK: 4,
} as const;
export type CfgType = (typeof CfgType)[keyof typeof CfgType];

/** Configuration Attribute Types, RFC 7296 section 3.15.1 and IANA. */
export const CfgAttribute = {
  INTERNAL_IP4_ADDRESS: 1,
  INTERNAL_IP4_NETMASK: 2,
  INTERNAL_IP4_DNS: 3,
  INTERNAL_IP4_NBNS: 4,
  INTERNAL_IP4_DHCP: 6,
  APPLICATION_VERSION: 7,
  INTERNAL_IP6_ADDRESS: 8,
  INTERNAL_IP6_DNS: 10,
  INTERNAL_IP6_DHCP: 12,
  INTERNAL_IP4_SUBNET: 13,
  SUPPORTED_ATTRIBUTES: 14,
  INTERNAL_IP6_SUBNET: 15,
  MIP6_HOME_PREFIX: 16, // RFC 5026
  INTERNAL_IP6_LINK: 17, // RFC 5739
  INTERNAL_IP6_PREFIX: 18,
  HOME_AGENT_ADDRESS: 19, // RFC 5026
  P_CSCF_IP4_ADDRESS: 20, // RFC 7651
  P_CSCF_IP6_ADDRESS: 21,
  FTT_KAT: 22, // RFC 8983
  EXTERNAL_SOURCE_IP4_NAT_INFO: 23,
  TIMEOUT_PERIOD_FOR_LIVENESS_CHECK: 24,
  INTERNAL_DNS_DOMAIN: 25, // RFC 8598
  INTERNAL_DNSSEC_TA: 26,
} as const;
export type CfgAttribute = (typeof CfgAttribute)[keyof typeof CfgAttribute];

/** Traffic Selector Type, RFC 7296 section 3.13.1. */
export const TsType = {
  TS_IPV4_ADDR_RANGE: 7,
  TS_IPV6_ADDR_RANGE: 8,
} as const;
export type TsType = (typeof TsType)[keyof typeof TsType];

/** IKE major/minor version this codec speaks (RFC 7296 section 3.1). */
export const IKE_MAJOR_VERSION = 2;
export const IKE_MINOR_VERSION = 0;

// ---------------------------------------------------------------------------------------------
// Name lookups

function reverse(table: Readonly<Record<string, number>>): ReadonlyMap<number, string> {
  const map = new Map<number, string>();
  for (const [name, value] of Object.entries(table)) if (!map.has(value)) map.set(value, name);
  return map;
}

const exchangeNames = reverse(ExchangeType);
const payloadNames = reverse(PayloadType);
const transformTypeNames = reverse(TransformType);
const encrNames = reverse(EncrId);
const prfNames = reverse(PrfId);
const integNames = reverse(IntegId);
const dhNames = reverse(DhGroup);
const esnNames = reverse(EsnId);
const protocolNames = reverse(ProtocolId);
const idTypeNames = reverse(IdType);
const certEncodingNames = reverse(CertEncoding);
const authMethodNames = reverse(AuthMethod);
const hashNames = reverse(HashAlgorithm);
const notifyNames = reverse(NotifyType);
const cfgTypeNames = reverse(CfgType);
const cfgAttributeNames = reverse(CfgAttribute);
const tsTypeNames = reverse(TsType);

export const exchangeTypeName = (n: number): string | undefined => exchangeNames.get(n);
export const payloadTypeName = (n: number): string | undefined => payloadNames.get(n);
export const transformTypeName = (n: number): string | undefined => transformTypeNames.get(n);
export const encrIdName = (n: number): string | undefined => encrNames.get(n);
export const prfIdName = (n: number): string | undefined => prfNames.get(n);
export const integIdName = (n: number): string | undefined => integNames.get(n);
export const dhGroupName = (n: number): string | undefined => dhNames.get(n);
export const esnIdName = (n: number): string | undefined => esnNames.get(n);
export const protocolIdName = (n: number): string | undefined => protocolNames.get(n);
export const idTypeName = (n: number): string | undefined => idTypeNames.get(n);
export const certEncodingName = (n: number): string | undefined => certEncodingNames.get(n);
export const authMethodName = (n: number): string | undefined => authMethodNames.get(n);
export const hashAlgorithmName = (n: number): string | undefined => hashNames.get(n);
export const notifyTypeName = (n: number): string | undefined => notifyNames.get(n);
export const cfgTypeName = (n: number): string | undefined => cfgTypeNames.get(n);
export const cfgAttributeName = (n: number): string | undefined => cfgAttributeNames.get(n);
export const tsTypeName = (n: number): string | undefined => tsTypeNames.get(n);

/** The algorithm name of a transform ID given its transform type ("AES_CBC", "ECP_256"). */
export function transformIdName(type: number, id: number): string | undefined {
  switch (type) {
    case TransformType.ENCR:
      return encrIdName(id);
    case TransformType.PRF:
      return prfIdName(id);
    case TransformType.INTEG:
      return integIdName(id);
    case TransformType.DH:
      return dhGroupName(id);
    case TransformType.ESN:
      return esnIdName(id);
    default:
      return undefined;
  }
}
