import { expect } from 'vitest';
import {
  BundleVerifyError,
  type BundleVerifyErrorCode,
  type VerificationStep,
} from '../../src/index.js';

/** Run `fn`, require a BundleVerifyError with this code and step (and detail), return it. */
export function rejection(
  fn: () => unknown,
  code: BundleVerifyErrorCode,
  step: VerificationStep,
  detail: Record<string, unknown> = {},
): BundleVerifyError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(BundleVerifyError);
  const error = caught as BundleVerifyError;
  expect({ code: error.code, step: error.detail.step }).toEqual({ code, step });
  expect(error.detail).toMatchObject(detail);
  return error;
}
