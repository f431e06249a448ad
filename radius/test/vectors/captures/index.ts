/**
 * Reads the captures of the real peers in this directory (README.md; written by
 * integration/capture-vectors.ts): one directory per conversation, `scenario.json` plus one
 * `NN-<code>.hex` file per RADIUS datagram. Shared by radius/test/captures.test.ts and
 * pdp/eap/test/captures.test.ts. Only node:fs: no codec is used to read the vectors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CAPTURES_DIR = fileURLToPath(new URL('.', import.meta.url));

export interface CapturedPacket {
  readonly file: string;
  readonly direction: 'client-to-server' | 'server-to-client';
  readonly src: string;
  readonly dst: string;
  /** Code and Identifier as the capture script read them from octets 0 and 1. */
  readonly code: number;
  readonly identifier: number;
  /** The file of the request a response answers. */
  readonly inReplyTo?: string;
  readonly bytes: Buffer;
}

export interface CaptureScenario {
  /** Directory name, e.g. `strongswan-gateway-ttls-md5` or `freeradius-radclient-pap-status-acct`. */
  readonly dir: string;
  readonly server: 'ours' | 'freeradius';
  readonly secret: string;
  readonly user: { readonly name: string; readonly password: string };
  readonly packets: readonly CapturedPacket[];
}

function field<T>(obj: Record<string, unknown>, key: string, check: (v: unknown) => v is T, where: string): T {
  const v = obj[key];
  if (!check(v)) throw new Error(`${where}: field ${key} missing or of the wrong type`);
  return v;
}
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);

/** Hex text (whitespace ignored) to octets; throws on anything that is not an even run of hex digits. */
export function parseHex(text: string, where: string): Buffer {
  const hex = text.replace(/\s+/g, '');
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) throw new Error(`${where}: not hex`);
  return Buffer.from(hex, 'hex');
}

function loadScenario(dir: string): CaptureScenario {
  const path = join(CAPTURES_DIR, dir);
  const where = `${dir}/scenario.json`;
  const m: unknown = JSON.parse(readFileSync(join(path, 'scenario.json'), 'utf8'));
  if (!isObject(m)) throw new Error(`${where}: not an object`);
  const server = field(m, 'server', isString, where);
  if (server !== 'ours' && server !== 'freeradius') throw new Error(`${where}: server ${server}`);
  const user = field(m, 'user', isObject, where);
  const packets = field(m, 'packets', isArray, where).map((raw, i): CapturedPacket => {
    const at = `${where} packets[${i}]`;
    if (!isObject(raw)) throw new Error(`${at}: not an object`);
    const file = field(raw, 'file', isString, at);
    const direction = field(raw, 'direction', isString, at);
    if (direction !== 'client-to-server' && direction !== 'server-to-client') throw new Error(`${at}: direction ${direction}`);
    const inReplyTo = raw['inReplyTo'];
    if (inReplyTo !== undefined && !isString(inReplyTo)) throw new Error(`${at}: inReplyTo`);
    return {
      file,
      direction,
      src: field(raw, 'src', isString, at),
      dst: field(raw, 'dst', isString, at),
      code: field(raw, 'code', isNumber, at),
      identifier: field(raw, 'identifier', isNumber, at),
      ...(inReplyTo === undefined ? {} : { inReplyTo }),
      bytes: parseHex(readFileSync(join(path, file), 'utf8'), `${dir}/${file}`),
    };
  });
  return {
    dir,
    server,
    secret: field(m, 'secret', isString, where),
    user: { name: field(user, 'name', isString, where), password: field(user, 'password', isString, where) },
    packets,
  };
}

/** Every capture directory, sorted by name. */
export function loadCaptures(): CaptureScenario[] {
  return readdirSync(CAPTURES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map(loadScenario);
}

/** The request a response answers (its `inReplyTo`). */
export function requestOf(s: CaptureScenario, response: CapturedPacket): CapturedPacket {
  const request = s.packets.find((p) => p.file === response.inReplyTo);
  if (!request) throw new Error(`${s.dir}/${response.file}: no request ${String(response.inReplyTo)}`);
  return request;
}
