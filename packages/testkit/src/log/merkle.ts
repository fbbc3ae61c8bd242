import { createHash } from 'node:crypto';

/**
 * RFC 9162 (RFC 6962) Merkle tree hashing for test logs.
 *
 * Leaves are hashed as `SHA-256(0x00 ‖ data)` and interior nodes as `SHA-256(0x01 ‖ l ‖ r)`.
 * Indexes and sizes are bigint so a tree can carry an opaque prefix of 2^k leaves (for example
 * 2^60) and still produce real, verifiable proofs for the leaves appended after it.
 */

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/** `SHA-256(0x00 ‖ data)`. */
export function leafHash(data: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0x00), data);
}

/** `SHA-256(0x01 ‖ left ‖ right)`. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0x01), left, right);
}

/** Root of the empty tree: `SHA-256("")`. */
export function emptyRoot(): Uint8Array {
  return sha256();
}

const toBig = (v: number | bigint, what: string): bigint => {
  if (typeof v === 'number' && (!Number.isSafeInteger(v) || v < 0)) {
    throw new RangeError(`${what} must be a non-negative safe integer or a bigint, got ${v}`);
  }
  const b = BigInt(v);
  if (b < 0n) throw new RangeError(`${what} must be non-negative, got ${b}`);
  return b;
};

/** Largest power of two strictly smaller than `n` (n ≥ 2). */
function splitPoint(n: bigint): bigint {
  let k = 1n;
  while (k << 1n < n) k <<= 1n;
  return k;
}

const isPowerOfTwo = (n: bigint): boolean => n > 0n && (n & (n - 1n)) === 0n;

/** Opaque prefix of a {@link MerkleTree}: the first `size` leaves, known only by their root. */
export interface MerklePrefix {
  /** Number of leaves in the prefix; must be a power of two. */
  size: number | bigint;
  /** Root hash of the prefix subtree (32 bytes). */
  hash: Uint8Array;
}

export interface MerkleTreeOptions {
  /**
   * Start the tree with an opaque perfect subtree. Roots and proofs are computable for every
   * size ≥ the prefix size and for every leaf appended after it; asking about anything that
   * lies inside the prefix throws.
   */
  prefix?: MerklePrefix;
}

/**
 * Append-only RFC 9162 Merkle tree. Roots and proofs are computed for any historical size, so
 * tests can mint proofs against older checkpoints too. Perfect subtree hashes are memoised.
 */
export class MerkleTree {
  private readonly leaves: Uint8Array[] = [];
  private readonly prefixSize: bigint;
  private readonly prefixHash: Uint8Array | undefined;
  private readonly cache = new Map<string, Uint8Array>();

  constructor(options: MerkleTreeOptions = {}) {
    if (options.prefix) {
      const size = toBig(options.prefix.size, 'prefix.size');
      if (!isPowerOfTwo(size)) throw new RangeError(`prefix.size must be a power of two`);
      if (options.prefix.hash.length !== 32) throw new RangeError('prefix.hash must be 32 bytes');
      this.prefixSize = size;
      this.prefixHash = Uint8Array.from(options.prefix.hash);
    } else {
      this.prefixSize = 0n;
      this.prefixHash = undefined;
    }
  }

  /** Current number of leaves (prefix included). */
  get size(): bigint {
    return this.prefixSize + BigInt(this.leaves.length);
  }

  /** Index the first appended leaf gets (the prefix size, 0 without a prefix). */
  get firstIndex(): bigint {
    return this.prefixSize;
  }

  /** Append a leaf; `leafData` is hashed with {@link leafHash}. Returns the leaf's index. */
  append(leafData: Uint8Array): bigint {
    return this.appendLeafHash(leafHash(leafData));
  }

  /** Append an already hashed leaf. Returns the leaf's index. */
  appendLeafHash(hash: Uint8Array): bigint {
    if (hash.length !== 32) throw new RangeError('leaf hash must be 32 bytes');
    this.leaves.push(Uint8Array.from(hash));
    return this.size - 1n;
  }

  /** Leaf hash at `index` (must be an appended leaf, not part of the prefix). */
  leafHashAt(index: number | bigint): Uint8Array {
    const i = toBig(index, 'index');
    if (i < this.prefixSize || i >= this.size) {
      throw new RangeError(`no appended leaf at index ${i} (tree size ${this.size})`);
    }
    return Uint8Array.from(this.leaves[Number(i - this.prefixSize)] as Uint8Array);
  }

  /** Root hash of the tree at `size` (default: current size). */
  root(size?: number | bigint): Uint8Array {
    const n = this.checkSize(size);
    if (n === 0n) return emptyRoot();
    return Uint8Array.from(this.hashRange(0n, n));
  }

  /** RFC 9162 §2.1.3.1 inclusion proof for leaf `index` in the tree of `size`, leaf → root. */
  inclusionProof(index: number | bigint, size?: number | bigint): Uint8Array[] {
    const n = this.checkSize(size);
    const m = toBig(index, 'index');
    if (m >= n) throw new RangeError(`index ${m} is outside a tree of size ${n}`);
    const out: Uint8Array[] = [];
    this.path(m, 0n, n, out);
    return out.map((h) => Uint8Array.from(h));
  }

  /** RFC 9162 §2.1.4.1 consistency proof between `oldSize` and `newSize` (default: current). */
  consistencyProof(oldSize: number | bigint, newSize?: number | bigint): Uint8Array[] {
    const n = this.checkSize(newSize);
    const m = toBig(oldSize, 'oldSize');
    if (m > n) throw new RangeError(`oldSize ${m} is larger than newSize ${n}`);
    if (m === 0n || m === n) return [];
    const out: Uint8Array[] = [];
    this.subproof(m, 0n, n, true, out);
    return out.map((h) => Uint8Array.from(h));
  }

  private checkSize(size: number | bigint | undefined): bigint {
    const n = size === undefined ? this.size : toBig(size, 'size');
    if (n > this.size) throw new RangeError(`size ${n} exceeds the tree size ${this.size}`);
    if (n !== 0n && n < this.prefixSize) {
      throw new RangeError(`size ${n} lies inside the opaque prefix of ${this.prefixSize} leaves`);
    }
    return n;
  }

  /** MTH(D[lo:hi]). */
  private hashRange(lo: bigint, hi: bigint): Uint8Array {
    const width = hi - lo;
    if (width === 1n && lo >= this.prefixSize) {
      return this.leaves[Number(lo - this.prefixSize)] as Uint8Array;
    }
    if (this.prefixHash && lo === 0n && hi === this.prefixSize) return this.prefixHash;
    if (lo < this.prefixSize && hi <= this.prefixSize) {
      throw new RangeError(`leaves [${lo}, ${hi}) lie inside the opaque prefix`);
    }
    const perfect = isPowerOfTwo(width);
    const key = `${lo}:${hi}`;
    if (perfect) {
      const hit = this.cache.get(key);
      if (hit) return hit;
    }
    const k = splitPoint(width);
    const h = nodeHash(this.hashRange(lo, lo + k), this.hashRange(lo + k, hi));
    if (perfect) this.cache.set(key, h);
    return h;
  }

  /** PATH(m, D[lo:hi]) appended to `out` (leaf → root order). */
  private path(m: bigint, lo: bigint, hi: bigint, out: Uint8Array[]): void {
    const n = hi - lo;
    if (n === 1n) {
      if (lo < this.prefixSize) throw new RangeError('leaf lies inside the opaque prefix');
      return;
    }
    const k = splitPoint(n);
    if (m < k) {
      this.path(m, lo, lo + k, out);
      out.push(this.hashRange(lo + k, hi));
    } else {
      this.path(m - k, lo + k, hi, out);
      out.push(this.hashRange(lo, lo + k));
    }
  }

  /** SUBPROOF(m, D[lo:hi], b) appended to `out`. */
  private subproof(m: bigint, lo: bigint, hi: bigint, b: boolean, out: Uint8Array[]): void {
    const n = hi - lo;
    if (m === n) {
      if (!b) out.push(this.hashRange(lo, hi));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      this.subproof(m, lo, lo + k, b, out);
      out.push(this.hashRange(lo + k, hi));
    } else {
      this.subproof(m - k, lo + k, hi, false, out);
      out.push(this.hashRange(lo, lo + k));
    }
  }
}
