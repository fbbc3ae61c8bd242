import type { CaseResult } from './cases.js';
import { RuntimeTestError } from './errors.js';

/**
 * Check that what a runtime sent back is a list of `{ name, ok, detail }`.
 * @throws {RuntimeTestError} `RESULTS_INVALID` otherwise.
 */
export function parseResults(value: unknown, target: string): CaseResult[] {
  const bad = (why: string) =>
    new RuntimeTestError('RESULTS_INVALID', `${target} sent back ${why}`, {
      target,
      actual: value,
    });
  if (!Array.isArray(value)) throw bad('something other than a list of results');
  for (const [i, r] of value.entries()) {
    const item = r as Partial<CaseResult> | null;
    if (
      typeof item !== 'object' ||
      item === null ||
      typeof item.name !== 'string' ||
      typeof item.ok !== 'boolean' ||
      typeof item.detail !== 'object' ||
      item.detail === null ||
      typeof item.detail.outcome !== 'object'
    ) {
      throw bad(`a result at index ${i} that is not { name, ok, detail: { outcome } }`);
    }
  }
  return value as CaseResult[];
}
