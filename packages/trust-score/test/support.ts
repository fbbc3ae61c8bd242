// The trust-score tests' one support module (outside src/, so never part of the build).
import { rejectionOf } from '@flareo/internal/testing';
import { TrustScoreError } from '../src/errors.js';

/** The TrustScoreError `fn` throws; anything else (no error, a raw TypeError) fails the test. */
export const rejection = (fn: () => unknown): TrustScoreError => rejectionOf(TrustScoreError, fn);
