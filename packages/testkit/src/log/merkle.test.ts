import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorsDir } from '../vectors.js';
import {
  eq,
  flip,
  sha as h,
  hashChildren,
  verifyConsistency,
  verifyInclusion,
} from './_test-verifiers.js';
import { emptyRoot, leafHash, MerkleTree, nodeHash } from './merkle.js';

// ---------------------------------------------------------------------------------------------
// Vectors
// ---------------------------------------------------------------------------------------------

const VECTORS = join(vectorsDir(), 'merkle', 'testdata');
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...jsonFiles(p));
    else if (name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

interface InclusionVector {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}
interface ConsistencyVector {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const inclusionVectors = jsonFiles(join(VECTORS, 'inclusion')).map((file) => ({
  file: file.slice(VECTORS.length + 1),
  v: JSON.parse(readFileSync(file, 'utf8')) as InclusionVector,
}));
const consistencyVectors = jsonFiles(join(VECTORS, 'consistency')).map((file) => ({
  file: file.slice(VECTORS.length + 1),
  v: JSON.parse(readFileSync(file, 'utf8')) as ConsistencyVector,
}));

/** The RFC 6962 reference tree leaves (transparency-dev/merkle testonly). */
const RFC6962_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((x) => new Uint8Array(Buffer.from(x, 'hex')));

function referenceTree(n = RFC6962_LEAVES.length): MerkleTree {
  const t = new MerkleTree();
  for (const leaf of RFC6962_LEAVES.slice(0, n)) t.append(leaf);
  return t;
}

describe('merkle hashing', () => {
  it('uses RFC 6962 domain separation', () => {
    expect(hex(leafHash(new Uint8Array()))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(hex(emptyRoot())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const a = leafHash(Uint8Array.of(1));
    const b = leafHash(Uint8Array.of(2));
    expect(eq(nodeHash(a, b), hashChildren(a, b))).toBe(true);
  });

  it('reproduces the reference tree roots', () => {
    const t = referenceTree();
    expect(t.size).toBe(8n);
    expect(hex(t.root())).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
    expect(hex(t.root(1))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(eq(t.root(0), emptyRoot())).toBe(true);
  });
});

describe('inclusion vectors (transparency-dev/merkle testdata)', () => {
  it('has vectors', () => expect(inclusionVectors.length).toBeGreaterThan(90));

  it.each(inclusionVectors)('independent verifier agrees with $file', ({ v }) => {
    const ok = verifyInclusion(
      BigInt(v.leafIdx),
      BigInt(v.treeSize),
      b64(v.leafHash),
      (v.proof ?? []).map(b64),
      b64(v.root),
    );
    expect(ok).toBe(!v.wantErr);
  });

  const happy = inclusionVectors.filter(({ file }) => /^inclusion\/\d\/happy-path/.test(file));
  it.each(happy)('prover reproduces $file exactly', ({ v }) => {
    const t = referenceTree(Math.max(v.treeSize, 1));
    expect(Buffer.from(t.leafHashAt(v.leafIdx)).toString('base64')).toBe(v.leafHash);
    expect(Buffer.from(t.root(v.treeSize)).toString('base64')).toBe(v.root);
    const proof = t
      .inclusionProof(v.leafIdx, v.treeSize)
      .map((p) => Buffer.from(p).toString('base64'));
    expect(proof).toEqual(v.proof ?? []);
  });
});

describe('consistency vectors (transparency-dev/merkle testdata)', () => {
  it('has vectors', () => expect(consistencyVectors.length).toBeGreaterThan(50));

  it.each(consistencyVectors)('independent verifier agrees with $file', ({ v }) => {
    const ok = verifyConsistency(
      BigInt(v.size1),
      BigInt(v.size2),
      b64(v.root1),
      b64(v.root2),
      (v.proof ?? []).map(b64),
    );
    expect(ok).toBe(!v.wantErr);
  });

  const happy = consistencyVectors.filter(({ file }) => /^consistency\/\d\/happy-path/.test(file));
  it.each(happy)('prover reproduces $file exactly', ({ v }) => {
    const t = referenceTree();
    expect(Buffer.from(t.root(v.size1)).toString('base64')).toBe(v.root1);
    expect(Buffer.from(t.root(v.size2)).toString('base64')).toBe(v.root2);
    const proof = t
      .consistencyProof(v.size1, v.size2)
      .map((p) => Buffer.from(p).toString('base64'));
    expect(proof).toEqual(v.proof ?? []);
  });
});

describe('MerkleTree proofs for every (index, size) and (old, new) up to 33 leaves', () => {
  const t = new MerkleTree();
  for (let i = 0; i < 33; i++) t.append(new TextEncoder().encode(`leaf ${i}`));

  it('inclusion proofs verify, tampering fails', () => {
    for (let size = 1n; size <= t.size; size++) {
      const root = t.root(size);
      for (let index = 0n; index < size; index++) {
        const leaf = t.leafHashAt(index);
        const proof = t.inclusionProof(index, size);
        expect(verifyInclusion(index, size, leaf, proof, root)).toBe(true);
        // wrong leaf
        const other = t.leafHashAt((index + 1n) % size);
        if (size > 1n) expect(verifyInclusion(index, size, other, proof, root)).toBe(false);
        // flipped proof bit
        if (proof.length > 0) {
          const bad = proof.map((p) => Uint8Array.from(p));
          flip(bad[0] as Uint8Array, 0);
          expect(verifyInclusion(index, size, leaf, bad, root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, proof.slice(1), root)).toBe(false);
        }
        // wrong position (sibling index), and a size whose proof shape differs
        if ((index ^ 1n) < size) {
          expect(verifyInclusion(index ^ 1n, size, leaf, proof, root)).toBe(false);
        }
        expect(verifyInclusion(index, size * 2n, leaf, proof, root)).toBe(false);
      }
    }
  });

  it('consistency proofs verify, tampering fails', () => {
    for (let n = 1n; n <= t.size; n++) {
      for (let m = 1n; m <= n; m++) {
        const proof = t.consistencyProof(m, n);
        expect(verifyConsistency(m, n, t.root(m), t.root(n), proof)).toBe(true);
        if (m < n) {
          const bad = proof.map((p) => Uint8Array.from(p));
          flip(bad[bad.length - 1] as Uint8Array, 5);
          expect(verifyConsistency(m, n, t.root(m), t.root(n), bad)).toBe(false);
        }
      }
    }
  });

  it('rejects out-of-range requests', () => {
    expect(() => t.inclusionProof(33)).toThrow(RangeError);
    expect(() => t.inclusionProof(0, 34)).toThrow(RangeError);
    expect(() => t.root(34)).toThrow(RangeError);
    expect(() => t.consistencyProof(5, 4)).toThrow(RangeError);
    expect(() => t.inclusionProof(-1)).toThrow(RangeError);
    expect(t.consistencyProof(0, 5)).toEqual([]);
  });
});

describe('MerkleTree with an opaque prefix (indexes beyond 2^53)', () => {
  const P = 1n << 60n;
  const prefixHash = h(new TextEncoder().encode('prefix'));
  const t = new MerkleTree({ prefix: { size: P, hash: prefixHash } });
  for (let i = 0; i < 5; i++) t.append(new TextEncoder().encode(`big ${i}`));

  it('sizes and roots', () => {
    expect(t.size).toBe(P + 5n);
    expect(t.firstIndex).toBe(P);
    expect(eq(t.root(P), prefixHash)).toBe(true);
    expect(() => t.root(P - 1n)).toThrow(RangeError);
    expect(() => t.inclusionProof(3n, P + 5n)).toThrow(RangeError);
  });

  it('inclusion and consistency proofs verify', () => {
    for (let size = P + 1n; size <= t.size; size++) {
      for (let index = P; index < size; index++) {
        const proof = t.inclusionProof(index, size);
        expect(verifyInclusion(index, size, t.leafHashAt(index), proof, t.root(size))).toBe(true);
      }
      for (let m = P; m <= size; m++) {
        const proof = t.consistencyProof(m, size);
        expect(verifyConsistency(m, size, t.root(m), t.root(size), proof)).toBe(true);
      }
    }
  });

  it('rejects a bad prefix', () => {
    expect(() => new MerkleTree({ prefix: { size: 3, hash: prefixHash } })).toThrow(RangeError);
    expect(() => new MerkleTree({ prefix: { size: 4, hash: new Uint8Array(3) } })).toThrow();
  });
});
