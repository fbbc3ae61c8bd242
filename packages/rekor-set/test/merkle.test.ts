import { emptyRoot, leafHash, MerkleTree, nodeHash } from '@flareo/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkConsistency,
  checkInclusion,
  hashChildren,
  hashLeaf,
  type ProofFailure,
} from '../src/merkle.js';
import { flipBit, PROPERTY_TIMEOUT, sha256, utf8 } from './support.js';

const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

// One tree of 300 leaves; the test kit computes roots and proofs for every historical size.
const MAX = 300;
const tree = new MerkleTree();
for (let i = 0; i < MAX; i++) tree.append(utf8(`leaf ${i}`));
const leaf = (i: number) => tree.leafHashAt(i);

/** Every leaf of the tree of `size` whose test kit proof checkInclusion does not accept. */
function failuresAt(size: number): string[] {
  const root = tree.root(size);
  const failures: string[] = [];
  for (let i = 0; i < size; i++) {
    const proof = tree.inclusionProof(i, size);
    const failure = checkInclusion(BigInt(i), BigInt(size), leaf(i), proof, root);
    if (failure) failures.push(`${i}/${size}: ${failure}`);
  }
  return failures;
}

/** A size in [1, MAX] and an index below it. */
const sizeAndIndex = fc
  .integer({ min: 1, max: MAX })
  .chain((size) => fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 })));

describe('hashing (RFC 9162 §2.1.1)', { timeout: PROPERTY_TIMEOUT }, () => {
  it('hashLeaf is SHA-256(0x00 ‖ data), hashChildren SHA-256(0x01 ‖ l ‖ r)', () => {
    // RFC 6962 test vector: the leaf hash of the empty string.
    expect(hex(hashLeaf(new Uint8Array()))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(new Uint8Array(hashLeaf(utf8('abc')))).toEqual(
      sha256(Uint8Array.of(0, 0x61, 0x62, 0x63)),
    );
    const l = sha256('l');
    const r = sha256('r');
    expect(new Uint8Array(hashChildren(l, r))).toEqual(sha256(Uint8Array.from([1, ...l, ...r])));
  });

  it('agrees with the test kit on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 100 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (data, l, r) => {
          expect(new Uint8Array(hashLeaf(data))).toEqual(leafHash(data));
          expect(new Uint8Array(hashChildren(l, r))).toEqual(nodeHash(l, r));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('checkInclusion', { timeout: PROPERTY_TIMEOUT }, () => {
  it('accepts every (index, size) proof of the test kit tree, for random sizes up to 300', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX }), (size) => {
        expect(failuresAt(size)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('accepts every proof of every size from 1 to 64 (all tree shapes up to 2^6)', () => {
    for (let size = 1; size <= 64; size++) expect(failuresAt(size)).toEqual([]);
  });

  it('rejects any single flipped bit of the leaf, a proof hash or the root', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), fc.nat({ max: 255 }), ([size, i], pick, bitPos) => {
        const proof = tree.inclusionProof(i, size);
        const root = tree.root(size);
        // Slot 0 = leaf, 1..n = proof hashes, n + 1 = root.
        const slot = pick % (proof.length + 2);
        const byte = bitPos >> 3;
        const bit = bitPos & 7;
        let l = leaf(i);
        let r = root;
        const p = [...proof];
        if (slot === 0) l = flipBit(l, byte, bit);
        else if (slot === proof.length + 1) r = flipBit(r, byte, bit);
        else p[slot - 1] = flipBit(p[slot - 1] as Uint8Array, byte, bit);
        expect(checkInclusion(BigInt(i), BigInt(size), l, p, r)).toBe('root-mismatch');
      }),
      { numRuns: 500 },
    );
  });

  it('a proof never verifies at another leaf index of the same tree', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.nat(), ([size, i], other) => {
        fc.pre(size > 1);
        const j = (i + 1 + (other % (size - 1))) % size;
        const result = checkInclusion(
          BigInt(j),
          BigInt(size),
          leaf(i),
          tree.inclusionProof(i, size),
          tree.root(size),
        );
        expect(result).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });

  it('a proof never verifies with a dropped, duplicated or extra hash', () => {
    fc.assert(
      fc.property(
        sizeAndIndex,
        fc.nat(),
        fc.constantFrom('drop', 'dup', 'extra'),
        ([size, i], at, how) => {
          const proof = tree.inclusionProof(i, size);
          fc.pre(how !== 'drop' || proof.length > 0);
          const k = proof.length === 0 ? 0 : at % proof.length;
          const p = [...proof];
          if (how === 'drop') p.splice(k, 1);
          else if (how === 'dup') p.splice(k, 0, p[k] ?? leaf(i));
          else p.push(sha256('extra'));
          const result = checkInclusion(BigInt(i), BigInt(size), leaf(i), p, tree.root(size));
          expect(result).toBe('wrong-proof-length');
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each<[string, bigint, bigint, Uint8Array, Uint8Array[], Uint8Array, ProofFailure | undefined]>(
    [
      ['single-leaf tree', 0n, 1n, leaf(0), [], leaf(0), undefined],
      ['single-leaf tree, wrong root', 0n, 1n, leaf(0), [], leaf(1), 'root-mismatch'],
      ['single-leaf tree with a hash', 0n, 1n, leaf(0), [leaf(1)], leaf(0), 'wrong-proof-length'],
      [
        'index = size',
        5n,
        5n,
        leaf(5),
        tree.inclusionProof(4, 5),
        tree.root(5),
        'index-out-of-range',
      ],
      [
        'negative index',
        -1n,
        5n,
        leaf(0),
        tree.inclusionProof(0, 5),
        tree.root(5),
        'index-out-of-range',
      ],
      ['empty tree', 0n, 0n, leaf(0), [], emptyRoot(), 'index-out-of-range'],
      [
        'leaf hash of 31 bytes',
        0n,
        2n,
        leaf(0).subarray(1),
        [leaf(1)],
        tree.root(2),
        'bad-hash-size',
      ],
      ['root of 33 bytes', 0n, 2n, leaf(0), [leaf(1)], new Uint8Array(33), 'bad-hash-size'],
      [
        'proof hash of 31 bytes',
        0n,
        2n,
        leaf(0),
        [leaf(1).subarray(1)],
        tree.root(2),
        'bad-hash-size',
      ],
      [
        'proof hash of 64 bytes',
        0n,
        4n,
        leaf(0),
        [leaf(1), new Uint8Array(64)],
        tree.root(4),
        'bad-hash-size',
      ],
      ['proof too short', 0n, 4n, leaf(0), [leaf(1)], tree.root(4), 'wrong-proof-length'],
      ['empty proof in a bigger tree', 3n, 4n, leaf(3), [], tree.root(4), 'wrong-proof-length'],
      [
        'right-edge leaf of an unbalanced tree (7 of 8)',
        7n,
        8n,
        leaf(7),
        tree.inclusionProof(7, 8),
        tree.root(8),
        undefined,
      ],
      [
        'last leaf of an odd tree (size 5)',
        4n,
        5n,
        leaf(4),
        tree.inclusionProof(4, 5),
        tree.root(5),
        undefined,
      ],
      [
        'proof of a smaller tree against a bigger root',
        2n,
        5n,
        leaf(2),
        tree.inclusionProof(2, 4),
        tree.root(5),
        'wrong-proof-length',
      ],
    ],
  )('%s', (_name, index, size, leafHash_, proof, root, expected) => {
    expect(checkInclusion(index, size, leafHash_, proof, root)).toBe(expected);
  });

  it('works beyond 2^53 with bigint indexes (tree with an opaque 2^62 prefix)', () => {
    const big = new MerkleTree({ prefix: { size: 1n << 62n, hash: sha256('prefix') } });
    const indexes = [0, 1, 2, 3, 4].map((k) => big.append(utf8(`big ${k}`)));
    const size = big.size;
    for (const index of indexes) {
      const proof = big.inclusionProof(index, size);
      expect(checkInclusion(index, size, big.leafHashAt(index), proof, big.root())).toBeUndefined();
      // Off by one at 2^62 + k: a neighbour's index does not verify.
      expect(
        checkInclusion(index ^ 1n, size, big.leafHashAt(index), proof, big.root()),
      ).toBeDefined();
    }
    expect(indexes[0]).toBe(1n << 62n);
  });

  // Trees below 2^53 leaves are walked on numbers, larger ones on bigints: both sides of the
  // boundary, with indexes past 32 bits (where `>>` would have cut them).
  it.each([
    ['2^52 prefix (numbers)', 1n << 52n],
    ['2^53 prefix (bigints)', 1n << 53n],
  ])('works on either side of 2^53 leaves: %s', (_name, prefix) => {
    const tree = new MerkleTree({ prefix: { size: prefix, hash: sha256('prefix') } });
    const indexes = [0, 1, 2, 3, 4, 5, 6].map((k) => tree.append(utf8(`edge ${k}`)));
    for (const size of [prefix + 3n, prefix + 7n]) {
      for (const index of indexes.filter((i) => i < size)) {
        const proof = tree.inclusionProof(index, size);
        const root = tree.root(size);
        expect(checkInclusion(index, size, tree.leafHashAt(index), proof, root)).toBeUndefined();
        expect(checkInclusion(index ^ 1n, size, tree.leafHashAt(index), proof, root)).toBeDefined();
        expect(checkInclusion(index, size, tree.leafHashAt(index), proof.slice(1), root)).toBe(
          'wrong-proof-length',
        );
      }
    }
  });
});

describe('checkConsistency', { timeout: PROPERTY_TIMEOUT }, () => {
  const sizes = fc
    .integer({ min: 1, max: MAX })
    .chain((s2) => fc.tuple(fc.integer({ min: 1, max: s2 }), fc.constant(s2)));

  it('accepts the test kit consistency proof for every pair of sizes', () => {
    fc.assert(
      fc.property(sizes, ([s1, s2]) => {
        const proof = tree.consistencyProof(s1, s2);
        expect(
          checkConsistency(BigInt(s1), BigInt(s2), proof, tree.root(s1), tree.root(s2)),
        ).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('rejects any single flipped bit of a proof hash or either root', () => {
    fc.assert(
      fc.property(sizes, fc.nat(), fc.nat({ max: 255 }), ([s1, s2], pick, bitPos) => {
        const proof = tree.consistencyProof(s1, s2);
        const slot = pick % (proof.length + 2);
        const flip = (u: Uint8Array) => flipBit(u, bitPos >> 3, bitPos & 7);
        let r1 = tree.root(s1);
        let r2 = tree.root(s2);
        const p = [...proof];
        if (slot === 0) r1 = flip(r1);
        else if (slot === proof.length + 1) r2 = flip(r2);
        else p[slot - 1] = flip(p[slot - 1] as Uint8Array);
        expect(checkConsistency(BigInt(s1), BigInt(s2), p, r1, r2)).toBe('root-mismatch');
      }),
      { numRuns: 500 },
    );
  });

  it.each<[string, bigint, bigint, Uint8Array[], Uint8Array, Uint8Array, ProofFailure | undefined]>(
    [
      ['same size, no proof', 7n, 7n, [], tree.root(7), tree.root(7), undefined],
      ['same size, other root', 7n, 7n, [], tree.root(7), tree.root(6), 'root-mismatch'],
      [
        'same size with a proof',
        7n,
        7n,
        [leaf(0)],
        tree.root(7),
        tree.root(7),
        'wrong-proof-length',
      ],
      ['from the empty tree', 0n, 7n, [], emptyRoot(), tree.root(7), 'bad-sizes'],
      [
        'shrinking tree',
        8n,
        7n,
        tree.consistencyProof(7, 8),
        tree.root(8),
        tree.root(7),
        'bad-sizes',
      ],
      ['growing tree, empty proof', 4n, 8n, [], tree.root(4), tree.root(8), 'wrong-proof-length'],
      [
        'growing tree, root of 31 bytes',
        3n,
        8n,
        tree.consistencyProof(3, 8),
        tree.root(3).subarray(1),
        tree.root(8),
        'bad-hash-size',
      ],
      [
        'proof hash of 33 bytes',
        3n,
        8n,
        [new Uint8Array(33)],
        tree.root(3),
        tree.root(8),
        'bad-hash-size',
      ],
      [
        'proof one hash short',
        3n,
        8n,
        tree.consistencyProof(3, 8).slice(1),
        tree.root(3),
        tree.root(8),
        'wrong-proof-length',
      ],
      [
        'proof with an extra hash',
        3n,
        8n,
        [...tree.consistencyProof(3, 8), leaf(0)],
        tree.root(3),
        tree.root(8),
        'wrong-proof-length',
      ],
    ],
  )('%s', (_name, s1, s2, proof, r1, r2, expected) => {
    expect(checkConsistency(s1, s2, proof, r1, r2)).toBe(expected);
  });
});
