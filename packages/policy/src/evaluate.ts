import { configHash, resolveConfig } from './config.js';
import { type CompiledRule, compileRules } from './rules.js';
import type {
  DataApiResponse,
  PolicyConfig,
  PolicyResult,
  ResolvedPolicyConfig,
  RuleResult,
} from './types.js';

/** Where a Rego twin of this policy lives: `data.flareo.admission.decision`. */
export const DECISION_PATH = 'flareo/admission/decision';

/** The OPA Data API endpoint a Rego twin answers on. */
export const DATA_API_ENDPOINT = `POST /v1/data/${DECISION_PATH}`;

/** Where the config document sits in OPA's `data`: `data.flareo.config`. */
export const CONFIG_DATA_PATH = 'flareo/config';

/** Options of {@link CompiledPolicy.query}. */
export interface QueryOptions {
  /** Decision id to return as `decision_id` (as OPA does when decision logging is on). Defaults to none. */
  readonly decisionId?: string | undefined;
}

/** A config compiled once, evaluated many times. */
export interface CompiledPolicy {
  /** The config with every default applied (deeply frozen). */
  readonly config: ResolvedPolicyConfig;
  /** `sha256:<hex>` of the resolved config's canonical JSON. */
  readonly configHash: string;
  /**
   * Decide on one input document. Never throws: missing or invalid facts make the rules that
   * need them `error`. Does not validate the whole input against the schema.
   */
  evaluate(input: unknown): PolicyResult;
  /**
   * The OPA Data API contract: `{ input }` in, `{ result }` out (plus `decision_id` when
   * given). A request without `input` evaluates an absent input, which fails closed.
   */
  query(request: { readonly input?: unknown }, options?: QueryOptions): DataApiResponse;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function aggregate(rules: RuleResult[]): PolicyResult {
  const deny: string[] = [];
  const warn: string[] = [];
  for (const r of rules) {
    if (r.result === 'fail' || (r.result === 'error' && r.enforcement === 'enforce')) {
      deny.push(`${r.rule}: ${r.message}`);
    } else if (r.result === 'warn' || r.result === 'error') {
      warn.push(`${r.rule}: ${r.message}`);
    }
  }
  if (deny.length > 1) deny.sort(byCodeUnits);
  if (warn.length > 1) warn.sort(byCodeUnits);
  const verdict = deny.length > 0 ? 'fail' : warn.length > 0 ? 'warn' : 'pass';
  return { verdict, allow: verdict !== 'fail', deny, warn, rules };
}

function run(rules: readonly CompiledRule[], input: unknown): PolicyResult {
  const results: RuleResult[] = new Array(rules.length);
  for (let i = 0; i < rules.length; i++) results[i] = rules[i]!(input);
  return aggregate(results);
}

/**
 * Validate and compile a config document (OPA `data.flareo.config`) once; evaluate with the
 * returned object as often as needed. The per-decision path neither re-validates the config
 * nor touches the schemas.
 * @param config Defaults to `{}`: every rule with its default settings.
 * @throws {PolicyError} `CONFIG_INVALID` listing every schema violation.
 */
export function compilePolicy(config: PolicyConfig | unknown = {}): CompiledPolicy {
  const resolved = resolveConfig(config);
  const rules = compileRules(resolved);
  const hash = configHash(resolved);
  return Object.freeze({
    config: resolved,
    configHash: hash,
    evaluate: (input: unknown) => run(rules, input),
    query: (request: { readonly input?: unknown }, options?: QueryOptions): DataApiResponse => {
      const input =
        typeof request === 'object' && request !== null && Object.hasOwn(request, 'input')
          ? request.input
          : undefined;
      const result = run(rules, input);
      return options?.decisionId === undefined
        ? { result }
        : { result, decision_id: options.decisionId };
    },
  });
}

let defaultPolicy: CompiledPolicy | undefined;

/**
 * One-off decision: compile `config` and evaluate `input`. Without a config the compiled
 * default policy is reused; with one, prefer {@link compilePolicy} in loops.
 * @throws {PolicyError} `CONFIG_INVALID` for an invalid config.
 */
export function evaluatePolicy(input: unknown, config?: PolicyConfig): PolicyResult {
  if (config === undefined) {
    defaultPolicy ??= compilePolicy({});
    return defaultPolicy.evaluate(input);
  }
  return compilePolicy(config).evaluate(input);
}
