import { describe, expect, it } from 'vitest';
import * as main from '../src/index.js';
import * as input from '../src/input-entry.js';
import * as node from '../src/node.js';

// Every exported name is a semver promise: these lists change only on purpose.
describe('public entry points', () => {
  it('keeps verifying in the main entry', () => {
    expect(Object.keys(main).sort()).toEqual([
      'BundleVerifyError',
      'compileIdentityPolicy',
      'createVerifier',
      'summarizeResult',
    ]);
  });

  it('keeps the Node-only parts in @flareo/bundle-verify/node', () => {
    expect(Object.keys(node).sort()).toEqual([
      'artifactFromStream',
      'createVerifierPool',
      'loadTrustInputs',
    ]);
  });

  it('keeps the parsing step on its own in @flareo/bundle-verify/input', () => {
    expect(Object.keys(input).sort()).toEqual([
      'DEFAULT_LIMITS',
      'MEDIA_TYPES',
      'normalizeBundle',
      'normalizeKeyedSignature',
    ]);
  });
});
