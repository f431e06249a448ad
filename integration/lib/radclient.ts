/**
 * FreeRADIUS's radclient (package freeradius-utils) as a plain RADIUS client: PAP Access-Requests,
 * Status-Server (RFC 5997) and Accounting-Request (RFC 2866). Requests go through a file (-f),
 * several separated by blank lines; replies are parsed from `-x` output:
 *
 *   Received Access-Accept Id 225 from 127.0.0.1:1812 to 127.0.0.1:35939 length 33
 *   \tFilter-Id = "allow"
 *   \tTunnel-Type:0 = ESP
 *
 * radclient 3.2 adds no Message-Authenticator by itself: put `Message-Authenticator = 0x00` in the
 * request (see {@link MESSAGE_AUTHENTICATOR}) and it computes the real value. A server that
 * requires Message-Authenticator (our clients do) silently drops requests without it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsExec } from './netns.js';
import type { Endpoint } from './pdp-config.js';
import { run } from './proc.js';

/** A literal (unquoted) value: enumerants (`Start`, `ESP`), hex (`0x00`), addresses. */
export interface Raw {
  readonly raw: string;
}
export type AttrValue = string | number | Raw;
export type RequestPairs = readonly (readonly [name: string, value: AttrValue])[];

export const MESSAGE_AUTHENTICATOR: readonly [string, AttrValue] = ['Message-Authenticator', { raw: '0x00' }];

function formatValue(v: AttrValue): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object') return v.raw;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function requestText(pairs: RequestPairs): string {
  return pairs.map(([name, v]) => `${name} = ${formatValue(v)}`).join('\n');
}

export interface RadclientReply {
  readonly code: string;
  readonly id: number;
  readonly length: number;
  readonly attributes: readonly (readonly [name: string, value: string])[];
}

/** First value of `name` in a reply, quotes removed. */
export function attr(reply: RadclientReply, name: string): string | undefined {
  const v = reply.attributes.find(([n]) => n === name || n.startsWith(`${name}:`))?.[1];
  return v?.replace(/^"(.*)"$/, '$1');
}

export interface RadclientResult {
  readonly replies: readonly RadclientReply[];
  /** radclient printed "No reply from server" at least once. */
  readonly noReply: boolean;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export function parseRadclientOutput(stdout: string): RadclientReply[] {
  const replies: { code: string; id: number; length: number; attributes: [string, string][] }[] = [];
  let current: (typeof replies)[number] | undefined;
  for (const line of stdout.split('\n')) {
    const m = /^Received (\S+) Id (\d+) from \S+ to \S+ length (\d+)/.exec(line);
    if (m) {
      current = { code: m[1] as string, id: Number(m[2]), length: Number(m[3]), attributes: [] };
      replies.push(current);
      continue;
    }
    const a = /^\t(\S+) = (.*)$/.exec(line);
    if (a && current) {
      current.attributes.push([a[1] as string, a[2] as string]);
      continue;
    }
    if (!line.startsWith('\t')) current = undefined;
  }
  return replies;
}

export interface RadclientOptions {
  readonly server: Endpoint;
  readonly command: 'auth' | 'acct' | 'status';
  readonly secret: string;
  /** Requests, or ready-made file content. */
  readonly requests: readonly RequestPairs[] | string;
  /** Where the request file goes. */
  readonly dir: string;
  /** -r: attempts per request (default 1: no retransmission). */
  readonly retries?: number;
  /** -t: seconds to wait per attempt (default 2). */
  readonly timeoutSec?: number;
  /** -c: send the file this many times. */
  readonly count?: number;
  /** -p: requests in flight. */
  readonly parallel?: number;
  readonly netns?: string;
  /** -x (default) prints replies; false gives -q -s (summary only, for load). */
  readonly verbose?: boolean;
}

let fileCounter = 0;

export async function radclient(o: RadclientOptions): Promise<RadclientResult> {
  const content = typeof o.requests === 'string' ? o.requests : o.requests.map(requestText).join('\n\n');
  const file = join(o.dir, `radclient-${process.pid}-${++fileCounter}.txt`);
  writeFileSync(file, `${content}\n`);
  const retries = o.retries ?? 1;
  const timeoutSec = o.timeoutSec ?? 2;
  const args = [o.verbose === false ? '-q' : '-x', '-r', String(retries), '-t', String(timeoutSec), '-f', file];
  if (o.verbose === false) args.push('-s');
  if (o.count !== undefined) args.push('-c', String(o.count));
  if (o.parallel !== undefined) args.push('-p', String(o.parallel));
  args.push(`${o.server.address}:${o.server.port}`, o.command, o.secret);
  const [cmd, argv] = nsExec(o.netns, 'radclient', args);
  const requestsCount = typeof o.requests === 'string' ? 1 : o.requests.length;
  const budgetMs = (retries * timeoutSec * requestsCount * (o.count ?? 1)) * 1000 + 10_000;
  const r = await run(cmd, argv, { timeoutMs: Math.min(budgetMs, 120_000), check: false });
  return {
    replies: parseRadclientOutput(r.stdout),
    noReply: /No reply from server/i.test(r.stdout + r.stderr),
    exitCode: r.code,
    stdout: r.stdout,
    stderr: r.stderr,
    durationMs: r.durationMs,
  };
}
