/**
 * `ip xfrm` command lines for the XFRM backend (ip-xfrm(8)); pure functions, so the exact text is
 * unit-tested without a kernel. Key material appears only in {@link xfrmStateAdd}'s command, never
 * in its description.
 */
import type { EspEncrAlg, EspIntegAlg } from '../esp/esp-cipher.js';
import { parseAddress, parsePrefix } from './address-prefix.js';
import { KernelError } from './kernel-error.js';
import type { PolicyConfig, PolicyId, SaConfig, SaId, Selector } from './kernel-ipsec.js';

export interface XfrmCommand {
  readonly command: string;
  readonly describe: string;
}

/** Linux crypto API names (strongSwan kernel_netlink_ipsec.c: encryption_algs / integrity_algs). */
const ENCR: Record<EspEncrAlg, { name: string; aead: boolean }> = {
  'aes-cbc': { name: 'cbc(aes)', aead: false },
  'aes-gcm-16': { name: 'rfc4106(gcm(aes))', aead: true },
};
const INTEG: Record<EspIntegAlg, { name: string; truncBits: number; keyLength: number }> = {
  'hmac-sha2-256-128': { name: 'hmac(sha256)', truncBits: 128, keyLength: 32 },
  'hmac-sha2-384-192': { name: 'hmac(sha384)', truncBits: 192, keyLength: 48 },
  'hmac-sha2-512-256': { name: 'hmac(sha512)', truncBits: 256, keyLength: 64 },
  'hmac-sha1-96': { name: 'hmac(sha1)', truncBits: 96, keyLength: 20 },
};

export function spiHex(spi: number): string {
  if (!Number.isInteger(spi) || spi <= 0 || spi > 0xffff_ffff) throw new KernelError('INVALID', `SPI ${spi}`);
  return `0x${spi.toString(16).padStart(8, '0')}`;
}

function addr(a: string): string {
  parseAddress(a); // throws INVALID
  return a;
}

function uint(n: number, what: string): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new KernelError('INVALID', `${what} ${n}`);
  return String(n);
}

export function xfrmStateAdd(sa: SaConfig): XfrmCommand {
  const encr = ENCR[sa.encr.alg];
  if (!encr) throw new KernelError('INVALID', `encryption algorithm ${sa.encr.alg}`);
  const keyLengths = encr.aead ? [20, 28, 36] : [16, 24, 32];
  if (!keyLengths.includes(sa.encr.key.length)) {
    throw new KernelError('INVALID', `${sa.encr.alg} key of ${sa.encr.key.length} octets`);
  }
  const parts = [
    'xfrm state add',
    `src ${addr(sa.src)} dst ${addr(sa.dst)}`,
    `proto esp spi ${spiHex(sa.spi)} reqid ${uint(sa.reqid, 'reqid')} mode tunnel`,
    `replay-window ${uint(sa.replayWindow, 'replay window')}`,
  ];
  if (encr.aead) {
    if (sa.integ) throw new KernelError('INVALID', `${sa.encr.alg} is an AEAD: no integrity algorithm`);
    parts.push(`aead ${encr.name} 0x${Buffer.from(sa.encr.key).toString('hex')} 128`);
  } else {
    const integ = sa.integ && INTEG[sa.integ.alg];
    if (!sa.integ || !integ) throw new KernelError('INVALID', `${sa.encr.alg} needs an integrity algorithm`);
    if (sa.integ.key.length !== integ.keyLength) {
      throw new KernelError('INVALID', `${sa.integ.alg} key of ${sa.integ.key.length} octets`);
    }
    parts.push(`enc ${encr.name} 0x${Buffer.from(sa.encr.key).toString('hex')}`);
    parts.push(`auth-trunc ${integ.name} 0x${Buffer.from(sa.integ.key).toString('hex')} ${integ.truncBits}`);
  }
  if (sa.encap) {
    // RFC 3948: ESP in UDP; the original-address field is unused for tunnel mode.
    parts.push(`encap espinudp ${uint(sa.encap.sport, 'port')} ${uint(sa.encap.dport, 'port')} 0.0.0.0`);
  }
  const lt = sa.lifetime;
  if (lt) {
    const limits: [number | undefined, string][] = [
      [lt.softSeconds, 'time-soft'],
      [lt.hardSeconds, 'time-hard'],
      [lt.softBytes, 'byte-soft'],
      [lt.hardBytes, 'byte-hard'],
      [lt.softPackets, 'packet-soft'],
      [lt.hardPackets, 'packet-hard'],
    ];
    for (const [v, name] of limits) if (v !== undefined) parts.push(`limit ${name} ${uint(v, name)}`);
  }
  return { command: parts.join(' '), describe: `xfrm state add ${describeSa(sa)}` };
}

export function xfrmStateDelete(id: SaId): XfrmCommand {
  const command = `xfrm state delete dst ${addr(id.dst)} proto esp spi ${spiHex(id.spi)}`;
  return { command, describe: command };
}

/** `ip -s xfrm state get ...` arguments (one-shot query, output parsed by parseStateUsage). */
export function xfrmStateGetArgs(id: SaId): string[] {
  return ['-s', 'xfrm', 'state', 'get', 'dst', addr(id.dst), 'proto', 'esp', 'spi', spiHex(id.spi)];
}

function selector(sel: Selector): string {
  const parts = [`src ${parsePrefix(sel.src).text} dst ${parsePrefix(sel.dst).text}`];
  if (sel.proto) {
    parts.push(`proto ${uint(sel.proto, 'protocol')}`);
    if (sel.sport !== undefined) parts.push(`sport ${uint(sel.sport, 'port')}`);
    if (sel.dport !== undefined) parts.push(`dport ${uint(sel.dport, 'port')}`);
  }
  return parts.join(' ');
}

/** ` if_id N` (ip-xfrm(8): if_id comes after priority and before the templates), or ''. */
function ifId(id: number | undefined): string {
  if (id === undefined) return '';
  if (!Number.isInteger(id) || id < 1 || id > 0xffff_ffff) throw new KernelError('INVALID', `if_id ${id}`);
  return ` if_id ${id}`;
}

export function xfrmPolicyUpdate(p: PolicyConfig): XfrmCommand {
  const t = p.tmpl;
  const command = [
    `xfrm policy update ${selector(p.selector)} dir ${p.dir} priority ${uint(p.priority, 'priority')}${ifId(p.ifId)}`,
    `tmpl src ${addr(t.src)} dst ${addr(t.dst)} proto esp reqid ${uint(t.reqid, 'reqid')} mode tunnel`,
  ].join(' ');
  return { command, describe: command };
}

export function xfrmPolicyDelete(id: PolicyId): XfrmCommand {
  const command = `xfrm policy delete ${selector(id.selector)} dir ${id.dir}${ifId(id.ifId)}`;
  return { command, describe: command };
}

export function describeSa(sa: { src?: string; dst: string; spi: number }): string {
  return `${sa.src ?? '?'} -> ${sa.dst} spi ${spiHex(sa.spi)}`;
}

/** bytes/packets from `ip -s xfrm state get` ("lifetime current:" then "N(bytes), M(packets)"). */
export function parseStateUsage(text: string): { bytes: number; packets: number; lastUse: number | undefined } {
  const cur = /lifetime current:\s*\n\s*(\d+)\(bytes\),\s*(\d+)\(packets\)\s*\n\s*add (.+?) use (.+?)\s*$/m.exec(text);
  if (!cur) throw new KernelError('XFRM_FAILED', 'no "lifetime current" in ip xfrm state output');
  const use = (cur[4] as string).trim();
  const t = use === '-' ? NaN : Date.parse(use.replace(' ', 'T'));
  return { bytes: Number(cur[1]), packets: Number(cur[2]), lastUse: Number.isNaN(t) ? undefined : t };
}
