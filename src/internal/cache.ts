/**
 * Bounded memo tables for values that are fixed per identity or per key (H1(ID), a recipient's
 * encryption base, a delegatee's H2(X)): they make repeated work cheap without letting memory
 * grow with the number of identities seen. Oldest entry out first.
 * @module
 */

/** A map from string keys that keeps at most `capacity` entries, dropping the oldest. */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  /** The cached value for `key`, or `compute()` stored under it. */
  get(key: string, compute: () => V): V {
    let value = this.entries.get(key);
    if (value === undefined) {
      value = compute();
      if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(key, value);
    }
    return value;
  }
}

/**
 * One {@link BoundedCache} per owner object (params, secret key), held weakly: the cache goes
 * when its owner does.
 */
export class PerObjectCache<O extends object, V> {
  private readonly owners = new WeakMap<O, BoundedCache<V>>();

  constructor(private readonly capacity: number) {}

  /** The value cached for (`owner`, `key`), or `compute()` stored under it. */
  get(owner: O, key: string, compute: () => V): V {
    let cache = this.owners.get(owner);
    if (cache === undefined) {
      cache = new BoundedCache(this.capacity);
      this.owners.set(owner, cache);
    }
    return cache.get(key, compute);
  }
}
