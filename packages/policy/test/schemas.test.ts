import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDecisionLog } from '../src/decision-log.js';
import { PolicyError } from '../src/errors.js';
import { compilePolicy } from '../src/evaluate.js';
import { configSchema, decisionLogSchema, inputSchema, resultSchema } from '../src/schemas.js';
import {
  assertConfig,
  assertDecisionLog,
  assertInput,
  assertResult,
  validateConfig,
  validateDecisionLog,
  validateInput,
  validateResult,
} from '../src/validate.js';
import { cleanInput, withChange } from '../test/fixtures.js';

describe('schema snapshots', () => {
  // The committed files under schemas/ are what reviewers see change; the build writes the
  // same documents to dist/schemas for the package export. Files are compared as JSON values
  // (the formatter may re-wrap them); set FLAREO_UPDATE_SCHEMAS=1 to rewrite them after an
  // intended schema change.
  const all = {
    input: inputSchema,
    config: configSchema,
    result: resultSchema,
    'decision-log': decisionLogSchema,
  };
  for (const [name, schema] of Object.entries(all)) {
    it(`${name} schema matches schemas/${name}.schema.json`, () => {
      const file = new URL(`../schemas/${name}.schema.json`, import.meta.url);
      if (process.env.FLAREO_UPDATE_SCHEMAS) {
        writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
      }
      expect(existsSync(file), `schemas/${name}.schema.json is missing`).toBe(true);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(schema);
    });
  }
});

function fieldsOf(fn: () => void, code: string): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).code).toBe(code);
    return ((error as PolicyError).detail.fields ?? []).map((f) => `${f.path} ${f.message}`);
  }
  throw new Error('expected a PolicyError');
}

describe('input schema', () => {
  it('accepts a complete input and ignores unknown properties', () => {
    expect(validateInput(cleanInput())).toEqual({ valid: true, errors: [] });
    expect(validateInput({ ...cleanInput(), extra: { anything: 1 } }).valid).toBe(true);
    expect(() => assertInput(cleanInput())).not.toThrow();
  });

  const rejections: [string, unknown, string][] = [
    ['module', undefined, " must have required property 'module'"],
    ['module.digest', 'sha256:abc', '/module/digest must match pattern'],
    ['module.digest', `md5:${'a'.repeat(32)}`, '/module/digest must match pattern'],
    ['module.name', '', '/module/name must NOT have fewer than 1 characters'],
    ['signature.verified', 'yes', '/signature/verified must be boolean'],
    ['rekor.entry_present', undefined, "/rekor must have required property 'entry_present'"],
    ['rekor.log_index', -1, '/rekor/log_index must be >= 0'],
    ['sbom.completeness', 97, '/sbom/completeness must be <= 1'],
    ['slsa.level', 4, '/slsa/level must be <= 3'],
    ['slsa.level', 1.5, '/slsa/level must be integer'],
    ['vulnerabilities.low', undefined, "/vulnerabilities must have required property 'low'"],
    ['vulnerabilities.high.affected', -2, '/vulnerabilities/high/affected must be >= 0'],
    ['vulnerabilities.high.fixed', 1, '/vulnerabilities/high must not have property "fixed"'],
    ['trust_score', '93', '/trust_score must be number'],
    ['trust_score', 120, '/trust_score must be <= 100'],
  ];
  for (const [path, value, expected] of rejections) {
    it(`rejects ${path} = ${JSON.stringify(value) ?? 'missing'}`, () => {
      const fields = fieldsOf(
        () => assertInput(withChange(cleanInput(), path, value)),
        'INPUT_INVALID',
      );
      expect(fields.some((f) => f.startsWith(expected))).toBe(true);
    });
  }

  it('lists every violation and says how many it left out of the message', () => {
    const result = validateInput({});
    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(7);
    try {
      assertInput({});
    } catch (error) {
      expect((error as PolicyError).message).toContain('(and 4 more)');
    }
  });
});

describe('config schema', () => {
  it('accepts the empty config and a full one', () => {
    expect(validateConfig({}).valid).toBe(true);
    expect(validateConfig(JSON.parse(JSON.stringify(compilePolicy().config))).valid).toBe(true);
  });
  it('rejects unknown rules and keys', () => {
    expect(fieldsOf(() => assertConfig({ thresholds: {} }), 'CONFIG_INVALID')).toEqual([
      ' must not have property "thresholds"',
    ]);
    expect(
      fieldsOf(() => assertConfig({ rules: { 'slsa-level': { level: 2 } } }), 'CONFIG_INVALID'),
    ).toEqual(['/rules/slsa-level must not have property "level"']);
    expect(
      fieldsOf(
        () => assertConfig({ rules: { 'rekor-entry': { enforcement: 'audit' } } }),
        'CONFIG_INVALID',
      ),
    ).toEqual(['/rules/rekor-entry/enforcement must be one of "enforce", "warn"']);
  });
});

describe('result schema', () => {
  const good = compilePolicy().evaluate(cleanInput());
  it('accepts evaluator output', () => {
    expect(() => assertResult(JSON.parse(JSON.stringify(good)))).not.toThrow();
  });
  it('rejects malformed results', () => {
    expect(validateResult({ ...good, verdict: 'deny' }).valid).toBe(false);
    expect(validateResult({ ...good, allow: 'true' }).valid).toBe(false);
    expect(validateResult({ ...good, deny: [1] }).valid).toBe(false);
    expect(validateResult({ ...good, extra: 1 }).valid).toBe(false);
    expect(validateResult({ ...good, rules: [{ ...good.rules[0], result: 'ok' }] }).valid).toBe(
      false,
    );
    expect(
      validateResult({ ...good, rules: [{ ...good.rules[0], rule: 'cve-unknown' }] }).valid,
    ).toBe(false);
    const { expected: _, ...noExpected } = good.rules[0]!;
    expect(validateResult({ ...good, rules: [noExpected] }).valid).toBe(false);
    expect(fieldsOf(() => assertResult({ ...good, warn: 'x' }), 'RESULT_INVALID')).toEqual([
      '/warn must be array',
    ]);
  });
});

describe('decision-log schema', () => {
  const policy = compilePolicy();
  const record = createDecisionLog(policy, cleanInput(), policy.evaluate(cleanInput()), {
    decisionId: 'x',
    timestamp: new Date('2025-06-01T00:00:00Z'),
  });
  it('accepts records built by createDecisionLog', () => {
    expect(() => assertDecisionLog(JSON.parse(JSON.stringify(record)))).not.toThrow();
  });
  it('rejects malformed records, including a malformed embedded result', () => {
    expect(validateDecisionLog({ ...record, path: 'other/path' }).valid).toBe(false);
    expect(validateDecisionLog({ ...record, timestamp: 'yesterday' }).valid).toBe(false);
    expect(validateDecisionLog({ ...record, bundles: { flareo: { revision: 'abc' } } }).valid).toBe(
      false,
    );
    expect(validateDecisionLog({ ...record, result: { verdict: 'pass' } }).valid).toBe(false);
    expect(validateDecisionLog({ ...record, labels: { id: 1 } }).valid).toBe(false);
    expect(
      fieldsOf(() => assertDecisionLog({ ...record, decision_id: '' }), 'DECISION_LOG_INVALID'),
    ).toEqual(['/decision_id must NOT have fewer than 1 characters']);
  });
});
