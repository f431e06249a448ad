/**
 * IKE message: the IKE header (header.ts) followed by a payload chain (payload-chain.ts),
 * RFC 7296 sections 3.1 and 3.2.
 *
 * `decodeIkeMessage` returns the header, the payloads and `raw`, a copy of the whole message:
 * the AUTH payload of IKE_AUTH signs the first message of the exchange as sent (s2.15,
 * "InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI"), so the responder keeps
 * `raw` of the IKE_SA_INIT request and of the response it sent.
 *
 * Errors found after the header was read carry it (`IkeDecodeError.header`) so the responder
 * can address INVALID_MAJOR_VERSION, UNSUPPORTED_CRITICAL_PAYLOAD or INVALID_SYNTAX.
 * An SK payload is always the last; its body runs to the end of `raw`, so its ICV is the last
 * octets of `raw` and (for AEAD) the associated data is `raw` up to the end of the SK header.
 */
import { IKE_MAJOR_VERSION } from './constants.js';
import { IkeDecodeError, IkeEncodeError } from './errors.js';
import { copyBytes } from './wire.js';
import { decodeIkeHeader, encodeIkeHeader, IKE_HEADER_LENGTH, type IkeHeader, type IkeHeaderInit } from './header.js';
import { IKE_LIMITS } from './limits.js';
import type { IkePayload } from './payload.js';
import { decodePayloadChain, encodePayloadChain, firstPayloadType } from './payload-chain.js';

export interface IkeMessage {
  readonly header: IkeHeader;
  readonly payloads: readonly IkePayload[];
  /** A copy of the message octets as received (header.length octets). */
  readonly raw: Uint8Array;
}

/**
 * Decodes one IKE message (one UDP datagram without the non-ESP marker of port 4500).
 * Throws only IkeDecodeError.
 */
export function decodeIkeMessage(buf: Uint8Array): IkeMessage {
  const header = decodeIkeHeader(buf);
  try {
    // "If an endpoint receives a message with a higher major version number, it MUST drop the
    // message and SHOULD send an unauthenticated Notify message of type INVALID_MAJOR_VERSION" (s2.5)
    if (header.majorVersion !== IKE_MAJOR_VERSION) {
      throw new IkeDecodeError('BAD_VERSION', 17, `Major Version ${header.majorVersion}.${header.minorVersion}`, {
        majorVersion: header.majorVersion,
        minorVersion: header.minorVersion,
      });
    }
    if (header.length > IKE_LIMITS.maxMessageSize) {
      throw new IkeDecodeError('MESSAGE_TOO_LARGE', 24, `Length ${header.length} above ${IKE_LIMITS.maxMessageSize}`);
    }
    if (header.length < IKE_HEADER_LENGTH) {
      throw new IkeDecodeError('BAD_LENGTH', 24, `Length ${header.length} below the ${IKE_HEADER_LENGTH}-octet header`);
    }
    if (header.length > buf.length) {
      throw new IkeDecodeError('TRUNCATED', buf.length, `Length ${header.length} but ${buf.length} octets received`);
    }
    if (header.length < buf.length) {
      throw new IkeDecodeError('BAD_LENGTH', 24, `Length ${header.length} but ${buf.length} octets received`);
    }
    const payloads = decodePayloadChain(header.nextPayload, buf.subarray(IKE_HEADER_LENGTH, header.length), IKE_HEADER_LENGTH);
    return { header, payloads, raw: copyBytes(buf, 0, header.length) };
  } catch (err) {
    if (err instanceof IkeDecodeError) throw err.withHeader(header);
    throw err;
  }
}

/** Encodes a message; the header's Next Payload and Length are computed from the payloads. */
export function encodeIkeMessage(header: IkeHeaderInit, payloads: readonly IkePayload[]): Buffer {
  const body = encodePayloadChain(payloads);
  const length = IKE_HEADER_LENGTH + body.length;
  if (length > IKE_LIMITS.maxMessageSize) {
    throw new IkeEncodeError('MESSAGE_TOO_LARGE', `message of ${length} octets above ${IKE_LIMITS.maxMessageSize}`);
  }
  return Buffer.concat([encodeIkeHeader(header, firstPayloadType(payloads), length), body]);
}

export { decodePayloadChain, encodePayloadChain, firstPayloadType } from './payload-chain.js';
