/**
 * One ESP security association in userspace: outbound processing (RFC 4303 3.3) and inbound
 * processing (RFC 4303 3.4) for tunnel mode, with the cipher from pep/crypto injected.
 *
 * Outbound (3.3): sequence number + 1 (3.3.3), Payload || Padding || Pad Length || Next Header
 * (3.3.2), seal with AAD = SPI || Seq, prepend the header.
 * Inbound (3.4): header, replay pre-check (3.4.3), ICV check + decryption (3.4.4, 3.4.2), window
 * update only after the ICV verified, strip the trailer.
 *
 * Extended Sequence Numbers (RFC 4303 2.2.1) are not negotiated by this implementation (the IKE
 * proposal offers ESN "no" only), so the counter is 32 bits.
 */
import { AntiReplayWindow } from './anti-replay-window.js';
import type { EspCipher } from './esp-cipher.js';
import { EspError } from './esp-error.js';
import {
  addEspTrailer,
  decodeEspPacket,
  encodeEspHeader,
  ESP_HEADER_LENGTH,
  ESP_MAX_PACKET,
  removeEspTrailer,
} from './esp-packet.js';

export const SEQ_MAX = 0xffff_ffff;

export interface EspSaCounters {
  /** Inner (plaintext payload) octets processed. */
  readonly bytes: number;
  readonly packets: number;
  /** Clock value (ms) of the last packet, or undefined when none yet. */
  readonly lastUse: number | undefined;
}

export interface EspSaOptions {
  readonly spi: number;
  readonly cipher: EspCipher;
  /** Inbound only: replay window size (64..1024); 0 disables the replay check. */
  readonly replayWindow?: number;
  /** Outbound: last sequence number already used (default 0, so the first packet carries 1). */
  readonly lastSeq?: number;
  readonly now: () => number;
}

export interface OpenedEspPacket {
  readonly seq: number;
  readonly nextHeader: number;
  readonly payload: Uint8Array;
}

export class EspSa {
  readonly spi: number;
  readonly #cipher: EspCipher;
  readonly #window: AntiReplayWindow | undefined;
  readonly #now: () => number;
  /** Outbound: last sequence number sent. */
  #seq = 0;
  #bytes = 0;
  #packets = 0;
  #lastUse: number | undefined;

  constructor(opts: EspSaOptions) {
    if (!Number.isInteger(opts.spi) || opts.spi <= 0 || opts.spi > 0xffff_ffff) throw new RangeError(`SPI ${opts.spi}`);
    this.spi = opts.spi;
    this.#cipher = opts.cipher;
    this.#now = opts.now;
    this.#seq = opts.lastSeq ?? 0;
    this.#window = opts.replayWindow ? new AntiReplayWindow(opts.replayWindow) : undefined;
  }

  get counters(): EspSaCounters {
    return { bytes: this.#bytes, packets: this.#packets, lastUse: this.#lastUse };
  }

  /** Last sequence number sent (outbound). */
  get seq(): number {
    return this.#seq;
  }

  /** Outbound: the counter is close to cycling, the owner should rekey (RFC 4303 3.3.3). */
  get seqNearlyExhausted(): boolean {
    return this.#seq >= SEQ_MAX - 0x10000;
  }

  /** Encrypt one inner packet into a complete ESP packet (header included). */
  seal(payload: Uint8Array, nextHeader: number): Buffer {
    // RFC 4303 3.3.3: "the sender's counter and the receiver's counter MUST NOT be allowed to
    // cycle" ... "the sender SHALL ... establish a new SA" before 2^32 packets.
    if (this.#seq >= SEQ_MAX) {
      throw new EspError('SEQ_OVERFLOW', `sequence number of SA ${hex(this.spi)} exhausted; rekey required`, 4);
    }
    const padded = addEspTrailer(payload, nextHeader, this.#cipher.blockSize);
    const size = ESP_HEADER_LENGTH + this.#cipher.ivLength + padded.length + this.#cipher.icvLength;
    if (size > ESP_MAX_PACKET) throw new EspError('TOO_LONG', `ESP packet would be ${size} octets`, 0);
    const seq = this.#seq + 1;
    const header = encodeEspHeader({ spi: this.spi, seq });
    const sealed = this.#cipher.seal(header, padded);
    this.#seq = seq;
    this.#count(payload.length);
    return Buffer.concat([header, sealed], ESP_HEADER_LENGTH + sealed.length);
  }

  /** Verify, decrypt and strip one ESP packet addressed to this SA. Throws EspError. */
  open(packet: Uint8Array): OpenedEspPacket {
    const { spi, seq, sealed } = decodeEspPacket(packet);
    if (spi !== this.spi) throw new EspError('UNKNOWN_SPI', `packet for SPI ${hex(spi)} given to SA ${hex(this.spi)}`, 0);
    const minimum = this.#cipher.ivLength + this.#cipher.icvLength + 2;
    if (sealed.length < minimum) {
      throw new EspError('TRUNCATED', `ESP payload of ${sealed.length} octets, cipher needs at least ${minimum}`, 8);
    }
    // RFC 4303 3.4.3: "If the received packet falls within the window and is new, or if the packet
    // is to the right of the window, then the receiver proceeds to ICV verification."
    this.#checkReplay(this.#window?.check(seq) ?? 'ok', seq);
    let plaintext: Uint8Array;
    try {
      plaintext = this.#cipher.open(packet.subarray(0, ESP_HEADER_LENGTH), sealed);
    } catch {
      // RFC 4303 3.4.4.1: "If the computed and received ICVs do not match, then the receiver MUST
      // discard the received IP datagram as invalid".
      throw new EspError('INTEGRITY', `ICV check failed for SA ${hex(this.spi)} seq ${seq}`, packet.length - this.#cipher.icvLength);
    }
    // RFC 4303 3.4.3: "The receive window is updated only if the integrity verification succeeds."
    this.#checkReplay(this.#window?.accept(seq) ?? 'ok', seq);
    const { payload, nextHeader } = removeEspTrailer(plaintext, ESP_HEADER_LENGTH + this.#cipher.ivLength);
    this.#count(payload.length);
    return { seq, nextHeader, payload };
  }

  #checkReplay(verdict: string, seq: number): void {
    if (verdict === 'ok') return;
    if (verdict === 'replay') throw new EspError('REPLAY', `sequence number ${seq} already received`, 4);
    if (verdict === 'too-old') throw new EspError('TOO_OLD', `sequence number ${seq} is left of the replay window`, 4);
    throw new EspError('TOO_OLD', 'sequence number 0 is never sent', 4);
  }

  #count(bytes: number): void {
    this.#bytes += bytes;
    this.#packets += 1;
    this.#lastUse = this.#now();
  }
}

function hex(spi: number): string {
  return `0x${spi.toString(16).padStart(8, '0')}`;
}
