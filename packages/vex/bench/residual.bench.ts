import { bench, describe } from 'vitest';
import { computeResidual } from '../src/advanced.js';
import type { FindingOutcome } from '../src/index.js';

/**
 * `n` findings with `n` distinct vulnerability ids, all in one package: the worst case for
 * counting (vulnerability, package) pairs, e.g. a vendored monolith that a scanner reports
 * under one purl. Deterministic.
 */
function onePackage(n: number): FindingOutcome[] {
  const dispositions = ['unaddressed', 'suppressed', 'affected', 'under_investigation'] as const;
  const severities = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
  const out: FindingOutcome[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      location: `/Results/0/Vulnerabilities/${i}`,
      vulnerability: `CVE-2099-${100000 + i}`,
      aliases: [],
      package: { name: 'monolith', version: '1.0.0', purl: 'pkg:generic/monolith@1.0.0' },
      severity: severities[i % severities.length] as FindingOutcome['severity'],
      disposition: dispositions[i % dispositions.length] as FindingOutcome['disposition'],
      status: undefined,
      justification: undefined,
      impactStatement: undefined,
      actionStatement: undefined,
      statusNotes: undefined,
      statement: undefined,
      via: undefined,
      conflicts: [],
      nearMisses: [],
    });
  }
  return out;
}

// Linear growth expected: time per finding stays flat from 10k to 80k distinct ids.
for (const n of [10_000, 40_000, 80_000]) {
  describe(`residual: ${n.toLocaleString('en')} distinct vulnerabilities in one package`, () => {
    const findings = onePackage(n);
    bench(
      `computeResidual, ${n.toLocaleString('en')} findings`,
      () => {
        computeResidual(findings);
      },
      { iterations: n >= 40_000 ? 3 : 10, warmupIterations: 1 },
    );
  });
}
