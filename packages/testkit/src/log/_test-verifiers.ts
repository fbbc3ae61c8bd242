import type { KeyObject } from 'node:crypto';
import { createHash, verify } from 'node:crypto';

/**
 * Test-only, independent verifiers (RFC 9162 §2.1.3.2 / §2.1.4.2 and C2SP signed-note), written
 * from the specifications and deliberately separate from the provers in this folder.
 * Not exported from the package.
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

export function verifyInclusion(
  index: bigint,
  size: bigint,
  leaf: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): boolean {
  if (index >= size || leaf.length !== 32 || root.length !== 32) return false;
  let fn = index;
  let sn = size - 1n;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashChildren(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && eq(r, root);
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
  if (proof.length === 0) return false;
  const path = [...proof];
  if ((size1 & (size1 - 1n)) === 0n) path.unshift(root1);
  let fn = size1 - 1n;
  let sn = size2 - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Uint8Array;
  let sr = path[0] as Uint8Array;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return eq(fr, root1) && eq(sr, root2) && sn === 0n;
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
