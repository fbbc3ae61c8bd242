import { describe, expect, it } from 'vitest';
import * as conventions from '../src/conventions.js';
import * as main from '../src/index.js';

// Every exported name is a semver promise: these lists change only on purpose.
describe('public entry points', () => {
  it('keeps verifying an image in the main entry', () => {
    expect(Object.keys(main).sort()).toEqual([
      'COSIGN_SIGN_PREDICATE_TYPE',
      'DEFAULT_SOURCE_LIMITS',
      'ImageVerifyError',
      'createImageVerifier',
      'isLoopbackHost',
      'openOciLayout',
      'parseImageReference',
      'registrySource',
    ]);
  });

  it('keeps cosign and OCI naming in @flareo/image-verify/conventions', () => {
    expect(Object.keys(conventions).sort()).toEqual([
      'COSIGN_ANNOTATIONS',
      'COSIGN_SIGNATURE_TYPE',
      'MEDIA_TYPES',
      'REF_NAME_ANNOTATION',
      'parseWwwAuthenticate',
      'referrersTag',
      'signatureTag',
    ]);
  });
});
