import { PolicyError } from './errors.js';
import { type CompiledPolicy, DECISION_PATH } from './evaluate.js';
import type { PolicyResult } from './types.js';

/** A decision-log record with the field names of OPA decision-log events. */
export interface DecisionLogRecord {
  /** Unique id of the decision. */
  readonly decision_id: string;
  /** The queried rule path: `flareo/admission/decision`. */
  readonly path: typeof DECISION_PATH;
  /** The input document; omitted when the query had none. */
  readonly input?: unknown;
  /** The decision. */
  readonly result: PolicyResult;
  /** When the decision was made, RFC 3339 in UTC. */
  readonly timestamp: string;
  /** Free-form labels (OPA puts instance `id` and `version` here). Omitted when none are given. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Policy revision: `bundles.flareo.revision` is the config hash. */
  readonly bundles: { readonly flareo: { readonly revision: string } };
}

/** Options of {@link createDecisionLog}. */
export interface DecisionLogOptions {
  /** Decision id. Defaults to a random UUID v4 from WebCrypto (`globalThis.crypto.randomUUID()`). */
  readonly decisionId?: string | undefined;
  /** Time of the decision. Defaults to now. */
  readonly timestamp?: Date | undefined;
  /** Labels to record. Defaults to none (the field is omitted). */
  readonly labels?: Readonly<Record<string, string>> | undefined;
}

function invalidOption(field: string, expected: string, actual: unknown): PolicyError {
  return new PolicyError(
    'ARGUMENT_INVALID',
    `decision log option ${field}: expected ${expected}, got ${typeof actual === 'string' ? JSON.stringify(actual) : typeof actual}`,
    { expected, actual },
  );
}

/**
 * Build a decision-log record for a decision made by `policy`, with OPA's field names, so
 * logs from this evaluator and from a Rego twin can be read by the same tools.
 * @throws {PolicyError} `ARGUMENT_INVALID` for an empty decision id, an invalid date or
 *   non-string labels.
 */
export function createDecisionLog(
  policy: Pick<CompiledPolicy, 'configHash'>,
  input: unknown,
  result: PolicyResult,
  options: DecisionLogOptions = {},
): DecisionLogRecord {
  const decisionId = options.decisionId ?? globalThis.crypto.randomUUID();
  if (typeof decisionId !== 'string' || decisionId === '') {
    throw invalidOption('decisionId', 'a non-empty string', decisionId);
  }
  const when = options.timestamp ?? new Date();
  if (!(when instanceof Date) || Number.isNaN(when.getTime())) {
    throw invalidOption('timestamp', 'a valid Date', when);
  }
  if (options.labels !== undefined) {
    for (const [key, value] of Object.entries(options.labels)) {
      if (typeof value !== 'string') throw invalidOption(`labels.${key}`, 'a string', value);
    }
  }
  return {
    decision_id: decisionId,
    path: DECISION_PATH,
    ...(input === undefined ? {} : { input }),
    result,
    timestamp: when.toISOString(),
    ...(options.labels === undefined ? {} : { labels: { ...options.labels } }),
    bundles: { flareo: { revision: policy.configHash } },
  };
}
