import { concatBytes, equalBytes } from '@flareo/internal/bytes';
import { platformCrypto } from '@flareo/trust-root';
import { requireBigint, requireBytes, requireHashes } from './arguments.js';

// RFC 9162 (RFC 6962) Merkle hashing and proof verification. Written here rather than taken
// from a library: the few npm packages for it target other hash layouts or bring in far
// more than two short algorithms, and BigInt indexes are a must (log indexes exceed 2^53).

/** SHA-256(0x00 ‖ data): the leaf hash of a log entry. */
export function hashLeaf(data: Uint8Array): Uint8Array {
  requireBytes('hashLeaf', 'data', data);
  const input = new Uint8Array(data.length + 1);
  input.set(data, 1);
  return sha256(input);
}

// The platform's synchronous sha256 (`node:crypto`'s one-shot hash on Node, @noble/hashes
// elsewhere), read once; one reusable input array for interior nodes, as proofs hash up to
// 64 nodes per entry.
const sha256 = platformCrypto.sha256;
const nodeInput = new Uint8Array(65);

/** SHA-256(0x01 ‖ left ‖ right): an interior node. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  requireBytes('hashChildren', 'left', left);
  requireBytes('hashChildren', 'right', right);
  return hashNode(left, right);
}

/** {@link hashChildren} without the argument checks, for the proof loops. */
function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== 32 || right.length !== 32) {
    return sha256(concatBytes(Uint8Array.of(0x01), left, right));
  }
  nodeInput[0] = 0x01;
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return sha256(nodeInput);
}

const equal = equalBytes;

/** Why a proof failed, for diagnostics; `undefined` when it verified. */
export type ProofFailure =
  | 'index-out-of-range'
  | 'wrong-proof-length'
  | 'bad-hash-size'
  | 'root-mismatch'
  | 'bad-sizes';

/**
 * RFC 9162 §2.1.3.2: does `proof` lead from `leafHash` at `index` to `root` of a tree of
 * `treeSize` leaves? Returns the failure reason, or undefined when the proof holds.
 */
export function checkInclusion(
  index: bigint,
  treeSize: bigint,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): ProofFailure | undefined {
  const where = 'checkInclusion';
  requireBigint(where, 'index', index);
  requireBigint(where, 'treeSize', treeSize);
  requireBytes(where, 'leafHash', leafHash);
  requireHashes(where, 'proof', proof);
  requireBytes(where, 'root', root);
  if (index < 0n || index >= treeSize) return 'index-out-of-range';
  if (leafHash.length !== 32 || root.length !== 32) return 'bad-hash-size';
  if (treeSize <= MAX_SAFE) {
    return inclusionBySafeIntegers(Number(index), Number(treeSize), leafHash, proof, root);
  }
  let fn = index;
  let sn = treeSize - 1n;
  let r = leafHash;
  for (const p of proof) {
    if (p.length !== 32) return 'bad-hash-size';
    if (sn === 0n) return 'wrong-proof-length';
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashNode(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = hashNode(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return 'wrong-proof-length';
  return equal(r, root) ? undefined : 'root-mismatch';
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * {@link checkInclusion}'s walk on numbers, for trees below 2^53 leaves (every real log): the
 * same steps, without allocating a BigInt per shift (a proof has up to 64 levels). Halving
 * is `Math.floor(n / 2)`, exact for safe integers, where `>>` would cut them to 32 bits.
 */
function inclusionBySafeIntegers(
  index: number,
  treeSize: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): ProofFailure | undefined {
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of proof) {
    if (p.length !== 32) return 'bad-hash-size';
    if (sn === 0) return 'wrong-proof-length';
    if (fn % 2 === 1 || fn === sn) {
      r = hashNode(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = hashNode(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) return 'wrong-proof-length';
  return equal(r, root) ? undefined : 'root-mismatch';
}

/**
 * RFC 9162 §2.1.4.2: does `proof` show that the tree of `size1` leaves with `root1` is a
 * prefix of the tree of `size2` leaves with `root2`?
 */
export function checkConsistency(
  size1: bigint,
  size2: bigint,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): ProofFailure | undefined {
  const where = 'checkConsistency';
  requireBigint(where, 'size1', size1);
  requireBigint(where, 'size2', size2);
  requireHashes(where, 'proof', proof);
  requireBytes(where, 'root1', root1);
  requireBytes(where, 'root2', root2);
  // A consistency proof from the empty tree proves nothing; transparency-dev rejects it too.
  if (size1 <= 0n || size2 < size1) return 'bad-sizes';
  if (size1 === size2) {
    if (proof.length !== 0) return 'wrong-proof-length';
    return equal(root1, root2) ? undefined : 'root-mismatch';
  }
  if (root1.length !== 32 || root2.length !== 32) return 'bad-hash-size';
  if (proof.length === 0) return 'wrong-proof-length';
  for (const p of proof) if (p.length !== 32) return 'bad-hash-size';
  // If size1 is an exact power of two, root1 is the first node of the path.
  const path = (size1 & (size1 - 1n)) === 0n ? [root1, ...proof] : [...proof];
  let fn = size1 - 1n;
  let sn = size2 - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let [fr, sr] = [path[0] as Uint8Array, path[0] as Uint8Array];
  for (const c of path.slice(1)) {
    if (sn === 0n) return 'wrong-proof-length';
    if ((fn & 1n) === 1n || fn === sn) {
      fr = hashNode(c, fr);
      sr = hashNode(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = hashNode(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return 'wrong-proof-length';
  return equal(fr, root1) && equal(sr, root2) ? undefined : 'root-mismatch';
}
