import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { bench, describe } from 'vitest';
import { createVerifier } from '../dist/index.js';
import { referenceVerifier } from '../test/support/sigstore-oracle.js';
import { floorOf } from './floor.mjs';

// Per-bundle verification of the nine real public-good bundles: ours, @sigstore/verify 3.1.1
// (the reference, Verifier built once) and the cryptographic floor (the public-key work no
// verifier can skip: importing the signing certificate's key, which is new in every bundle,
// by the cheapest route Node offers (JWK), then the leaf by intermediate, the DSSE
// signature, the SET, the checkpoint when present and the SCT), all in the same run.
const dir = vectorsDir();

if (dir) {
  const rootJson = JSON.parse(readVector('sigstore/public-good/trusted_root.json'));
  const trust = parseTrustedRoot(rootJson);
  const ours = createVerifier(trust);
  const reference = referenceVerifier(rootJson);
  const names = readdirSync(join(dir, 'sigstore', 'bundles')).filter((f) =>
    f.endsWith('.sigstore'),
  );
  const texts = names.map((n) => readVector(`sigstore/bundles/${n}`));
  const objects = texts.map((t) => JSON.parse(t));
  for (const o of objects) ours.verifyBundle(o, undefined, {}); // all must verify before timing

  describe('nine real bundles, one verification each', () => {
    bench('@flareo/bundle-verify (from JSON text)', () => {
      for (const t of texts) ours.verifyBundle(t, undefined, {});
    });
    bench('@flareo/bundle-verify (from parsed JSON)', () => {
      for (const o of objects) ours.verifyBundle(o, undefined, {});
    });
    bench('@sigstore/verify 3.1.1 (from parsed JSON)', () => {
      for (const o of objects) reference.verify(o);
    });
    // The floor, precomputed inputs: only the public-key operations (bench/floor.mjs).
    const floor = objects.map((o) => floorOf(o, trust));
    bench('cryptographic floor (leaf key import, P-384 leaf check, 3-4 P-256 verifies)', () => {
      for (const f of floor) f();
    });
  });
}
