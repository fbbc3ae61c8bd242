import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { describe, expect, it } from 'vitest';
import { slsaLevelFromProvenance, TrustScoreError } from '../../src/index.js';

// The public-good bundles carry real in-toto statements (npm publish attestations), not SLSA
// provenance. The helper must decode their DSSE envelopes and refuse them by predicate type
// rather than grant any level.
const dir = vectorsDir();

describe.skipIf(!dir)('real in-toto statements from public-good bundles', () => {
  const names = dir
    ? readdirSync(join(dir, 'sigstore/bundles')).filter((n) => n.endsWith('.sigstore'))
    : [];

  it('finds the bundles', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  for (const name of names) {
    it(`refuses the npm publish attestation in ${name}`, () => {
      const bundle = JSON.parse(readVector(`sigstore/bundles/${name}`));
      let caught: unknown;
      try {
        slsaLevelFromProvenance(bundle.dsseEnvelope, { trustedBuilders: [] });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(TrustScoreError);
      expect((caught as TrustScoreError).code).toBe('PROVENANCE_UNSUPPORTED');
      expect((caught as TrustScoreError).detail.actual).toBe(
        'https://github.com/npm/attestation/tree/main/specs/publish/v0.1',
      );
    });
  }

  it('refuses statement.json as a plain statement too', () => {
    expect(() =>
      slsaLevelFromProvenance(readVector('sigstore/bundles/statement.json'), {
        trustedBuilders: [],
      }),
    ).toThrow(/predicateType/);
  });
});
