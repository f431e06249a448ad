/**
 * Building and checking whole packets: the order of operations that RFC 2865 section 3, RFC 2866
 * section 3, RFC 3579 section 3.2, RFC 5176 sections 2.3 and 3.4 and RFC 5997 fix, in one place
 * for the server and for clients (tests, the PEP).
 *
 *   Response (signResponse):
 *     1. Message-Authenticator first among the attributes (zeroed), then the caller's attributes;
 *     2. Authenticator field := Request Authenticator;
 *     3. Message-Authenticator := HMAC-MD5 over the packet (RFC 3579 section 3.2);
 *     4. Authenticator field := MD5(Code+ID+Length+RequestAuth+Attributes+Secret) (RFC 2865 s3).
 *   Access-Request, Status-Server (buildRequest): random Request Authenticator, then the
 *     Message-Authenticator over the packet.
 *   Accounting-Request, CoA-Request, Disconnect-Request (buildRequest): Authenticator field := 16
 *     zero octets, Message-Authenticator over that ("calculated and inserted in the packet before
 *     the Request Authenticator is calculated", RFC 5176 section 3.4), then the Request
 *     Authenticator := MD5(Code+ID+Length+16 zero octets+Attributes+Secret) (RFC 2866 section 3).
 *
 * Putting Message-Authenticator first follows the BlastRADIUS (CVE-2024-3596) advice that
 * FreeRADIUS ships.
 * The server still copies Proxy-State from the request into `attributes` (RFC 2865 section 5.33).
 */
import { AttributeType } from './attribute-types.js';
import {
  computeRequestAuthenticator,
  computeResponseAuthenticator,
  randomAuthenticator,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
} from './authenticator.js';
import { hasComputedRequestAuthenticator, hasRandomRequestAuthenticator, PacketCode } from './codes.js';
import { cryptoRandom, type RadiusSecret, type RandomSource } from './digest.js';
import { RadiusEncodeError } from './errors.js';
import {
  MESSAGE_AUTHENTICATOR_LENGTH,
  signMessageAuthenticator,
  verifyMessageAuthenticator,
  type MessageAuthenticatorCheck,
} from './message-authenticator.js';
import { asBuffer, AUTHENTICATOR_LENGTH, encodePacket, type RadiusAttribute } from './packet.js';
import { createSaltGenerator, type SaltGenerator } from './salt-encryption.js';
import { MicrosoftAttributeType, mppeKeyAttribute, MPPE_KEY_LENGTH } from './vendors/microsoft.js';

export interface SignResponseOptions {
  readonly code: number;
  readonly identifier: number;
  readonly requestAuthenticator: Uint8Array;
  readonly attributes: readonly RadiusAttribute[];
  readonly secret: RadiusSecret;
  /** Default: true for Access-Accept, Access-Reject and Access-Challenge, false otherwise. */
  readonly addMessageAuthenticator?: boolean;
}

export interface BuildRequestOptions {
  readonly code: number;
  readonly identifier: number;
  readonly attributes: readonly RadiusAttribute[];
  readonly secret: RadiusSecret;
  /** Access-Request and Status-Server only: the Request Authenticator; random when left out. */
  readonly authenticator?: Uint8Array;
  /**
   * Default: true for Access-Request, false otherwise. Always true for Status-Server (it must carry
   * one, RFC 5997 section 3) and for any request carrying EAP-Message (which must carry one too,
   * RFC 3579 section 3.2).
   */
  readonly addMessageAuthenticator?: boolean;
  /** Random source for the Request Authenticator (tests inject a fixed one). */
  readonly random?: RandomSource;
}

const RESPONSE_CODES: ReadonlySet<number> = new Set([
  PacketCode.AccessAccept,
  PacketCode.AccessReject,
  PacketCode.AccessChallenge,
  PacketCode.AccountingResponse,
  PacketCode.DisconnectACK,
  PacketCode.DisconnectNAK,
  PacketCode.CoAACK,
  PacketCode.CoANAK,
]);

function isAccessResponse(code: number): boolean {
  return code === PacketCode.AccessAccept || code === PacketCode.AccessReject || code === PacketCode.AccessChallenge;
}

function withMessageAuthenticator(attributes: readonly RadiusAttribute[], add: boolean): readonly RadiusAttribute[] {
  if (attributes.some((a) => a.type === AttributeType.MessageAuthenticator)) {
    throw new RadiusEncodeError(
      'RADIUS_MESSAGE_AUTHENTICATOR_GIVEN',
      'pass addMessageAuthenticator instead of a Message-Authenticator attribute',
    );
  }
  if (!add) return attributes;
  const placeholder = { type: AttributeType.MessageAuthenticator, value: Buffer.alloc(MESSAGE_AUTHENTICATOR_LENGTH) };
  return [placeholder, ...attributes];
}

/** The wire form of a response to a request with `requestAuthenticator`, signed. */
export function signResponse(o: SignResponseOptions): Buffer {
  if (!RESPONSE_CODES.has(o.code)) {
    throw new RadiusEncodeError('RADIUS_CODE_UNSUPPORTED', `code ${o.code} is not a response`);
  }
  if (o.requestAuthenticator.byteLength !== AUTHENTICATOR_LENGTH) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', 'request authenticator must be 16 octets');
  }
  const add = o.addMessageAuthenticator ?? isAccessResponse(o.code);
  const packet = encodePacket({
    code: o.code,
    identifier: o.identifier,
    authenticator: asBuffer(o.requestAuthenticator),
    attributes: withMessageAuthenticator(o.attributes, add),
  });
  if (add) signMessageAuthenticator(packet, o.secret, o.requestAuthenticator);
  packet.set(computeResponseAuthenticator(packet, o.requestAuthenticator, o.secret), 4);
  return packet;
}

/** The wire form of a request; read its Request Authenticator back from octets 4..19. */
export function buildRequest(o: BuildRequestOptions): Buffer {
  const random = hasRandomRequestAuthenticator(o.code);
  if (!random && !hasComputedRequestAuthenticator(o.code)) {
    throw new RadiusEncodeError('RADIUS_CODE_UNSUPPORTED', `code ${o.code} is not a request this builder signs`);
  }
  if (!random && o.authenticator) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `code ${o.code} has a computed Request Authenticator`);
  }
  const carriesEap = o.attributes.some((a) => a.type === AttributeType.EAPMessage);
  const add =
    o.code === PacketCode.StatusServer ||
    carriesEap ||
    (o.addMessageAuthenticator ?? o.code === PacketCode.AccessRequest);
  const authenticator = random
    ? asBuffer(o.authenticator ?? randomAuthenticator(o.random ?? cryptoRandom))
    : Buffer.alloc(AUTHENTICATOR_LENGTH);
  const packet = encodePacket({
    code: o.code,
    identifier: o.identifier,
    authenticator,
    attributes: withMessageAuthenticator(o.attributes, add),
  });
  // Random authenticator: the HMAC covers it. Computed one: the HMAC covers 16 zero octets.
  if (add) signMessageAuthenticator(packet, o.secret);
  if (!random) packet.set(computeRequestAuthenticator(packet, o.secret), 4);
  return packet;
}

export interface ResponseVerification {
  /** Authenticator right and Message-Authenticator not wrong. */
  readonly valid: boolean;
  readonly authenticator: boolean;
  /** Callers that require one (the request carried EAP-Message) also check for 'valid'. */
  readonly messageAuthenticator: MessageAuthenticatorCheck;
}

/** Checks a received response against the request it answers. Never throws. */
export function verifyResponse(
  raw: Uint8Array,
  requestAuthenticator: Uint8Array,
  secret: RadiusSecret,
): ResponseVerification {
  const authenticator = verifyResponseAuthenticator(raw, requestAuthenticator, secret);
  const messageAuthenticator = verifyMessageAuthenticator(raw, secret, requestAuthenticator);
  return { valid: authenticator && messageAuthenticator !== 'invalid', authenticator, messageAuthenticator };
}

export interface RequestVerification {
  /** Authenticator right (or random), Message-Authenticator not wrong, and present where required. */
  readonly valid: boolean;
  /** 'random' for Access-Request and Status-Server, whose authenticator cannot be checked. */
  readonly authenticator: 'valid' | 'invalid' | 'random';
  readonly messageAuthenticator: MessageAuthenticatorCheck;
}

/**
 * Checks a received request. Status-Server without Message-Authenticator is invalid (RFC 5997
 * section 3); an Access-Request carrying EAP-Message without one is to be silently discarded
 * (RFC 3579 section 3.2), which the caller checks on the decoded packet. Never throws.
 */
export function verifyRequest(raw: Uint8Array, secret: RadiusSecret): RequestVerification {
  const code = raw[0] ?? -1;
  const authenticator = hasComputedRequestAuthenticator(code)
    ? verifyRequestAuthenticator(raw, secret)
      ? 'valid'
      : 'invalid'
    : 'random';
  const messageAuthenticator = verifyMessageAuthenticator(raw, secret);
  const missing = code === PacketCode.StatusServer && messageAuthenticator === 'absent';
  const valid = authenticator !== 'invalid' && messageAuthenticator !== 'invalid' && !missing;
  return { valid, authenticator, messageAuthenticator };
}

/**
 * MS-MPPE-Recv-Key (the MSK's first 32 octets) and MS-MPPE-Send-Key (the next 32), each in its
 * own Vendor-Specific attribute with its own salt, for the Access-Accept answering
 * `requestAuthenticator`. See vendors/microsoft.ts for the key split.
 */
export function mppeKeyAttributes(
  msk: Uint8Array,
  secret: RadiusSecret,
  requestAuthenticator: Uint8Array,
  nextSalt: SaltGenerator = createSaltGenerator(),
): [recv: RadiusAttribute, send: RadiusAttribute] {
  if (msk.byteLength < 2 * MPPE_KEY_LENGTH) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', `MSK of ${msk.byteLength} octets, need 64`);
  }
  const recv = msk.subarray(0, MPPE_KEY_LENGTH);
  const send = msk.subarray(MPPE_KEY_LENGTH, 2 * MPPE_KEY_LENGTH);
  const recvAttribute = mppeKeyAttribute(MicrosoftAttributeType.MSMPPERecvKey, recv, secret, requestAuthenticator, nextSalt);
  const sendAttribute = mppeKeyAttribute(MicrosoftAttributeType.MSMPPESendKey, send, secret, requestAuthenticator, nextSalt);
  // "The contents of each Salt field in a given Access-Accept packet MUST be unique." The salt
  // follows Vendor-Id (4), Vendor-Type and Vendor-Length in each value.
  if (recvAttribute.value.readUInt16BE(6) === sendAttribute.value.readUInt16BE(6)) {
    throw new RadiusEncodeError('RADIUS_FIELD_RANGE', 'the salt generator repeated a salt');
  }
  return [recvAttribute, sendAttribute];
}
