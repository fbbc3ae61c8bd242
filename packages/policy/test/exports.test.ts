import { describe, expect, it } from 'vitest';
import * as documents from '../src/documents.js';
import * as main from '../src/index.js';

// Every exported name is a semver promise: these lists change only on purpose.
describe('public entry points', () => {
  it('keeps deciding in the main entry', () => {
    expect(Object.keys(main).sort()).toEqual([
      'PolicyError',
      'compilePolicy',
      'createDecisionLog',
      'evaluatePolicy',
      'policyInputFrom',
    ]);
  });

  it('keeps schemas, validators, defaults and OPA paths in @flareo/policy/documents', () => {
    expect(Object.keys(documents).sort()).toEqual([
      'CONFIG_DATA_PATH',
      'DATA_API_ENDPOINT',
      'DECISION_PATH',
      'DEFAULT_CONFIG',
      'RESIDUAL_BUCKETS',
      'RULE_IDS',
      'assertConfig',
      'assertDecisionLog',
      'assertInput',
      'assertResult',
      'configHash',
      'configSchema',
      'decisionLogSchema',
      'inputSchema',
      'resolveConfig',
      'resultSchema',
      'validateConfig',
      'validateDecisionLog',
      'validateInput',
      'validateResult',
    ]);
  });
});
