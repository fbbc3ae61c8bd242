// Shared material of the rekor-set tests, the package's one test support module (outside
// src/, so never part of the build). Everything is minted by @flareo/testkit from fixed
// seeds, so every run sees the same keys, certificates, entries and checkpoints.
import { createHash } from 'node:crypto';
import { rejectionOf } from '@flareo/internal/testing';
import {
  buildTrustedRoot,
  createFulcioChain,
  type DsseEnvelopeJson,
  signDsseEnvelope,
  type TestCertificate,
  type TestKey,
  TestRekorV1,
  TestRekorV2,
  type TlogEntryJson,
  testKey,
} from '@flareo/testkit';
import { parseTrustedRoot, type TransparencyLog, type TrustRoot } from '@flareo/trust-root';
import { expect } from 'vitest';
import type { EntryBinding } from '../src/body.js';
import { RekorError, type RekorErrorCode, type RekorErrorDetail } from '../src/errors.js';

export const sha256 = (data: Uint8Array | string): Uint8Array =>
  new Uint8Array(createHash('sha256').update(data).digest());
export const b64 = (data: Uint8Array): string => Buffer.from(data).toString('base64');
export const unb64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A copy of `bytes` with bit `bit` of byte `index` flipped. */
export function flipBit(bytes: Uint8Array, index = 0, bit = 0): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index] = (out[index] ?? 0) ^ (1 << bit);
  return out;
}

/** Base64 `text` with one bit of its decoded byte `index` flipped. */
export const flipB64 = (text: string, index = 0): string => b64(flipBit(unb64(text), index));

/** Deep copy of JSON material, so a test can mutate it freely. */
export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Loosely typed JSON, for tests that corrupt entries field by field. */
// biome-ignore lint/suspicious/noExplicitAny: JSON material under test is edited freely
export type Json = any;

/** A JSON-shaped copy of `entry` with `edit` applied (fields may be deleted or replaced). */
export function edited(entry: TlogEntryJson | object, edit: (e: Json) => void): Json {
  const copy = clone(entry) as Json;
  edit(copy);
  return copy;
}

/** The RekorError `fn` throws; fails the test when it throws anything else or nothing. */
export const rejection = (fn: () => unknown): RekorError => rejectionOf(RekorError, fn);

/** Assert that `fn` throws a RekorError with `code` (and detail fields, when given). */
export function expectRekorError(
  fn: () => unknown,
  code: RekorErrorCode,
  detail?: Partial<Record<keyof RekorErrorDetail, unknown>>,
): RekorError {
  const error = rejection(fn);
  expect({ code: error.code, message: error.message }).toMatchObject({ code });
  if (detail) expect(error.detail).toMatchObject(detail);
  return error;
}

/**
 * Timeout of property-based test groups: a few hundred runs take about a second, but these
 * suites share machines with other builds, so they get room rather than flake.
 */
export const PROPERTY_TIMEOUT = 30_000;

/** "Now" of every test: after both test logs started, fixed so runs do not depend on the clock. */
export const NOW = new Date('2026-06-01T00:00:00Z');

/** Everything the rekor-set tests verify against. */
export interface World {
  readonly chain: ReturnType<typeof createFulcioChain>;
  /** The signer: a Fulcio-style leaf with a P-256 key. */
  readonly leaf: TestCertificate;
  /** Another leaf of the same CA (another key). */
  readonly otherLeaf: TestCertificate;
  /** A standalone signing key (keyed, non-Fulcio flow). */
  readonly signerKey: TestKey;
  readonly v1: TestRekorV1;
  readonly v2: TestRekorV2;
  /** Trust root with both logs (v1 ECDSA P-256, v2 Ed25519) and the Fulcio CA. */
  readonly trust: TrustRoot;
  readonly v1Log: TransparencyLog;
  readonly v2Log: TransparencyLog;
  readonly artifact: Uint8Array;
  readonly digest: Uint8Array;
  /** Message signature over `artifact` by `leaf`. */
  readonly signature: Uint8Array;
  /** Message signature over `artifact` by `signerKey`. */
  readonly keySignature: Uint8Array;
  readonly messageBinding: EntryBinding;
  readonly keyBinding: EntryBinding;
  readonly envelope: DsseEnvelopeJson;
  readonly dsseBinding: EntryBinding;
}

export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** Mint the world. Logs are stateful: every test file gets its own (vitest isolates files). */
export function createWorld(): World {
  const chain = createFulcioChain();
  const leaf = chain.leaf();
  const otherLeaf = chain.leaf({ seed: 'rekor-set-other-leaf' });
  const signerKey = testKey('ecdsa-p256', 'rekor-set-signer');
  const v1 = new TestRekorV1();
  const v2 = new TestRekorV2();
  const root = buildTrustedRoot({
    certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
  });
  const trust = parseTrustedRoot({
    ...root,
    tlogs: [v1.transparencyLogInstance(), v2.transparencyLogInstance()],
  });
  const [v1Log] = trust.tlogsById(v1.logIdBytes);
  const [v2Log] = trust.tlogsById(v2.logIdBytes);
  if (!v1Log || !v2Log) throw new Error('test trust root lacks a log');

  // A few unrelated entries first, so that every proof below has sibling hashes.
  for (let i = 0; i < 5; i++) {
    const filler = utf8(`filler ${i}`);
    v1.addHashedRekord({
      artifactDigest: sha256(filler),
      signature: signerKey.sign(filler),
      publicKeyPem: signerKey.publicKeyPem,
    });
    v2.addHashedRekordV002({
      digest: sha256(filler),
      signature: signerKey.sign(filler),
      publicKeyDer: signerKey.spki,
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    });
  }

  const artifact = utf8('flareo release artifact v1.0.0\n');
  const digest = sha256(artifact);
  const signature = leaf.key.sign(artifact);
  const keySignature = signerKey.sign(artifact);
  const statement = utf8(
    JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'a' }] }),
  );
  const envelope = signDsseEnvelope(PAYLOAD_TYPE, statement, [leaf.key]);
  const sig = envelope.signatures[0]?.sig ?? '';
  return {
    chain,
    leaf,
    otherLeaf,
    signerKey,
    v1,
    v2,
    trust,
    v1Log,
    v2Log,
    artifact,
    digest,
    signature,
    keySignature,
    messageBinding: {
      signature,
      verifier: { certificate: leaf.der },
      artifactDigest: { algorithm: 'sha256', digest },
    },
    keyBinding: {
      signature: keySignature,
      verifier: { publicKey: signerKey.spki },
      artifactDigest: { algorithm: 'sha256', digest },
    },
    envelope,
    dsseBinding: {
      signature: unb64(sig),
      verifier: { certificate: leaf.der },
      dsse: { payloadType: PAYLOAD_TYPE, payload: statement },
    },
  };
}

/** Key details string of the P-256 leaf keys, for Rekor v2 bodies. */
export const P256 = 'PKIX_ECDSA_P256_SHA_256';
