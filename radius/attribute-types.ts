/**
 * RADIUS attribute types and their data types: RFC 2865 section 5 (with 5.44's table), RFC 2866
 * section 5, RFC 2868 section 3, RFC 2869 section 5, RFC 3162 section 2, RFC 3579 section 3 and
 * RFC 5176 section 3.5. Data, so one table.
 *
 *    0                   1                   2
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 *   |     Type      |    Length     |  Value ...
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-
 *
 * Data types are RFC 2865 section 5's (text, string, address, integer, time) plus RFC 3162's IPv6
 * ones and RFC 8044's name "vsa" for Vendor-Specific. `tagged` marks RFC 2868 attributes whose
 * value starts with (or, for integers, overlays) a Tag octet; `hidden` marks values that are
 * obscured with the shared secret (RFC 2865 section 5.2, RFC 2868 section 3.5).
 */

export const AttributeType = {
  // RFC 2865
  UserName: 1,
  UserPassword: 2,
  CHAPPassword: 3,
  NASIPAddress: 4,
  NASPort: 5,
  ServiceType: 6,
  FramedProtocol: 7,
  FramedIPAddress: 8,
  FramedIPNetmask: 9,
  FramedRouting: 10,
  FilterId: 11,
  FramedMTU: 12,
  FramedCompression: 13,
  LoginIPHost: 14,
  LoginService: 15,
  LoginTCPPort: 16,
  ReplyMessage: 18,
  CallbackNumber: 19,
  CallbackId: 20,
  FramedRoute: 22,
  FramedIPXNetwork: 23,
  State: 24,
  Class: 25,
  VendorSpecific: 26,
  SessionTimeout: 27,
  IdleTimeout: 28,
  TerminationAction: 29,
  CalledStationId: 30,
  CallingStationId: 31,
  NASIdentifier: 32,
  ProxyState: 33,
  LoginLATService: 34,
  LoginLATNode: 35,
  LoginLATGroup: 36,
  FramedAppleTalkLink: 37,
  FramedAppleTalkNetwork: 38,
  FramedAppleTalkZone: 39,
  // RFC 2866
  AcctStatusType: 40,
  AcctDelayTime: 41,
  AcctInputOctets: 42,
  AcctOutputOctets: 43,
  AcctSessionId: 44,
  AcctAuthentic: 45,
  AcctSessionTime: 46,
  AcctInputPackets: 47,
  AcctOutputPackets: 48,
  AcctTerminateCause: 49,
  AcctMultiSessionId: 50,
  AcctLinkCount: 51,
  // RFC 2869
  AcctInputGigawords: 52,
  AcctOutputGigawords: 53,
  EventTimestamp: 55,
  // RFC 2865
  CHAPChallenge: 60,
  NASPortType: 61,
  PortLimit: 62,
  LoginLATPort: 63,
  // RFC 2868
  TunnelType: 64,
  TunnelMediumType: 65,
  TunnelClientEndpoint: 66,
  TunnelServerEndpoint: 67,
  TunnelPassword: 69,
  // RFC 2869
  ARAPPassword: 70,
  ARAPFeatures: 71,
  ARAPZoneAccess: 72,
  ARAPSecurity: 73,
  ARAPSecurityData: 74,
  PasswordRetry: 75,
  Prompt: 76,
  ConnectInfo: 77,
  ConfigurationToken: 78,
  // RFC 3579 (first defined in RFC 2869)
  EAPMessage: 79,
  MessageAuthenticator: 80,
  // RFC 2868
  TunnelPrivateGroupId: 81,
  TunnelAssignmentId: 82,
  TunnelPreference: 83,
  // RFC 2869
  ARAPChallengeResponse: 84,
  AcctInterimInterval: 85,
  NASPortId: 87,
  FramedPool: 88,
  // RFC 2868
  TunnelClientAuthId: 90,
  TunnelServerAuthId: 91,
  // RFC 3162
  NASIPv6Address: 95,
  FramedInterfaceId: 96,
  FramedIPv6Prefix: 97,
  LoginIPv6Host: 98,
  FramedIPv6Route: 99,
  FramedIPv6Pool: 100,
  // RFC 5176
  ErrorCause: 101,
} as const;

export type AttributeType = (typeof AttributeType)[keyof typeof AttributeType];

export type AttributeDataType =
  | 'text'
  | 'string'
  | 'address'
  | 'integer'
  | 'time'
  | 'ipv6addr'
  | 'ipv6prefix'
  | 'ifid'
  | 'vsa';

export interface AttributeDefinition {
  readonly type: number;
  readonly name: string;
  readonly dataType: AttributeDataType;
  /** RFC 2868 section 3: the value carries a Tag octet. */
  readonly tagged: boolean;
  /** Value obscured with the shared secret: 'user-password' (RFC 2865 s5.2) or 'salted' (RFC 2868 s3.5). */
  readonly hidden?: 'user-password' | 'salted';
}

type Row = readonly [number, string, AttributeDataType, ('tagged' | 'user-password' | 'tagged+salted')?];

const rows: readonly Row[] = [
  [1, 'User-Name', 'text'],
  [2, 'User-Password', 'string', 'user-password'],
  [3, 'CHAP-Password', 'string'],
  [4, 'NAS-IP-Address', 'address'],
  [5, 'NAS-Port', 'integer'],
  [6, 'Service-Type', 'integer'],
  [7, 'Framed-Protocol', 'integer'],
  [8, 'Framed-IP-Address', 'address'],
  [9, 'Framed-IP-Netmask', 'address'],
  [10, 'Framed-Routing', 'integer'],
  [11, 'Filter-Id', 'text'],
  [12, 'Framed-MTU', 'integer'],
  [13, 'Framed-Compression', 'integer'],
  [14, 'Login-IP-Host', 'address'],
  [15, 'Login-Service', 'integer'],
  [16, 'Login-TCP-Port', 'integer'],
  [18, 'Reply-Message', 'text'],
  [19, 'Callback-Number', 'string'],
  [20, 'Callback-Id', 'string'],
  [22, 'Framed-Route', 'text'],
  [23, 'Framed-IPX-Network', 'integer'],
  [24, 'State', 'string'],
  [25, 'Class', 'string'],
  [26, 'Vendor-Specific', 'vsa'],
  [27, 'Session-Timeout', 'integer'],
  [28, 'Idle-Timeout', 'integer'],
  [29, 'Termination-Action', 'integer'],
  [30, 'Called-Station-Id', 'string'],
  [31, 'Calling-Station-Id', 'string'],
  [32, 'NAS-Identifier', 'string'],
  [33, 'Proxy-State', 'string'],
  [34, 'Login-LAT-Service', 'string'],
  [35, 'Login-LAT-Node', 'string'],
  [36, 'Login-LAT-Group', 'string'],
  [37, 'Framed-AppleTalk-Link', 'integer'],
  [38, 'Framed-AppleTalk-Network', 'integer'],
  [39, 'Framed-AppleTalk-Zone', 'string'],
  [40, 'Acct-Status-Type', 'integer'],
  [41, 'Acct-Delay-Time', 'integer'],
  [42, 'Acct-Input-Octets', 'integer'],
  [43, 'Acct-Output-Octets', 'integer'],
  [44, 'Acct-Session-Id', 'text'],
  [45, 'Acct-Authentic', 'integer'],
  [46, 'Acct-Session-Time', 'integer'],
  [47, 'Acct-Input-Packets', 'integer'],
  [48, 'Acct-Output-Packets', 'integer'],
  [49, 'Acct-Terminate-Cause', 'integer'],
  [50, 'Acct-Multi-Session-Id', 'string'],
  [51, 'Acct-Link-Count', 'integer'],
  [52, 'Acct-Input-Gigawords', 'integer'],
  [53, 'Acct-Output-Gigawords', 'integer'],
  [55, 'Event-Timestamp', 'time'],
  [60, 'CHAP-Challenge', 'string'],
  [61, 'NAS-Port-Type', 'integer'],
  [62, 'Port-Limit', 'integer'],
  [63, 'Login-LAT-Port', 'string'],
  [64, 'Tunnel-Type', 'integer', 'tagged'],
  [65, 'Tunnel-Medium-Type', 'integer', 'tagged'],
  [66, 'Tunnel-Client-Endpoint', 'string', 'tagged'],
  [67, 'Tunnel-Server-Endpoint', 'string', 'tagged'],
  [69, 'Tunnel-Password', 'string', 'tagged+salted'],
  [70, 'ARAP-Password', 'string'],
  [71, 'ARAP-Features', 'string'],
  [72, 'ARAP-Zone-Access', 'integer'],
  [73, 'ARAP-Security', 'integer'],
  [74, 'ARAP-Security-Data', 'string'],
  [75, 'Password-Retry', 'integer'],
  [76, 'Prompt', 'integer'],
  [77, 'Connect-Info', 'text'],
  [78, 'Configuration-Token', 'string'],
  [79, 'EAP-Message', 'string'],
  [80, 'Message-Authenticator', 'string'],
  [81, 'Tunnel-Private-Group-Id', 'string', 'tagged'],
  [82, 'Tunnel-Assignment-Id', 'string', 'tagged'],
  [83, 'Tunnel-Preference', 'integer', 'tagged'],
  [84, 'ARAP-Challenge-Response', 'string'],
  [85, 'Acct-Interim-Interval', 'integer'],
  [87, 'NAS-Port-Id', 'text'],
  [88, 'Framed-Pool', 'string'],
  [90, 'Tunnel-Client-Auth-ID', 'string', 'tagged'],
  [91, 'Tunnel-Server-Auth-ID', 'string', 'tagged'],
  [95, 'NAS-IPv6-Address', 'ipv6addr'],
  [96, 'Framed-Interface-Id', 'ifid'],
  [97, 'Framed-IPv6-Prefix', 'ipv6prefix'],
  [98, 'Login-IPv6-Host', 'ipv6addr'],
  [99, 'Framed-IPv6-Route', 'text'],
  [100, 'Framed-IPv6-Pool', 'string'],
  [101, 'Error-Cause', 'integer'],
];

function definition([type, name, dataType, flag]: Row): AttributeDefinition {
  const base = { type, name, dataType, tagged: flag === 'tagged' || flag === 'tagged+salted' };
  if (flag === 'user-password') return { ...base, hidden: 'user-password' };
  if (flag === 'tagged+salted') return { ...base, hidden: 'salted' };
  return base;
}

/** Every attribute this library knows, keyed by type. Unknown types are kept as raw octets. */
export const ATTRIBUTE_DEFINITIONS: ReadonlyMap<number, AttributeDefinition> = new Map(
  rows.map((row) => [row[0], definition(row)]),
);

/** The RFC name of an attribute type ("User-Name"), or undefined when it is not in the table. */
export function attributeName(type: number): string | undefined {
  return ATTRIBUTE_DEFINITIONS.get(type)?.name;
}
