import { describe, expect, it } from 'vitest';
import { createDecisionLog } from '../src/decision-log.js';
import { PolicyError } from '../src/errors.js';
import { compilePolicy, DECISION_PATH } from '../src/evaluate.js';
import { validateDecisionLog } from '../src/validate.js';
import { cleanInput } from '../test/fixtures.js';

describe('createDecisionLog', () => {
  const policy = compilePolicy({ rules: { 'trust-score': { min_score: 70 } } });
  const input = cleanInput();
  const result = policy.evaluate(input);

  it('uses OPA decision-log field names and the config hash as bundle revision', () => {
    const record = createDecisionLog(policy, input, result, {
      decisionId: '4ca636c1-55e4-417a-b1d8-4aceb67960d1',
      timestamp: new Date('2025-06-01T12:34:56.789Z'),
      labels: { id: 'catalog-1', version: '1.0.0' },
    });
    expect(record).toEqual({
      decision_id: '4ca636c1-55e4-417a-b1d8-4aceb67960d1',
      path: 'flareo/admission/decision',
      input,
      result,
      timestamp: '2025-06-01T12:34:56.789Z',
      labels: { id: 'catalog-1', version: '1.0.0' },
      bundles: { flareo: { revision: policy.configHash } },
    });
    expect(DECISION_PATH).toBe(record.path);
    expect(validateDecisionLog(JSON.parse(JSON.stringify(record))).valid).toBe(true);
  });

  it('defaults to a random UUID and the current time, and omits absent input and labels', () => {
    const before = Date.now();
    const a = createDecisionLog(policy, undefined, policy.evaluate(undefined));
    const b = createDecisionLog(policy, input, result);
    expect(a.decision_id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(a.decision_id).not.toBe(b.decision_id);
    expect(Date.parse(a.timestamp)).toBeGreaterThanOrEqual(before);
    expect('input' in a).toBe(false);
    expect('labels' in a).toBe(false);
    expect(validateDecisionLog(a).valid).toBe(true);
  });

  it('changes revision when the config changes', () => {
    const other = compilePolicy({ rules: { 'trust-score': { min_score: 71 } } });
    expect(createDecisionLog(other, input, result).bundles.flareo.revision).not.toBe(
      policy.configHash,
    );
  });

  it('rejects bad options', () => {
    const bad = [
      { decisionId: '' },
      { timestamp: new Date('nope') },
      { timestamp: '2025-01-01' as never },
      { labels: { id: 7 as never } },
    ];
    for (const options of bad) {
      expect(() => createDecisionLog(policy, input, result, options)).toThrow(PolicyError);
      expect(() => createDecisionLog(policy, input, result, options)).toThrow(
        expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
      );
    }
  });
});
