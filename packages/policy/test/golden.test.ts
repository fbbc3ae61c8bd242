import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_IDS, validateConfig, validateResult } from '../src/documents.js';
import { compilePolicy, type DataApiResponse, type RuleOutcome } from '../src/index.js';

// Golden decision cases: input + data (config at data.flareo.config) → the exact body OPA's
// Data API would return. Any other implementation of the policy (a Rego twin served at
// POST /v1/data/flareo/admission/decision) must reproduce every file byte for byte in JSON
// value terms.
interface GoldenCase {
  description: string;
  input?: unknown;
  data: { flareo: { config: unknown } };
  expected: DataApiResponse;
}

const dir = new URL('../golden/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const cases = files.map((file) => ({
  file,
  golden: JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as GoldenCase,
}));

describe('golden decision cases', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const { file, golden } of cases) {
    it(`${file}: ${golden.description}`, () => {
      expect(Object.keys(golden).sort()).toEqual(
        'input' in golden
          ? ['data', 'description', 'expected', 'input']
          : ['data', 'description', 'expected'],
      );
      const config = golden.data.flareo.config;
      expect(validateConfig(config).valid).toBe(true);
      expect(validateResult(golden.expected.result).valid).toBe(true);
      const policy = compilePolicy(config);
      const response = 'input' in golden ? policy.query({ input: golden.input }) : policy.query({});
      // Compare as JSON values, exactly as a Rego runtime's response would be compared.
      expect(JSON.parse(JSON.stringify(response))).toEqual(golden.expected);
    });
  }

  it('covers every verdict, and every rule passing, skipped, erroring and failing or warning', () => {
    const verdicts = new Set(cases.map((c) => c.golden.expected.result.verdict));
    expect([...verdicts].sort()).toEqual(['fail', 'pass', 'warn']);
    const seen = new Map<string, Set<RuleOutcome>>();
    for (const { golden } of cases) {
      for (const r of golden.expected.result.rules) {
        if (!seen.has(r.rule)) seen.set(r.rule, new Set());
        seen.get(r.rule)!.add(r.result);
      }
    }
    for (const id of RULE_IDS) {
      const outcomes = seen.get(id) ?? new Set();
      for (const needed of ['pass', 'skip', 'error'] as const) {
        expect(outcomes.has(needed), `${id} ${needed}`).toBe(true);
      }
      expect(outcomes.has('fail') || outcomes.has('warn'), `${id} fail|warn`).toBe(true);
    }
    const outcomes = new Set([...seen.values()].flatMap((s) => [...s]));
    expect([...outcomes].sort()).toEqual(['error', 'fail', 'pass', 'skip', 'warn']);
  });
});
