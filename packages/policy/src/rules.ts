import type {
  CveSeverity,
  Enforcement,
  JsonValue,
  ResolvedCveRuleConfig,
  ResolvedPolicyConfig,
  RuleId,
  RuleResult,
} from './types.js';

/** A compiled rule: input document in, rule result out. Never throws. */
export type CompiledRule = (input: unknown) => RuleResult;

const MISSING = Symbol('missing');
type Found = unknown | typeof MISSING;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Longest string echoed verbatim in messages and `actual`. */
const MAX_ECHO = 64;

/** How an unexpected value is shown after "got" in a message. */
function render(value: Found): string {
  if (value === MISSING) return 'nothing';
  if (typeof value === 'string') {
    return value.length <= MAX_ECHO
      ? JSON.stringify(value)
      : `a string of ${value.length} characters`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return 'an array';
  if (isObject(value)) return 'an object';
  return 'nothing';
}

/** The unexpected value as it goes into `actual`: JSON scalars as they are, else a description. */
function echo(value: Found): JsonValue {
  if (value === MISSING || value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && value.length <= MAX_ECHO) return value;
  return render(value);
}

function own(holder: Record<string, unknown>, key: string): Found {
  return Object.hasOwn(holder, key) ? holder[key] : MISSING;
}

/** Error result naming where the input is broken: `input.a.b: expected X, got Y`. */
function errorAt(
  rule: RuleId,
  enforcement: Enforcement,
  path: string,
  expected: string,
  value: Found,
): RuleResult {
  return {
    rule,
    result: 'error',
    enforcement,
    message: `${path}: expected ${expected}, got ${render(value)}`,
    expected: `${path}: ${expected}`,
    actual: echo(value),
  };
}

/** A path into the input, with the dotted name of every prefix computed once. */
interface InputPath {
  readonly keys: readonly string[];
  /** `names[i]` is the dotted name of the value reached after `i` steps (`names[0]` = `input`). */
  readonly names: readonly string[];
}

function inputPath(...keys: string[]): InputPath {
  const names = ['input'];
  for (const key of keys) names.push(`${names.at(-1)}.${key}`);
  return { keys, names };
}

/**
 * Walk `input.<keys...>` and return the value at the end, or an error result for the first
 * step that is not an object.
 */
function walk(
  rule: RuleId,
  enforcement: Enforcement,
  input: unknown,
  path: InputPath,
): { value: Found; path: string } | RuleResult {
  let value: Found = input;
  const { keys, names } = path;
  for (let i = 0; i < keys.length; i++) {
    if (!isObject(value)) return errorAt(rule, enforcement, names[i]!, 'an object', value);
    value = own(value, keys[i]!);
  }
  return { value, path: names[keys.length]! };
}

const isStep = (x: { value: Found; path: string } | RuleResult): x is RuleResult => 'rule' in x;

function skipped(rule: RuleId, enforcement: Enforcement): CompiledRule {
  const result: RuleResult = Object.freeze({
    rule,
    result: 'skip',
    enforcement,
    message: 'skipped: rule disabled by configuration',
    expected: null,
    actual: null,
  });
  return () => result;
}

function decide(
  rule: RuleId,
  enforcement: Enforcement,
  ok: boolean,
  message: string,
  expected: JsonValue,
  actual: JsonValue,
): RuleResult {
  return Object.freeze({
    rule,
    result: ok ? 'pass' : enforcement === 'enforce' ? 'fail' : 'warn',
    enforcement,
    message,
    expected,
    actual,
  });
}

const BUCKET_WORDS = {
  unaddressed: 'unaddressed',
  under_investigation: 'under investigation',
  affected: 'affected',
} as const;

function cveRule(severity: CveSeverity, config: ResolvedCveRuleConfig): CompiledRule {
  const rule: RuleId = `cve-${severity}`;
  const { enforcement, max, count } = config;
  if (!config.enabled) return skipped(rule, enforcement);
  const path = inputPath('vulnerabilities', severity);
  const bucketPaths = count.map((bucket) => `${path.names.at(-1)}.${bucket}`);
  const message = (total: number, breakdown: string) =>
    `${severity} CVEs after VEX: expected at most ${max}, got ${total} (${breakdown})`;
  // The common case, nothing open, is decided once at compile time.
  const clean = decide(
    rule,
    enforcement,
    true,
    message(0, count.map((b) => `0 ${BUCKET_WORDS[b]}`).join(', ')),
    max,
    0,
  );
  return (input) => {
    const step = walk(rule, enforcement, input, path);
    if (isStep(step)) return step;
    if (!isObject(step.value)) {
      return errorAt(rule, enforcement, step.path, 'residual counts by VEX status', step.value);
    }
    const counts = step.value;
    let total = 0;
    let nonZero = false;
    for (let i = 0; i < count.length; i++) {
      const bucket = count[i]!;
      const n = own(counts, bucket);
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
        return errorAt(rule, enforcement, bucketPaths[i]!, 'a non-negative integer', n);
      }
      total += n;
      if (n !== 0) nonZero = true;
    }
    if (!nonZero) return clean;
    let breakdown = '';
    for (let i = 0; i < count.length; i++) {
      const bucket = count[i]!;
      breakdown += `${i === 0 ? '' : ', '}${counts[bucket] as number} ${BUCKET_WORDS[bucket]}`;
    }
    return decide(rule, enforcement, total <= max, message(total, breakdown), max, total);
  };
}

function presenceRule(
  rule: RuleId,
  config: { enabled: boolean; enforcement: Enforcement },
  path: InputPath,
  what: string,
): CompiledRule {
  const { enforcement } = config;
  if (!config.enabled) return skipped(rule, enforcement);
  const outcome = (ok: boolean) => {
    const actual = ok ? 'present' : 'absent';
    return decide(
      rule,
      enforcement,
      ok,
      `${what}: expected present, got ${actual}`,
      'present',
      actual,
    );
  };
  const present = outcome(true);
  const absent = outcome(false);
  return (input) => {
    const step = walk(rule, enforcement, input, path);
    if (isStep(step)) return step;
    if (typeof step.value !== 'boolean') {
      return errorAt(rule, enforcement, step.path, 'true or false', step.value);
    }
    return step.value ? present : absent;
  };
}

const SIGNATURE = inputPath('signature');

function signatureRule(config: { enabled: boolean; enforcement: Enforcement }): CompiledRule {
  const rule: RuleId = 'signature-verified';
  const { enforcement } = config;
  if (!config.enabled) return skipped(rule, enforcement);
  const outcome = (actual: 'verified' | 'unverified' | 'absent') =>
    decide(
      rule,
      enforcement,
      actual === 'verified',
      `signature: expected verified, got ${actual}`,
      'verified',
      actual,
    );
  const good = outcome('verified');
  const unverified = outcome('unverified');
  const absent = outcome('absent');
  return (input) => {
    const step = walk(rule, enforcement, input, SIGNATURE);
    if (isStep(step)) return step;
    const signature = step.value;
    if (!isObject(signature)) return errorAt(rule, enforcement, step.path, 'an object', signature);
    const present = own(signature, 'present');
    if (typeof present !== 'boolean') {
      return errorAt(rule, enforcement, 'input.signature.present', 'true or false', present);
    }
    const verified = own(signature, 'verified');
    if (typeof verified !== 'boolean') {
      return errorAt(rule, enforcement, 'input.signature.verified', 'true or false', verified);
    }
    return !present ? absent : verified ? good : unverified;
  };
}

function minimumRule(
  rule: RuleId,
  config: { enabled: boolean; enforcement: Enforcement },
  path: InputPath,
  what: string,
  minimum: number,
  valid: (v: unknown) => v is number,
  describe: string,
): CompiledRule {
  const { enforcement } = config;
  if (!config.enabled) return skipped(rule, enforcement);
  // Bounded: `valid` admits integers 0–3 or 0–100 only.
  const byValue = new Map<number, RuleResult>();
  return (input) => {
    const step = walk(rule, enforcement, input, path);
    if (isStep(step)) return step;
    const value = step.value;
    if (!valid(value)) return errorAt(rule, enforcement, step.path, describe, value);
    // Integer values (every SLSA level, most scores) come from a bounded cache.
    const cacheable = Number.isInteger(value);
    const cached = cacheable ? byValue.get(value) : undefined;
    if (cached) return cached;
    const result = decide(
      rule,
      enforcement,
      value >= minimum,
      `${what}: expected at least ${minimum}, got ${value}`,
      minimum,
      value,
    );
    if (cacheable) byValue.set(value, result);
    return result;
  };
}

const isLevel = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 3;
const isScore = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100;

/** Build every rule of a resolved config, in {@link RULE_IDS} order. */
export function compileRules(config: ResolvedPolicyConfig): readonly CompiledRule[] {
  const r = config.rules;
  return Object.freeze([
    cveRule('critical', r['cve-critical']),
    cveRule('high', r['cve-high']),
    cveRule('low', r['cve-low']),
    cveRule('medium', r['cve-medium']),
    presenceRule(
      'rekor-entry',
      r['rekor-entry'],
      inputPath('rekor', 'entry_present'),
      'Rekor entry',
    ),
    presenceRule('sbom-present', r['sbom-present'], inputPath('sbom', 'present'), 'SBOM'),
    signatureRule(r['signature-verified']),
    minimumRule(
      'slsa-level',
      r['slsa-level'],
      inputPath('slsa', 'level'),
      'SLSA build level',
      r['slsa-level'].min_level,
      isLevel,
      'an integer from 0 to 3',
    ),
    minimumRule(
      'trust-score',
      r['trust-score'],
      inputPath('trust_score'),
      'trust score',
      r['trust-score'].min_score,
      isScore,
      'a number from 0 to 100',
    ),
  ]);
}
