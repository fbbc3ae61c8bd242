import { computeTrustScore } from '@flareo/trust-score';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../src/index.js';
import { cleanInput, withChange } from './fixtures.js';

// The policy takes the trust score as plain data; this checks the two packages agree on the
// published calibration points when chained the way the catalog chains them.
describe('trust score feeding the policy', () => {
  const policy = compilePolicy({
    rules: { 'trust-score': { min_score: 75, enforcement: 'enforce' } },
  });
  const signals = {
    vulnerabilities: { critical: 0, high: 0, medium: 0, low: 0 },
    slsaLevel: 2,
    hoursSinceSigned: 3,
    sbomCompleteness: 1,
  };

  it('admits a fresh, clean L2 module', () => {
    const { score } = computeTrustScore(signals);
    const result = policy.evaluate(withChange(cleanInput(), 'trust_score', score));
    expect(result.verdict).toBe('pass');
  });

  it('warns on one high CVE but keeps its score above 75', () => {
    const { score } = computeTrustScore({
      ...signals,
      vulnerabilities: { ...signals.vulnerabilities, high: 1 },
    });
    let input = withChange(cleanInput(), 'trust_score', score);
    input = withChange(input, 'vulnerabilities.high.unaddressed', 1);
    const result = policy.evaluate(input);
    expect(result.verdict).toBe('warn');
    expect(result.rules.find((r) => r.rule === 'trust-score')?.result).toBe('pass');
  });

  it('denies a module with a critical CVE through the CVE rule, whatever its score', () => {
    const scored = computeTrustScore({
      ...signals,
      slsaLevel: 3,
      vulnerabilities: { ...signals.vulnerabilities, critical: 1 },
    });
    expect(scored.status).toBe('failing');
    let input = withChange(cleanInput(), 'trust_score', scored.score);
    input = withChange(input, 'vulnerabilities.critical.affected', 1);
    expect(policy.evaluate(input).deny[0]).toMatch(/^cve-critical: /);
  });
});
