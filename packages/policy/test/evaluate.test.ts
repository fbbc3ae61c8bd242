import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, RULE_IDS, resolveConfig } from '../src/config.js';
import { PolicyError } from '../src/errors.js';
import { compilePolicy, evaluatePolicy } from '../src/evaluate.js';
import type { PolicyConfig, RuleId, RuleResult } from '../src/types.js';
import { validateResult } from '../src/validate.js';
import { cleanInput, withChange } from '../test/fixtures.js';

const policy = compilePolicy();
const rule = (result: { rules: readonly RuleResult[] }, id: RuleId) =>
  result.rules.find((r) => r.rule === id)!;

describe('compilePolicy', () => {
  it('passes a clean module under the defaults', () => {
    const result = policy.evaluate(cleanInput());
    expect(result).toMatchObject({ verdict: 'pass', allow: true, deny: [], warn: [] });
    expect(result.rules.map((r) => r.rule)).toEqual(RULE_IDS);
    expect(result.rules.map((r) => r.result)).toEqual([
      'pass',
      'pass',
      'skip',
      'skip',
      'pass',
      'pass',
      'pass',
      'pass',
      'pass',
    ]);
    expect(validateResult(result).valid).toBe(true);
  });

  it('applies the documented defaults', () => {
    expect(policy.config).toEqual(DEFAULT_CONFIG);
    expect(Object.isFrozen(policy.config.rules['cve-critical'].count)).toBe(true);
    expect(compilePolicy({ rules: {} }).configHash).toBe(policy.configHash);
    expect(compilePolicy(structuredClone(DEFAULT_CONFIG) as PolicyConfig).configHash).toBe(
      policy.configHash,
    );
    expect(compilePolicy({ rules: { 'cve-high': { max: 1 } } }).configHash).not.toBe(
      policy.configHash,
    );
    expect(policy.configHash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('keeps bucket order canonical whatever order the config gives', () => {
    const a = resolveConfig({ rules: { 'cve-high': { count: ['affected', 'unaddressed'] } } });
    expect(a.rules['cve-high'].count).toEqual(['unaddressed', 'affected']);
  });

  it('rejects invalid configs with every violation listed', () => {
    const bad: unknown[] = [
      null,
      'strict',
      { rule: {} },
      { rules: { 'cve-criticl': { max: 0 } } },
      { rules: { 'cve-critical': { max: -1 } } },
      { rules: { 'cve-critical': { max: 0.5 } } },
      { rules: { 'cve-high': { count: [] } } },
      { rules: { 'cve-high': { count: ['fixed'] } } },
      { rules: { 'cve-high': { count: ['affected', 'affected'] } } },
      { rules: { 'signature-verified': { enforcement: 'deny' } } },
      { rules: { 'signature-verified': { enabled: 'yes' } } },
      { rules: { 'slsa-level': { min_level: 4 } } },
      { rules: { 'trust-score': { min_score: 101 } } },
      { rules: { 'trust-score': { min_level: 2 } } },
    ];
    for (const config of bad) {
      let caught: unknown;
      try {
        compilePolicy(config);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(config)).toBeInstanceOf(PolicyError);
      const error = caught as PolicyError;
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.detail.fields?.length).toBeGreaterThan(0);
      expect(error.message).toMatch(/^config document: expected .+, got .+/);
    }
    const typo = (() => {
      try {
        compilePolicy({ rules: { 'cve-criticl': {} } });
      } catch (error) {
        return error as PolicyError;
      }
    })();
    expect(typo?.detail.fields).toEqual([
      { path: '/rules', message: 'must not have property "cve-criticl"' },
    ]);
  });
});

describe('CVE threshold rules', () => {
  it('counts every residual bucket by default and explains the breakdown', () => {
    const input = withChange(cleanInput(), 'vulnerabilities.critical', {
      unaddressed: 1,
      under_investigation: 2,
      affected: 3,
    });
    const r = rule(policy.evaluate(input), 'cve-critical');
    expect(r).toEqual({
      rule: 'cve-critical',
      result: 'fail',
      enforcement: 'enforce',
      message:
        'critical CVEs after VEX: expected at most 0, got 6 (1 unaddressed, 2 under investigation, 3 affected)',
      expected: 0,
      actual: 6,
    });
  });

  it('counts only the configured buckets', () => {
    const p = compilePolicy({ rules: { 'cve-critical': { count: ['affected'] } } });
    const input = withChange(cleanInput(), 'vulnerabilities.critical', {
      unaddressed: 0,
      under_investigation: 4,
      affected: 0,
    });
    const r = rule(p.evaluate(input), 'cve-critical');
    expect(r.result).toBe('pass');
    expect(r.message).toBe('critical CVEs after VEX: expected at most 0, got 0 (0 affected)');
    // Buckets not counted are not read either.
    const odd = withChange(input, 'vulnerabilities.critical.unaddressed', 'n/a');
    expect(rule(p.evaluate(odd), 'cve-critical').result).toBe('pass');
  });

  it('allows up to the maximum and no more', () => {
    const p = compilePolicy({
      rules: { 'cve-medium': { enabled: true, max: 3, enforcement: 'enforce' } },
    });
    const at = (n: number) =>
      rule(p.evaluate(withChange(cleanInput(), 'vulnerabilities.medium.affected', n)), 'cve-medium')
        .result;
    expect(at(3)).toBe('pass');
    expect(at(4)).toBe('fail');
  });

  it('downgrades a failing warn-mode rule to warn', () => {
    const result = policy.evaluate(withChange(cleanInput(), 'vulnerabilities.high.unaddressed', 1));
    expect(rule(result, 'cve-high').result).toBe('warn');
    expect(result).toMatchObject({ verdict: 'warn', allow: true, deny: [] });
    expect(result.warn).toEqual([
      'cve-high: high CVEs after VEX: expected at most 0, got 1 (1 unaddressed, 0 under investigation, 0 affected)',
    ]);
  });

  const broken: [string, unknown, string, unknown][] = [
    ['vulnerabilities', undefined, 'input.vulnerabilities: expected an object, got nothing', null],
    ['vulnerabilities', [], 'input.vulnerabilities: expected an object, got an array', 'an array'],
    [
      'vulnerabilities.critical',
      undefined,
      'input.vulnerabilities.critical: expected residual counts by VEX status, got nothing',
      null,
    ],
    [
      'vulnerabilities.critical',
      2,
      'input.vulnerabilities.critical: expected residual counts by VEX status, got 2',
      2,
    ],
    [
      'vulnerabilities.critical.affected',
      -1,
      'input.vulnerabilities.critical.affected: expected a non-negative integer, got -1',
      -1,
    ],
    [
      'vulnerabilities.critical.affected',
      1.5,
      'input.vulnerabilities.critical.affected: expected a non-negative integer, got 1.5',
      1.5,
    ],
    [
      'vulnerabilities.critical.affected',
      '0',
      'input.vulnerabilities.critical.affected: expected a non-negative integer, got "0"',
      '0',
    ],
    [
      'vulnerabilities.critical.affected',
      null,
      'input.vulnerabilities.critical.affected: expected a non-negative integer, got null',
      null,
    ],
    [
      'vulnerabilities.critical.unaddressed',
      undefined,
      'input.vulnerabilities.critical.unaddressed: expected a non-negative integer, got nothing',
      null,
    ],
  ];
  for (const [path, value, message, actual] of broken) {
    it(`reports error, never pass, for ${path} = ${JSON.stringify(value) ?? 'missing'}`, () => {
      const result = policy.evaluate(withChange(cleanInput(), path, value));
      const r = rule(result, 'cve-critical');
      expect(r).toMatchObject({ result: 'error', message, actual });
      expect(result.verdict).toBe('fail');
      expect(result.deny).toContain(`cve-critical: ${message}`);
    });
  }
});

describe('presence rules', () => {
  const cases: [RuleId, string, string][] = [
    ['rekor-entry', 'rekor.entry_present', 'Rekor entry'],
    ['sbom-present', 'sbom.present', 'SBOM'],
  ];
  for (const [id, path, what] of cases) {
    it(`${id} passes when present, fails when absent, errors when unknown`, () => {
      expect(rule(policy.evaluate(cleanInput()), id).message).toBe(
        `${what}: expected present, got present`,
      );
      const absent = rule(policy.evaluate(withChange(cleanInput(), path, false)), id);
      expect(absent).toMatchObject({ result: 'fail', expected: 'present', actual: 'absent' });
      expect(absent.message).toBe(`${what}: expected present, got absent`);
      const missing = rule(policy.evaluate(withChange(cleanInput(), path, undefined)), id);
      expect(missing).toMatchObject({
        result: 'error',
        message: `input.${path}: expected true or false, got nothing`,
      });
      const wrong = rule(policy.evaluate(withChange(cleanInput(), path, 'yes')), id);
      expect(wrong).toMatchObject({ result: 'error', actual: 'yes' });
    });
  }

  it('signature-verified tells absent from unverified', () => {
    const at = (present: unknown, verified: unknown) =>
      rule(
        policy.evaluate(
          withChange(
            withChange(cleanInput(), 'signature.present', present),
            'signature.verified',
            verified,
          ),
        ),
        'signature-verified',
      );
    expect(at(true, true)).toMatchObject({ result: 'pass', actual: 'verified' });
    expect(at(true, false)).toMatchObject({
      result: 'fail',
      actual: 'unverified',
      message: 'signature: expected verified, got unverified',
    });
    expect(at(false, false)).toMatchObject({ result: 'fail', actual: 'absent' });
    expect(at(false, true)).toMatchObject({ result: 'fail', actual: 'absent' });
    expect(at(true, undefined)).toMatchObject({
      result: 'error',
      message: 'input.signature.verified: expected true or false, got nothing',
    });
    expect(at(1, true)).toMatchObject({
      result: 'error',
      message: 'input.signature.present: expected true or false, got 1',
    });
    const noObject = rule(
      policy.evaluate(withChange(cleanInput(), 'signature', 'ok')),
      'signature-verified',
    );
    expect(noObject).toMatchObject({
      result: 'error',
      message: 'input.signature: expected an object, got "ok"',
    });
  });
});

describe('minimum rules', () => {
  it('slsa-level compares with min_level', () => {
    const at = (level: unknown) =>
      rule(policy.evaluate(withChange(cleanInput(), 'slsa.level', level)), 'slsa-level');
    expect(at(3)).toMatchObject({ result: 'pass', expected: 2, actual: 3 });
    expect(at(1)).toMatchObject({
      result: 'warn',
      message: 'SLSA build level: expected at least 2, got 1',
    });
    for (const bad of [4, -1, 1.5, '2', null, undefined]) {
      expect(at(bad).result).toBe('error');
    }
  });

  it('trust-score compares with min_score', () => {
    const p = compilePolicy({
      rules: { 'trust-score': { min_score: 80, enforcement: 'enforce' } },
    });
    const at = (score: unknown) =>
      rule(p.evaluate(withChange(cleanInput(), 'trust_score', score)), 'trust-score');
    expect(at(80)).toMatchObject({ result: 'pass' });
    expect(at(79.5)).toMatchObject({
      result: 'fail',
      message: 'trust score: expected at least 80, got 79.5',
    });
    expect(at(Number.NaN)).toMatchObject({ result: 'error', actual: null });
    expect(at(101).result).toBe('error');
    expect(at({ score: 90 })).toMatchObject({ result: 'error', actual: 'an object' });
  });
});

describe('aggregation', () => {
  it('fails on enforced failures, lists warnings too, and sorts both', () => {
    let input: unknown = cleanInput();
    input = withChange(input, 'sbom.present', false);
    input = withChange(input, 'rekor.entry_present', false);
    input = withChange(input, 'slsa.level', 0);
    input = withChange(input, 'trust_score', 10);
    const result = policy.evaluate(input);
    expect(result.verdict).toBe('fail');
    expect(result.allow).toBe(false);
    expect(result.deny).toEqual([
      'rekor-entry: Rekor entry: expected present, got absent',
      'sbom-present: SBOM: expected present, got absent',
    ]);
    expect(result.warn).toEqual([
      'slsa-level: SLSA build level: expected at least 2, got 0',
      'trust-score: trust score: expected at least 60, got 10',
    ]);
  });

  it('treats an error in a warn-mode rule as a warning, not a pass', () => {
    const result = policy.evaluate(withChange(cleanInput(), 'trust_score', undefined));
    expect(result.verdict).toBe('warn');
    expect(rule(result, 'trust-score').result).toBe('error');
    expect(result.warn).toEqual([
      'trust-score: input.trust_score: expected a number from 0 to 100, got nothing',
    ]);
  });

  it('fails closed on inputs that are not objects, and on a request without input', () => {
    for (const input of [undefined, null, 'x', 42, [], true]) {
      const result = policy.evaluate(input);
      expect(result.verdict).toBe('fail');
      expect(
        result.rules.filter((r) => r.result !== 'skip').every((r) => r.result === 'error'),
      ).toBe(true);
    }
    expect(policy.query({}).result.verdict).toBe('fail');
    expect(policy.query(null as never).result.verdict).toBe('fail');
  });

  it('skips disabled rules without reading their input', () => {
    const off = { enabled: false };
    const p = compilePolicy({
      rules: {
        'cve-critical': off,
        'cve-high': off,
        'cve-medium': off,
        'cve-low': off,
        'rekor-entry': off,
        'sbom-present': off,
        'signature-verified': off,
        'slsa-level': off,
        'trust-score': off,
      },
    });
    const result = p.evaluate({});
    expect(result.verdict).toBe('pass');
    expect(
      result.rules.every(
        (r) => r.result === 'skip' && r.message === 'skipped: rule disabled by configuration',
      ),
    ).toBe(true);
  });

  it('answers in the OPA Data API shape', () => {
    expect(policy.query({ input: cleanInput() })).toEqual({
      result: policy.evaluate(cleanInput()),
    });
    expect(policy.query({ input: cleanInput() }, { decisionId: 'd-1' }).decision_id).toBe('d-1');
    expect(evaluatePolicy(cleanInput())).toEqual(policy.evaluate(cleanInput()));
    expect(
      evaluatePolicy(cleanInput(), {
        rules: { 'slsa-level': { min_level: 3, enforcement: 'enforce' } },
      }).verdict,
    ).toBe('fail');
  });

  it('never throws and always yields a schema-valid, consistent result for arbitrary input', () => {
    const anyInput = fc.oneof(
      fc.anything(),
      fc.record({
        signature: fc.record({ present: fc.anything(), verified: fc.boolean() }),
        rekor: fc.record({ entry_present: fc.oneof(fc.boolean(), fc.anything()) }),
        sbom: fc.record({ present: fc.boolean() }),
        slsa: fc.record({ level: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.anything()) }),
        trust_score: fc.oneof(fc.double(), fc.integer({ min: 0, max: 100 })),
        vulnerabilities: fc.dictionary(
          fc.constantFrom('critical', 'high', 'medium', 'low'),
          fc.record({
            unaddressed: fc.nat(3),
            under_investigation: fc.integer({ min: -1, max: 2 }),
            affected: fc.nat(2),
          }),
        ),
      }),
    );
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = policy.evaluate(input);
        expect(validateResult(JSON.parse(JSON.stringify(result))).valid).toBe(true);
        const enforcedBad = result.rules.some(
          (r) => r.enforcement === 'enforce' && (r.result === 'fail' || r.result === 'error'),
        );
        expect(result.verdict === 'fail').toBe(enforcedBad);
        expect(result.allow).toBe(!enforcedBad);
        expect([...result.deny].sort()).toEqual(result.deny);
        expect([...result.warn].sort()).toEqual(result.warn);
        for (const r of result.rules) {
          if (r.result === 'warn') expect(r.enforcement).toBe('warn');
          if (r.result === 'fail') expect(r.enforcement).toBe('enforce');
          if (r.result !== 'skip') expect(r.message).toMatch(/expected .+, got .+/);
        }
      }),
      { numRuns: 300 },
    );
  });
});
