/**
 * MD5-Challenge, RFC 3748 section 5.4 (the CHAP algorithm of RFC 1994 section 4.1).
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Type = 4     |  Value-Size   |  Value ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Name ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Response Value = MD5(Identifier || secret || Challenge), where Identifier is the EAP Identifier
 * of the Request (echoed in the Response). RFC 1994: "The Response Value is the one-way hash
 * calculated over a stream of octets consisting of the Identifier, followed by (concatenated with)
 * the "secret", followed by (concatenated with) the Challenge Value."
 */
import { createHash } from 'node:crypto';
import { EapDecodeError } from './errors.js';
import {
  type EapMethod,
  type EapMethodFactory,
  type MethodContext,
  type MethodOutput,
  failure,
  request,
} from './method.js';
import { EapType, type EapPacket } from './packet.js';
import { secretsEqual } from './secret.js';

export const MD5_CHALLENGE_LENGTH = 16;
export const MD5_RESPONSE_LENGTH = 16;

export interface Md5ChallengeData {
  readonly value: Buffer;
  readonly name: Buffer;
}

export function decodeMd5Challenge(data: Uint8Array): Md5ChallengeData {
  if (data.length < 1) throw new EapDecodeError('md5-truncated', 0, 'missing Value-Size');
  const size = data[0]!;
  if (size === 0) throw new EapDecodeError('md5-bad-value-size', 0, 'Value-Size is 0');
  if (1 + size > data.length) {
    throw new EapDecodeError('md5-truncated', 1, `Value-Size ${size} exceeds the ${data.length - 1} octets left`);
  }
  return Object.freeze({
    value: Buffer.from(data.subarray(1, 1 + size)),
    name: Buffer.from(data.subarray(1 + size)),
  });
}

export function encodeMd5Challenge(value: Uint8Array, name: Uint8Array = Buffer.alloc(0)): Buffer {
  if (value.length < 1 || value.length > 0xff) throw new RangeError('MD5 Value-Size must be 1..255');
  return Buffer.concat([Buffer.from([value.length]), value, name]);
}

/** RFC 1994 section 4.1: MD5(Identifier || secret || Challenge). */
export function md5ChallengeResponse(identifier: number, secret: Uint8Array, challenge: Uint8Array): Buffer {
  return createHash('md5').update(Buffer.from([identifier & 0xff])).update(secret).update(challenge).digest();
}

export interface Md5ChallengeOptions {
  /** The Name field of the Request (the authenticator's name); empty by default. */
  readonly name?: string;
}

export class Md5ChallengeMethod implements EapMethod {
  readonly type = EapType.MD5Challenge;
  readonly #context: MethodContext;
  readonly #name: Buffer;
  #challenge: Buffer | undefined;

  constructor(context: MethodContext, options: Md5ChallengeOptions = {}) {
    this.#context = context;
    this.#name = Buffer.from(options.name ?? '', 'utf8');
  }

  initiate(): MethodOutput {
    this.#challenge = this.#context.randomBytes(MD5_CHALLENGE_LENGTH);
    return request(this.type, encodeMd5Challenge(this.#challenge, this.#name));
  }

  async process(response: EapPacket): Promise<MethodOutput> {
    const challenge = this.#challenge;
    if (!challenge) return failure('md5-no-challenge');
    this.#challenge = undefined; // one response per challenge
    let answer: Md5ChallengeData;
    try {
      answer = decodeMd5Challenge(response.data);
    } catch (e) {
      return failure(e instanceof EapDecodeError ? e.code : 'md5-invalid');
    }
    if (answer.value.length !== MD5_RESPONSE_LENGTH) return failure('md5-bad-value-size');
    const credentials = await this.#context.credentials.lookup(this.#context.identity);
    if (!credentials) return failure('unknown-user');
    const expected = md5ChallengeResponse(response.identifier, Buffer.from(credentials.password, 'utf8'), challenge);
    if (!secretsEqual(expected, answer.value)) return failure('md5-mismatch');
    return { kind: 'success', result: { identity: this.#context.identity, attributes: { method: 'MD5-Challenge' } } };
  }
}

export function md5ChallengeMethod(options: Md5ChallengeOptions = {}): EapMethodFactory {
  return { type: EapType.MD5Challenge, name: 'MD5-Challenge', create: (ctx) => new Md5ChallengeMethod(ctx, options) };
}
