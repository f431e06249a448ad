/**
 * Test helper: the strongSwan 5.9.8 captures (../../../shared/vectors/strongswan-5.9.8-pb-tnc/)
 * and a tiny PB-TNC walker that pulls the PA-TNC messages out of a batch. Deliberately not the
 * real PB-TNC codec (tnc/): just enough of RFC 5793 to find PB-PA messages.
 *
 *   PB-TNC batch header (8):  Version | D,Reserved | Reserved,Batch Type | Batch Length (32)
 *   PB-TNC message (12+):     Flags | Vendor ID (24) | Message Type (32) | Message Length (32)
 *   PB-PA (IETF type 1, 12+): Flags (EXCL 0x80) | PA Message Vendor ID (24) | PA Subtype (32) |
 *                             Posture Collector Id (16) | Posture Validator Id (16) | PA-TNC message
 */
import { readFileSync, readdirSync } from 'node:fs';

export const VECTOR_DIR = new URL('../../../shared/vectors/strongswan-5.9.8-pb-tnc/', import.meta.url);

export interface CapturedPaMessage {
  readonly file: string;
  /** Index of the PB-PA message among the batch's PB-PA messages. */
  readonly index: number;
  readonly pbFlags: number;
  readonly exclusive: boolean;
  readonly paVendorId: number;
  readonly paSubtype: number;
  readonly collectorId: number;
  readonly validatorId: number;
  /** The PA-TNC message. */
  readonly bytes: Uint8Array;
}

export interface CapturedBatch {
  readonly file: string;
  readonly batch: Uint8Array;
  readonly batchType: number;
  readonly messages: readonly CapturedPaMessage[];
}

const u32 = (b: Uint8Array, at: number): number => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt32BE(at);
/** The 24 bits after the flags octet at `at`. */
const u24 = (b: Uint8Array, at: number): number => u32(b, at) & 0xffffff;
const u16 = (b: Uint8Array, at: number): number => Buffer.from(b.buffer, b.byteOffset, b.byteLength).readUInt16BE(at);

/** The PB-PA messages of one PB-TNC batch. Throws (plain Error) on anything malformed: test data. */
export function paMessagesOfBatch(file: string, batch: Uint8Array): CapturedPaMessage[] {
  if (batch.length < 8 || batch[0] !== 2) throw new Error(`${file}: not a PB-TNC v2 batch`);
  const length = u32(batch, 4);
  if (length !== batch.length) throw new Error(`${file}: Batch Length ${length}, file has ${batch.length}`);
  const out: CapturedPaMessage[] = [];
  for (let at = 8; at < length; ) {
    const vendor = u24(batch, at);
    const type = u32(batch, at + 4);
    const msgLength = u32(batch, at + 8);
    if (msgLength < 12 || at + msgLength > length) throw new Error(`${file}: bad PB message length ${msgLength} at ${at}`);
    if (vendor === 0 && type === 1) {
      const body = batch.subarray(at + 12, at + msgLength);
      const pbFlags = body[0] as number;
      out.push({
        file,
        index: out.length,
        pbFlags,
        exclusive: (pbFlags & 0x80) !== 0,
        paVendorId: u24(body, 0),
        paSubtype: u32(body, 4),
        collectorId: u16(body, 8),
        validatorId: u16(body, 10),
        bytes: body.subarray(12),
      });
    }
    at += msgLength;
  }
  return out;
}

export function loadCaptures(): CapturedBatch[] {
  return readdirSync(VECTOR_DIR)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((file) => {
      const batch = new Uint8Array(Buffer.from(readFileSync(new URL(file, VECTOR_DIR), 'utf8').trim(), 'hex'));
      return { file, batch, batchType: (batch[3] as number) & 0x0f, messages: paMessagesOfBatch(file, batch) };
    });
}

/** One attribute line of decoded.txt. */
export interface ExpectedAttribute {
  readonly noskip: boolean;
  readonly vendorId: number;
  readonly type: number;
  readonly length: number;
  readonly summary: string | undefined;
}

export interface ExpectedMessage {
  readonly noskip: boolean;
  readonly paVendorId: number;
  readonly paSubtype: number;
  readonly collectorId: number;
  readonly validatorId: number;
  readonly exclusive: boolean;
  identifier: number;
  readonly attributes: ExpectedAttribute[];
}

/**
 * Reads decoded.txt ("a tool's reading of the strongSwan debug output") into the PB-PA
 * messages and attributes it lists per capture file.
 */
export function loadDecodedTxt(): Map<string, ExpectedMessage[]> {
  const text = readFileSync(new URL('decoded.txt', VECTOR_DIR), 'utf8');
  const byFile = new Map<string, ExpectedMessage[]>();
  let current: ExpectedMessage[] | undefined;
  let message: ExpectedMessage | undefined;
  for (const line of text.split('\n')) {
    const file = /-> (\S+\.hex)$/.exec(line);
    if (file) {
      current = [];
      byFile.set(file[1] as string, current);
      continue;
    }
    const pa = /msg (NOSKIP )?IETF\/PB-PA len \d+ .*\((0x[0-9a-f]+)\/(0x[0-9a-f]+)\) imc (\d+) imv (\d+)( EXCL)?/.exec(line);
    if (pa && current) {
      message = {
        noskip: pa[1] !== undefined,
        paVendorId: Number(pa[2]),
        paSubtype: Number(pa[3]),
        collectorId: Number(pa[4]),
        validatorId: Number(pa[5]),
        exclusive: pa[6] !== undefined,
        identifier: -1,
        attributes: [],
      };
      current.push(message);
      continue;
    }
    const id = /PA-TNC v1 id (0x[0-9a-f]+)/.exec(line);
    if (id && message) {
      message.identifier = Number(id[1]);
      continue;
    }
    const attr = /attr (NOSKIP )?\S+ .*\((0x[0-9a-f]+)\/(0x[0-9a-f]+)\) len (\d+)(?: -> (.*))?$/.exec(line);
    if (attr && message) {
      message.attributes.push({
        noskip: attr[1] !== undefined,
        vendorId: Number(attr[2]),
        type: Number(attr[3]),
        length: Number(attr[4]),
        summary: attr[5],
      });
    }
  }
  return byFile;
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
