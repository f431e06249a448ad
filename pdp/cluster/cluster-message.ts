/**
 * The messages between PDP instances (docs/cluster.md): our own format, UDP, one message a datagram.
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Magic 0x54   |  Version = 1  |     Type      |    Sender     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   Receiver    |    Result     |          Body Length          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  Message ID (64 bits, random)                 |
 *   +                                                               +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |            Timestamp (64 bits, ms since the epoch)            |
 *   +                                                               +
 *   |                                                               |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  Body ...                                                     |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  HMAC-SHA-256 over every octet before it (32 octets)          |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Type 1 Hello            body empty; Result 0. Liveness (cluster-node.ts).
 *   Type 2 Forward-Request  body = NAS Port (16 bits), Address Length (8 bits, 2..64), NAS
 *                           Address as text (as the receiving socket reported it: the duplicate
 *                           cache and client table key on that text), the RADIUS datagram exactly as the NAS sent it (20..4096
 *                           octets, RFC 2865 section 3). Result 0.
 *   Type 3 Forward-Reply    Message ID = the request's. Result 0: body = the owner's signed
 *                           RADIUS reply (20..4096 octets); Result 1: the owner sent no reply
 *                           (dropped: duplicate in progress, bad authenticator, overload ...),
 *                           body empty.
 *
 * The HMAC key is derived from the cluster secret (`clusterKey`), so the channel cannot be confused
 * with anything else keyed by that secret. The HMAC is checked before any other field is trusted.
 * Freshness (Timestamp window, Message ID seen once) is the receiver's job (replay-guard.ts).
 * Nothing here is confidential beyond what the NAS link carries: User-Password and MS-MPPE keys are
 * hidden with the NAS's secret inside the datagrams, EAP payloads are inside TLS.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export const CLUSTER_MAGIC = 0x54;
export const CLUSTER_VERSION = 1;
export const HEADER_LENGTH = 24;
export const HMAC_LENGTH = 32;
/** RFC 2865 section 3: a RADIUS packet is 20..4096 octets. */
export const MIN_RADIUS = 20;
export const MAX_RADIUS = 4096;
/** Largest message: header, port, address length and text, datagram, HMAC. */
export const MAX_CLUSTER_MESSAGE = HEADER_LENGTH + 3 + 64 + MAX_RADIUS + HMAC_LENGTH;

export const ClusterMessageType = { Hello: 1, ForwardRequest: 2, ForwardReply: 3 } as const;
export const ForwardResult = { Reply: 0, NoReply: 1 } as const;

export type ClusterDecodeErrorCode =
  | 'CLUSTER_TOO_SHORT'
  | 'CLUSTER_TOO_LONG'
  | 'CLUSTER_BAD_MAGIC'
  | 'CLUSTER_BAD_VERSION'
  | 'CLUSTER_BAD_HMAC'
  | 'CLUSTER_BAD_LENGTH'
  | 'CLUSTER_UNKNOWN_TYPE'
  | 'CLUSTER_BAD_RESULT'
  | 'CLUSTER_BAD_ADDRESS'
  | 'CLUSTER_BAD_DATAGRAM';

export class ClusterDecodeError extends Error {
  constructor(
    readonly code: ClusterDecodeErrorCode,
    readonly offset: number,
    message: string,
  ) {
    super(`${message} (offset ${offset})`);
  }
}

interface Header {
  readonly sender: number;
  readonly receiver: number;
  /** 16 hex digits. */
  readonly messageId: string;
  readonly timestamp: number;
}

export type ClusterMessage =
  | (Header & { readonly type: typeof ClusterMessageType.Hello })
  | (Header & {
      readonly type: typeof ClusterMessageType.ForwardRequest;
      readonly nas: { readonly address: string; readonly port: number };
      readonly datagram: Buffer;
    })
  | (Header & { readonly type: typeof ClusterMessageType.ForwardReply; readonly reply: Buffer | null });

/** The HMAC key: HKDF-SHA-256 of the cluster secret, bound to this protocol and version. */
export function clusterKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('tnc-pdp cluster'), Buffer.from('message hmac v1'), 32));
}

export function encodeClusterMessage(m: ClusterMessage, key: Buffer): Buffer {
  let body: Buffer;
  let result = 0;
  switch (m.type) {
    case ClusterMessageType.Hello:
      body = Buffer.alloc(0);
      break;
    case ClusterMessageType.ForwardRequest: {
      checkDatagram(m.datagram);
      const addr = encodeAddress(m.nas.address);
      body = Buffer.concat([Buffer.from([m.nas.port >> 8, m.nas.port & 0xff, addr.length]), addr, m.datagram]);
      break;
    }
    case ClusterMessageType.ForwardReply:
      if (m.reply) checkDatagram(m.reply);
      result = m.reply ? ForwardResult.Reply : ForwardResult.NoReply;
      body = m.reply ?? Buffer.alloc(0);
      break;
  }
  if (!/^[0-9a-f]{16}$/.test(m.messageId)) throw new RangeError('messageId must be 16 hex digits');
  const out = Buffer.alloc(HEADER_LENGTH + body.length + HMAC_LENGTH);
  out[0] = CLUSTER_MAGIC;
  out[1] = CLUSTER_VERSION;
  out[2] = m.type;
  out[3] = idOctet(m.sender);
  out[4] = idOctet(m.receiver);
  out[5] = result;
  out.writeUInt16BE(body.length, 6);
  Buffer.from(m.messageId, 'hex').copy(out, 8);
  out.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(m.timestamp))), 16);
  body.copy(out, HEADER_LENGTH);
  createHmac('sha256', key).update(out.subarray(0, HEADER_LENGTH + body.length)).digest().copy(out, HEADER_LENGTH + body.length);
  return out;
}

/** Verifies the HMAC, then parses; throws only ClusterDecodeError. */
export function decodeClusterMessage(bytes: Uint8Array, key: Buffer): ClusterMessage {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < HEADER_LENGTH + HMAC_LENGTH) throw new ClusterDecodeError('CLUSTER_TOO_SHORT', 0, `cluster message of ${b.length} octets is shorter than ${HEADER_LENGTH + HMAC_LENGTH}`);
  if (b.length > MAX_CLUSTER_MESSAGE) throw new ClusterDecodeError('CLUSTER_TOO_LONG', 0, `cluster message of ${b.length} octets is longer than ${MAX_CLUSTER_MESSAGE}`);
  if (b[0] !== CLUSTER_MAGIC) throw new ClusterDecodeError('CLUSTER_BAD_MAGIC', 0, 'not a cluster message');
  if (b[1] !== CLUSTER_VERSION) throw new ClusterDecodeError('CLUSTER_BAD_VERSION', 1, `cluster message version ${b[1]}`);
  const signedLength = b.length - HMAC_LENGTH;
  const expected = createHmac('sha256', key).update(b.subarray(0, signedLength)).digest();
  if (!timingSafeEqual(expected, b.subarray(signedLength))) throw new ClusterDecodeError('CLUSTER_BAD_HMAC', signedLength, 'HMAC does not verify (wrong cluster secret, or forged)');
  const bodyLength = b.readUInt16BE(6);
  if (bodyLength !== signedLength - HEADER_LENGTH) {
    throw new ClusterDecodeError('CLUSTER_BAD_LENGTH', 6, `Body Length ${bodyLength}, but ${signedLength - HEADER_LENGTH} octets before the HMAC`);
  }
  const header: Header = {
    sender: b[3]!,
    receiver: b[4]!,
    messageId: b.toString('hex', 8, 16),
    timestamp: Number(b.readBigUInt64BE(16)),
  };
  const body = b.subarray(HEADER_LENGTH, signedLength);
  const result = b[5]!;
  switch (b[2]) {
    case ClusterMessageType.Hello:
      if (result !== 0) throw new ClusterDecodeError('CLUSTER_BAD_RESULT', 5, `Result ${result} in a Hello`);
      if (body.length !== 0) throw new ClusterDecodeError('CLUSTER_BAD_LENGTH', HEADER_LENGTH, 'Hello with a body');
      return { ...header, type: ClusterMessageType.Hello };
    case ClusterMessageType.ForwardRequest: {
      if (result !== 0) throw new ClusterDecodeError('CLUSTER_BAD_RESULT', 5, `Result ${result} in a Forward-Request`);
      if (body.length < 3) throw new ClusterDecodeError('CLUSTER_TOO_SHORT', HEADER_LENGTH, 'Forward-Request body shorter than 3 octets');
      const port = body.readUInt16BE(0);
      const alen = body[2]!;
      if (alen < 2 || alen > 64) throw new ClusterDecodeError('CLUSTER_BAD_ADDRESS', HEADER_LENGTH + 2, `NAS address length ${alen} is outside 2..64`);
      if (body.length < 3 + alen) throw new ClusterDecodeError('CLUSTER_TOO_SHORT', HEADER_LENGTH + 3, 'NAS address truncated');
      const address = body.toString('latin1', 3, 3 + alen);
      if (!ADDRESS_TEXT.test(address)) throw new ClusterDecodeError('CLUSTER_BAD_ADDRESS', HEADER_LENGTH + 3, 'NAS address is not an address text');
      const datagram = Buffer.from(body.subarray(3 + alen));
      datagramError(datagram, HEADER_LENGTH + 3 + alen);
      return { ...header, type: ClusterMessageType.ForwardRequest, nas: { address, port }, datagram };
    }
    case ClusterMessageType.ForwardReply:
      if (result === ForwardResult.NoReply) {
        if (body.length !== 0) throw new ClusterDecodeError('CLUSTER_BAD_LENGTH', HEADER_LENGTH, 'Forward-Reply without reply has a body');
        return { ...header, type: ClusterMessageType.ForwardReply, reply: null };
      }
      if (result !== ForwardResult.Reply) throw new ClusterDecodeError('CLUSTER_BAD_RESULT', 5, `unknown Forward-Reply Result ${result}`);
      datagramError(body, HEADER_LENGTH);
      return { ...header, type: ClusterMessageType.ForwardReply, reply: Buffer.from(body) };
    default:
      throw new ClusterDecodeError('CLUSTER_UNKNOWN_TYPE', 2, `unknown cluster message type ${b[2]}`);
  }
}

function idOctet(id: number): number {
  if (!Number.isInteger(id) || id < 0 || id > 255) throw new RangeError(`instance id ${id} does not fit in one octet`);
  return id;
}

function checkDatagram(d: Buffer): void {
  if (d.length < MIN_RADIUS || d.length > MAX_RADIUS) throw new RangeError(`RADIUS datagram of ${d.length} octets is outside ${MIN_RADIUS}..${MAX_RADIUS}`);
}

/** RFC 2865 section 3: 20..4096 octets; its own Length field must fit what came. */
function datagramError(d: Buffer, offset: number): void {
  if (d.length < MIN_RADIUS || d.length > MAX_RADIUS) throw new ClusterDecodeError('CLUSTER_BAD_DATAGRAM', offset, `RADIUS datagram of ${d.length} octets is outside ${MIN_RADIUS}..${MAX_RADIUS}`);
}

/** The NAS address as Node reports it (the text the duplicate cache and client table key on). */
const ADDRESS_TEXT = /^[0-9A-Za-z:.%_-]{2,64}$/;

function encodeAddress(address: string): Buffer {
  if (!ADDRESS_TEXT.test(address)) throw new RangeError(`not an IP address: ${address}`);
  return Buffer.from(address, 'latin1');
}
