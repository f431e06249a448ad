/**
 * PAP load (RFC 2865 section 5.2): Access-Request with User-Name, User-Password hidden with the
 * Request Authenticator, and Message-Authenticator (RFC 3579 section 3.2, required by both
 * servers' client entry). An operation succeeds on a verified Access-Accept.
 */
import { randomFillSync } from 'node:crypto';
import { AttributeType, PacketCode, buildRequest, hidePassword } from '../../radius/index.js';
import type { BenchUser } from '../users.js';
import type { OpOutcome } from './closed-loop.js';
import type { RadiusMux } from './mux.js';

export function papOperation(mux: RadiusMux, users: readonly BenchUser[], secret: string): (user: number) => Promise<OpOutcome> {
  const names = users.map((u) => Buffer.from(u.name, 'utf8'));
  return async (index) => {
    const user = users[index] as BenchUser;
    const build = (identifier: number): Buffer => {
      const authenticator = randomFillSync(Buffer.alloc(16));
      return buildRequest({
        code: PacketCode.AccessRequest,
        identifier,
        authenticator,
        secret,
        addMessageAuthenticator: true,
        attributes: [
          { type: AttributeType.UserName, value: names[index] as Buffer },
          { type: AttributeType.UserPassword, value: hidePassword(user.password, secret, authenticator) },
        ],
      });
    };
    // FreeRADIUS 3.2.1 signs PAP replies without Message-Authenticator: accept it absent, not wrong.
    const reply = await mux.request(build, false);
    if (reply.kind === 'timeout') return { kind: 'timeout', roundTrips: 1 };
    if (reply.packet.code === PacketCode.AccessAccept) return { kind: 'ok', roundTrips: 1 };
    return { kind: 'failed', reason: `code ${reply.packet.code}`, roundTrips: 1 };
  };
}
