/**
 * The peer side of EAP-Identity and EAP-MD5 inside IKE_AUTH (RFC 3748; RFC 7296 2.16).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Code      |  Identifier   |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |     Type      |  Type-Data ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-
 *
 * RFC 3748 5.4 (MD5-Challenge): "The Type-Data field ... Value-Size (1 octet) | Value | Name";
 * the response Value is MD5(Identifier | secret | Challenge) as in CHAP (RFC 1994 4.1).
 * 5.3.1 Legacy Nak: a peer that does not support the requested type "MUST respond with a Nak"
 * listing the types it wants (here MD5, 4). 4.2: Success/Failure have no Type.
 * EAP-MD5 derives no MSK, so the IKE AUTH payloads use SK_pi / SK_pr (RFC 7296 2.16, strongSwan's
 * keymat_v2 get_psk_sig: "EAP uses SK_p if no MSK has been established").
 */
import { createHash } from 'node:crypto';

export const EapCode = { REQUEST: 1, RESPONSE: 2, SUCCESS: 3, FAILURE: 4 } as const;
export const EapType = { IDENTITY: 1, NOTIFICATION: 2, NAK: 3, MD5: 4 } as const;

/** At most what an IKE message carries; a longer Length is malformed. */
const MAX_EAP = 4096;

export interface EapPacket {
  readonly code: number;
  readonly identifier: number;
  /** Request/Response only. */
  readonly eapType?: number;
  readonly typeData: Uint8Array;
}

/** Throws an Error naming the fault for a malformed packet. */
export function decodeEap(b: Uint8Array): EapPacket {
  if (b.length < 4) throw new Error(`EAP packet of ${b.length} octets`);
  const length = (b[2]! << 8) | b[3]!;
  // RFC 3748 4: "Octets outside the range of the Length field should be treated as Data Link Layer padding"
  if (length < 4 || length > b.length || length > MAX_EAP) throw new Error(`EAP Length ${length} with ${b.length} octets`);
  const code = b[0]!;
  const identifier = b[1]!;
  if (code === EapCode.SUCCESS || code === EapCode.FAILURE) return { code, identifier, typeData: new Uint8Array(0) };
  if (code !== EapCode.REQUEST && code !== EapCode.RESPONSE) throw new Error(`EAP Code ${code}`);
  if (length < 5) throw new Error('EAP Request/Response without Type');
  return { code, identifier, eapType: b[4]!, typeData: b.slice(5, length) };
}

export function encodeResponse(identifier: number, eapType: number, typeData: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + typeData.length);
  out[0] = EapCode.RESPONSE;
  out[1] = identifier;
  out.writeUInt16BE(out.length, 2);
  out[4] = eapType;
  out.set(typeData, 5);
  return out;
}

/** The EAP peer of one IKE_SA: answers Identity and MD5-Challenge, Naks anything else. */
export class EapMd5Peer {
  #succeeded = false;

  constructor(
    private readonly identity: string,
    private readonly password: string,
  ) {}

  get succeeded(): boolean {
    return this.#succeeded;
  }

  /**
   * The response to a server packet, `'success'` / throws on Failure or a malformed packet.
   * EAP-MD5 leaves no MSK.
   */
  answer(packet: Uint8Array): Buffer | 'success' {
    const p = decodeEap(packet);
    if (p.code === EapCode.SUCCESS) {
      this.#succeeded = true;
      return 'success';
    }
    if (p.code === EapCode.FAILURE) throw new Error('EAP-Failure');
    if (p.code !== EapCode.REQUEST) throw new Error(`EAP Code ${p.code} from the server`);
    switch (p.eapType) {
      case EapType.IDENTITY:
        return encodeResponse(p.identifier, EapType.IDENTITY, Buffer.from(this.identity, 'utf8'));
      case EapType.NOTIFICATION:
        // RFC 3748 5.2: "The peer MUST respond to a Notification Request with a Notification Response"
        return encodeResponse(p.identifier, EapType.NOTIFICATION, new Uint8Array(0));
      case EapType.MD5: {
        const size = p.typeData[0];
        if (size === undefined || size === 0 || 1 + size > p.typeData.length) throw new Error(`EAP-MD5 Value-Size ${String(size)} in ${p.typeData.length} octets`);
        const challenge = p.typeData.subarray(1, 1 + size);
        const value = md5Response(p.identifier, this.password, challenge);
        return encodeResponse(p.identifier, EapType.MD5, Buffer.concat([Buffer.from([value.length]), value]));
      }
      default:
        return encodeResponse(p.identifier, EapType.NAK, Buffer.from([EapType.MD5]));
    }
  }
}

/** CHAP (RFC 1994 4.1): MD5(Identifier | secret | Challenge). */
export function md5Response(identifier: number, password: string, challenge: Uint8Array): Buffer {
  return createHash('md5').update(Buffer.from([identifier])).update(password, 'utf8').update(challenge).digest();
}
