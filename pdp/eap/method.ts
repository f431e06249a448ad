/**
 * The EAP server method interface (RFC 4137 section 4.4, "method" procedures, reduced to what a
 * transport-free, promise-based server needs).
 *
 * A method instance is created per conversation by its factory. The authenticator calls
 * `initiate()` once to get the first Request, then `process()` for every Response of the method's
 * Type (identifier and Type already checked). The method answers with the next Request's
 * Type-Data, or with its decision. A method never sees Nak: the authenticator handles it.
 */
import type { EapPacket } from './packet.js';

export interface Credentials {
  readonly password: string;
}

/** User database; injected, may be asynchronous. */
export interface CredentialStore {
  lookup(name: string): Credentials | undefined | Promise<Credentials | undefined>;
}

export interface MethodResult {
  /** The authenticated identity (for tunnelled methods: the inner identity). */
  readonly identity?: string;
  /** RFC 5247 Master Session Key (64 octets) and Extended MSK, for key-deriving methods. */
  readonly msk?: Buffer;
  readonly emsk?: Buffer;
  /** Method-specific facts for the policy layer (TLS version, inner method, ...). No secrets. */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

export type MethodOutput =
  | { readonly kind: 'request'; readonly type: number; readonly data: Buffer }
  | { readonly kind: 'success'; readonly result: MethodResult }
  | { readonly kind: 'failure'; readonly reason: string };

export interface EapMethod {
  readonly type: number;
  initiate(): MethodOutput;
  process(response: EapPacket): Promise<MethodOutput>;
  /** Releases resources (TLS sockets). Called once when the conversation leaves the method. */
  close?(): void;
}

export interface MethodContext {
  /** The identity learnt so far (for a tunnelled method often an anonymous outer identity). */
  readonly identity: string;
  readonly credentials: CredentialStore;
  readonly randomBytes: (size: number) => Buffer;
}

export interface EapMethodFactory {
  readonly type: number;
  readonly name: string;
  create(context: MethodContext): EapMethod;
}

export function request(type: number, data: Buffer): MethodOutput {
  return { kind: 'request', type, data };
}

export function failure(reason: string): MethodOutput {
  return { kind: 'failure', reason };
}
