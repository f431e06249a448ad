/**
 * Per-connection state of an IMC or IMV (TCG IF-IMC / IF-IMV connection ids), bounded so a leak
 * cannot grow without end. An unknown connection id is an error, as TNC_RESULT_INVALID_PARAMETER.
 */
export class ConnectionStates<S> {
  readonly #states = new Map<number, S>();
  readonly #max: number;

  constructor(maxConnections: number) {
    this.#max = maxConnections;
  }

  get size(): number {
    return this.#states.size;
  }

  /** Sets the state of `id`; a new id beyond the bound throws. */
  set(id: number, state: S): S {
    if (!this.#states.has(id) && this.#states.size >= this.#max) throw new Error(`more than ${this.#max} connections`);
    this.#states.set(id, state);
    return state;
  }

  /** The state of `id`; throws for an unknown connection (TNC_RESULT_INVALID_PARAMETER). */
  get(id: number): S {
    const s = this.#states.get(id);
    if (s === undefined) throw new Error(`unknown connection ${id}`);
    return s;
  }

  delete(id: number): boolean {
    return this.#states.delete(id);
  }
}
