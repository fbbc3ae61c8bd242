import { type KeyObject, verify } from 'node:crypto';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { bench, describe } from 'vitest';
import { type EntryBinding, parseTlogEntry, verifyLogEntry } from '../src/index.js';
import { parseCheckpoint, setPayload } from '../src/proofs.js';

// Verifications per second of SET, inclusion proof + checkpoint, and both, on a real
// public-good bundle (Rekor v1, dsse 0.0.1, 13-hash proof), each next to its floor: the bare
// signature verifications it cannot avoid. `vitest bench` prints how far each is from it.
const dir = vectorsDir();
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

if (dir) {
  const trust = parseTrustedRoot(readVector('sigstore/public-good/trusted_root.json'));
  const bundle = JSON.parse(readVector('sigstore/bundles/bundleV03-dsse.sigstore'));
  const raw = bundle.verificationMaterial.tlogEntries[0];
  const env = bundle.dsseEnvelope;
  const binding: EntryBinding = {
    signature: b64(env.signatures[0].sig),
    verifier: { certificate: b64(bundle.verificationMaterial.certificate.rawBytes) },
    dsse: { payloadType: env.payloadType, payload: b64(env.payload) },
  };
  const both = parseTlogEntry(raw);
  const setOnly = parseTlogEntry({ ...raw, inclusionProof: undefined });
  const proofOnly = parseTlogEntry({ ...raw, inclusionPromise: undefined });
  const log = trust.tlogsById(both.logId)[0];
  if (!log || !both.set || !both.inclusionProof?.checkpoint)
    throw new Error('bench fixture incomplete');
  const key = log.key.keyObject as KeyObject; // a node:crypto KeyObject on Node
  const payload = setPayload(both);
  const set = both.set;
  const cp = parseCheckpoint(both.inclusionProof.checkpoint);
  const cpBody = Buffer.from(cp.body);
  const cpSig = cp.signatures[0]?.signature ?? new Uint8Array();

  describe('SET', () => {
    bench('verifyLogEntry (SET + body)', () => {
      verifyLogEntry(setOnly, binding, trust, { policy: 'require-set' });
    });
    bench('floor: one P-256 verify', () => {
      verify('sha256', payload, key, set);
    });
  });

  describe('inclusion proof + checkpoint', () => {
    bench('verifyLogEntry (proof + checkpoint + body)', () => {
      verifyLogEntry(proofOnly, binding, trust, { policy: 'require-inclusion-proof' });
    });
    bench('floor: one P-256 verify', () => {
      verify('sha256', cpBody, key, cpSig);
    });
  });

  describe('SET + proof + checkpoint', () => {
    bench('verifyLogEntry (everything)', () => {
      verifyLogEntry(both, binding, trust);
    });
    bench('floor: two P-256 verifies', () => {
      verify('sha256', payload, key, set);
      verify('sha256', cpBody, key, cpSig);
    });
    bench('parse + verify from bundle JSON', () => {
      verifyLogEntry(raw, binding, trust);
    });
  });
}
