/**
 * EAP conversations keyed by the RADIUS State attribute.
 *
 * RFC 2865 section 5.24: the State the server sends in an Access-Challenge "MUST be sent unmodified
 * from the client to the server in the new Access-Request reply to that challenge". One conversation
 * lives behind each State value. Conversations expire after an idle timeout and the table has a cap,
 * so a flood of new conversations cannot exhaust memory: when full, the oldest idle conversation is
 * evicted only if it has been idle longer than `minIdleForEvictionMs`; otherwise the newcomer is
 * refused and the established conversations carry on.
 */
import { newConversationState } from './conversation-state.js';

export interface ConversationTableOptions<T = unknown> {
  readonly idleTimeoutMs: number;
  readonly maxConversations: number;
  readonly now?: () => number;
  /** Prefix byte put into every State, so a sharded PDP knows which worker owns a conversation. */
  readonly shard?: number;
  /** Cluster instance id put into the second octet of every State (conversation-state.ts). */
  readonly instance?: number;
  readonly minIdleForEvictionMs?: number;
  /** Called for every conversation that leaves the table without `delete` (expiry, eviction). */
  readonly onExpire?: (value: T) => void;
}

interface Slot<T> {
  value: T;
  lastSeen: number;
}

export class ConversationTable<T> {
  readonly #slots = new Map<string, Slot<T>>();
  readonly #opts: Required<Omit<ConversationTableOptions<T>, 'now' | 'onExpire' | 'instance'>> & { now: () => number; instance?: number };
  readonly #onExpire: (value: T) => void;

  constructor(options: ConversationTableOptions<T>) {
    this.#onExpire = options.onExpire ?? (() => undefined);
    this.#opts = {
      idleTimeoutMs: options.idleTimeoutMs,
      maxConversations: options.maxConversations,
      now: options.now ?? Date.now,
      shard: options.shard ?? 0,
      minIdleForEvictionMs: options.minIdleForEvictionMs ?? 5_000,
      ...(options.instance !== undefined ? { instance: options.instance } : {}),
    };
  }

  /** A fresh State value: shard octet, instance octet (random without a cluster), random octets. */
  newState(): Buffer {
    return newConversationState({ shard: this.#opts.shard & 0xff, ...(this.#opts.instance !== undefined ? { instance: this.#opts.instance } : {}) });
  }

  /** Adds a conversation; returns undefined when the table is full. */
  add(state: Buffer, value: T): boolean {
    const now = this.#opts.now();
    this.sweep(now);
    if (this.#slots.size >= this.#opts.maxConversations) {
      const oldest = this.#slots.entries().next();
      if (oldest.done || now - oldest.value[1].lastSeen < this.#opts.minIdleForEvictionMs) return false;
      this.#slots.delete(oldest.value[0]);
      this.#onExpire(oldest.value[1].value);
    }
    this.#slots.set(state.toString('latin1'), { value, lastSeen: now });
    return true;
  }

  /** Whether `add` would succeed now (so a refused newcomer costs no method set-up). */
  hasRoom(): boolean {
    const now = this.#opts.now();
    this.sweep(now);
    if (this.#slots.size < this.#opts.maxConversations) return true;
    const oldest = this.#slots.values().next();
    return !oldest.done && now - oldest.value.lastSeen >= this.#opts.minIdleForEvictionMs;
  }

  get(state: Buffer): T | undefined {
    const key = state.toString('latin1');
    const slot = this.#slots.get(key);
    if (!slot) return undefined;
    const now = this.#opts.now();
    if (now - slot.lastSeen > this.#opts.idleTimeoutMs) {
      this.#slots.delete(key);
      this.#onExpire(slot.value);
      return undefined;
    }
    return slot.value;
  }

  /** Moves a conversation to a new State (each challenge gets a fresh State) and marks it active. */
  rekey(oldState: Buffer, newState: Buffer): void {
    const key = oldState.toString('latin1');
    const slot = this.#slots.get(key);
    if (!slot) return;
    this.#slots.delete(key);
    slot.lastSeen = this.#opts.now();
    this.#slots.set(newState.toString('latin1'), slot);
  }

  delete(state: Buffer): void {
    this.#slots.delete(state.toString('latin1'));
  }

  /** Drops idle conversations (Map order is least-recently-active first). Returns how many. */
  sweep(now = this.#opts.now()): number {
    let n = 0;
    for (const [k, slot] of this.#slots) {
      if (now - slot.lastSeen <= this.#opts.idleTimeoutMs) break;
      this.#slots.delete(k);
      this.#onExpire(slot.value);
      n++;
    }
    return n;
  }

  get size(): number {
    return this.#slots.size;
  }
}
