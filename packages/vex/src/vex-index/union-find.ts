/**
 * Disjoint sets of strings (union-find with path compression): the index uses it to put
 * every name of one vulnerability (its name, `@id` and aliases, across all statements) in
 * one group, so that a lookup by any of those names reaches every statement about it.
 *
 * Hand-written: a union-find is a dozen lines, and the npm packages for it are either
 * unmaintained or number-keyed.
 */
export class UnionFind {
  /** key → its slot; slots are numbered in the order keys were first seen. */
  private readonly slotOf = new Map<string, number>();
  /** slot → parent slot (a root is its own parent). */
  private readonly parent: number[] = [];

  /** Number of distinct keys seen. */
  get size(): number {
    return this.parent.length;
  }

  /** The slot of `key`, adding it as a set of its own when it is new. */
  add(key: string): number {
    let slot = this.slotOf.get(key);
    if (slot === undefined) {
      slot = this.parent.length;
      this.parent.push(slot);
      this.slotOf.set(key, slot);
    }
    return slot;
  }

  /** Put `a` and `b` (added when new) in one set. */
  union(a: string, b: string): void {
    const ra = this.root(this.add(a));
    const rb = this.root(this.add(b));
    if (ra !== rb) this.parent[rb] = ra;
  }

  /** The set of `key`, as the slot of its root; `undefined` for a key never added. */
  find(key: string): number | undefined {
    const slot = this.slotOf.get(key);
    return slot === undefined ? undefined : this.root(slot);
  }

  /** Every key with its set (the slot of its root), in the order keys were first added. */
  *sets(): IterableIterator<[key: string, set: number]> {
    for (const [key, slot] of this.slotOf) yield [key, this.root(slot)];
  }

  private root(slot: number): number {
    let r = slot;
    while (this.parent[r] !== r) r = this.parent[r] as number;
    // Path compression: point every slot on the way straight at the root.
    let s = slot;
    while (this.parent[s] !== r) {
      const next = this.parent[s] as number;
      this.parent[s] = r;
      s = next;
    }
    return r;
  }
}
