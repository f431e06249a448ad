/**
 * Checks that the real peers the integration tests drive are installed (Debian 12 packages, see
 * shared/docs/PEERS.md), and prints the exact apt-get line for whatever is missing.
 *
 *   node --import tsx integration/lib/require-peers.ts     # exit 0: all there, 1: something missing
 *
 * Tests call {@link missingPeers} / {@link assertPeers} to fail early with the same message.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface Requirement {
  /** What is checked: a command on PATH or an absolute file path. */
  readonly what: string;
  readonly pkg: string;
  readonly why: string;
  /** Optional requirements are reported but do not fail the check. */
  readonly optional?: boolean;
}

const PLUGINS = '/usr/lib/ipsec/plugins';
const plugin = (name: string, pkg: string): Requirement => ({
  what: `${PLUGINS}/libstrongswan-${name}.so`,
  pkg,
  why: `strongSwan plugin ${name}`,
});

export const REQUIREMENTS: readonly Requirement[] = [
  { what: 'ip', pkg: 'iproute2', why: 'network namespaces, veth, addresses' },
  { what: 'unshare', pkg: 'util-linux', why: 'private mount namespace per charon' },
  { what: 'stdbuf', pkg: 'coreutils', why: 'line-buffered FreeRADIUS output' },
  { what: 'ping', pkg: 'iputils-ping', why: 'data path through the tunnel' },
  { what: '/usr/lib/ipsec/charon', pkg: 'strongswan-charon', why: 'IKEv2 daemon for moon, carol, dave' },
  { what: 'swanctl', pkg: 'strongswan-swanctl', why: 'vici control of charon' },
  { what: 'pki', pkg: 'strongswan-pki', why: 'test certificates' },
  plugin('eap-radius', 'libcharon-extra-plugins'),
  plugin('eap-ttls', 'libcharon-extra-plugins'),
  plugin('eap-md5', 'libcharon-extra-plugins'),
  plugin('eap-identity', 'libcharon-extra-plugins'),
  plugin('kernel-libipsec', 'libcharon-extra-plugins'),
  plugin('openssl', 'libstrongswan-standard-plugins'),
  plugin('kdf', 'libstrongswan'),
  plugin('vici', 'strongswan-swanctl'),
  { what: 'freeradius', pkg: 'freeradius', why: 'comparison RADIUS/EAP-TTLS server' },
  { what: '/usr/lib/freeradius/rlm_eap_ttls.so', pkg: 'freeradius', why: 'FreeRADIUS EAP-TTLS module' },
  { what: 'radclient', pkg: 'freeradius-utils', why: 'RADIUS client (PAP, Status-Server, accounting)' },
  { what: 'eapol_test', pkg: 'eapoltest', why: 'EAP-TTLS peer over RADIUS' },
  { what: 'tshark', pkg: 'tshark', why: 'packet captures when debugging', optional: true },
  { what: '/dev/net/tun', pkg: '(kernel: TUN device)', why: 'kernel-libipsec userspace ESP' },
];

function found(what: string): boolean {
  if (what.startsWith('/')) return existsSync(what);
  for (const dir of (process.env['PATH'] ?? '').split(delimiter).concat(['/usr/sbin', '/sbin'])) {
    try {
      accessSync(join(dir, what), constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

export function missingPeers(includeOptional = false): Requirement[] {
  return REQUIREMENTS.filter((r) => (includeOptional || !r.optional) && !found(r.what));
}

/** The apt-get line that installs everything the integration tests need (PEERS.md "Packages"). */
export const APT_LINE =
  'apt-get install -y strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-extra-plugins ' +
  'libstrongswan-standard-plugins strongswan-pki freeradius freeradius-utils eapoltest iproute2 iputils-ping tshark';

export function missingMessage(missing: readonly Requirement[]): string {
  const pkgs = [...new Set(missing.map((m) => m.pkg).filter((p) => !p.startsWith('(')))];
  const lines = missing.map((m) => `  missing ${m.what} (${m.why}) — package ${m.pkg}`);
  if (pkgs.length > 0) lines.push(`install with:\n  apt-get update && apt-get install -y ${pkgs.join(' ')}`);
  lines.push(`full peer set:\n  ${APT_LINE}`);
  return lines.join('\n');
}

/** Throws with the apt-get line when a required peer is missing; also requires root. */
export function assertPeers(): void {
  const missing = missingPeers();
  if (missing.length > 0) throw new Error(`integration peers missing:\n${missingMessage(missing)}`);
  if (process.getuid?.() !== 0) throw new Error('integration tests need root (network namespaces, charon)');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const missing = missingPeers(true);
  const required = missing.filter((m) => !m.optional);
  if (missing.length === 0) {
    process.stdout.write('integration peers: all present\n');
  } else {
    process.stdout.write(`${missingMessage(missing)}\n`);
  }
  if (process.getuid?.() !== 0) process.stdout.write('warning: not root; namespaces and charon need root\n');
  process.exitCode = required.length > 0 ? 1 : 0;
}
