/**
 * Upper bounds on everything the IKEv2 codec reads from the wire (CONVENTIONS: every length and
 * count read from the wire is bounded). The values are far above what strongSwan, Windows or
 * iOS send and small enough that a hostile datagram cannot make the decoder allocate much.
 */
export const IKE_LIMITS = {
  /** Largest IKE message (header Length) accepted or built: 64 KiB minus one, a UDP datagram. */
  maxMessageSize: 65535,
  /** Payloads in one chain (the message, or the plaintext of one SK payload). */
  maxPayloads: 64,
  /** Proposals in one SA payload. */
  maxProposals: 64,
  /** Transforms in one proposal. */
  maxTransforms: 128,
  /** Attributes in one transform. */
  maxTransformAttributes: 8,
  /** Traffic selectors in one TSi/TSr payload. */
  maxTrafficSelectors: 64,
  /** Attributes in one CP payload. */
  maxConfigurationAttributes: 128,
  /** SPIs in one Delete payload. */
  maxDeleteSpis: 1024,
} as const;
