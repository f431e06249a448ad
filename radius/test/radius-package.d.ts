/**
 * The few functions of the npm package `radius` 1.1.4 (no types of its own) that the tests use to
 * cross-check this codec against an independent implementation.
 */
declare module 'radius' {
  type NpmAttribute = [string | number, unknown, ...unknown[]];

  interface NpmDecoded {
    code: string;
    identifier: number;
    length: number;
    authenticator: Buffer;
    attributes: Record<string, unknown>;
    raw_attributes: [number, Buffer][];
  }

  interface NpmEncodeArgs {
    code: string;
    secret: string;
    identifier?: number;
    authenticator?: Buffer;
    attributes?: NpmAttribute[];
    add_message_authenticator?: boolean;
  }

  const radius: {
    encode(args: NpmEncodeArgs): Buffer;
    encode_response(args: { packet: NpmDecoded; code: string; secret: string; attributes?: NpmAttribute[] }): Buffer;
    decode(args: { packet: Buffer; secret: string }): NpmDecoded;
    verify_response(args: { request: Buffer; response: Buffer; secret: string }): boolean;
  };
  export default radius;
}
