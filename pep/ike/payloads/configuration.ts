/**
 * Configuration Payload (CP), RFC 7296 section 3.15, with Configuration Attributes, 3.15.1.
 *
 *                        1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Next Payload  |C| RESERVED    |         Payload Length        |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   CFG Type    |                    RESERVED                   |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                   Configuration Attributes                    ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *   Configuration Attribute:
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |R|         Attribute Type      |            Length             |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   ~                             Value                             ~
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * "Reserved (1 bit) - This bit MUST be set to zero and MUST be ignored on receipt." A CFG_REQUEST
 * usually carries empty values ("give me an address"); the codec keeps every value's octets and
 * the responder interprets them per attribute type (INTERNAL_IP4_ADDRESS is 0 or 4 octets ...).
 */
import { PayloadType } from '../constants.js';
import { IkeDecodeError } from '../errors.js';
import { IKE_LIMITS } from '../limits.js';
import { checkLength, checkRange, concat, Reader, u16 } from '../wire.js';
import type { PayloadCodec } from './payload-codec.js';

export interface ConfigurationAttribute {
  /** CfgAttribute (15 bits). */
  readonly type: number;
  readonly value: Uint8Array;
}

export interface ConfigurationPayload {
  readonly type: typeof PayloadType.CP;
  readonly critical?: boolean;
  /** CfgType (CFG_REQUEST, CFG_REPLY, CFG_SET, CFG_ACK). */
  readonly cfgType: number;
  readonly attributes: readonly ConfigurationAttribute[];
}

export function decodeConfiguration(body: Uint8Array, offset: number): ConfigurationPayload {
  const r = new Reader(body, offset);
  const cfgType = r.u8('CFG Type');
  r.skip(3, 'RESERVED');
  const attributes: ConfigurationAttribute[] = [];
  while (r.remaining > 0) {
    if (attributes.length >= IKE_LIMITS.maxConfigurationAttributes) {
      throw new IkeDecodeError('TOO_MANY_ITEMS', r.offset, `more than ${IKE_LIMITS.maxConfigurationAttributes} configuration attributes`);
    }
    const type = r.u16('Attribute Type') & 0x7fff; // R bit: "MUST be ignored on receipt"
    const lengthAt = r.offset;
    const length = r.u16('Length');
    if (length > r.remaining) {
      throw new IkeDecodeError('BAD_LENGTH', lengthAt, `attribute Length ${length} but ${r.remaining} octets left`);
    }
    attributes.push({ type, value: r.bytesOf(length, 'Value') });
  }
  return { type: PayloadType.CP, cfgType, attributes };
}

export function encodeConfiguration(p: ConfigurationPayload): Uint8Array {
  checkRange(p.cfgType, 8, 'CFG Type');
  const attrs = p.attributes.map((a) => {
    checkRange(a.type, 15, 'Attribute Type');
    checkLength(a.value, 0, 0xffff, 'attribute Value');
    return concat([u16(a.type), u16(a.value.length), a.value]);
  });
  return concat([Buffer.from([p.cfgType, 0, 0, 0]), ...attrs]);
}

export const configurationCodec: PayloadCodec<ConfigurationPayload> = {
  types: [PayloadType.CP],
  decode: (body, offset) => decodeConfiguration(body, offset),
  encode: encodeConfiguration,
};
