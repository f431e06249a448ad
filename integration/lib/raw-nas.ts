/**
 * A hand-made NAS for bad-input tests against our PDP (REFERENCE-SCENARIO step 2, moon's side, and
 * step 3, the EAP-TTLS conversation behind it): builds requests with the independent encoder of
 * radius-wire.ts, sends them from a {@link RadiusSocket}, and checks the PDP's answer or its silence
 * together with the log event that explains the silence (`radius.dropped` with reason, address and
 * port; `eap.discarded`).
 *
 * Our PDP logs one `radius.dropped` line per (reason, source address) per second (pdp/pdp.ts), so
 * {@link RawNas.expectDropped} waits until a line of that kind will be logged again before sending.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Json } from './proc.js';
import type { RadiusServer } from './radius-server.js';
import type { RadiusSocket } from './radius-socket.js';
import {
  ATTR,
  attrValue,
  CODE,
  decodePacket,
  eapMessageAttrs,
  encodeEap,
  encodeRequest,
  hidePassword,
  joinEap,
  messageAuthenticatorValid,
  responseAuthenticatorValid,
  type Attr,
  type DecodedPacket,
  type MessageAuthenticatorMode,
} from './radius-wire.js';

export const EAP_CODE = { Request: 1, Response: 2, Success: 3, Failure: 4 } as const;
export const EAP_TYPE = { Identity: 1, TTLS: 21 } as const;
/** EAP-TTLS flags octet (RFC 5281 section 9.1): L 0x80, M 0x40, S(tart) 0x20. */
export const TTLS_START = 0x20;
/** The PDP's rate limit on radius.dropped lines per (reason, source address). */
export const DROP_LOG_INTERVAL_MS = 1000;

/** radius/server.ts DropReason values a NAS can provoke. */
export type DropReason =
  | 'unknown-client'
  | 'malformed'
  | 'unexpected-code'
  | 'bad-message-authenticator'
  | 'missing-message-authenticator'
  | 'handler-declined';

export function hex(b: Buffer | undefined): string {
  return b === undefined ? '-' : b.toString('hex');
}

export interface EapRequestOptions {
  readonly state?: Buffer;
  readonly userName?: string;
  readonly ma?: MessageAuthenticatorMode;
  /** EAP-Message attributes as given instead of the split `eap`. */
  readonly eapAttrs?: readonly Attr[];
}

export class RawNas {
  #identifier = 0;
  readonly #lastDrop = new Map<string, number>();

  constructor(
    readonly server: RadiusServer,
    readonly sock: RadiusSocket,
    readonly secret: string,
  ) {}

  nextId(): number {
    this.#identifier = (this.#identifier + 1) & 0xff;
    return this.#identifier;
  }

  /** Access-Request with User-Name and User-Password (RFC 2865 section 5.2). */
  pap(user: string, password: string, messageAuthenticator: MessageAuthenticatorMode = 'valid'): Buffer {
    const authenticator = randomBytes(16);
    return encodeRequest({
      id: this.nextId(),
      secret: this.secret,
      authenticator,
      messageAuthenticator,
      attributes: [
        [ATTR.UserName, Buffer.from(user)],
        [ATTR.UserPassword, hidePassword(password, this.secret, authenticator)],
      ],
    });
  }

  /** Access-Request carrying `eap` in EAP-Message attributes (RFC 3579 section 3.1). */
  eapRequest(eap: Buffer, o: EapRequestOptions = {}): Buffer {
    return encodeRequest({
      id: this.nextId(),
      secret: this.secret,
      messageAuthenticator: o.ma ?? 'valid',
      attributes: [
        ...(o.userName === undefined ? [] : [[ATTR.UserName, Buffer.from(o.userName)] as Attr]),
        ...(o.eapAttrs ?? eapMessageAttrs(eap)),
        ...(o.state === undefined ? [] : [[ATTR.State, o.state] as Attr]),
      ],
    });
  }

  static identityResponse(identity: string, eapId = 0): Buffer {
    return encodeEap(EAP_CODE.Response, eapId, EAP_TYPE.Identity, Buffer.from(identity));
  }

  static ttlsResponse(eapId: number, tlsData: Buffer, flags = 0): Buffer {
    return encodeEap(EAP_CODE.Response, eapId, EAP_TYPE.TTLS, Buffer.concat([Buffer.from([flags]), tlsData]));
  }

  /** Sends and returns the reply with the same Identifier, or undefined. */
  async exchange(req: Buffer, timeoutMs = 3000): Promise<Buffer | undefined> {
    return this.sock.request(req, this.server.auth, timeoutMs);
  }

  /** EAP-Response/Identity, expecting Access-Challenge with EAP-TTLS/Start and a State. */
  async ttlsStart(identity: string): Promise<{ state: Buffer; eapId: number }> {
    const req = this.eapRequest(RawNas.identityResponse(identity), { userName: identity });
    const raw = await this.exchange(req);
    assert.ok(raw, `no reply to EAP-Response/Identity of ${identity}\n${this.server.proc.tail(10)}`);
    const p = decodePacket(raw);
    assert.equal(p.code, CODE.AccessChallenge);
    assert.ok(messageAuthenticatorValid(raw, req.subarray(4, 20), this.secret), 'Message-Authenticator of the Access-Challenge');
    const eap = joinEap(p);
    const isStart = eap !== undefined && eap[0] === EAP_CODE.Request && eap[4] === EAP_TYPE.TTLS && ((eap[5] ?? 0) & TTLS_START) !== 0;
    assert.ok(isStart, `not an EAP-TTLS Start: ${hex(eap)}`);
    const state = attrValue(p, ATTR.State);
    assert.ok(state, 'Access-Challenge without State');
    return { state, eapId: eap[1] as number };
  }

  /** Expects an Access-Reject, correctly signed, carrying exactly EAP-Failure with this Identifier. */
  async expectEapFailure(req: Buffer, eapId: number): Promise<DecodedPacket> {
    const raw = await this.exchange(req);
    assert.ok(raw, `no reply (expected Access-Reject)\n${this.server.proc.tail(10)}`);
    const p = decodePacket(raw);
    assert.equal(p.code, CODE.AccessReject, `code ${p.code}`);
    assert.ok(responseAuthenticatorValid(raw, req.subarray(4, 20), this.secret), 'Response Authenticator');
    assert.ok(messageAuthenticatorValid(raw, req.subarray(4, 20), this.secret), 'Message-Authenticator (RFC 3579 section 3.2)');
    assert.equal(hex(joinEap(p)), hex(encodeEap(EAP_CODE.Failure, eapId)), 'EAP-Failure with the Identifier of the Response');
    assert.equal(attrValue(p, ATTR.FilterId), undefined, 'a reject carries no group');
    return p;
  }

  /**
   * Sends `datagram` (from `sock`, default this NAS's socket), waits for the PDP's radius.dropped
   * with this reason and exactly this source address and port, then checks that no reply came.
   */
  async expectDropped(datagram: Buffer, reason: DropReason, opts: { detail?: RegExp; sock?: RadiusSocket } = {}): Promise<Json> {
    const sock = opts.sock ?? this.sock;
    await this.#gate(reason, sock.address);
    const since = this.server.mark();
    const mark = sock.mark();
    await sock.send(datagram, this.server.auth);
    const ev = await this.server.proc.waitForJson(
      (o) => o['event'] === 'radius.dropped' && o['reason'] === reason && o['address'] === sock.address && o['port'] === sock.port,
      { since, timeoutMs: 3000, what: `radius.dropped ${reason} from ${sock.address}:${sock.port}` },
    );
    this.noteDrop(reason, sock.address);
    if (opts.detail) assert.match(String(ev['detail']), opts.detail, JSON.stringify(ev));
    const replies = await sock.after(mark, 200);
    assert.equal(replies.length, 0, `a reply to a datagram that must be dropped: ${replies.map((r) => hex(r)).join(' ')}`);
    return ev;
  }

  /** A further variant of a case whose (rate-limited) log line was just checked: no reply, no exit. */
  async expectSilence(datagram: Buffer, reason: DropReason, sock: RadiusSocket = this.sock): Promise<void> {
    const mark = sock.mark();
    await sock.send(datagram, this.server.auth);
    this.noteDrop(reason, sock.address);
    const replies = await sock.after(mark, 150);
    assert.equal(replies.length, 0, `a reply to ${hex(datagram.subarray(0, 40))}...: ${replies.map((r) => hex(r)).join(' ')}`);
    assert.equal(this.server.proc.exitInfo, undefined, `PDP exited:\n${this.server.proc.tail()}`);
  }

  async waitForDiscarded(reason: RegExp | string, since: number): Promise<Json> {
    return this.server.proc.waitForJson(
      (o) => o['event'] === 'eap.discarded' && (typeof reason === 'string' ? o['reason'] === reason : reason.test(String(o['reason']))),
      { since, timeoutMs: 3000, what: `eap.discarded ${String(reason)}` },
    );
  }

  /** Records that the PDP may just have logged a drop of this kind (so the next one waits). */
  noteDrop(reason: DropReason, address: string): void {
    this.#lastDrop.set(`${reason}|${address}`, Date.now());
  }

  async #gate(reason: DropReason, address: string): Promise<void> {
    const last = this.#lastDrop.get(`${reason}|${address}`);
    if (last === undefined) return;
    const wait = last + DROP_LOG_INTERVAL_MS + 100 - Date.now();
    if (wait > 0) await sleep(wait);
  }
}
