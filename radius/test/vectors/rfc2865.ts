/**
 * RFC 2865 section 7 examples, kept as data. Shared secret "xyzzy5461" throughout.
 * Each Response Authenticator checks against its request (radius/test/authenticator.test.ts),
 * which also checks these octets: a single wrong octet would break the MD5.
 */
export const RFC2865_SECRET = 'xyzzy5461';

/** 7.1 User Telnet to Specified Host: nemo / arctangent, NAS 192.168.1.16 port 3. */
export const EXAMPLE_7_1 = {
  requestAuthenticator: '0f403f9473978057bd83d5cb98f4227a',
  hiddenPassword: '0dbe708d93d413ce3196e43f782a0aee',
  request:
    '01000038 0f403f9473978057bd83d5cb98f4227a' +
    '01066e656d6f' + // User-Name = "nemo"
    '02120dbe708d93d413ce3196e43f782a0aee' + // User-Password (hidden "arctangent")
    '0406c0a80110' + // NAS-IP-Address = 192.168.1.16
    '050600000003', // NAS-Port = 3
  accept:
    '02000026 86fe220e7624ba2a1005f6bf9b55e0b2' +
    '060600000001' + // Service-Type = Login-User
    '0f0600000000' + // Login-Service = Telnet
    '0e06c0a80103', // Login-IP-Host = 192.168.1.3
  responseAuthenticator: '86fe220e7624ba2a1005f6bf9b55e0b2',
} as const;

/** 7.2 Framed User Authenticating with CHAP: flopsy, NAS port 20, PPP. */
export const EXAMPLE_7_2 = {
  request:
    '01010047 2aee86f08d0d55969ca5978e0d3367a2' +
    '0108666c6f707379' + // User-Name = "flopsy"
    '031316e97557c316185895f293ff6344077275' + // CHAP-Password: ident 0x16 + 16-octet response
    '0406c0a80110' + // NAS-IP-Address = 192.168.1.16
    '050600000014' + // NAS-Port = 20
    '060600000002' + // Service-Type = Framed-User
    '070600000001', // Framed-Protocol = PPP
  accept:
    '02010038 15efbc7dab26cfa3dc34d9c03c8601a4' +
    '060600000002' + // Service-Type = Framed-User
    '070600000001' + // Framed-Protocol = PPP
    '0806fffffffe' + // Framed-IP-Address = 255.255.255.254
    '0a0600000002' + // Framed-Routing = Listen
    '0d0600000001' + // Framed-Compression = Van Jacobson TCP/IP
    '0c06000005dc', // Framed-MTU = 1500
} as const;

/** 7.3 User with Challenge-Response card: mopsy, challenge 32769430, response 99101462. */
export const EXAMPLE_7_3 = {
  request1:
    '01020039 f3a47a1f6a6d76710b947ab93041a039' +
    '01076d6f707379' + // User-Name = "mopsy"
    '0212336575737782 89b570885e15084825c5' + // User-Password (hidden "challenge")
    '0406c0a80110' + // NAS-IP-Address = 192.168.1.16
    '050600000007', // NAS-Port = 7
  challenge:
    '0b02004e 36f3c8764ae8c71157403c0c71ff9c45' +
    '12304368616c6c656e6765203332373639343330' + // Reply-Message = "Challenge 32769430.  Enter
    '2e2020456e74657220726573706f6e73652061742070726f6d70742e' + // response at prompt."
    '180a3332373639343330', // State = "32769430"
  /**
   * The dump printed in the RFC has a wrong Length octet in this packet's State attribute
   * (reported as an RFC erratum); this is the corrected packet, whose lengths add up to 0x43.
   */
  request2:
    '01030043 b122556d428a13d0d6253807c457ecf0' +
    '01076d6f707379' + // User-Name = "mopsy"
    '0212692c1f205fc081b919b95195f561a581' + // User-Password (hidden "99101462")
    '0406c0a80110' + // NAS-IP-Address = 192.168.1.16
    '050600000007' + // NAS-Port = 7
    '180a3332373639343330', // State = "32769430"
  reject: '03030014 a42f4fca45916c4e09c8340f9e746aa0',
} as const;

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}
