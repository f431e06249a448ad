/**
 * Identity, RFC 3748 section 5.1.
 *
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 * |  Type = 1     | Type-Data (displayable message in a Request, the identity in a Response)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 *
 * The Identity is not NUL-terminated; peers that still add a NUL get it stripped.
 * The identity is bounded at 253 octets, the longest NAI (RFC 7542 section 2.2) and User-Name.
 */
import { EapDecodeError } from './errors.js';
import { type EapMethod, type EapMethodFactory, type MethodOutput, failure, request } from './method.js';
import { EapType, type EapPacket } from './packet.js';

export const MAX_IDENTITY_LENGTH = 253;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeIdentity(data: Uint8Array): string {
  let end = data.length;
  while (end > 0 && data[end - 1] === 0) end--;
  if (end > MAX_IDENTITY_LENGTH) {
    throw new EapDecodeError('identity-too-long', MAX_IDENTITY_LENGTH, `identity of ${end} octets`);
  }
  try {
    return utf8.decode(data.subarray(0, end));
  } catch {
    throw new EapDecodeError('identity-bad-utf8', 0, 'identity is not UTF-8');
  }
}

export function encodeIdentity(identity: string): Buffer {
  const b = Buffer.from(identity, 'utf8');
  if (b.length > MAX_IDENTITY_LENGTH) throw new RangeError(`identity of ${b.length} octets exceeds ${MAX_IDENTITY_LENGTH}`);
  return b;
}

export class IdentityMethod implements EapMethod {
  readonly type = EapType.Identity;
  readonly #prompt: Buffer;

  constructor(prompt = '') {
    this.#prompt = Buffer.from(prompt, 'utf8');
  }

  initiate(): MethodOutput {
    return request(this.type, this.#prompt);
  }

  async process(response: EapPacket): Promise<MethodOutput> {
    return identityOutcome(response.data);
  }
}

export function identityOutcome(data: Uint8Array): MethodOutput {
  try {
    return { kind: 'success', result: { identity: decodeIdentity(data) } };
  } catch (e) {
    return failure(e instanceof EapDecodeError ? e.code : 'identity-invalid');
  }
}

export const identityMethod: EapMethodFactory = {
  type: EapType.Identity,
  name: 'Identity',
  create: () => new IdentityMethod(),
};
