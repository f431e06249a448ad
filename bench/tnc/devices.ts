/**
 * The virtual endpoints of the posture benchmark: device `i` (user `i`) has its own ITA Device ID
 * and a HostSource (imc-imv HostSource) with fixed posture, so the OS and Scanner IMCs of the load
 * generator report it instead of this machine:
 *
 *   /etc/os-release          this machine's (Debian 12: product 'Debian 12 x86_64')
 *   /var/lib/dpkg/status     this machine's installed packages (name, status, version only: the
 *                            IMC sends the same Installed Packages attribute, ~19-25 KB, without
 *                            parsing 700 KB per assessment), plus `bench-blacklisted` for some
 *   /proc/sys/net/ipv4/ip_forward, /proc/net/tcp   forwarding and listening ports per device
 *
 * Device i by i % 6 (half the devices compliant, the other half failing one check each):
 *   0, 2, 4  compliant                          -> allow
 *   1        blacklisted package installed      -> isolate
 *   3        IP forwarding enabled              -> isolate
 *   5        TCP port 23 listening on 0.0.0.0   -> isolate
 * Both servers get the equivalent policy (bench/tnc/policy.ts).
 */
import { readFileSync } from 'node:fs';
import type { HostSource } from '../../imc-imv/index.js';

export const BLACKLISTED_PACKAGE = 'bench-blacklisted';
export const BLOCKED_TCP_PORT = 23;

export type DeviceFlaw = 'none' | 'package' | 'forwarding' | 'port';
export type Decision = 'allow' | 'isolate';

export function deviceFlaw(i: number): DeviceFlaw {
  switch (i % 6) {
    case 1:
      return 'package';
    case 3:
      return 'forwarding';
    case 5:
      return 'port';
    default:
      return 'none';
  }
}

export const expectedDecision = (i: number): Decision => (deviceFlaw(i) === 'none' ? 'allow' : 'isolate');

/** A 32-hex-digit device id (as /etc/machine-id), distinct per device. */
export const deviceIdOf = (i: number): string => `b3c0${(i + 1).toString(16).padStart(28, '0')}`;

/** The installed packages of `dpkgStatus` reduced to the fields the OS IMC reads. */
export function reducedDpkgStatus(dpkgStatus: string): string {
  const out: string[] = [];
  for (const paragraph of dpkgStatus.split(/\n[ \t]*\n/)) {
    const get = (field: string): string | undefined => new RegExp(`^${field}:[ \\t]*(.*)$`, 'm').exec(paragraph)?.[1]?.trim();
    const name = get('Package');
    const status = get('Status');
    const version = get('Version');
    if (name && status && version) out.push(`Package: ${name}\nStatus: ${status}\nVersion: ${version}\n`);
  }
  return out.join('\n');
}

const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
const UDP_HEADER = '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops';

function listenLine(n: number, port: number): string {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return `   ${n}: 00000000:${hex} 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 ${1000 + n} 1 0000000000000000 100 0 0 10 0`;
}

export interface DeviceFiles {
  readonly osRelease: string;
  readonly packages: string;
  readonly uptime: string;
}

/** Reads this machine's os-release and dpkg status once. */
export function loadDeviceFiles(dpkgStatusPath = '/var/lib/dpkg/status'): DeviceFiles {
  return {
    osRelease: readFileSync('/etc/os-release', 'utf8'),
    packages: reducedDpkgStatus(readFileSync(dpkgStatusPath, 'utf8')),
    uptime: '123456.78 234567.89\n',
  };
}

/** The HostSource of device `i`. */
export function deviceSource(i: number, files: DeviceFiles, machine: string): HostSource {
  const flaw = deviceFlaw(i);
  const ports = [22, ...(flaw === 'port' ? [BLOCKED_TCP_PORT] : [])];
  const text: Record<string, string> = {
    '/etc/os-release': files.osRelease,
    '/etc/machine-id': `${deviceIdOf(i)}\n`,
    '/proc/sys/net/ipv4/ip_forward': flaw === 'forwarding' ? '1\n' : '0\n',
    '/proc/uptime': files.uptime,
    '/var/lib/dpkg/status':
      flaw === 'package' ? `${files.packages}\nPackage: ${BLACKLISTED_PACKAGE}\nStatus: install ok installed\nVersion: 1.0-1\n` : files.packages,
    '/proc/net/tcp': [TCP_HEADER, ...ports.map((p, n) => listenLine(n, p))].join('\n') + '\n',
    '/proc/net/tcp6': `${TCP_HEADER}\n`,
    '/proc/net/udp': `${UDP_HEADER}\n`,
    '/proc/net/udp6': `${UDP_HEADER}\n`,
  };
  return {
    readText: async (path) => text[path],
    machine: () => machine,
    now: () => new Date(),
  };
}
