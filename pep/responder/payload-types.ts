/** The codec's payload types and chain functions under the names the responder uses. */
import { PayloadType } from '../ike/constants.js';
import { decodePayloadChain, encodePayloadChain, firstPayloadType } from '../ike/message.js';
import type { IkePayload, PayloadByType } from '../ike/payload.js';

export type { IkePayload };

export function decodeChain(bytes: Uint8Array, firstType: number, baseOffset: number): IkePayload[] {
  return decodePayloadChain(firstType, bytes, baseOffset);
}

export function encodeChain(payloads: readonly IkePayload[]): Buffer {
  return encodePayloadChain(payloads);
}

export { firstPayloadType };

/** The first payload of a type. */
export function find<T extends keyof PayloadByType>(payloads: readonly IkePayload[], type: T): PayloadByType[T] | undefined {
  return payloads.find((p) => p.type === type) as PayloadByType[T] | undefined;
}

export function findAll<T extends keyof PayloadByType>(payloads: readonly IkePayload[], type: T): PayloadByType[T][] {
  return payloads.filter((p) => p.type === type) as PayloadByType[T][];
}

/** Notify payloads of one type. */
export function notifies(payloads: readonly IkePayload[], notifyType: number): PayloadByType[typeof PayloadType.Notify][] {
  return findAll(payloads, PayloadType.Notify).filter((n) => n.notifyType === notifyType);
}

export function notify(notifyType: number, data: Uint8Array = new Uint8Array(0), protocolId = 0, spi: Uint8Array = new Uint8Array(0)): IkePayload {
  return { type: PayloadType.Notify, protocolId, spi, notifyType, data };
}
