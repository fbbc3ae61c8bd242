import { canonicalJson as jcs } from '@flareo/internal/canonical-json';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { ruleIds } from './schemas.js';
import type {
  CveRuleConfig,
  ResidualBucket,
  ResolvedCveRuleConfig,
  ResolvedPolicyConfig,
  ResolvedRuleConfig,
  RuleConfig,
  RuleId,
} from './types.js';
import { assertConfig } from './validate.js';

/** Every rule id, in the order results list them. */
export const RULE_IDS: readonly RuleId[] = Object.freeze([...ruleIds]);

/** The residual buckets, in the order messages list them. */
export const RESIDUAL_BUCKETS: readonly ResidualBucket[] = Object.freeze([
  'unaddressed',
  'under_investigation',
  'affected',
]);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The config every omitted key falls back to: no residual critical (enforced), no residual
 * high (warn), at most 10 medium and 50 low (both disabled), signature verified, Rekor entry
 * and SBOM present (enforced), SLSA build level at least 2 (warn), trust score at least 60
 * (warn).
 */
export const DEFAULT_CONFIG: ResolvedPolicyConfig = deepFreeze({
  rules: {
    'cve-critical': { enabled: true, enforcement: 'enforce', max: 0, count: [...RESIDUAL_BUCKETS] },
    'cve-high': { enabled: true, enforcement: 'warn', max: 0, count: [...RESIDUAL_BUCKETS] },
    'cve-low': { enabled: false, enforcement: 'warn', max: 50, count: [...RESIDUAL_BUCKETS] },
    'cve-medium': { enabled: false, enforcement: 'warn', max: 10, count: [...RESIDUAL_BUCKETS] },
    'rekor-entry': { enabled: true, enforcement: 'enforce' },
    'sbom-present': { enabled: true, enforcement: 'enforce' },
    'signature-verified': { enabled: true, enforcement: 'enforce' },
    'slsa-level': { enabled: true, enforcement: 'warn', min_level: 2 },
    'trust-score': { enabled: true, enforcement: 'warn', min_score: 60 },
  },
});

function base(given: RuleConfig | undefined, fallback: ResolvedRuleConfig): ResolvedRuleConfig {
  return {
    enabled: given?.enabled ?? fallback.enabled,
    enforcement: given?.enforcement ?? fallback.enforcement,
  };
}

function cve(
  given: CveRuleConfig | undefined,
  fallback: ResolvedCveRuleConfig,
): ResolvedCveRuleConfig {
  // Buckets keep their canonical order whatever order the config lists them in.
  const wanted = given?.count ?? fallback.count;
  return {
    ...base(given, fallback),
    max: given?.max ?? fallback.max,
    count: RESIDUAL_BUCKETS.filter((b) => wanted.includes(b)),
  };
}

/**
 * Validate a config document against the config schema and apply the defaults of
 * {@link DEFAULT_CONFIG}. The result is deeply frozen.
 * @throws {PolicyError} `CONFIG_INVALID` listing every schema violation.
 */
export function resolveConfig(config: unknown = {}): ResolvedPolicyConfig {
  assertConfig(config);
  const r = config.rules ?? {};
  const d = DEFAULT_CONFIG.rules;
  return deepFreeze({
    rules: {
      'cve-critical': cve(r['cve-critical'], d['cve-critical']),
      'cve-high': cve(r['cve-high'], d['cve-high']),
      'cve-low': cve(r['cve-low'], d['cve-low']),
      'cve-medium': cve(r['cve-medium'], d['cve-medium']),
      'rekor-entry': base(r['rekor-entry'], d['rekor-entry']),
      'sbom-present': base(r['sbom-present'], d['sbom-present']),
      'signature-verified': base(r['signature-verified'], d['signature-verified']),
      'slsa-level': {
        ...base(r['slsa-level'], d['slsa-level']),
        min_level: r['slsa-level']?.min_level ?? d['slsa-level'].min_level,
      },
      'trust-score': {
        ...base(r['trust-score'], d['trust-score']),
        min_score: r['trust-score']?.min_score ?? d['trust-score'].min_score,
      },
    },
  } satisfies ResolvedPolicyConfig);
}

/**
 * JSON with object keys sorted at every level and no whitespace: the shared RFC 8785
 * implementation (`@flareo/internal/canonical-json`), writing `NaN` and the infinities as
 * `null` as `JSON.stringify` does.
 */
export function canonicalJson(value: unknown): string {
  return jcs(value, { nonFinite: 'null' });
}

/**
 * Hash of a resolved config: `sha256:` and the hex SHA-256 of its canonical JSON. Configs
 * that resolve to the same settings (for example `{}` and the defaults spelled out) share a
 * hash. Decision logs carry it as `bundles.flareo.revision`. The hash is `@noble/hashes`'s
 * synchronous SHA-256, so this runs unchanged in browsers and edge workers.
 */
export function configHash(config: ResolvedPolicyConfig): string {
  return `sha256:${bytesToHex(sha256(utf8ToBytes(canonicalJson(config))))}`;
}
