/** Any JSON value. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/** How a rule's failure counts: `enforce` denies admission, `warn` only warns. */
export type Enforcement = 'enforce' | 'warn';

/** Identifiers of the rules, in the order results list them (alphabetical). */
export type RuleId =
  | 'cve-critical'
  | 'cve-high'
  | 'cve-low'
  | 'cve-medium'
  | 'rekor-entry'
  | 'sbom-present'
  | 'signature-verified'
  | 'slsa-level'
  | 'trust-score';

/** Severities with a CVE-threshold rule. */
export type CveSeverity = 'critical' | 'high' | 'medium' | 'low';

/** The CVE-threshold rules. */
export type CveRuleId = `cve-${CveSeverity}`;

/**
 * Buckets of findings still open after VEX: no VEX statement (`unaddressed`), VEX
 * `under_investigation`, VEX `affected`. Findings VEX marks `not_affected` or `fixed` are gone.
 */
export type ResidualBucket = 'unaddressed' | 'under_investigation' | 'affected';

/** Outcome of one rule. */
export type RuleOutcome = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

/** Outcome of the whole decision. */
export type Verdict = 'pass' | 'warn' | 'fail';

/** Residual findings of one severity after VEX; every count a non-negative integer. */
export interface ResidualCounts {
  readonly unaddressed: number;
  readonly under_investigation: number;
  readonly affected: number;
}

/**
 * The input document (OPA `input`): facts about one module, gathered by the caller. The
 * evaluator reads only what each rule needs; a missing or invalid fact makes that rule `error`.
 */
export interface PolicyInput {
  /** Which module this is. */
  readonly module: {
    readonly name: string;
    /** Image digest, `sha256:<64 hex>` (or `sha384`/`sha512`). */
    readonly digest: string;
    readonly version?: string;
  };
  /** Result of signature verification. */
  readonly signature: {
    readonly present: boolean;
    readonly verified: boolean;
    /** Verified signer identity (certificate SAN), informational. */
    readonly identity?: string;
    /** Verified OIDC issuer, informational. */
    readonly issuer?: string;
  };
  /** Transparency-log evidence. */
  readonly rekor: {
    readonly entry_present: boolean;
    /** Log index of the entry, informational. */
    readonly log_index?: number;
  };
  /** SBOM facts. */
  readonly sbom: {
    readonly present: boolean;
    /** Share of components with complete CycloneDX metadata, 0–1, informational. */
    readonly completeness?: number;
  };
  /** SLSA build level derived from verified provenance and a trusted-builder table. */
  readonly slsa: { readonly level: number; readonly builder_id?: string };
  /** Residual findings by severity after VEX. */
  readonly vulnerabilities: Readonly<Record<CveSeverity, ResidualCounts>>;
  /** The module's 0–100 trust score. */
  readonly trust_score: number;
}

/** Settings every rule has. */
export interface RuleConfig {
  /** Whether the rule runs; a disabled rule reports `skip`. Defaults differ per rule (see {@link DEFAULT_CONFIG}). */
  readonly enabled?: boolean;
  /** `enforce` (a failure denies) or `warn` (a failure warns). Defaults differ per rule. */
  readonly enforcement?: Enforcement;
}

/** Settings of a CVE-threshold rule. */
export interface CveRuleConfig extends RuleConfig {
  /** Most residual findings of this severity allowed. Defaults: critical 0, high 0, medium 10, low 50. */
  readonly max?: number;
  /** Buckets counted against `max`. Defaults to all three: unaddressed, under investigation, affected. */
  readonly count?: readonly ResidualBucket[];
}

/** Settings of the `slsa-level` rule. */
export interface SlsaRuleConfig extends RuleConfig {
  /** Lowest SLSA build level admitted, 0–3. Defaults to `2`. */
  readonly min_level?: number;
}

/** Settings of the `trust-score` rule. */
export interface TrustScoreRuleConfig extends RuleConfig {
  /** Lowest trust score admitted, 0–100. Defaults to `60`. */
  readonly min_score?: number;
}

/**
 * The config document (OPA `data.flareo.config`): per rule, whether it runs, its
 * enforcement and its threshold. Every key is optional; omitted keys take the defaults.
 */
export interface PolicyConfig {
  readonly rules?: {
    readonly 'cve-critical'?: CveRuleConfig;
    readonly 'cve-high'?: CveRuleConfig;
    readonly 'cve-medium'?: CveRuleConfig;
    readonly 'cve-low'?: CveRuleConfig;
    readonly 'signature-verified'?: RuleConfig;
    readonly 'rekor-entry'?: RuleConfig;
    readonly 'sbom-present'?: RuleConfig;
    readonly 'slsa-level'?: SlsaRuleConfig;
    readonly 'trust-score'?: TrustScoreRuleConfig;
  };
}

/** A rule's settings with every default applied. */
export interface ResolvedRuleConfig {
  readonly enabled: boolean;
  readonly enforcement: Enforcement;
}
/** A CVE rule's settings with every default applied. */
export interface ResolvedCveRuleConfig extends ResolvedRuleConfig {
  readonly max: number;
  readonly count: readonly ResidualBucket[];
}

/** The config with every default applied, as compiled. */
export interface ResolvedPolicyConfig {
  readonly rules: {
    readonly 'cve-critical': ResolvedCveRuleConfig;
    readonly 'cve-high': ResolvedCveRuleConfig;
    readonly 'cve-low': ResolvedCveRuleConfig;
    readonly 'cve-medium': ResolvedCveRuleConfig;
    readonly 'rekor-entry': ResolvedRuleConfig;
    readonly 'sbom-present': ResolvedRuleConfig;
    readonly 'signature-verified': ResolvedRuleConfig;
    readonly 'slsa-level': ResolvedRuleConfig & { readonly min_level: number };
    readonly 'trust-score': ResolvedRuleConfig & { readonly min_score: number };
  };
}

/** The outcome of one rule, in the result's `rules` list. */
export interface RuleResult {
  readonly rule: RuleId;
  readonly result: RuleOutcome;
  readonly enforcement: Enforcement;
  /** `"<what>: expected X, got Y"`. */
  readonly message: string;
  /** The threshold or state required (`null` when skipped). */
  readonly expected: JsonValue;
  /** The value found (`null` when skipped or missing). */
  readonly actual: JsonValue;
}

/** The decision: what a Rego policy at `data.flareo.admission.decision` would return. */
export interface PolicyResult {
  readonly verdict: Verdict;
  /** `true` unless the verdict is `fail`. */
  readonly allow: boolean;
  /** `"<rule>: <message>"` of every enforced rule that failed or errored, sorted. */
  readonly deny: readonly string[];
  /** `"<rule>: <message>"` of every warn-mode rule that failed or errored, sorted. */
  readonly warn: readonly string[];
  /** Every rule, in {@link RuleId} order. */
  readonly rules: readonly RuleResult[];
}

/** The body OPA's Data API returns for `POST /v1/data/flareo/admission/decision`. */
export interface DataApiResponse {
  readonly result: PolicyResult;
  /** Present when the caller asked for a decision id (decision logging). */
  readonly decision_id?: string;
}
