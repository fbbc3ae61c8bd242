// The in-runtime half of the harness: bundled into every test bundle, so it must itself run
// anywhere. It uses nothing but the language (no DOM, no Node, no Workers API).

/** What a case produced: a JSON value, or the error it threw (name and `code` only). */
export type CaseOutcome =
  | { readonly value: unknown }
  | { readonly threw: { readonly name: string; readonly code: string | null } };

/** One behaviour to observe in every runtime. */
export interface RuntimeCase {
  /** Unique name of the case; results are matched across runtimes by it. */
  readonly name: string;
  /** The behaviour: returns a JSON-representable value (or a promise of one), or throws. */
  readonly run: () => unknown;
  /**
   * The outcome the case must have in every runtime, written by hand, so that runtimes which
   * agree on a wrong answer still fail. Defaults to none: then any returned value is ok and
   * only a throw is a failure (the Node side still compares the runtimes' outcomes).
   */
  readonly expect?: CaseOutcome | undefined;
}

/** The result of one case in one runtime, as the harness reports it. */
export interface CaseResult {
  /** The case's name. */
  readonly name: string;
  /** Whether the outcome met the expectation (or, without one, whether nothing was thrown). */
  readonly ok: boolean;
  /** The outcome; `message` is a thrown error's message, kept out of cross-runtime comparison. */
  readonly detail: {
    readonly outcome: CaseOutcome;
    readonly message?: string;
    readonly expected?: CaseOutcome;
  };
}

/**
 * JSON text with object keys sorted at every level: equal for deeply equal JSON values, so
 * outcomes compare as strings. Hand-written (a dozen lines) because the in-runtime half must
 * stay dependency-free.
 */
export function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

function outcomeOfError(error: unknown): { outcome: CaseOutcome; message: string } {
  const e = error as { name?: unknown; code?: unknown; message?: unknown } | null;
  const name = typeof e?.name === 'string' ? e.name : typeof error;
  const code = typeof e?.code === 'string' ? e.code : null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return { outcome: { threw: { name, code } }, message };
}

/**
 * Run every case in order and report each one. A value is passed through JSON (so `undefined`
 * becomes `null` and what crosses from the runtime to Node is what is compared); an error
 * becomes `{ threw: { name, code } }`.
 */
export async function runCases(cases: readonly RuntimeCase[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.name)) throw new Error(`two cases are named ${JSON.stringify(c.name)}`);
    seen.add(c.name);
    let outcome: CaseOutcome;
    let message: string | undefined;
    try {
      const value = await c.run();
      outcome = { value: value === undefined ? null : JSON.parse(JSON.stringify(value)) };
    } catch (error) {
      ({ outcome, message } = outcomeOfError(error));
    }
    const ok =
      c.expect === undefined ? !('threw' in outcome) : sortedJson(outcome) === sortedJson(c.expect);
    results.push({
      name: c.name,
      ok,
      detail: {
        outcome,
        ...(message === undefined ? {} : { message }),
        ...(c.expect === undefined ? {} : { expected: c.expect }),
      },
    });
  }
  return results;
}
