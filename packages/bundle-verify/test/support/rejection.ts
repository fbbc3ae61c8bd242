import { rejectionOf } from '@flareo/internal/testing';
import { expect } from 'vitest';
import {
  BundleVerifyError,
  type BundleVerifyErrorCode,
  type BundleVerifyErrorDetail,
  type VerificationStep,
} from '../../src/index.js';

/**
 * The one rejection helper of this package's tests. `rejected` returns the
 * `BundleVerifyError` that `fn` throws; a call that succeeds or throws anything else (a raw
 * TypeError above all) fails the test.
 */
export function rejected(fn: () => unknown): BundleVerifyError {
  return rejectionOf(BundleVerifyError, fn);
}

/**
 * Run `fn`, require a BundleVerifyError with this code (and step, when given, and detail),
 * return it.
 */
export function rejection(
  fn: () => unknown,
  code: BundleVerifyErrorCode,
  step?: VerificationStep,
  detail: Partial<Record<keyof BundleVerifyErrorDetail, unknown>> = {},
): BundleVerifyError {
  const error = rejected(fn);
  expect(error.code).toBe(code);
  if (step !== undefined) expect(error.detail.step).toBe(step);
  expect(error.detail).toMatchObject(detail);
  return error;
}
