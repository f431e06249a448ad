/**
 * GraphQL errors of the admin API, each with a stable `extensions.code` (and `extensions.field` for
 * bad input), and the mapping of store errors onto them. Anything else a resolver throws is masked
 * by yoga ("Unexpected error.") and logged by the server with its stack.
 */
import { GraphQLError } from 'graphql';
import { StoreError } from '../store/store.js';

export type AdminErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'ALREADY_EXISTS'
  | 'NOT_CONNECTED'
  | 'STORE_UNAVAILABLE'
  | 'UNAVAILABLE';

export function adminError(code: AdminErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** Bad input: `field` is the argument path ("input.name", "first"). */
export function fieldError(field: string, message: string): GraphQLError {
  return adminError('BAD_USER_INPUT', `${field}: ${message}`, { field });
}

export function forbidden(message: string): GraphQLError {
  return adminError('FORBIDDEN', message);
}

export function notFound(what: string, key: string): GraphQLError {
  return adminError('NOT_FOUND', `${what} '${key}' does not exist`, { key });
}

/** A StoreError as the GraphQL error a caller can act on; other errors pass through unchanged. */
export function fromStoreError(e: unknown, field?: string): unknown {
  if (!(e instanceof StoreError)) return e;
  switch (e.code) {
    case 'STORE_NOT_FOUND':
      return adminError('NOT_FOUND', e.message);
    case 'STORE_EXISTS':
      return adminError('ALREADY_EXISTS', e.message, field ? { field } : {});
    case 'STORE_CONFLICT':
      return adminError('CONFLICT', e.message, { field: 'expectedVersion' });
    case 'STORE_BAD_REQUEST':
      return adminError('BAD_USER_INPUT', e.message, field ? { field } : {});
    case 'STORE_BAD_CURSOR':
      return fieldError('after', 'not a cursor this listing issued');
    case 'STORE_UNAVAILABLE':
    case 'STORE_TIMEOUT':
    case 'STORE_CLOSED':
      return adminError('STORE_UNAVAILABLE', `the store is not available: ${e.message}`);
    default:
      return e;
  }
}
