/**
 * What runs inside an established TLS tunnel. The TLS layer (ttls-method.ts) does not know the
 * payload: it hands each complete block of decrypted data to the application and encrypts what the
 * application wants to send. EAP-TTLS phase 2 (phase2.ts) is one application; a PT-EAP/EAP-TNC
 * runner can be another, or be run by phase 2 as an inner EAP stage.
 */
import type { CredentialStore } from '../method.js';

export type TunnelAppOutput =
  /** Plaintext to encrypt and send in the next Request. */
  | { readonly send: Buffer }
  /** Authentication inside the tunnel succeeded: the outer method succeeds with the tunnel keys. */
  | { readonly done: 'success'; readonly identity: string; readonly attributes?: Readonly<Record<string, unknown>> }
  | { readonly done: 'failure'; readonly reason: string };

export interface TunnelApplication {
  /**
   * Called with the decrypted data of each complete TTLS message from the peer. The first call comes
   * when the peer starts phase 2 (RFC 5281 section 7.4: the client sends first); `plaintext` may be
   * empty when the peer sent a TTLS message without application data.
   */
  process(plaintext: Buffer): Promise<TunnelAppOutput>;
  close?(): void;
}

export interface TunnelContext {
  readonly outerIdentity: string;
  /** 'TLSv1.2' or 'TLSv1.3'. */
  readonly tlsVersion: string;
  readonly credentials: CredentialStore;
  readonly randomBytes: (size: number) => Buffer;
  /** The tunnel's exporter (e.g. RFC 5281 section 11.1 "ttls challenge" for implicit challenges). */
  readonly exportKeyingMaterial: (length: number, label: string, context?: Buffer) => Buffer;
}

export type TunnelApplicationFactory = (context: TunnelContext) => TunnelApplication;
