import { describe, expect, it } from 'vitest';
import * as definition from '../src/definition.js';
import * as main from '../src/index.js';

// Every exported name is a semver promise: these lists change only on purpose.
describe('public entry points', () => {
  it('keeps the everyday API in the main entry', () => {
    expect(Object.keys(main).sort()).toEqual([
      'TRUST_SCORE_DEFAULTS',
      'TrustScoreError',
      'computeTrustScore',
      'hoursSince',
      'sbomCompleteness',
      'slsaLevelFromProvenance',
    ]);
  });

  it('keeps the constants and curves in @flareo/trust-score/definition', () => {
    expect(Object.keys(definition).sort()).toEqual([
      'IN_TOTO_STATEMENT_TYPES',
      'MAX_SLSA_LEVEL',
      'PACKAGE_COMPONENT_TYPES',
      'SBOM_FIELDS',
      'SEVERITIES',
      'SIGNAL_WEIGHTS',
      'SLSA_PROVENANCE_TYPES',
      'STRONG_HASH_ALGORITHMS',
      'VULNERABILITY_PENALTIES',
      'freshnessSubscore',
      'vulnerabilitySubscore',
    ]);
  });
});
