import { computeTrustScore, type TrustSignals } from '@flareo/trust-score';
import { bench, describe } from 'vitest';
import { compilePolicy, type PolicyInput } from '../src/index.js';

// Decisions per second on one core: trust score + admission policy for one module, the way
// the catalog runs them. The policy is compiled (config validated, rules built) once,
// outside the measured loop; 64 varied modules keep the branches honest.
const policy = compilePolicy({
  rules: {
    'cve-high': { enforcement: 'enforce', max: 1 },
    'cve-medium': { enabled: true, max: 5 },
    'trust-score': { min_score: 70 },
  },
});

interface Module {
  signals: TrustSignals;
  input: Omit<PolicyInput, 'trust_score'>;
}

const modules: Module[] = Array.from({ length: 64 }, (_, i) => {
  const crit = i % 23 === 0 ? 1 : 0;
  const high = i % 3;
  const medium = i % 7;
  const low = i % 11;
  const counts = (n: number) => ({ unaddressed: n, under_investigation: 0, affected: 0 });
  return {
    signals: {
      vulnerabilities: { critical: crit, high, medium, low },
      slsaLevel: i % 4,
      hoursSinceSigned: (i * 29) % 800,
      sbomCompleteness: (i % 10) / 9,
    },
    input: {
      module: { name: `module-${i}`, digest: `sha256:${i.toString(16).padStart(64, '0')}` },
      signature: { present: true, verified: i % 13 !== 0 },
      rekor: { entry_present: i % 17 !== 0 },
      sbom: { present: true, completeness: (i % 10) / 9 },
      slsa: { level: i % 4 },
      vulnerabilities: {
        critical: counts(crit),
        high: counts(high),
        medium: counts(medium),
        low: counts(low),
      },
    },
  };
});

// Long enough runs that a stray GC pause or a busy neighbour does not dominate the mean.
const BENCH_OPTIONS = { time: 3000, warmupTime: 1000 };

describe('decisions per second (one core)', () => {
  let i = 0;
  bench(
    'trust score + policy decision',
    () => {
      const m = modules[i++ & 63]!;
      const score = computeTrustScore(m.signals);
      policy.evaluate({ ...m.input, trust_score: score.score });
    },
    BENCH_OPTIONS,
  );

  const inputs = modules.map((m) => ({ ...m.input, trust_score: 80 }));
  let j = 0;
  bench(
    'policy decision only',
    () => {
      policy.evaluate(inputs[j++ & 63]);
    },
    BENCH_OPTIONS,
  );
});
