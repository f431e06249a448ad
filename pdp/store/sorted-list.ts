/**
 * An ordered list for the embedded store's secondary indexes (embedded-indexes.ts): items kept in
 * ascending order of a total order `cmp`, in chunks of at most CHUNK items, so that add and delete
 * cost O(log n + CHUNK) wherever the item lands (appending the newest, the usual case, is O(1)
 * amortised) and a walk from any position visits only the items it returns.
 *
 * `cmp` must be a total order on the items kept together (two distinct items never compare 0):
 * delete finds its item by comparison.
 */

const CHUNK = 512;

export class SortedList<T> {
  #chunks: T[][] = [];
  #size = 0;

  constructor(private readonly cmp: (a: T, b: T) => number) {}

  get size(): number {
    return this.#size;
  }

  add(item: T): void {
    const chunks = this.#chunks;
    const n = chunks.length;
    if (n === 0) {
      chunks.push([item]);
      this.#size = 1;
      return;
    }
    // The newest item (the usual case) goes last; else into the chunk whose last item is >= it.
    let ci = n - 1;
    let chunk = chunks[ci]!;
    if (this.cmp(item, chunk[chunk.length - 1]!) >= 0) chunk.push(item);
    else {
      ci = this.#chunkFor(item);
      chunk = chunks[ci]!;
      chunk.splice(this.#upper(chunk, item), 0, item);
    }
    this.#size++;
    if (chunk.length > 2 * CHUNK) chunks.splice(ci + 1, 0, chunk.splice(CHUNK));
  }

  /** Removes the item comparing 0 to `item`; false when there is none. */
  delete(item: T): boolean {
    if (this.#size === 0) return false;
    const ci = this.#chunkFor(item);
    const chunk = this.#chunks[ci]!;
    const at = this.#lower(chunk, item);
    if (at >= chunk.length || this.cmp(chunk[at]!, item) !== 0) return false;
    if (at === 0 && chunk.length === 1) this.#chunks.splice(ci, 1);
    else if (at === chunk.length - 1) chunk.pop();
    else chunk.splice(at, 1);
    this.#size--;
    return true;
  }

  /**
   * Items from the greatest down, only those strictly below `bound` when given (cmp(item, bound)
   * < 0: `bound` need not be an item). Lazy: stopping early costs only what was visited.
   */
  *descending(bound?: (item: T) => number): Generator<T, void, undefined> {
    const chunks = this.#chunks;
    let ci = chunks.length - 1;
    let i = ci >= 0 ? chunks[ci]!.length - 1 : -1;
    if (bound !== undefined && ci >= 0) {
      // The last chunk whose first item is below the bound, then the last item below it there.
      let lo = 0;
      let hi = chunks.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (bound(chunks[mid]![0]!) < 0) lo = mid + 1;
        else hi = mid;
      }
      ci = lo - 1;
      if (ci < 0) return;
      const chunk = chunks[ci]!;
      let a = 0;
      let b = chunk.length;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (bound(chunk[mid]!) < 0) a = mid + 1;
        else b = mid;
      }
      i = a - 1;
    }
    for (; ci >= 0; ci--) {
      const chunk = chunks[ci]!;
      if (i >= chunk.length) i = chunk.length - 1;
      for (; i >= 0; i--) yield chunk[i]!;
      i = Infinity;
    }
  }

  /** The index of the chunk that holds (or would hold) `item`. */
  #chunkFor(item: T): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = chunks[mid]!;
      if (this.cmp(c[c.length - 1]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #lower(chunk: readonly T[], item: T): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(chunk[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #upper(chunk: readonly T[], item: T): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(chunk[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
