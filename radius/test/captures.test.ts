/**
 * Byte vectors from captures of the real peers (STYLE.md tier 1): eapol_test 2.10, radclient 3.2
 * and strongSwan 5.9 (moon's eap-radius) talking to our PDP and, for comparison, to FreeRADIUS 3.2.
 * The datagrams and their shared secrets are in vectors/captures/ (README.md there says how they
 * were captured and how to capture them again with integration/capture-vectors.ts).
 *
 * For every captured datagram:
 * - decodePacket then encodePacket gives back the exact octets;
 * - requests verify with the capture's secret: Access-Request and Status-Server by their
 *   Message-Authenticator (RFC 3579 section 3.2, RFC 5997 section 3), Accounting-Request by its
 *   Request Authenticator (RFC 2866 section 3);
 * - responses verify against the Request Authenticator of the request they answer (RFC 2865
 *   section 3), with a valid Message-Authenticator whenever the request carried EAP-Message;
 * - EAP-Message attributes form one EAP packet of the length its header says (RFC 3579 s3.1);
 * - Access-Accepts of EAP conversations carry MS-MPPE-Recv-Key and -Send-Key that decrypt to
 *   32-octet keys (RFC 2548 section 2.4.2/2.4.3).
 * A wrong secret or a wrong Request Authenticator must fail every one of these checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AttributeType,
  MICROSOFT_VENDOR_ID,
  MicrosoftAttributeType,
  PacketCode,
  decodeMppeKeys,
  decodePacket,
  encodePacket,
  getAttribute,
  getAttributes,
  getVendorAttributes,
  joinEapMessage,
  packetCodeName,
  revealUserPassword,
  splitEapMessage,
  verifyMessageAuthenticator,
  verifyRequest,
  verifyRequestAuthenticator,
  verifyResponse,
  type RadiusPacket,
} from '../index.js';
import { loadCaptures, requestOf, type CapturedPacket, type CaptureScenario } from './vectors/captures/index.js';

const captures = loadCaptures();
const WRONG_SECRET = 'not-the-shared-secret';

const ACCESS_RESPONSES: ReadonlySet<number> = new Set([PacketCode.AccessAccept, PacketCode.AccessReject, PacketCode.AccessChallenge]);

function where(s: CaptureScenario, p: CapturedPacket): string {
  return `${s.dir}/${p.file}`;
}

function decoded(p: CapturedPacket): RadiusPacket {
  return decodePacket(p.bytes);
}

function requests(s: CaptureScenario): CapturedPacket[] {
  return s.packets.filter((p) => p.direction === 'client-to-server');
}

function responses(s: CaptureScenario): CapturedPacket[] {
  return s.packets.filter((p) => p.direction === 'server-to-client');
}

function carriesEap(p: CapturedPacket): boolean {
  return getAttribute(decoded(p), AttributeType.EAPMessage) !== undefined;
}

describe('captures of the real peers (vectors/captures)', () => {
  it('has the scenarios the README lists, for our PDP and for FreeRADIUS', () => {
    const dirs = captures.map((s) => s.dir);
    for (const name of ['eapol-ttls-md5-tls12', 'eapol-ttls-pap-tls12', 'eapol-ttls-md5-tls12-frag200', 'radclient-pap-status-acct', 'strongswan-gateway-ttls-md5']) {
      assert.ok(dirs.includes(name), `missing capture ${name}`);
      assert.ok(dirs.includes(`freeradius-${name}`), `missing capture freeradius-${name}`);
    }
    for (const s of captures) {
      assert.ok(s.packets.length >= 2, `${s.dir}: empty capture`);
      assert.equal(s.server, s.dir.startsWith('freeradius-') ? 'freeradius' : 'ours', s.dir);
    }
  });

  for (const s of captures) {
    describe(s.dir, () => {
      it('every datagram decodes and encodes back to the same octets', () => {
        for (const p of s.packets) {
          const packet = decoded(p);
          assert.equal(packet.code, p.code, where(s, p));
          assert.equal(packet.identifier, p.identifier, where(s, p));
          assert.equal(p.bytes.readUInt16BE(2), p.bytes.length, `${where(s, p)}: Length field = datagram size`);
          assert.deepEqual(encodePacket(packet), p.bytes, where(s, p));
        }
      });

      it('every request verifies with the shared secret and fails with another one', () => {
        for (const p of requests(s)) {
          const w = `${where(s, p)} (${packetCodeName(p.code)})`;
          switch (p.code) {
            case PacketCode.AccessRequest:
            case PacketCode.StatusServer:
              assert.equal(verifyMessageAuthenticator(p.bytes, s.secret), 'valid', w);
              assert.equal(verifyMessageAuthenticator(p.bytes, WRONG_SECRET), 'invalid', w);
              break;
            case PacketCode.AccountingRequest:
              assert.equal(verifyRequestAuthenticator(p.bytes, s.secret), true, w);
              assert.equal(verifyRequestAuthenticator(p.bytes, WRONG_SECRET), false, w);
              assert.notEqual(verifyMessageAuthenticator(p.bytes, s.secret), 'invalid', w);
              break;
            default:
              assert.fail(`${w}: unexpected request code ${p.code}`);
          }
          assert.equal(verifyRequest(p.bytes, s.secret).valid, true, w);
          assert.equal(verifyRequest(p.bytes, WRONG_SECRET).valid, false, w);
        }
      });

      it('every response verifies against the request it answers', () => {
        for (const p of responses(s)) {
          const request = requestOf(s, p);
          const w = `${where(s, p)} (${packetCodeName(p.code)}) answering ${request.file}`;
          const requestAuthenticator = decoded(request).authenticator;
          assert.equal(p.identifier, request.identifier, `${w}: Identifier`);
          const v = verifyResponse(p.bytes, requestAuthenticator, s.secret);
          assert.equal(v.authenticator, true, `${w}: Response Authenticator`);
          assert.equal(v.valid, true, w);
          // RFC 3579 section 3.2: a response to a request with EAP-Message carries Message-Authenticator.
          if (carriesEap(request)) assert.equal(v.messageAuthenticator, 'valid', `${w}: Message-Authenticator`);

          const otherAuthenticator = Buffer.from(requestAuthenticator);
          otherAuthenticator[0] = (otherAuthenticator[0] ?? 0) ^ 1;
          assert.equal(verifyResponse(p.bytes, otherAuthenticator, s.secret).valid, false, `${w}: other request`);
          assert.equal(verifyResponse(p.bytes, requestAuthenticator, WRONG_SECRET).valid, false, `${w}: wrong secret`);
        }
      });

      it('response codes fit the requests (Status-Server and PAP answered by Access-Accept, accounting by Accounting-Response)', () => {
        for (const p of responses(s)) {
          const request = requestOf(s, p);
          const expected =
            request.code === PacketCode.AccountingRequest ? [PacketCode.AccountingResponse]
            : request.code === PacketCode.StatusServer ? [PacketCode.AccessAccept]
            : [...ACCESS_RESPONSES];
          assert.ok(expected.includes(p.code), `${where(s, p)}: ${packetCodeName(p.code)} answering ${packetCodeName(request.code)}`);
        }
      });

      it('EAP-Message attributes form one EAP packet of the length its header says, framed as splitEapMessage frames it', () => {
        for (const p of s.packets) {
          const packet = decoded(p);
          const pieces = getAttributes(packet, AttributeType.EAPMessage);
          if (pieces.length === 0) continue;
          const eap = joinEapMessage(packet.attributes);
          assert.ok(eap, where(s, p));
          assert.equal(eap.readUInt16BE(2), eap.length, `${where(s, p)}: EAP Length`);
          assert.equal(eap.length, pieces.reduce((n, v) => n + v.length, 0), where(s, p));
          assert.deepEqual(
            splitEapMessage(eap).map((a) => a.value),
            pieces,
            `${where(s, p)}: the peer splits EAP-Message into 253-octet pieces as we do`,
          );
          // RFC 3579 section 3.3: EAP-Message needs a Message-Authenticator in the same packet.
          assert.equal(getAttributes(packet, AttributeType.MessageAuthenticator).length, 1, `${where(s, p)}: Message-Authenticator`);
        }
      });

      it('every Access-Challenge carries one State and the next Access-Request echoes it unmodified (RFC 2865 5.24)', () => {
        for (const [i, p] of s.packets.entries()) {
          if (p.code !== PacketCode.AccessChallenge) continue;
          const states = getAttributes(decoded(p), AttributeType.State);
          assert.equal(states.length, 1, `${where(s, p)}: State`);
          const next = s.packets.slice(i + 1).find((q) => q.code === PacketCode.AccessRequest && q.src === p.dst);
          assert.ok(next, `${where(s, p)}: no Access-Request follows`);
          assert.deepEqual(getAttribute(decoded(next), AttributeType.State), states[0], `${where(s, next)}: echoed State`);
        }
      });

      it("PAP User-Password reveals the user's password with the shared secret (RFC 2865 5.2)", () => {
        for (const p of requests(s)) {
          const packet = decoded(p);
          const hidden = getAttribute(packet, AttributeType.UserPassword);
          if (!hidden) continue;
          assert.equal(getAttribute(packet, AttributeType.UserName)?.toString('utf8'), s.user.name, where(s, p));
          assert.equal(revealUserPassword(hidden, s.secret, packet.authenticator).toString('utf8'), s.user.password, where(s, p));
          assert.notEqual(revealUserPassword(hidden, WRONG_SECRET, packet.authenticator).toString('latin1'), s.user.password);
        }
      });

      it('Access-Accepts of EAP conversations carry MS-MPPE keys: RFC 2548 framing, unique salts, 32-octet keys', () => {
        let accepts = 0;
        for (const p of responses(s)) {
          const request = requestOf(s, p);
          if (p.code !== PacketCode.AccessAccept || !carriesEap(request)) continue;
          accepts++;
          const packet = decoded(p);
          const w = where(s, p);
          const mppe = getVendorAttributes(packet, MICROSOFT_VENDOR_ID).filter(
            (a) => a.type === MicrosoftAttributeType.MSMPPERecvKey || a.type === MicrosoftAttributeType.MSMPPESendKey,
          );
          assert.deepEqual(mppe.map((a) => a.type).sort(), [MicrosoftAttributeType.MSMPPESendKey, MicrosoftAttributeType.MSMPPERecvKey].sort(), w);
          for (const a of mppe) {
            // Salt (2) + String: Key-Length (1) + 32-octet key + padding to a multiple of 16 = 48.
            assert.equal(a.value.length, 2 + 48, `${w}: vendor type ${a.type} length`);
            // "The most significant bit (leftmost) of the Salt field MUST be set (1)."
            assert.ok(((a.value[0] ?? 0) & 0x80) !== 0, `${w}: salt high bit`);
          }
          // "The contents of each Salt field in a given Access-Accept packet MUST be unique."
          assert.notDeepEqual(mppe[0]?.value.subarray(0, 2), mppe[1]?.value.subarray(0, 2), `${w}: salts`);
          const keys = decodeMppeKeys(packet, s.secret, decoded(request).authenticator);
          assert.ok(keys, w);
          assert.equal(keys.recvKey.length, 32, `${w}: MS-MPPE-Recv-Key`);
          assert.equal(keys.sendKey.length, 32, `${w}: MS-MPPE-Send-Key`);
          assert.notDeepEqual(keys.recvKey, keys.sendKey, w);
        }
        const eapConversation = s.packets.some(carriesEap);
        assert.equal(accepts, eapConversation ? 1 : 0, `${s.dir}: one accepted EAP conversation per EAP capture`);
      });

      if (s.server === 'ours') {
        it('our Access-Accept/-Reject/-Challenge put a valid Message-Authenticator first (BlastRADIUS advice)', () => {
          for (const p of responses(s)) {
            if (!ACCESS_RESPONSES.has(p.code)) continue;
            const packet = decoded(p);
            assert.equal(packet.attributes[0]?.type, AttributeType.MessageAuthenticator, where(s, p));
            assert.equal(verifyMessageAuthenticator(p.bytes, s.secret, decoded(requestOf(s, p)).authenticator), 'valid', where(s, p));
          }
        });
      }
    });
  }
});
