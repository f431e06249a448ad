/**
 * One posture policy, written for both servers (bench/tnc/devices.ts says which device fails what):
 *
 *   check                          ours (schemas/pdp-config posture)        strongSwan (libimcv database)
 *   installed packages, blacklist  os.requestInstalledPackages,             enforcement 'Installed Packages' (type 1),
 *                                  os.blacklistedPackages                   versions row blacklist = 1, release '*'
 *   IP forwarding disabled         os.requireForwardingDisabled             enforcement type 3
 *   TCP port 23 not open           scanner.blockedPorts tcp/23              enforcement type 12 ('23')
 *
 * Every failure isolates (strongSwan rec_fail = rec_noresult = 2), every check runs in every
 * session (max_age 0: no earlier pass is reused), and the worst IMV recommendation wins.
 */
import { ImvRec, WorkitemType, type StrongswanImvPolicy } from '../../integration/lib/strongswan-tnc-pdp.js';
import { BLACKLISTED_PACKAGE, BLOCKED_TCP_PORT } from './devices.js';

export function ourPosture(): Record<string, unknown> {
  return {
    imvs: {
      os: { requestInstalledPackages: true, blacklistedPackages: [BLACKLISTED_PACKAGE], requireForwardingDisabled: true },
      scanner: { blockedPorts: [`tcp/${BLOCKED_TCP_PORT}`] },
    },
    recommendationPolicy: 'default',
    noRecommendation: 'isolate',
    groups: { allow: 'allow', isolate: 'isolate' },
  };
}

/** `product`: what strongSwan's OS IMV makes of the devices' os-release ('Debian 12 x86_64'). */
export function strongswanPolicy(product: string): StrongswanImvPolicy {
  const isolate = { recFail: ImvRec.isolate, recNoResult: ImvRec.isolate, maxAge: 0 };
  return {
    product,
    blacklistedPackages: [BLACKLISTED_PACKAGE],
    enforcements: [
      { type: WorkitemType.packages, name: 'Installed Packages', ...isolate },
      { type: WorkitemType.forwarding, name: 'IP Forwarding Enabled', ...isolate },
      { type: WorkitemType.tcpPortBlock, name: 'TCP Blocked Ports', argument: String(BLOCKED_TCP_PORT), ...isolate },
    ],
  };
}
