import type { KeyObject } from 'node:crypto';
import { createHash, verify } from 'node:crypto';

/**
 * Test-only verifiers, independent of rekor-set's and of the provers in this folder: the
 * Merkle proofs are checked with the recursive definitions of RFC 9162 §2.1.3.1 and §2.1.4.1
 * (top-down over the tree's splits), not with the iterative bit-walking algorithms of
 * §2.1.3.2 / §2.1.4.2 that `@flareo/rekor-set` implements, and C2SP signed notes are parsed
 * here from the specification. Not exported from the package.
 */

export const sha = (...parts: Uint8Array[]): Uint8Array => {
  const d = createHash('sha256');
  for (const p of parts) d.update(p);
  return new Uint8Array(d.digest());
};
export const hashChildren = (l: Uint8Array, r: Uint8Array) => sha(Uint8Array.of(1), l, r);
export const eq = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
export const flip = (u: Uint8Array, i: number) => {
  u[i] = (u[i] ?? 0) ^ 0x01;
};

/** The largest power of two strictly below `n` (`n >= 2`): where RFC 9162 splits a tree. */
function split(n: bigint): bigint {
  let k = 1n;
  while (k << 1n < n) k <<= 1n;
  return k;
}

/**
 * The root a leaf and its audit path imply, by the recursive definition of PATH(m, D[n]) in
 * RFC 9162 §2.1.3.1: for `m < k` the path is PATH(m, D[0:k]) followed by MTH(D[k:n]), else
 * PATH(m - k, D[k:n]) followed by MTH(D[0:k]). So the last hash of the path is the sibling of
 * the top split, and the rest is the path within that half. `undefined` when the path is too
 * long or too short for the tree.
 *
 * This walks the tree's definition top-down; rekor-set's and the log's own code use the
 * iterative bit-walking algorithm of §2.1.3.2, so the two do not share a mistake.
 */
function rootFromPath(
  m: bigint,
  n: bigint,
  leaf: Uint8Array,
  path: readonly Uint8Array[],
): Uint8Array | undefined {
  if (n === 1n) return path.length === 0 ? leaf : undefined;
  if (path.length === 0) return undefined;
  const k = split(n);
  const sibling = path[path.length - 1] as Uint8Array;
  const rest = path.slice(0, -1);
  if (m < k) {
    const left = rootFromPath(m, k, leaf, rest);
    return left && hashChildren(left, sibling);
  }
  const right = rootFromPath(m - k, n - k, leaf, rest);
  return right && hashChildren(sibling, right);
}

export function verifyInclusion(
  index: bigint,
  size: bigint,
  leaf: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): boolean {
  if (index < 0n || index >= size || leaf.length !== 32 || root.length !== 32) return false;
  const computed = rootFromPath(index, size, leaf, proof);
  return computed !== undefined && eq(computed, root);
}

/**
 * The old and new roots a consistency proof implies, by the recursive definition of
 * SUBPROOF(m, D[n], b) in RFC 9162 §2.1.4.1: with `k` the split of `n`, for `m <= k` the
 * proof is SUBPROOF(m, D[0:k], b) followed by MTH(D[k:n]); for `m > k` it is
 * SUBPROOF(m - k, D[k:n], false) followed by MTH(D[0:k]); when `m = n` it is empty if `b`
 * (the old tree is this very subtree, whose hash the verifier already holds) or MTH(D[m]).
 * Returns `[old, new]`: the hash of the first `m` leaves of this subtree and of all `n`.
 */
function rootsFromSubproof(
  m: bigint,
  n: bigint,
  complete: boolean,
  oldRoot: Uint8Array,
  proof: readonly Uint8Array[],
): [Uint8Array, Uint8Array] | undefined {
  if (m === n) {
    if (complete) return proof.length === 0 ? [oldRoot, oldRoot] : undefined;
    return proof.length === 1 ? [proof[0] as Uint8Array, proof[0] as Uint8Array] : undefined;
  }
  if (proof.length === 0) return undefined;
  const k = split(n);
  const top = proof[proof.length - 1] as Uint8Array;
  const rest = proof.slice(0, -1);
  if (m <= k) {
    const inner = rootsFromSubproof(m, k, complete, oldRoot, rest);
    return inner && [inner[0], hashChildren(inner[1], top)];
  }
  const inner = rootsFromSubproof(m - k, n - k, false, oldRoot, rest);
  return inner && [hashChildren(top, inner[0]), hashChildren(top, inner[1])];
}

export function verifyConsistency(
  size1: bigint,
  size2: bigint,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: Uint8Array[],
): boolean {
  if (size1 > size2) return false;
  if (size1 === size2) return size1 !== 0n && proof.length === 0 && eq(root1, root2);
  if (size1 === 0n) return false;
  const roots = rootsFromSubproof(size1, size2, true, root1, proof);
  return roots !== undefined && eq(roots[0], root1) && eq(roots[1], root2);
}

/** RFC 6962 leaf hash, recomputed here rather than imported from merkle.ts. */
export const leafOf = (data: Uint8Array): Uint8Array => sha(Uint8Array.of(0), data);

export interface KnownNoteKey {
  name: string;
  keyId: Uint8Array;
  publicKey: KeyObject;
  /** Digest for ECDSA/RSA; null for pure Ed25519. */
  hash: 'sha256' | null;
}

export interface NoteCheck {
  body: string;
  verified: string[];
  ignored: number;
}

/**
 * C2SP signed-note verification: split at the last blank line, ignore lines whose (name, key
 * ID) is unknown, throw if a known key's signature fails or if none verifies.
 */
export function verifyNote(note: string, keys: readonly KnownNoteKey[]): NoteCheck {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('malformed note');
  const body = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const verified: string[] = [];
  let ignored = 0;
  for (const line of lines) {
    const m = /^\u2014 ([^ +]+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new Error(`bad signature line: ${line}`);
    const raw = Buffer.from(m[2] as string, 'base64');
    if (raw.length < 5) throw new Error('short signature');
    const key = keys.find((k) => k.name === m[1] && eq(k.keyId, raw.subarray(0, 4)));
    if (!key) {
      ignored++;
      continue;
    }
    if (!verify(key.hash, Buffer.from(body, 'utf8'), key.publicKey, raw.subarray(4))) {
      throw new Error(`signature by ${key.name} does not verify`);
    }
    verified.push(key.name);
  }
  if (verified.length === 0) throw new Error('no known signature');
  return { body, verified, ignored };
}

/** Parse a checkpoint body into its fields. */
export function parseCheckpointBody(body: string): {
  origin: string;
  size: bigint;
  root: Uint8Array;
  extensions: string[];
} {
  const lines = body.split('\n');
  if (lines.pop() !== '' || lines.length < 3) throw new Error('malformed checkpoint');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(size)) throw new Error('bad size');
  return {
    origin,
    size: BigInt(size),
    root: new Uint8Array(Buffer.from(root, 'base64')),
    extensions,
  };
}
