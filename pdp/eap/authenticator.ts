/**
 * EAP authenticator (server) state machine for one conversation, after RFC 4137 section 5
 * (the "full authenticator", without the pass-through states: the RADIUS glue sits outside).
 *
 *          start(first Response)                 handle(Response)
 *   IDLE ───────────────────────► IDENTITY ──Identity──► METHOD ──► ... ──► SUCCESS
 *     │  (NAS supplied Response/       │                  │ │  Nak (first round only):
 *     │   Identity: skip IDENTITY)     │                  │ └─ next allowed type the peer asked for
 *     └────────────────────────────────┴──────────────────┴──────────────────► FAILURE
 *
 * - Identifiers: every new Request takes the previous Identifier + 1. A Response whose Identifier
 *   is not that of the outstanding Request is silently discarded (RFC 3748 section 4.1); so are
 *   malformed packets, non-Responses and Responses of an unexpected Type (RFC 4137 DISCARD state).
 * - Policy is a list of stages run in sequence, all of which must succeed; the methods of a stage
 *   are alternatives in preference order. The outer conversation uses one stage ([TTLS, MD5] by
 *   the composition in server-methods.ts); the TTLS inner conversation may run [[MD5], [PT-EAP]].
 * - Nak (RFC 3748 section 5.3) is accepted only as the answer to a method's first Request.
 * - Success/Failure carry the Identifier of the Response they answer (RFC 3748 section 4.2).
 * - At most `maxRounds` Requests are sent; then Failure.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { EapDecodeError } from './errors.js';
import { IdentityMethod, identityOutcome } from './identity.js';
import type { CredentialStore, EapMethod, EapMethodFactory, MethodContext, MethodOutput, MethodResult } from './method.js';
import { decodeExpandedNak, decodeNak, desiredLegacyTypes, isExpandedNak } from './nak.js';
import { EapCode, EapType, decodeEapPacket, eapFailure, eapRequest, eapSuccess, type EapPacket } from './packet.js';

export type AuthStep =
  | { readonly kind: 'challenge'; readonly eap: Buffer }
  | {
      readonly kind: 'accept';
      readonly eap: Buffer;
      /** The EAP Identity (outer identity). */
      readonly identity: string;
      /** The identity authenticated inside a tunnel method, when it reported another one. */
      readonly innerIdentity?: string;
      readonly msk?: Buffer;
      readonly emsk?: Buffer;
      /** Name of the method that completed the last stage. */
      readonly method: string;
      readonly methodType: number;
      readonly attributes: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'reject'; readonly eap: Buffer; readonly reason: string }
  | { readonly kind: 'discard'; readonly reason: string };

/** Typed events for observers and tests. Never carry secrets. */
export type EapEvent =
  | { readonly type: 'identity'; readonly identity: string }
  | { readonly type: 'method-start'; readonly method: string; readonly stage: number }
  | { readonly type: 'nak'; readonly method: string; readonly desired: readonly number[] }
  | { readonly type: 'method-success'; readonly method: string }
  | { readonly type: 'discard'; readonly reason: string }
  | { readonly type: 'accept'; readonly identity: string; readonly method: string }
  | { readonly type: 'reject'; readonly reason: string };

export type MethodStage = readonly EapMethodFactory[];

export interface EapAuthenticatorOptions {
  readonly credentials: CredentialStore;
  /** One stage of alternatives in preference order (ignored when `stages` is given). */
  readonly methods?: readonly EapMethodFactory[];
  /** Stages run in sequence; each must succeed. */
  readonly stages?: readonly MethodStage[];
  /** Upper bound on Requests sent in this conversation (default 50). */
  readonly maxRounds?: number;
  readonly randomBytes?: (size: number) => Buffer;
  /** Displayable message of the Request/Identity. */
  readonly identityPrompt?: string;
  readonly onEvent?: (event: EapEvent) => void;
}

export const DEFAULT_MAX_ROUNDS = 50;

type Phase = 'idle' | 'identity' | 'method' | 'done';

interface Completed {
  readonly factory: EapMethodFactory;
  readonly result: MethodResult;
}

export class EapAuthenticator {
  readonly #credentials: CredentialStore;
  readonly #stages: readonly MethodStage[];
  readonly #maxRounds: number;
  readonly #random: (size: number) => Buffer;
  readonly #prompt: string;
  readonly #emit: (event: EapEvent) => void;

  #phase: Phase = 'idle';
  #busy = false;
  #id = 0;
  #rounds = 0;
  #identity = '';
  #stageIndex = 0;
  #tried = new Set<number>();
  #method: EapMethod | undefined;
  #factory: EapMethodFactory | undefined;
  #fresh = false;
  #completed: Completed[] = [];
  #lastRequest: Buffer | undefined;

  constructor(options: EapAuthenticatorOptions) {
    this.#credentials = options.credentials;
    this.#stages = options.stages ?? [options.methods ?? []];
    if (this.#stages.length === 0 || this.#stages.some((s) => s.length === 0)) {
      throw new RangeError('every stage needs at least one method');
    }
    this.#maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
    this.#random = options.randomBytes ?? cryptoRandomBytes;
    this.#prompt = options.identityPrompt ?? '';
    this.#emit = options.onEvent ?? (() => {});
  }

  get identity(): string {
    return this.#identity;
  }

  get finished(): boolean {
    return this.#phase === 'done';
  }

  /** The last Request sent (for a tunnel that has to repeat it after a discarded Response). */
  get lastRequest(): Buffer | undefined {
    return this.#lastRequest;
  }

  /**
   * Starts the conversation from what the NAS sent: an EAP-Response/Identity is taken as the
   * identity; an empty buffer (EAP-Start, RFC 3579 section 2.6.1) or any other Response makes the
   * authenticator ask for the identity first.
   */
  async start(firstResponse: Buffer): Promise<AuthStep> {
    if (this.#phase !== 'idle') return this.#discard('already-started');
    if (firstResponse.length === 0) return this.begin();
    const packet = this.#decode(firstResponse);
    if ('kind' in packet) return packet;
    if (packet.code !== EapCode.Response) return this.#discard('not-a-response');
    this.#id = packet.identifier;
    if (packet.type !== EapType.Identity) return this.#guard(() => this.#requestIdentity());
    return this.#guard(() => this.#identityResponse(packet));
  }

  /** Starts without a Response: asks for the identity, or goes straight to the methods. */
  async begin(identity?: string): Promise<AuthStep> {
    if (this.#phase !== 'idle') return this.#discard('already-started');
    if (identity === undefined) {
      this.#id = this.#random(1)[0]!;
      return this.#guard(() => this.#requestIdentity());
    }
    return this.#guard(() => this.#afterIdentity(identity));
  }

  async handle(response: Buffer): Promise<AuthStep> {
    if (this.#phase === 'idle') return this.#discard('not-started');
    if (this.#phase === 'done') return this.#discard('finished');
    if (this.#busy) return this.#discard('busy');
    const packet = this.#decode(response);
    if ('kind' in packet) return packet;
    if (packet.code !== EapCode.Response) return this.#discard('not-a-response');
    // RFC 3748 section 4.1: "An authenticator receiving a Response whose Identifier value does not
    // match that of the currently outstanding Request MUST silently discard the Response."
    if (packet.identifier !== this.#id) return this.#discard('identifier-mismatch');
    return this.#guard(() => this.#dispatch(packet));
  }

  /** Ends the conversation and releases the current method (e.g. on NAS timeout). */
  abort(): void {
    this.#closeMethod();
    this.#phase = 'done';
  }

  async #guard(step: () => Promise<AuthStep> | AuthStep): Promise<AuthStep> {
    this.#busy = true;
    try {
      return await step();
    } catch (e) {
      // A method or credential store failure must not leave the conversation half-open.
      return this.#reject(`internal-error: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.#busy = false;
    }
  }

  #decode(bytes: Buffer): EapPacket | AuthStep {
    try {
      return decodeEapPacket(bytes);
    } catch (e) {
      if (e instanceof EapDecodeError) return this.#discard(e.code);
      throw e;
    }
  }

  async #dispatch(packet: EapPacket): Promise<AuthStep> {
    if (this.#phase === 'identity') {
      if (packet.type !== EapType.Identity) return this.#discard('expected-identity');
      return this.#identityResponse(packet);
    }
    const method = this.#method;
    const factory = this.#factory;
    if (!method || !factory) return this.#reject('no-method');
    const nak = packet.type === EapType.Nak || (packet.type === EapType.Expanded && isExpandedNak(packet.expanded));
    if (nak) {
      // RFC 3748 section 5.3.1: a Nak answers "a Request where the desired authentication Type is
      // unacceptable", i.e. the first Request of a method.
      if (!this.#fresh) return this.#reject('nak-after-method-start');
      let desired: number[];
      try {
        desired = desiredLegacyTypes(packet.type === EapType.Nak ? decodeNak(packet.data) : decodeExpandedNak(packet.data));
      } catch (e) {
        if (e instanceof EapDecodeError) return this.#reject(e.code);
        throw e;
      }
      this.#emit({ type: 'nak', method: factory.name, desired });
      return this.#startNext(desired);
    }
    if (packet.type !== method.type) return this.#discard('unexpected-type');
    const output = await method.process(packet);
    this.#fresh = false;
    return this.#methodOutput(output);
  }

  async #identityResponse(packet: EapPacket): Promise<AuthStep> {
    const outcome = identityOutcome(packet.data);
    if (outcome.kind !== 'success') return this.#reject(outcome.kind === 'failure' ? outcome.reason : 'identity');
    return this.#afterIdentity(outcome.result.identity ?? '');
  }

  #requestIdentity(): AuthStep {
    this.#phase = 'identity';
    const output = new IdentityMethod(this.#prompt).initiate();
    if (output.kind !== 'request') return this.#reject('identity');
    return this.#sendRequest(output.type, output.data);
  }

  async #afterIdentity(identity: string): Promise<AuthStep> {
    this.#identity = identity;
    this.#emit({ type: 'identity', identity });
    this.#phase = 'method';
    this.#stageIndex = 0;
    return this.#startStage();
  }

  async #startStage(): Promise<AuthStep> {
    this.#tried = new Set();
    return this.#startNext(undefined);
  }

  async #startNext(desired: readonly number[] | undefined): Promise<AuthStep> {
    this.#closeMethod();
    const stage = this.#stages[this.#stageIndex] ?? [];
    const factory = stage.find((f) => !this.#tried.has(f.type) && (desired === undefined || desired.includes(f.type)));
    if (!factory) return this.#reject(desired === undefined ? 'no-method' : 'no-acceptable-method');
    this.#tried.add(factory.type);
    const context: MethodContext = { identity: this.#identity, credentials: this.#credentials, randomBytes: this.#random };
    this.#factory = factory;
    this.#method = factory.create(context);
    this.#fresh = true;
    this.#emit({ type: 'method-start', method: factory.name, stage: this.#stageIndex });
    return this.#methodOutput(this.#method.initiate());
  }

  async #methodOutput(output: MethodOutput): Promise<AuthStep> {
    switch (output.kind) {
      case 'request':
        return this.#sendRequest(output.type, output.data);
      case 'failure':
        return this.#reject(output.reason);
      case 'success': {
        const factory = this.#factory!;
        this.#completed.push({ factory, result: output.result });
        this.#emit({ type: 'method-success', method: factory.name });
        this.#closeMethod();
        this.#stageIndex++;
        if (this.#stageIndex < this.#stages.length) return this.#startStage();
        return this.#accept();
      }
    }
  }

  #sendRequest(type: number, data: Buffer): AuthStep {
    if (this.#rounds >= this.#maxRounds) return this.#reject('max-rounds');
    this.#rounds++;
    this.#id = (this.#id + 1) & 0xff;
    const eap = eapRequest(this.#id, type, data);
    this.#lastRequest = eap;
    return { kind: 'challenge', eap };
  }

  // Success and Failure reuse #id, the Identifier of the Response they answer: RFC 3748 section 4.2,
  // "The Identifier field MUST match the Identifier field of the Response packet that it is sent in
  // response to."
  #accept(): AuthStep {
    this.#phase = 'done';
    const last = this.#completed[this.#completed.length - 1]!;
    let msk: Buffer | undefined;
    let emsk: Buffer | undefined;
    let inner: string | undefined;
    const attributes: Record<string, unknown> = {};
    for (const { result } of this.#completed) {
      if (result.msk) ({ msk, emsk } = result);
      if (result.identity !== undefined && result.identity !== this.#identity) inner = result.identity;
      Object.assign(attributes, result.attributes);
    }
    this.#emit({ type: 'accept', identity: this.#identity, method: last.factory.name });
    return {
      kind: 'accept',
      eap: eapSuccess(this.#id),
      identity: this.#identity,
      ...(inner !== undefined ? { innerIdentity: inner } : {}),
      ...(msk ? { msk } : {}),
      ...(emsk ? { emsk } : {}),
      method: last.factory.name,
      methodType: last.factory.type,
      attributes: Object.freeze(attributes),
    };
  }

  #reject(reason: string): AuthStep {
    this.#closeMethod();
    this.#phase = 'done';
    this.#emit({ type: 'reject', reason });
    return { kind: 'reject', eap: eapFailure(this.#id), reason };
  }

  #discard(reason: string): AuthStep {
    this.#emit({ type: 'discard', reason });
    return { kind: 'discard', reason };
  }

  #closeMethod(): void {
    const method = this.#method;
    this.#method = undefined;
    try {
      method?.close?.();
    } catch {
      // closing is best effort
    }
  }
}
