import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrustScoreError } from '../src/errors.js';
import {
  computeTrustScore,
  freshnessSubscore,
  hoursSince,
  SIGNAL_WEIGHTS,
  type TrustSignals,
  type TrustStatus,
  VULNERABILITY_PENALTIES,
} from '../src/score.js';
import { rejection } from './support.js';

interface CalibrationCase {
  name: string;
  signals: TrustSignals;
  min: number;
  max: number;
  status: TrustStatus;
}
const calibration = JSON.parse(
  readFileSync(new URL('../test/vectors/calibration.json', import.meta.url), 'utf8'),
) as { cases: CalibrationCase[] };

const clean: TrustSignals = {
  vulnerabilities: { critical: 0, high: 0, medium: 0, low: 0 },
  slsaLevel: 2,
  hoursSinceSigned: 1,
  sbomCompleteness: 1,
};

function expectCode(fn: () => unknown, code: string, field?: string): TrustScoreError {
  const error = rejection(fn);
  expect(error.code).toBe(code);
  if (field !== undefined) expect(error.detail.field).toBe(field);
  return error;
}

describe('computeTrustScore calibration vectors', () => {
  it('has the published calibration points', () => {
    expect(calibration.cases.length).toBeGreaterThanOrEqual(10);
  });
  for (const c of calibration.cases) {
    it(c.name, () => {
      const result = computeTrustScore(c.signals);
      expect(result.score).toBeGreaterThanOrEqual(c.min);
      expect(result.score).toBeLessThanOrEqual(c.max);
      expect(result.status).toBe(c.status);
    });
  }
});

describe('computeTrustScore explanation', () => {
  it('lists the four signals with weights adding up to 100 and points adding up to the score', () => {
    const result = computeTrustScore({
      vulnerabilities: { critical: 0, high: 1, medium: 2, low: 3 },
      slsaLevel: 1,
      hoursSinceSigned: 100,
      sbomCompleteness: 0.5,
    });
    expect(result.signals.map((s) => s.signal)).toEqual([
      'vulnerabilities',
      'slsa',
      'freshness',
      'sbom',
    ]);
    expect(result.signals.reduce((sum, s) => sum + s.weight, 0)).toBe(100);
    const sum = result.signals.reduce((acc, s) => acc + s.points, 0);
    expect(Math.abs(sum - result.exactScore)).toBeLessThan(0.03);
    expect(result.score).toBe(Math.round(result.exactScore));
    for (const s of result.signals) {
      expect(s.points).toBeLessThanOrEqual(s.weight);
      expect(s.points).toBeCloseTo((s.subscore * s.weight) / 100, 1);
      expect(s.reason).toMatch(/^[A-Z0-9].*\.$/);
      expect(s.reason).toContain(`of ${s.weight} points`);
    }
  });

  it('explains each signal in one sentence with its value', () => {
    const [vuln, slsa, fresh, sbom] = computeTrustScore({
      vulnerabilities: { critical: 0, high: 1, medium: 0, low: 2 },
      slsaLevel: 2,
      hoursSinceSigned: 372,
      sbomCompleteness: 0.8,
    }).signals;
    expect(vuln.value).toEqual({ critical: 0, high: 1, medium: 0, low: 2, unknown: 0 });
    expect(vuln.reason).toBe(
      `3 open vulnerabilities after VEX (1 high, 2 low): ${vuln.points} of 50 points.`,
    );
    expect(slsa.reason).toBe('SLSA build level 2 of 3: 13.33 of 20 points.');
    expect(fresh.points).toBe(7.5);
    expect(fresh.reason).toBe(
      'Signed 372 hours ago; credit falls linearly from 24 to 720 hours: 7.5 of 15 points.',
    );
    expect(sbom.reason).toBe(
      '80% of SBOM components have complete CycloneDX metadata: 12 of 15 points.',
    );
  });

  it('says what is missing when a signal is absent', () => {
    const result = computeTrustScore({
      ...clean,
      slsaLevel: 0,
      hoursSinceSigned: null,
      sbomCompleteness: null,
    });
    expect(result.signals[1].reason).toContain('No verified SLSA provenance');
    expect(result.signals[2].reason).toBe('Never signed: 0 of 15 points.');
    expect(result.signals[3].reason).toBe('No SBOM: 0 of 15 points.');
    expect(result.signals[0].reason).toBe('No open vulnerabilities after VEX: 50 of 50 points.');
    expect(result.score).toBe(50);
  });

  it('flips to failing on any critical and says so', () => {
    const result = computeTrustScore({
      ...clean,
      slsaLevel: 3,
      vulnerabilities: { critical: 1, high: 0, medium: 0, low: 0 },
    });
    expect(result.status).toBe('failing');
    expect(result.statusReason).toBe(
      `1 critical vulnerability open after VEX: failing whatever the score (${result.score}).`,
    );
    expect(result.signals[0].reason).toContain('criticals cost the most');
  });

  it('counts unrated findings like mediums', () => {
    const unknown = computeTrustScore({
      ...clean,
      vulnerabilities: { critical: 0, high: 0, medium: 0, low: 0, unknown: 4 },
    });
    const medium = computeTrustScore({
      ...clean,
      vulnerabilities: { critical: 0, high: 0, medium: 4, low: 0 },
    });
    expect(unknown.exactScore).toBe(medium.exactScore);
    expect(VULNERABILITY_PENALTIES.unknown).toBe(VULNERABILITY_PENALTIES.medium);
  });

  it('uses the documented curves', () => {
    const one = (sev: 'critical' | 'high' | 'medium' | 'low') =>
      computeTrustScore({
        ...clean,
        vulnerabilities: { critical: 0, high: 0, medium: 0, low: 0, [sev]: 1 },
      }).signals[0].subscore;
    expect(one('critical')).toBe(36.79);
    expect(one('high')).toBe(70.47);
    expect(one('medium')).toBe(95.12);
    expect(one('low')).toBe(99.0);
    expect(freshnessSubscore(0)).toBe(100);
    expect(freshnessSubscore(24)).toBe(100);
    expect(freshnessSubscore(372)).toBe(50);
    expect(freshnessSubscore(720)).toBe(0);
    expect(freshnessSubscore(10_000)).toBe(0);
    expect(
      [0, 1, 2, 3].map((l) => computeTrustScore({ ...clean, slsaLevel: l }).signals[1].points),
    ).toEqual([0, 6.67, 13.33, 20]);
    expect(SIGNAL_WEIGHTS).toEqual({ vulnerabilities: 50, slsa: 20, freshness: 15, sbom: 15 });
  });

  it('honours freshness and status options', () => {
    const result = computeTrustScore(
      { ...clean, hoursSinceSigned: 100 },
      { freshnessGraceHours: 168, freshnessZeroHours: 336, passingScore: 95, warningScore: 90 },
    );
    expect(result.signals[2].points).toBe(15);
    expect(result.status).toBe('warning');
    expect(result.statusReason).toBe('Score 93 is below 95 but at least 90: warning.');
    const late = computeTrustScore(
      { ...clean, hoursSinceSigned: 252 },
      { freshnessGraceHours: 168, freshnessZeroHours: 336 },
    );
    expect(late.signals[2].points).toBe(7.5);
  });
});

describe('computeTrustScore input checks', () => {
  const bad: [string, unknown, string][] = [
    ['null signals', null, 'signals'],
    ['a string', 'x', 'signals'],
    ['no vulnerabilities', { ...clean, vulnerabilities: undefined }, 'vulnerabilities'],
    ['array of counts', { ...clean, vulnerabilities: [1] }, 'vulnerabilities'],
    [
      'missing high',
      { ...clean, vulnerabilities: { critical: 0, medium: 0, low: 0 } },
      'vulnerabilities.high',
    ],
    [
      'negative count',
      { ...clean, vulnerabilities: { ...clean.vulnerabilities, low: -1 } },
      'vulnerabilities.low',
    ],
    [
      'fractional count',
      { ...clean, vulnerabilities: { ...clean.vulnerabilities, medium: 1.5 } },
      'vulnerabilities.medium',
    ],
    [
      'string count',
      { ...clean, vulnerabilities: { ...clean.vulnerabilities, critical: '0' } },
      'vulnerabilities.critical',
    ],
    [
      'bad unknown',
      { ...clean, vulnerabilities: { ...clean.vulnerabilities, unknown: null } },
      'vulnerabilities.unknown',
    ],
    ['level 4', { ...clean, slsaLevel: 4 }, 'slsaLevel'],
    ['level 1.5', { ...clean, slsaLevel: 1.5 }, 'slsaLevel'],
    ['level missing', { ...clean, slsaLevel: undefined }, 'slsaLevel'],
    ['negative hours', { ...clean, hoursSinceSigned: -1 }, 'hoursSinceSigned'],
    ['NaN hours', { ...clean, hoursSinceSigned: Number.NaN }, 'hoursSinceSigned'],
    ['hours missing', { ...clean, hoursSinceSigned: undefined }, 'hoursSinceSigned'],
    ['completeness 1.1', { ...clean, sbomCompleteness: 1.1 }, 'sbomCompleteness'],
    ['completeness as percent string', { ...clean, sbomCompleteness: '97%' }, 'sbomCompleteness'],
  ];
  for (const [name, signals, field] of bad) {
    it(`rejects ${name} with SIGNAL_INVALID`, () => {
      const error = expectCode(
        () => computeTrustScore(signals as TrustSignals),
        'SIGNAL_INVALID',
        field,
      );
      expect(error.message).toMatch(/expected .+, got .+/);
    });
  }

  it('rejects bad options with ARGUMENT_INVALID', () => {
    expectCode(
      () => computeTrustScore(clean, { freshnessGraceHours: -1 }),
      'ARGUMENT_INVALID',
      'freshnessGraceHours',
    );
    expectCode(
      () => computeTrustScore(clean, { freshnessGraceHours: 100, freshnessZeroHours: 50 }),
      'ARGUMENT_INVALID',
      'freshnessZeroHours',
    );
    expectCode(
      () => computeTrustScore(clean, { passingScore: 50, warningScore: 60 }),
      'ARGUMENT_INVALID',
    );
    expectCode(() => computeTrustScore(clean, { passingScore: 101 }), 'ARGUMENT_INVALID');
    expectCode(() => computeTrustScore(clean, null as never), 'ARGUMENT_INVALID', 'options');
  });
});

describe('hoursSince', () => {
  const now = Date.parse('2025-06-01T12:00:00Z');
  it('measures hours from dates, strings and numbers', () => {
    expect(hoursSince('2025-06-01T00:00:00Z', { now })).toBe(12);
    expect(hoursSince(new Date('2025-05-31T12:00:00Z'), { now: new Date(now) })).toBe(24);
    expect(hoursSince(now - 90 * 60_000, { now })).toBe(1.5);
  });
  it('treats small clock skew as zero and rejects times further in the future', () => {
    expect(hoursSince(now + 60_000, { now })).toBe(0);
    expectCode(() => hoursSince(now + 600_000, { now }), 'SIGNAL_INVALID', 'signedAt');
    expect(hoursSince(now + 600_000, { now, clockSkewSeconds: 900 })).toBe(0);
  });
  it('rejects unparsable times and bad options', () => {
    expectCode(() => hoursSince('yesterday', { now }), 'SIGNAL_INVALID', 'signedAt');
    expectCode(() => hoursSince(now, { now: 'soon' as never }), 'SIGNAL_INVALID', 'now');
    expectCode(() => hoursSince(now, { now, clockSkewSeconds: -5 }), 'ARGUMENT_INVALID');
  });
});

describe('computeTrustScore properties', () => {
  const counts = fc.record({
    critical: fc.nat(5),
    high: fc.nat(20),
    medium: fc.nat(50),
    low: fc.nat(200),
    unknown: fc.nat(20),
  });
  const signals = fc.record({
    vulnerabilities: counts,
    slsaLevel: fc.integer({ min: 0, max: 3 }),
    hoursSinceSigned: fc.option(fc.double({ min: 0, max: 2000, noNaN: true }), { nil: null }),
    sbomCompleteness: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  });
  const severity = fc.constantFrom('critical', 'high', 'medium', 'low', 'unknown' as const);

  it('stays within 0..100 and fails on any critical', () => {
    fc.assert(
      fc.property(signals, (s) => {
        const r = computeTrustScore(s);
        expect(r.score).toBeGreaterThanOrEqual(0);
        expect(r.score).toBeLessThanOrEqual(100);
        if (s.vulnerabilities.critical > 0) expect(r.status).toBe('failing');
      }),
    );
  });

  it('never rises when a vulnerability is added, and criticals hurt most', () => {
    fc.assert(
      fc.property(signals, severity, (s, sev) => {
        const before = computeTrustScore(s);
        const more = {
          ...s,
          vulnerabilities: { ...s.vulnerabilities, [sev]: s.vulnerabilities[sev] + 1 },
        };
        const after = computeTrustScore(more);
        expect(after.exactScore).toBeLessThanOrEqual(before.exactScore);
        expect(after.signals[0].subscore).toBeLessThanOrEqual(before.signals[0].subscore);
        const crit = computeTrustScore({
          ...s,
          vulnerabilities: { ...s.vulnerabilities, critical: s.vulnerabilities.critical + 1 },
        });
        expect(crit.exactScore).toBeLessThanOrEqual(after.exactScore);
      }),
    );
  });

  it('never falls when SLSA level or SBOM completeness rises, or the signature gets fresher', () => {
    fc.assert(
      fc.property(
        signals,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 500, noNaN: true }),
        (s, d, h) => {
          const base = computeTrustScore(s).exactScore;
          if (s.slsaLevel < 3) {
            expect(
              computeTrustScore({ ...s, slsaLevel: s.slsaLevel + 1 }).exactScore,
            ).toBeGreaterThan(base);
          }
          const c = s.sbomCompleteness ?? 0;
          const higher = Math.min(1, c + d * (1 - c));
          expect(
            computeTrustScore({ ...s, sbomCompleteness: higher }).exactScore,
          ).toBeGreaterThanOrEqual(base);
          if (s.hoursSinceSigned !== null) {
            const fresher = Math.max(0, s.hoursSinceSigned - h);
            expect(
              computeTrustScore({ ...s, hoursSinceSigned: fresher }).exactScore,
            ).toBeGreaterThanOrEqual(base);
            // Having signed at all is never worse than never having signed.
            expect(base).toBeGreaterThanOrEqual(
              computeTrustScore({ ...s, hoursSinceSigned: null }).exactScore,
            );
          }
        },
      ),
    );
  });

  it('orders statuses like scores when there is no critical', () => {
    const rank = { failing: 0, warning: 1, passing: 2 } as const;
    fc.assert(
      fc.property(signals, signals, (a, b) => {
        const noCrit = (s: typeof a) => ({
          ...s,
          vulnerabilities: { ...s.vulnerabilities, critical: 0 },
        });
        const ra = computeTrustScore(noCrit(a));
        const rb = computeTrustScore(noCrit(b));
        if (ra.score <= rb.score) expect(rank[ra.status]).toBeLessThanOrEqual(rank[rb.status]);
      }),
    );
  });
});
