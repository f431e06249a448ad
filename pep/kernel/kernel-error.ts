/**
 * The kernel layer's typed error. Callers tell failures apart by `code`; messages never contain
 * key material (commands carrying keys are described, not quoted).
 */
export type KernelErrorCode =
  /** The kernel has no ESP (CONFIG_INET_ESP): XFRM refuses `proto esp` states. */
  | 'NO_ESP'
  /** An XFRM request failed for another reason (message from the kernel / ip). */
  | 'XFRM_FAILED'
  /** The `ip` helper process could not be started, died, or timed out. */
  | 'IP_FAILED'
  /** No such SA or policy. */
  | 'NOT_FOUND'
  /** An SA or policy with the same identity already exists. */
  | 'EXISTS'
  /** The request is valid IPsec but this backend cannot do it (e.g. userspace ESP without UDP encapsulation). */
  | 'UNSUPPORTED'
  /** Invalid argument (bad address, SPI, key length ...). */
  | 'INVALID'
  /** Opening or configuring the TUN device failed. */
  | 'TUN_FAILED'
  /** The backend was closed. */
  | 'CLOSED';

export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    readonly code: KernelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The message operators see when the kernel lacks ESP (asserted by tests). */
export const NO_ESP_MESSAGE =
  'the kernel has no ESP (CONFIG_INET_ESP): XFRM cannot install ESP states; use kernel: userspace (ESP over a TUN device, needs UDP encapsulation)';
