import { bench, describe } from 'vitest';
import { computeTrustScore, sbomCompleteness, type TrustSignals } from '../src/index.js';

// Scores per second for a spread of realistic modules, and SBOM completeness on a
// 1,000-component CycloneDX document (computed once per SBOM, not per decision).
const modules: TrustSignals[] = Array.from({ length: 64 }, (_, i) => ({
  vulnerabilities: { critical: i % 17 === 0 ? 1 : 0, high: i % 3, medium: i % 7, low: i % 11 },
  slsaLevel: i % 4,
  hoursSinceSigned: (i * 37) % 900,
  sbomCompleteness: (i % 10) / 9,
}));

const bom = {
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  components: Array.from({ length: 1000 }, (_, i) => ({
    type: 'library',
    'bom-ref': `c${i}`,
    name: `pkg${i}`,
    version: `1.${i}.0`,
    purl: `pkg:npm/pkg${i}@1.${i}.0`,
    licenses: [{ license: { id: 'MIT' } }],
    hashes: [{ alg: 'SHA-256', content: 'ab'.repeat(32) }],
    ...(i % 5 === 0 ? {} : { supplier: { name: 'Example' } }),
  })),
};

describe('trust-score', () => {
  let i = 0;
  bench('computeTrustScore (one module)', () => {
    computeTrustScore(modules[i++ & 63]!);
  });
  bench('sbomCompleteness (1,000 components)', () => {
    sbomCompleteness(bom);
  });
});
