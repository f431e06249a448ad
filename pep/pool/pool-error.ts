/** Errors of the virtual IP pools; tell them apart by `code`. */
export type PoolErrorCode = 'POOL_EXHAUSTED' | 'POOL_UNKNOWN' | 'POOL_FAMILY' | 'POOL_INVALID' | 'POOL_STORE';

export class PoolError extends Error {
  override readonly name = 'PoolError';
  constructor(
    readonly code: PoolErrorCode,
    readonly pool: string,
    message: string,
  ) {
    super(message);
  }
}
