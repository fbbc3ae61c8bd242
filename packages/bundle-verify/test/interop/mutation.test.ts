import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { BundleVerifyError, createVerifier } from '../../src/index.js';

// Mutation suite: flip one bit in each signed part of a real bundle (v0.3, DSSE, Rekor v1
// entry with SET, inclusion proof and checkpoint); every mutation must be rejected with a
// BundleVerifyError. Large fields are sampled at evenly spaced positions plus both ends.
const dir = vectorsDir();
// biome-ignore lint/suspicious/noExplicitAny: raw protobuf-JSON documents
type Json = Record<string, any>;

const b64 = (s: string) => Buffer.from(s, 'base64');
function positions(length: number, samples = 96): number[] {
  const out = new Set<number>();
  for (let i = 0; i < Math.min(8, length); i++) {
    out.add(i);
    out.add(length - 1 - i);
  }
  for (let i = 0; i < samples; i++) out.add(Math.floor((i * length) / samples));
  return [...out].filter((p) => p >= 0 && p < length).sort((a, b) => a - b);
}

interface Field {
  name: string;
  /** Flip every byte instead of a sample. */
  exhaustive?: boolean;
  get(b: Json): Buffer;
  set(b: Json, v: Buffer): void;
}
const base64Field = (name: string, path: (b: Json) => [Json, string]): Field => ({
  name,
  get: (b) => {
    const [o, k] = path(b);
    return b64(o[k]);
  },
  set: (b, v) => {
    const [o, k] = path(b);
    o[k] = v.toString('base64');
  },
});

const FIELDS: Field[] = [
  base64Field('DSSE payload', (b) => [b.dsseEnvelope, 'payload']),
  {
    ...base64Field('DSSE signature', (b) => [b.dsseEnvelope.signatures[0], 'sig']),
    exhaustive: true,
  },
  {
    ...base64Field('signing certificate', (b) => [b.verificationMaterial.certificate, 'rawBytes']),
    exhaustive: true,
  },
  {
    ...base64Field('SET', (b) => [
      b.verificationMaterial.tlogEntries[0].inclusionPromise,
      'signedEntryTimestamp',
    ]),
    exhaustive: true,
  },
  base64Field('log entry body', (b) => [
    b.verificationMaterial.tlogEntries[0],
    'canonicalizedBody',
  ]),
  base64Field('log id', (b) => [b.verificationMaterial.tlogEntries[0].logId, 'keyId']),
  base64Field('proof root hash', (b) => [
    b.verificationMaterial.tlogEntries[0].inclusionProof,
    'rootHash',
  ]),
  base64Field('proof hash 0', (b) => [
    b.verificationMaterial.tlogEntries[0].inclusionProof.hashes,
    '0',
  ]),
  base64Field('proof hash 10', (b) => [
    b.verificationMaterial.tlogEntries[0].inclusionProof.hashes,
    '10',
  ]),
  {
    name: 'checkpoint',
    get: (b) =>
      Buffer.from(b.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope, 'utf8'),
    set: (b, v) => {
      b.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope =
        v.toString('latin1');
    },
  },
];

describe.skipIf(!dir)('mutation: every flipped bit of a real bundle is rejected', () => {
  const verifier = dir
    ? createVerifier(parseTrustedRoot(readVector('sigstore/public-good/trusted_root.json')))
    : undefined;
  const text = dir ? readVector('sigstore/bundles/bundleV03-dsse.sigstore') : '{}';

  it('the unmutated bundle verifies', () => {
    expect(verifier?.verifyBundle(JSON.parse(text), undefined, {}).tlog.entries).toHaveLength(1);
  });

  it.each(FIELDS.map((f) => [f.name, f] as const))('%s', (_name, field) => {
    const original = field.get(JSON.parse(text));
    const survivors: number[] = [];
    const where = field.exhaustive ? original.map((_, i) => i) : positions(original.length);
    for (const pos of where) {
      const bundle = JSON.parse(text);
      const mutated = Buffer.from(original);
      mutated[pos] = (mutated[pos] ?? 0) ^ 0x01;
      field.set(bundle, mutated);
      try {
        verifier?.verifyBundle(bundle, undefined, {});
        survivors.push(pos);
      } catch (error) {
        if (!(error instanceof BundleVerifyError)) throw error;
      }
    }
    expect(survivors).toEqual([]);
  });
});
