/**
 * EAP-TTLS phase 2 (RFC 5281 sections 7.4 and 11): the tunnel application that authenticates the
 * user with Diameter AVPs.
 *
 * - Inner PAP (section 11.2.5): User-Name + User-Password; the password's NUL padding is stripped.
 * - Inner EAP (section 11.2.1): EAP-Message AVPs carry inner EAP packets; several AVPs concatenate.
 *   The client starts: its first AVPs hold an EAP-Response/Identity (wpa_supplicant sends it with
 *   Identifier 0, often together with User-Name). A User-Name alone starts the inner EAP with that
 *   identity; no AVPs at all makes the server send an inner EAP-Request/Identity. Inner
 *   EAP-Success/Failure are not tunnelled: the outer EAP-Success/Failure follow
 *   (hostapd does the same).
 * - The inner policy is a factory of stages (authenticator.ts): default [[MD5-Challenge]]; a later
 *   stage such as PT-EAP runs after MD5 in the same tunnel. `afterPap` adds inner EAP stages after
 *   a successful PAP (hostapd starts EAP-TNC that way).
 * - An AVP with the M bit set that is not supported fails the authentication (section 10.1).
 */
import { EapAuthenticator, type AuthStep, type EapEvent, type MethodStage } from '../authenticator.js';
import { EapDecodeError } from '../errors.js';
import { md5ChallengeMethod } from '../md5-challenge.js';
import { secretsEqual } from '../secret.js';
import { AvpCode, avp, decodeAvps, eapMessageAvp, encodeAvps, type Avp } from './avp.js';
import type { TunnelAppOutput, TunnelApplication, TunnelApplicationFactory, TunnelContext } from './tunnel-application.js';

export interface InnerPolicyContext {
  readonly outerIdentity: string;
  readonly tlsVersion: string;
  /** How the user entered phase 2. */
  readonly via: 'eap' | 'pap';
  /** Known after PAP (for `afterPap`). */
  readonly innerIdentity?: string;
}

export type InnerStagesFactory = (context: InnerPolicyContext) => readonly MethodStage[];

export interface TtlsPhase2Options {
  /** Accept inner PAP (default true). */
  readonly allowPap?: boolean;
  /** Accept inner EAP (default true). */
  readonly allowEap?: boolean;
  /** Inner EAP policy (default: one stage, MD5-Challenge). */
  readonly innerStages?: InnerStagesFactory;
  /** Inner EAP stages to run after a successful PAP (default none). */
  readonly afterPap?: InnerStagesFactory;
  /** Upper bound on inner EAP Requests (default 20). */
  readonly maxInnerRounds?: number;
  readonly maxAvps?: number;
  readonly onEvent?: (event: EapEvent) => void;
}

const KNOWN_AVPS: ReadonlySet<number> = new Set([AvpCode.UserName, AvpCode.UserPassword, AvpCode.EapMessage]);
const MAX_PASSWORD_LENGTH = 256;
const MAX_RESENDS = 3;
const defaultInnerStages: InnerStagesFactory = () => [[md5ChallengeMethod()]];

interface ParsedAvps {
  readonly userName?: string;
  readonly userPassword?: Buffer;
  readonly eap?: Buffer;
}

export function ttlsPhase2(options: TtlsPhase2Options = {}): TunnelApplicationFactory {
  return (context) => new TtlsPhase2(context, options);
}

export class TtlsPhase2 implements TunnelApplication {
  readonly #context: TunnelContext;
  readonly #options: TtlsPhase2Options;
  #state: 'start' | 'eap' | 'done' = 'start';
  #inner: EapAuthenticator | undefined;
  #via: 'eap' | 'pap' = 'eap';
  #resends = 0;

  constructor(context: TunnelContext, options: TtlsPhase2Options) {
    this.#context = context;
    this.#options = options;
  }

  async process(plaintext: Buffer): Promise<TunnelAppOutput> {
    if (this.#state === 'done') return this.#failure('phase2-finished');
    let avps: readonly Avp[];
    try {
      avps = decodeAvps(plaintext, this.#options.maxAvps !== undefined ? { maxAvps: this.#options.maxAvps } : {});
    } catch (e) {
      if (e instanceof EapDecodeError) return this.#failure(e.code);
      throw e;
    }
    const unsupported = avps.find((a) => a.mandatory && (a.vendorId !== undefined || !KNOWN_AVPS.has(a.code)));
    if (unsupported) return this.#failure(`unsupported-mandatory-avp-${unsupported.vendorId ?? 0}-${unsupported.code}`);
    const parsed = parseAvps(avps);
    if (this.#state === 'start' && avps.length === 0 && (this.#options.allowEap ?? true)) {
      // The client sent no phase-2 data (it waits for us): ask for the inner identity.
      return this.#innerStep(await this.#newInner(this.#options.innerStages ?? defaultInnerStages, undefined).begin());
    }
    if (this.#state === 'eap') {
      if (!parsed.eap) return this.#failure('expected-eap-message');
      return this.#innerStep(await this.#inner!.handle(parsed.eap));
    }
    return this.#begin(parsed);
  }

  close(): void {
    this.#inner?.abort();
  }

  async #begin(parsed: ParsedAvps): Promise<TunnelAppOutput> {
    const allowEap = this.#options.allowEap ?? true;
    if (parsed.eap || (parsed.userName !== undefined && parsed.userPassword === undefined)) {
      if (!allowEap) return this.#failure('inner-eap-not-allowed');
      this.#via = 'eap';
      const inner = this.#newInner(this.#options.innerStages ?? defaultInnerStages, undefined);
      const step = parsed.eap ? await inner.start(parsed.eap) : await inner.begin(parsed.userName);
      if (step.kind === 'discard') return this.#failure(`inner-start-${step.reason}`);
      return this.#innerStep(step);
    }
    if (parsed.userPassword !== undefined) {
      if (!(this.#options.allowPap ?? true)) return this.#failure('pap-not-allowed');
      if (parsed.userName === undefined) return this.#failure('pap-without-user-name');
      return this.#pap(parsed.userName, parsed.userPassword);
    }
    return this.#failure('no-phase2-credentials');
  }

  async #pap(userName: string, password: Buffer): Promise<TunnelAppOutput> {
    this.#via = 'pap';
    if (password.length > MAX_PASSWORD_LENGTH) return this.#failure('pap-password-too-long');
    const credentials = await this.#context.credentials.lookup(userName);
    if (!credentials || !secretsEqual(Buffer.from(credentials.password, 'utf8'), password)) {
      return this.#failure(credentials ? 'pap-mismatch' : 'unknown-user');
    }
    const followUp = this.#options.afterPap;
    const stages = followUp?.(this.#policyContext(userName)) ?? [];
    if (stages.length === 0) return this.#success(userName, { innerMethod: 'PAP' });
    const inner = this.#newInner(() => stages, userName);
    return this.#innerStep(await inner.begin(userName));
  }

  #newInner(stages: InnerStagesFactory, innerIdentity: string | undefined): EapAuthenticator {
    this.#state = 'eap';
    this.#inner = new EapAuthenticator({
      credentials: this.#context.credentials,
      stages: stages(this.#policyContext(innerIdentity)),
      maxRounds: this.#options.maxInnerRounds ?? 20,
      randomBytes: this.#context.randomBytes,
      ...(this.#options.onEvent ? { onEvent: this.#options.onEvent } : {}),
    });
    return this.#inner;
  }

  #policyContext(innerIdentity: string | undefined): InnerPolicyContext {
    const base = { outerIdentity: this.#context.outerIdentity, tlsVersion: this.#context.tlsVersion, via: this.#via };
    return innerIdentity === undefined ? base : { ...base, innerIdentity };
  }

  #innerStep(step: AuthStep): TunnelAppOutput {
    switch (step.kind) {
      case 'challenge':
        this.#resends = 0;
        return { send: encodeAvps([eapMessageAvp(step.eap)]) };
      case 'accept': {
        const attributes = { ...step.attributes, innerMethod: step.method, phase2: this.#via === 'pap' ? 'PAP+EAP' : 'EAP' };
        return this.#success(step.identity, attributes);
      }
      case 'reject':
        return this.#failure(`inner-${step.reason}`);
      case 'discard': {
        // The inner Response was dropped (wrong Identifier, unexpected Type): repeat the Request.
        const last = this.#inner?.lastRequest;
        if (!last || ++this.#resends > MAX_RESENDS) return this.#failure(`inner-discard-${step.reason}`);
        return { send: encodeAvps([eapMessageAvp(last)]) };
      }
    }
  }

  #success(identity: string, attributes: Record<string, unknown>): TunnelAppOutput {
    this.#state = 'done';
    return { done: 'success', identity, attributes };
  }

  #failure(reason: string): TunnelAppOutput {
    this.#state = 'done';
    this.#inner?.abort();
    return { done: 'failure', reason };
  }
}

function parseAvps(avps: readonly Avp[]): ParsedAvps {
  let userName: string | undefined;
  let userPassword: Buffer | undefined;
  const eap: Buffer[] = [];
  for (const a of avps) {
    if (a.vendorId !== undefined) continue;
    if (a.code === AvpCode.UserName) userName = a.data.toString('utf8');
    else if (a.code === AvpCode.UserPassword) userPassword = stripNulPadding(a.data);
    else if (a.code === AvpCode.EapMessage) eap.push(a.data);
  }
  return {
    ...(userName !== undefined ? { userName } : {}),
    ...(userPassword !== undefined ? { userPassword } : {}),
    ...(eap.length > 0 ? { eap: Buffer.concat(eap) } : {}),
  };
}

/** RFC 5281 section 11.2.5: the client pads User-Password with NULs to a multiple of 16 octets. */
export function stripNulPadding(password: Buffer): Buffer {
  let end = password.length;
  while (end > 0 && password[end - 1] === 0) end--;
  return password.subarray(0, end);
}

/** Client side of PAP: User-Name and NUL-padded User-Password AVPs. */
export function papAvps(userName: string, password: string): Buffer {
  const pw = Buffer.from(password, 'utf8');
  const padded = Buffer.alloc(Math.max(16, Math.ceil(pw.length / 16) * 16));
  pw.copy(padded);
  return encodeAvps([avp(AvpCode.UserName, Buffer.from(userName, 'utf8')), avp(AvpCode.UserPassword, padded)]);
}
