/**
 * One posture assessment of this endpoint: the IMC manager's PB-TNC client session over
 *
 *   PT-TLS (RFC 6876)  TLS + optional SASL PLAIN, then PB-TNC batches (../pt-tls/client.ts), or
 *   RADIUS             this process is NAS and supplicant at once: EAP-TTLS with inner
 *                      MD5-Challenge then PT-EAP (RFC 7171) inside Access-Request/-Challenge,
 *                      like ../test/nas.ts, until Access-Accept or Access-Reject.
 *
 * Failures a person can act on (refused, timeout, untrusted certificate, bad credentials) become
 * a TncClientError with a stable `code` and a message that says what to check.
 */
import { isIP } from 'node:net';
import { AttributeType, PacketCode, getAttribute, joinEapMessage, splitEapMessage } from '../../radius/index.js';
import { RadiusClientError, RadiusUdpClient } from '../../radius/client.js';
import { AccessRecommendation, PT_TLS_LIMITS, type PbPaMessage } from '../../tnc/index.js';
import { EapPeer, md5ChallengePeer, peerSequence, ttlsPeerMethod } from '../eap/index.js';
import { PtTlsClientError, runPtTlsClient } from '../pt-tls/client.js';
import type { ImcManager, TncOutcome } from './imc-manager.js';
import { ptEapClient } from './pt-eap-client.js';

export type TncTransport =
  | { readonly kind: 'pt-tls'; readonly host: string; readonly port: number }
  | { readonly kind: 'radius'; readonly host: string; readonly port: number; readonly secret: string };

export interface TncClientOptions {
  readonly transport: TncTransport;
  readonly user?: string;
  readonly password?: string;
  /** PEM of the CA that signed the server certificate. */
  readonly ca?: string;
  /** Name the server certificate must carry (default: the host). */
  readonly serverName?: string;
  /** Deadline for the (first) assessment (default 30 s). */
  readonly timeoutMs?: number;
  readonly progress?: (line: string) => void;
  /**
   * PT-TLS only: stay connected after the RESULT so the PDP can re-assess this endpoint (PB-TNC
   * SRETRY); every new outcome also reaches the manager's `outcome` event. Ends when `signal`
   * aborts (a CLOSE batch goes out) or the PDP closes the connection; the result is the last outcome.
   */
  readonly watch?: { readonly signal?: AbortSignal };
  /**
   * RADIUS only: the outer EAP identity and User-Name (default 'anonymous', which keeps the user
   * inside the tunnel). A NAS such as strongSwan's eap-radius sends the user's own EAP identity,
   * and strongSwan's tnc-pdp keys its RADIUS conversations by it.
   */
  readonly outerIdentity?: string;
  /** RADIUS only: told the number of each Access-Request round trip as it starts. */
  readonly onRoundTrip?: (n: number) => void;
}

export type TncClientErrorCode =
  | 'CONNECTION_REFUSED'
  | 'HOST_NOT_FOUND'
  | 'TIMEOUT'
  | 'CERTIFICATE_UNTRUSTED'
  | 'AUTHENTICATION_FAILED'
  | 'PROTOCOL_ERROR'
  | 'NO_RESULT';

export class TncClientError extends Error {
  override readonly name = 'TncClientError';
  constructor(
    readonly code: TncClientErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface TncClientResult {
  readonly outcome: TncOutcome;
  /** RADIUS only: the final packet's code and Filter-Id. */
  readonly radius?: { readonly accepted: boolean; readonly filterId: string | undefined };
}

const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Runs one assessment with `manager`'s IMCs; rejects with TncClientError. */
export async function runTncClient(options: TncClientOptions, manager: ImcManager): Promise<TncClientResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TncClientError('TIMEOUT', `no posture result within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    if (options.watch && options.transport.kind !== 'pt-tls') throw new TncClientError('PROTOCOL_ERROR', 'watching (re-assessment on an open connection) needs PT-TLS');
    const first = await manager.begin();
    // Watching, the deadline covers the first assessment; the PDP starts the later ones.
    const firstResult = () => clearTimeout(timer);
    const run = options.transport.kind === 'pt-tls' ? overPtTls(options, options.transport, manager, first, timeoutMs, firstResult) : overRadius(options, options.transport, manager, first);
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
    await manager.close();
  }
}

async function overPtTls(
  o: TncClientOptions,
  t: Extract<TncTransport, { kind: 'pt-tls' }>,
  manager: ImcManager,
  first: PbPaMessage[],
  timeoutMs: number,
  onFirstResult: () => void,
): Promise<TncClientResult> {
  const where = `${t.host}:${t.port}`;
  o.progress?.(`connecting to ${where} (PT-TLS)${o.watch ? ', staying connected for re-assessments' : ''}`);
  const session = manager.createSession({ limits: PT_TLS_LIMITS, firstMessages: first, ...(o.watch ? { afterResult: 'stay' as const } : {}) });
  try {
    await runPtTlsClient(
      {
        host: t.host,
        port: t.port,
        // No SNI for an IP address (RFC 6066); the certificate is then checked against the IP.
        servername: o.serverName ?? (isIP(t.host) ? '' : t.host),
        timeoutMs,
        ...(o.ca ? { ca: o.ca } : {}),
        ...(o.user !== undefined && o.password !== undefined ? { sasl: { user: o.user, password: o.password } } : {}),
        ...(o.watch ? { keepOpen: { ...(o.watch.signal ? { signal: o.watch.signal } : {}), onResult: onFirstResult } } : {}),
      },
      session,
    );
  } catch (e) {
    throw describe(e, where);
  }
  const outcome = manager.outcome;
  if (!outcome) throw new TncClientError('NO_RESULT', `${where} closed the PB-TNC session without a result`);
  return { outcome };
}

async function overRadius(o: TncClientOptions, t: Extract<TncTransport, { kind: 'radius' }>, manager: ImcManager, first: PbPaMessage[]): Promise<TncClientResult> {
  const where = `${t.host}:${t.port}`;
  if (o.user === undefined || o.password === undefined) throw new TncClientError('AUTHENTICATION_FAILED', 'RADIUS needs --user and --password');
  if (!o.ca) throw new TncClientError('CERTIFICATE_UNTRUSTED', 'EAP-TTLS needs --ca FILE: the CA that signed the PDP certificate');
  const session = manager.createSession();
  const outer = o.outerIdentity ?? 'anonymous';
  const peer = new EapPeer({
    identity: outer,
    maxRounds: 1000,
    methods: [
      ttlsPeerMethod({
        tls: { ca: o.ca, serverName: o.serverName ?? t.host },
        innerIdentity: o.user,
        password: o.password,
        phase2: 'eap',
        innerMethods: [peerSequence([md5ChallengePeer(o.password), ptEapClient({ session, firstMessages: first })])],
        maxMessageLength: 4 * (16384 + 2048),
      }),
    ],
  });
  const client = new RadiusUdpClient({ server: { address: t.host, port: t.port }, secret: t.secret, timeoutMs: 3000, tries: 3 });
  o.progress?.(`sending EAP-TTLS to RADIUS server ${where} as NAS`);
  try {
    let eap = peer.identityResponse(1);
    let state: Buffer | undefined;
    for (let round = 1; round <= 1000; round++) {
      o.onRoundTrip?.(round);
      const attributes = [
        { type: AttributeType.UserName, value: Buffer.from(outer, 'utf8') },
        ...splitEapMessage(eap),
        ...(state ? [{ type: AttributeType.State, value: state }] : []),
      ];
      const { packet } = await client.request(PacketCode.AccessRequest, attributes);
      const reply = joinEapMessage(packet.attributes);
      if (packet.code !== PacketCode.AccessChallenge) {
        const accepted = packet.code === PacketCode.AccessAccept;
        const step = reply ? await peer.receive(reply) : undefined;
        o.progress?.(`${accepted ? 'Access-Accept' : 'Access-Reject'} after ${round} round trips`);
        const filterId = getAttribute(packet, AttributeType.FilterId)?.toString('utf8');
        const outcome = manager.outcome;
        if (!outcome) {
          if (accepted) throw new TncClientError('NO_RESULT', `${where} accepted without a posture assessment (is eap.tnc set on the PDP?)`);
          if (manager.started) throw new TncClientError('NO_RESULT', `${where} sent Access-Reject during the posture assessment, without a result (see the PDP log)`);
          throw new TncClientError('AUTHENTICATION_FAILED', `${where} rejected the authentication of '${o.user}' (check --user/--password)`);
        }
        if (accepted && step?.kind !== 'success') throw new TncClientError('PROTOCOL_ERROR', 'Access-Accept, but the EAP conversation did not end in success');
        return { outcome, radius: { accepted, filterId } };
      }
      state = getAttribute(packet, AttributeType.State);
      if (!reply) throw new TncClientError('PROTOCOL_ERROR', 'Access-Challenge without EAP-Message');
      const step = await peer.receive(reply);
      if (step.kind === 'failure' || step.kind === 'discard') throw eapFailure(step.reason, o);
      if (step.kind !== 'response') throw new TncClientError('PROTOCOL_ERROR', `EAP ${step.kind} before the end`);
      eap = step.eap;
    }
    throw new TncClientError('PROTOCOL_ERROR', 'no end after 1000 round trips');
  } catch (e) {
    throw describe(e, where);
  } finally {
    client.close();
  }
}

function eapFailure(reason: string, o: TncClientOptions): TncClientError {
  if (/cert|verify|altname|self.signed|issuer/i.test(reason)) {
    return new TncClientError('CERTIFICATE_UNTRUSTED', `the PDP certificate is not trusted (${reason}): check --ca and --server-name${o.serverName ? '' : ' (default: the host name)'}`);
  }
  // Other TLS failures (versions, ciphers, protocol alerts) are not about trust: say what failed.
  if (reason.startsWith('tls-')) return new TncClientError('PROTOCOL_ERROR', `the TLS handshake with the PDP failed (${reason})`);
  return new TncClientError('PROTOCOL_ERROR', `EAP failed: ${reason}`);
}

/** An actionable TncClientError for whatever the transports threw. */
export function describe(e: unknown, where: string): TncClientError {
  if (e instanceof TncClientError) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'ECONNREFUSED') return new TncClientError('CONNECTION_REFUSED', `connection refused by ${where}: is the PDP running and listening there?`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new TncClientError('HOST_NOT_FOUND', `cannot resolve ${where.replace(/:\d+$/, '')}`);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return new TncClientError('TIMEOUT', `${where} unreachable (${code})`);
  if (typeof code === 'string' && CERT_CODES.has(code)) {
    return new TncClientError('CERTIFICATE_UNTRUSTED', `the server certificate of ${where} is not trusted (${code}): pass --ca with the PDP's CA and --server-name with the name in its certificate`);
  }
  if (e instanceof RadiusClientError && e.code === 'RADIUS_TIMEOUT') {
    return new TncClientError('TIMEOUT', `no answer from the RADIUS server ${where}: is it running, is this host one of its clients, is the --secret right?`);
  }
  if (e instanceof PtTlsClientError) {
    if (e.code === 'PTTLS_CLIENT_TIMEOUT') return new TncClientError('TIMEOUT', `${where}: ${message}`);
    if (e.code === 'PTTLS_CLIENT_AUTH_FAILED') return new TncClientError('AUTHENTICATION_FAILED', `${where} refused the credentials (${message}): check --user/--password`);
    if (/alert|certificate/i.test(message)) return new TncClientError('CERTIFICATE_UNTRUSTED', `${where}: TLS failed (${message})`);
    return new TncClientError('PROTOCOL_ERROR', `${where}: ${message}`);
  }
  return new TncClientError('PROTOCOL_ERROR', `${where}: ${message}`);
}

export const RECOMMENDATION_TEXT: Readonly<Record<number, string>> = {
  [AccessRecommendation.AccessAllowed]: 'Access Allowed',
  [AccessRecommendation.AccessDenied]: 'Access Denied',
  [AccessRecommendation.Quarantined]: 'Quarantined',
};
