/** Drives an authenticator and a peer against each other in-process (test helper). */
import type { AuthStep, EapAuthenticator } from '../authenticator.js';
import type { EapPeer, PeerStep } from '../peer/eap-peer.js';
import type { CredentialStore } from '../method.js';

export interface Transcript {
  readonly server: AuthStep;
  readonly peer: PeerStep | undefined;
  readonly rounds: number;
  readonly requests: Buffer[];
  readonly responses: Buffer[];
}

export function credentialStore(users: Record<string, string>): CredentialStore {
  return { lookup: async (name) => (name in users ? { password: users[name]! } : undefined) };
}

/**
 * NAS-style start: the peer's Response/Identity goes to `start()`, then packets are relayed until the
 * server accepts or rejects and the peer has seen the Success/Failure. `tamper` may rewrite
 * a Response before the server sees it.
 */
export async function converse(
  server: EapAuthenticator,
  peer: EapPeer,
  options: { maxRounds?: number; tamper?: (response: Buffer, round: number) => Buffer } = {},
): Promise<Transcript> {
  const requests: Buffer[] = [];
  const responses: Buffer[] = [];
  let step = await server.start(peer.identityResponse(7));
  let rounds = 0;
  while (step.kind === 'challenge') {
    if (++rounds > (options.maxRounds ?? 200)) throw new Error('conversation does not end');
    requests.push(step.eap);
    const answer = await peer.receive(step.eap);
    if (answer.kind !== 'response') return { server: step, peer: answer, rounds, requests, responses };
    const response = options.tamper ? options.tamper(answer.eap, rounds) : answer.eap;
    responses.push(response);
    step = await server.handle(response);
  }
  if (step.kind === 'discard') return { server: step, peer: undefined, rounds, requests, responses };
  const final = await peer.receive(step.eap);
  return { server: step, peer: final, rounds, requests, responses };
}
