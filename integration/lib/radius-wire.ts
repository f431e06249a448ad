/**
 * A tiny independent RADIUS encoder/decoder for the integration tests (deliberately not our
 * radius/ library: a test peer must not share the code under test). Enough for Access-Request with
 * User-Password (RFC 2865 5.2) and Message-Authenticator (RFC 3579 3.2), any request code with
 * EAP-Message attributes (RFC 3579 3.1) and a valid, wrong or absent Message-Authenticator, sending
 * one datagram and collecting replies, and checking a Response Authenticator (RFC 2865 3) and a
 * response's Message-Authenticator.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  |     Code      |  Identifier   |            Length             |
 *  |                         Authenticator (16)                    |
 *  |  Attributes ...  (Type, Length, Value)
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import type { Endpoint } from './pdp-config.js';

export const CODE = {
  AccessRequest: 1,
  AccessAccept: 2,
  AccessReject: 3,
  AccountingRequest: 4,
  AccountingResponse: 5,
  AccessChallenge: 11,
  StatusServer: 12,
} as const;

export const ATTR = {
  UserName: 1,
  UserPassword: 2,
  NasIpAddress: 4,
  NasPort: 5,
  FilterId: 11,
  State: 24,
  MessageAuthenticator: 80,
  TunnelType: 64,
  EapMessage: 79,
} as const;

export type Attr = readonly [type: number, value: Buffer];

function md5(...parts: Buffer[]): Buffer {
  const h = createHash('md5');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** RFC 2865 5.2: c(i) = p(i) xor MD5(S + c(i-1)), c(0) = Request Authenticator. */
export function hidePassword(password: string, secret: string, authenticator: Buffer): Buffer {
  const p = Buffer.from(password, 'utf8');
  const len = Math.max(16, Math.ceil(p.length / 16) * 16);
  const padded = Buffer.alloc(len);
  p.copy(padded);
  const out = Buffer.alloc(len);
  let prev = authenticator;
  for (let i = 0; i < len; i += 16) {
    const b = md5(Buffer.from(secret, 'utf8'), prev);
    for (let j = 0; j < 16; j++) out[i + j] = (padded[i + j] as number) ^ (b[j] as number);
    prev = out.subarray(i, i + 16);
  }
  return out;
}

function encodeAttrs(attrs: readonly Attr[]): Buffer {
  return Buffer.concat(
    attrs.map(([type, value]) => {
      if (value.length > 253) throw new Error(`attribute ${type} too long`);
      return Buffer.concat([Buffer.from([type, value.length + 2]), value]);
    }),
  );
}

export interface AccessRequestSpec {
  readonly id: number;
  readonly secret: string;
  readonly userName: string;
  readonly password: string;
  readonly authenticator?: Buffer;
  readonly extra?: readonly Attr[];
}

/** An Access-Request with User-Name, User-Password and a valid Message-Authenticator (last). */
export function encodeAccessRequest(s: AccessRequestSpec): Buffer {
  const auth = s.authenticator ?? randomBytes(16);
  const attrs: Attr[] = [
    [ATTR.UserName, Buffer.from(s.userName, 'utf8')],
    [ATTR.UserPassword, hidePassword(s.password, s.secret, auth)],
    ...(s.extra ?? []),
    [ATTR.MessageAuthenticator, Buffer.alloc(16)],
  ];
  const body = encodeAttrs(attrs);
  const pkt = Buffer.concat([Buffer.from([CODE.AccessRequest, s.id, 0, 0]), auth, body]);
  pkt.writeUInt16BE(pkt.length, 2);
  const mac = createHmac('md5', s.secret).update(pkt).digest();
  mac.copy(pkt, pkt.length - 16);
  return pkt;
}

/** How {@link encodeRequest} fills the Message-Authenticator (RFC 3579 section 3.2), always last. */
export type MessageAuthenticatorMode = 'valid' | 'wrong-secret' | 'absent';

export interface RequestSpec {
  readonly code?: number;
  readonly id: number;
  readonly secret: string;
  readonly attributes: readonly Attr[];
  readonly authenticator?: Buffer;
  /** Default 'valid'. 'wrong-secret' signs with another secret (what a misconfigured NAS sends). */
  readonly messageAuthenticator?: MessageAuthenticatorMode;
}

/** Any request (default Access-Request) with these attributes and, unless absent, a Message-Authenticator. */
export function encodeRequest(s: RequestSpec): Buffer {
  const auth = s.authenticator ?? randomBytes(16);
  const mode = s.messageAuthenticator ?? 'valid';
  const attrs: Attr[] = [...s.attributes];
  if (mode !== 'absent') attrs.push([ATTR.MessageAuthenticator, Buffer.alloc(16)]);
  const pkt = Buffer.concat([Buffer.from([s.code ?? CODE.AccessRequest, s.id, 0, 0]), auth, encodeAttrs(attrs)]);
  pkt.writeUInt16BE(pkt.length, 2);
  if (mode !== 'absent') {
    const key = mode === 'valid' ? s.secret : `${s.secret}-not`;
    createHmac('md5', key).update(pkt).digest().copy(pkt, pkt.length - 16);
  }
  return pkt;
}

/** RFC 3748 section 4: Code, Identifier, Length, then Type and Type-Data for Request/Response. */
export function encodeEap(code: number, id: number, type?: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const body = type === undefined ? Buffer.alloc(0) : Buffer.concat([Buffer.from([type]), data]);
  const out = Buffer.concat([Buffer.from([code, id, 0, 0]), body]);
  out.writeUInt16BE(out.length, 2);
  return out;
}

/** RFC 3579 section 3.1: an EAP packet split into consecutive EAP-Message attributes of <= 253 octets. */
export function eapMessageAttrs(eap: Buffer): Attr[] {
  const out: Attr[] = [];
  for (let at = 0; at < eap.length; at += 253) out.push([ATTR.EapMessage, eap.subarray(at, at + 253)]);
  return out;
}

/** The EAP packet carried by a decoded packet's EAP-Message attributes, or undefined. */
export function joinEap(p: DecodedPacket): Buffer | undefined {
  const parts = p.attributes.filter(([t]) => t === ATTR.EapMessage).map(([, v]) => v);
  return parts.length === 0 ? undefined : Buffer.concat(parts);
}

/** Value of the first attribute of this type in a decoded packet. */
export function attrValue(p: DecodedPacket, type: number): Buffer | undefined {
  return p.attributes.find(([t]) => t === type)?.[1];
}

/**
 * RFC 3579 section 3.2 for a response: HMAC-MD5 over the packet with the Request Authenticator in
 * place of the Response Authenticator and 16 zero octets as the Message-Authenticator. False when
 * there is none.
 */
export function messageAuthenticatorValid(reply: Buffer, requestAuthenticator: Buffer, secret: string): boolean {
  const p = decodePacket(reply);
  let off = 20;
  for (const [type, value] of p.attributes) {
    if (type === ATTR.MessageAuthenticator) {
      if (value.length !== 16) return false;
      const copy = Buffer.from(reply.subarray(0, p.length));
      requestAuthenticator.copy(copy, 4);
      copy.fill(0, off + 2, off + 18);
      return createHmac('md5', secret).update(copy).digest().equals(value);
    }
    off += 2 + value.length;
  }
  return false;
}

export interface DecodedPacket {
  readonly code: number;
  readonly id: number;
  readonly length: number;
  readonly authenticator: Buffer;
  readonly attributes: readonly Attr[];
}

export function decodePacket(buf: Buffer): DecodedPacket {
  if (buf.length < 20) throw new Error(`packet too short: ${buf.length}`);
  const length = buf.readUInt16BE(2);
  if (length < 20 || length > buf.length || length > 4096) throw new Error(`bad length ${length}`);
  const attributes: Attr[] = [];
  for (let off = 20; off < length; ) {
    const type = buf[off] as number;
    const len = buf[off + 1] as number;
    if (len < 2 || off + len > length) throw new Error(`bad attribute length at ${off}`);
    attributes.push([type, buf.subarray(off + 2, off + len)]);
    off += len;
  }
  return { code: buf[0] as number, id: buf[1] as number, length, authenticator: buf.subarray(4, 20), attributes };
}

/** RFC 2865 3: ResponseAuth = MD5(Code+ID+Length+RequestAuth+Attributes+Secret). */
export function responseAuthenticatorValid(reply: Buffer, requestAuthenticator: Buffer, secret: string): boolean {
  const length = reply.readUInt16BE(2);
  const expected = md5(reply.subarray(0, 4), requestAuthenticator, reply.subarray(20, length), Buffer.from(secret, 'utf8'));
  return expected.equals(reply.subarray(4, 20));
}

/**
 * Send each datagram in `sends` from ONE source port (a retransmission looks like this), `gapMs`
 * apart, and collect every reply that arrives within `waitMs` after the last send.
 */
export async function sendFromOnePort(to: Endpoint, sends: readonly Buffer[], waitMs: number, gapMs = 50): Promise<Buffer[]> {
  const sock = createSocket('udp4');
  const replies: Buffer[] = [];
  sock.on('message', (msg) => replies.push(Buffer.from(msg)));
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve());
    });
    for (const [i, pkt] of sends.entries()) {
      if (i > 0) await new Promise((r) => setTimeout(r, gapMs));
      await new Promise<void>((resolve, reject) => sock.send(pkt, to.port, to.address, (err) => (err ? reject(err) : resolve())));
    }
    const deadline = Date.now() + waitMs;
    while (replies.length < sends.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    return replies;
  } finally {
    await new Promise<void>((resolve) => sock.close(() => resolve()));
  }
}
