import { type CaseResult, sortedJson } from './cases.js';
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

/**
 * How a runtime's results differ from the reference run's (Node's): one line per case that
 * is missing, extra, out of order, not ok, or whose outcome (value, or thrown name and code)
 * is not the reference's. Empty when they agree.
 */
export function differences(
  reference: readonly CaseResult[],
  results: readonly CaseResult[],
): string[] {
  const out: string[] = [];
  const names = (list: readonly CaseResult[]) => list.map((r) => r.name).join('\n');
  if (names(reference) !== names(results)) {
    const want = new Set(reference.map((r) => r.name));
    const got = new Set(results.map((r) => r.name));
    for (const n of want) if (!got.has(n)) out.push(`${n}: missing`);
    for (const n of got) if (!want.has(n)) out.push(`${n}: not in the reference run`);
    if (out.length === 0) out.push('the cases ran in another order');
    return out;
  }
  for (const [i, r] of results.entries()) {
    const ref = reference[i] as CaseResult;
    if (!r.ok) out.push(`${r.name}: failed (${sortedJson(r.detail)})`);
    const a = sortedJson(r.detail.outcome);
    const b = sortedJson(ref.detail.outcome);
    if (a !== b)
      out.push(`${r.name}: ${a.slice(0, 300)} where the reference has ${b.slice(0, 300)}`);
  }
  return out;
}
