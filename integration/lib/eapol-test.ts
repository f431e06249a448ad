/**
 * eapol_test (wpa_supplicant 2.10, package eapoltest) as an EAP-TTLS peer talking RADIUS straight
 * to alice: exercises REFERENCE-SCENARIO steps 2-3 (RADIUS-carried EAP, EAP-TTLS with inner EAP-MD5
 * or PAP) and 6 (MS-MPPE keys: eapol_test compares them with its own MSK, "MPPE keys OK").
 *
 * TLS version knobs (phase1) in 2.10: tls_disable_tlsv1_{0,1,2,3}=0|1. TLS 1.3 is off by default
 * for EAP-TTLS, so it needs tls_disable_tlsv1_3=0. Do NOT force 1.3 with tls_disable_tlsv1_2=1:
 * wpa_supplicant then caps the maximum at TLS 1.1 (it treats "1.2 disabled" as "max 1.1") and
 * sends a TLS 1.1 ClientHello. For "1.3 only" we disable 1.0/1.1, enable 1.3 and check the
 * negotiated version it reports ("SSL: Using TLS version TLSv1.3").
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nsExec } from './netns.js';
import type { Endpoint } from './pdp-config.js';
import { run } from './proc.js';

export type InnerMethod = 'md5' | 'pap';
export type TlsChoice = '1.2' | '1.3' | 'any';

export interface EapolConfig {
  readonly identity: string;
  readonly password: string;
  readonly inner: InnerMethod;
  readonly caCertPath: string;
  readonly tls: TlsChoice;
  /** Client-side EAP-TLS fragment size (wpa_supplicant default 1398). */
  readonly fragmentSize?: number;
  /** Outer identity; default = identity. */
  readonly anonymousIdentity?: string;
  /** Require this name in the server certificate (domain_match). */
  readonly serverName?: string;
}

function quote(s: string): string {
  if (/["\n]/.test(s)) throw new Error(`value not representable in wpa_supplicant config: ${s}`);
  return `"${s}"`;
}

export function eapolConfigText(c: EapolConfig): string {
  const phase1 =
    c.tls === '1.2'
      ? 'tls_disable_tlsv1_0=1 tls_disable_tlsv1_1=1 tls_disable_tlsv1_3=1'
      : c.tls === '1.3'
        ? 'tls_disable_tlsv1_0=1 tls_disable_tlsv1_1=1 tls_disable_tlsv1_3=0'
        : 'tls_disable_tlsv1_3=0';
  const lines = [
    'network={',
    '  key_mgmt=WPA-EAP',
    '  eap=TTLS',
    `  identity=${quote(c.identity)}`,
    `  password=${quote(c.password)}`,
    `  ca_cert=${quote(c.caCertPath)}`,
    `  phase1=${quote(phase1)}`,
    `  phase2=${quote(c.inner === 'md5' ? 'autheap=MD5' : 'auth=PAP')}`,
  ];
  if (c.anonymousIdentity !== undefined) lines.push(`  anonymous_identity=${quote(c.anonymousIdentity)}`);
  if (c.serverName !== undefined) lines.push(`  domain_match=${quote(c.serverName)}`);
  if (c.fragmentSize !== undefined) lines.push(`  fragment_size=${c.fragmentSize}`);
  lines.push('}', '');
  return lines.join('\n');
}

export function writeEapolConfig(dir: string, name: string, c: EapolConfig): string {
  const path = join(dir, `${name}.conf`);
  writeFileSync(path, eapolConfigText(c));
  return path;
}

export interface EapolRunOptions {
  readonly server: Endpoint;
  readonly secret: string;
  /** eapol_test's own -t (seconds); the process is killed 5 s later at the latest. */
  readonly timeoutSec?: number;
  readonly netns?: string;
  /** -n: no MPPE keys expected. */
  readonly noMppe?: boolean;
}

export interface EapolResult {
  /** Last line "SUCCESS". */
  readonly success: boolean;
  /** eapol_test gave up waiting for the server ("EAPOL test timed out"). */
  readonly timedOut: boolean;
  /** "MPPE keys OK: 1  mismatch: 0" — the Access-Accept's MS-MPPE keys equal the peer's MSK. */
  readonly mppeOk: boolean;
  readonly mppeLine: string | undefined;
  /** Negotiated TLS version as wpa_supplicant last reported it, e.g. "TLSv1.3". */
  readonly tlsVersion: string | undefined;
  /** Access-Requests sent (RADIUS round trips). */
  readonly accessRequests: number;
  readonly lastRadiusCode: string | undefined;
  /** EAP-TTLS packets received from the server: TLS data length and flags byte (L 0x80, M 0x40, S 0x20). */
  readonly received: readonly { readonly len: number; readonly flags: number }[];
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly output: string;
}

export function parseEapolOutput(output: string): Omit<EapolResult, 'exitCode' | 'durationMs' | 'output'> {
  const lines = output.split('\n').map((l) => l.trimEnd());
  const nonEmpty = lines.filter((l) => l !== '');
  const mppeLine = lines.find((l) => l.startsWith('MPPE keys OK:'));
  const mppe = mppeLine ? /MPPE keys OK: (\d+)\s+mismatch: (\d+)/.exec(mppeLine) : null;
  let tlsVersion: string | undefined;
  const received: { len: number; flags: number }[] = [];
  let accessRequests = 0;
  let lastRadiusCode: string | undefined;
  for (const l of lines) {
    const v = /^SSL: Using TLS version (\S+)/.exec(l);
    if (v) tlsVersion = v[1];
    const r = /^SSL: Received packet\(len=(\d+)\) - Flags 0x([0-9a-f]+)/.exec(l);
    if (r) received.push({ len: Number(r[1]), flags: parseInt(r[2] as string, 16) });
    const m = /^RADIUS message: code=\d+ \(([^)]+)\)/.exec(l);
    if (m) {
      if (m[1] === 'Access-Request') accessRequests++;
      else lastRadiusCode = m[1];
    }
  }
  return {
    success: nonEmpty[nonEmpty.length - 1] === 'SUCCESS',
    timedOut: lines.some((l) => l.includes('EAPOL test timed out')),
    mppeOk: mppe !== null && Number(mppe[1]) >= 1 && Number(mppe[2]) === 0,
    mppeLine,
    tlsVersion,
    accessRequests,
    lastRadiusCode,
    received,
  };
}

export async function runEapolTest(configPath: string, o: EapolRunOptions): Promise<EapolResult> {
  const t = o.timeoutSec ?? 10;
  const args = ['-c', configPath, '-a', o.server.address, '-p', String(o.server.port), '-s', o.secret, '-t', String(t)];
  if (o.noMppe) args.push('-n');
  const [cmd, argv] = nsExec(o.netns, 'eapol_test', args);
  const r = await run(cmd, argv, { timeoutMs: (t + 5) * 1000, check: false });
  const output = r.stdout + r.stderr;
  return { ...parseEapolOutput(output), exitCode: r.code, durationMs: r.durationMs, output };
}

/** One-line summary for assertion messages. */
export function describeEapol(r: EapolResult): string {
  return `success=${r.success} timedOut=${r.timedOut} mppe=${r.mppeLine ?? '-'} tls=${r.tlsVersion ?? '-'} requests=${r.accessRequests} last=${r.lastRadiusCode ?? '-'} exit=${r.exitCode}\n--- tail ---\n${r.output.split('\n').slice(-25).join('\n')}`;
}
