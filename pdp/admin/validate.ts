/**
 * Input checks beyond what GraphQL's types already enforce; each failure names the argument path
 * in `extensions.field`. The posture model's own resolver (pdp/posture/model.ts) has the last
 * word on policy arguments and group parents: its RangeError messages are mapped onto fields.
 */
import { isIP } from 'node:net';
import { MAX_PAGE_SIZE } from '../store/store.js';
import { fieldError } from './errors.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function name(field: string, v: unknown, max = 128): string {
  if (typeof v !== 'string' || v.length === 0) throw fieldError(field, 'must not be empty');
  if (v.length > max) throw fieldError(field, `at most ${max} characters`);
  if (CONTROL.test(v)) throw fieldError(field, 'must not contain control characters');
  return v;
}

export function optionalText(field: string, v: unknown, max = 1024): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fieldError(field, 'must be a string');
  if (v.length > max) throw fieldError(field, `at most ${max} characters`);
  return v;
}

export function secret(field: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) throw fieldError(field, 'must not be empty');
  if (v.length > 128) throw fieldError(field, 'at most 128 characters');
  return v;
}

/** An address or CIDR prefix as schemas/pdp-config.schema.json allows for RADIUS clients. */
export function addressOrCidr(field: string, v: unknown): string {
  const s = name(field, v, 64);
  const [addr, bits, extra] = s.split('/');
  const family = isIP(addr ?? '');
  if (family === 0 || extra !== undefined) throw fieldError(field, `'${s}' is not an IPv4/IPv6 address or CIDR prefix`);
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128))) throw fieldError(field, `prefix length /${bits} is out of range`);
  return s;
}

export function nonNegativeInt(field: string, v: unknown, max = 10 * 365 * 86400): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw fieldError(field, `must be an integer from 0 to ${max}`);
  return v;
}

/** `first` of a connection: 1..1000. */
export function pageSize(v: unknown): number {
  const n = v ?? 50;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw fieldError('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  return n;
}

export function cursor(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.length > 1024) throw fieldError('after', 'not a cursor this listing issued');
  return v;
}

/**
 * A RangeError of the posture model ("posture.policies.3.argument: ...") as a field error on
 * `prefix` (input/patch), keeping the model's message.
 */
export function modelProblem(prefix: string, message: string): Error {
  const first = message.split('\n')[0] ?? message;
  const m = /^posture\.\w+\.\d+\.(\w+)(?:\.\S*)?:\s*(.*)$/.exec(first);
  return m ? fieldError(`${prefix}.${m[1]}`, m[2] ?? first) : fieldError(prefix, first);
}
