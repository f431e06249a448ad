/**
 * The strongSwan 5.9.8 PB-TNC captures (shared/vectors/strongswan-5.9.8-pb-tnc/) and the reading
 * of them in decoded.txt. The vectors live beside the repository (CI clones shared/ next to it),
 * so they are resolved from this file: tnc/test/ -> ../../../shared/vectors.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CAPTURE_DIR = new URL('../../../shared/vectors/strongswan-5.9.8-pb-tnc/', import.meta.url);

export interface ExpectedMessage {
  readonly noskip: boolean;
  readonly vendor: string;
  readonly name: string;
  readonly length: number;
  /** PB-PA only: "IETF/Operating System (0x000000/0x00000001) imc 1 imv 65535 EXCL". */
  readonly pa?: { readonly vendorId: number; readonly subtype: number; readonly imc: number; readonly imv: number; readonly excl: boolean; readonly paTncId: number };
}

export interface ExpectedBatch {
  readonly file: string;
  readonly direction: 'C->S' | 'S->C';
  readonly batchType: string;
  readonly length: number;
  readonly messages: readonly ExpectedMessage[];
}

export interface Capture {
  readonly file: string;
  readonly hex: string;
  readonly bytes: Uint8Array;
}

export function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function loadCaptures(): Capture[] {
  const dir = fileURLToPath(CAPTURE_DIR);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hex'))
    .sort()
    .map((file) => {
      const hex = readFileSync(new URL(file, CAPTURE_DIR), 'utf8').trim().toLowerCase();
      return { file, hex, bytes: hexBytes(hex) };
    });
}

export function capture(file: string): Capture {
  const found = loadCaptures().find((c) => c.file === file);
  if (!found) throw new Error(`no capture ${file}`);
  return found;
}

/** Parses the log section of decoded.txt: one entry per "-> file.hex" line. */
export function loadDecoded(): Map<string, ExpectedBatch> {
  const text = readFileSync(new URL('decoded.txt', CAPTURE_DIR), 'utf8');
  const out = new Map<string, ExpectedBatch>();
  let current: { file: string; direction: 'C->S' | 'S->C'; batchType: string; length: number; messages: ExpectedMessage[] } | undefined;
  let lastPa: { -readonly [K in keyof NonNullable<ExpectedMessage['pa']>]: NonNullable<ExpectedMessage['pa']>[K] } | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('== ') && !line.includes('logs/')) break; // the hex dump section follows
    const file = /-> (\S+\.hex)$/.exec(line)?.[1];
    if (file) {
      current = { file, direction: 'C->S', batchType: '', length: 0, messages: [] };
      out.set(file, current);
      continue;
    }
    if (!current) continue;
    const batch = /PB-TNC v2 (C->S|S->C) (\w+) len (\d+)/.exec(line);
    if (batch) {
      current.direction = batch[1] as 'C->S' | 'S->C';
      current.batchType = batch[2] ?? '';
      current.length = Number(batch[3]);
      continue;
    }
    const msg = /^\s+msg (NOSKIP )?(\w+)\/(PB-[\w-]+) len (\d+)(.*)$/.exec(line);
    if (msg) {
      const rest = msg[5] ?? '';
      const pa = /\((0x[0-9a-f]+)\/(0x[0-9a-f]+)\) imc (\d+) imv (\d+)( EXCL)?/.exec(rest);
      lastPa = pa
        ? { vendorId: Number(pa[1]), subtype: Number(pa[2]), imc: Number(pa[3]), imv: Number(pa[4]), excl: pa[5] !== undefined, paTncId: -1 }
        : undefined;
      current.messages.push({ noskip: msg[1] !== undefined, vendor: msg[2] ?? '', name: msg[3] ?? '', length: Number(msg[4]), ...(lastPa ? { pa: lastPa } : {}) });
      continue;
    }
    const id = /^\s+PA-TNC v1 id (0x[0-9a-f]+)/.exec(line);
    if (id && lastPa) lastPa.paTncId = Number(id[1]);
  }
  return out;
}
