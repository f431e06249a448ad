/** Endpoint snapshots for the IF-MAP tests (the reference scenario's carol and dave). */
import type { EndpointSnapshot } from '../ifmap/index.js';

export const AT = Date.UTC(2024, 4, 1, 10, 0, 0);

/** carol: healthy, on the full network, with a virtual IP and a MAC. */
export const carol: EndpointSnapshot = {
  sessionKey: 's1',
  identity: { name: 'carol@strongswan.org', type: 'username' },
  ip: '10.1.0.50',
  outerIp: '192.168.0.100',
  mac: '02-00-00-AA-BB-01',
  pep: { name: 'moon', address: '192.168.0.1' },
  capabilities: ['allow'],
  roles: ['allow'],
  recommendation: 'allow',
  enforced: 'allow',
  device: { id: 'carol-device-id', product: 'Debian 12 x86_64', groups: ['Debian', 'Linux'] },
  violations: [],
  at: AT,
};

/** dave: an open telnet port; isolated, with the failed policy. */
export const dave: EndpointSnapshot = {
  sessionKey: 's2',
  identity: { name: 'dave@strongswan.org', type: 'username' },
  ip: '10.2.0.7',
  outerIp: '192.168.0.200',
  pep: { name: 'moon' },
  capabilities: ['isolate'],
  roles: ['isolate'],
  recommendation: 'isolate',
  enforced: 'isolate',
  device: { id: 'dave-device-id', product: 'Ubuntu 22.04 x86_64', groups: ['Ubuntu', 'Linux'], model: 'ThinkPad X1', deviceType: 'laptop' },
  violations: [{ policy: 'no-telnet-port', reasons: ['tcp/23 is open'], recommendation: 'isolate' }],
  at: AT,
};

/** Refused: no IP; a user name with every XML special character; an 'other' identity. */
export const mallory: EndpointSnapshot = {
  sessionKey: 'x<&>"\'3',
  identity: { name: 'mal<lo>ry&"co\'\u0001\n', type: 'other', otherTypeDefinition: '36906:eap-identity' },
  outerIp: '2001:DB8::0:1',
  pep: { name: 'moon & co' },
  capabilities: [],
  roles: [],
  recommendation: 'no-access',
  enforced: 'no-access',
  device: { id: 'dev<&>' },
  violations: [
    { policy: 'no-telnet-server', reasons: ['package telnetd <0.17> installed & running'] },
    { policy: 'av"]]>"', reasons: [] },
  ],
  at: AT,
};
