/**
 * MD5-Challenge peer, RFC 3748 section 5.4: Response Value = MD5(Identifier || secret || Challenge).
 * After answering, the peer accepts an EAP-Success (the method cannot tell the outcome itself).
 */
import { EapDecodeError } from '../errors.js';
import { decodeMd5Challenge, encodeMd5Challenge, md5ChallengeResponse } from '../md5-challenge.js';
import { EapType, type EapPacket } from '../packet.js';
import type { PeerMethod, PeerMethodFactory, PeerMethodOutput } from './peer-method.js';

export class Md5ChallengePeer implements PeerMethod {
  readonly type = EapType.MD5Challenge;
  readonly #password: Buffer;
  #answered = false;

  constructor(password: string) {
    this.#password = Buffer.from(password, 'utf8');
  }

  get successAllowed(): boolean {
    return this.#answered;
  }

  async process(request: EapPacket): Promise<PeerMethodOutput> {
    let challenge;
    try {
      challenge = decodeMd5Challenge(request.data);
    } catch (e) {
      if (e instanceof EapDecodeError) return { kind: 'failure', reason: e.code };
      throw e;
    }
    const value = md5ChallengeResponse(request.identifier, this.#password, challenge.value);
    this.#answered = true;
    return { kind: 'response', type: this.type, data: encodeMd5Challenge(value) };
  }
}

export function md5ChallengePeer(password: string): PeerMethodFactory {
  return { type: EapType.MD5Challenge, name: 'MD5-Challenge', create: () => new Md5ChallengePeer(password) };
}
