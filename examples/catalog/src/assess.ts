import type { CompiledPolicy, DataApiResponse, PolicyInput } from '@flareo/policy';
import { computeTrustScore, hoursSince, type TrustScore } from '@flareo/trust-score';
import type { VerifiedModule } from './module.js';

/** Score and verdict of a module at one moment (freshness depends on the clock). */
export interface Assessment {
  /** When this assessment was computed (RFC 3339). */
  readonly evaluatedAt: string;
  /** `computeTrustScore` output. */
  readonly score: TrustScore;
  /** The OPA-shaped input document given to the policy. */
  readonly policyInput: PolicyInput;
  /** The OPA Data API body: `{ result }`. */
  readonly decision: DataApiResponse;
}

/**
 * Score a verified module with `@flareo/trust-score` and judge it with `@flareo/policy`,
 * exactly as a user of those packages would: open findings after VEX by severity (Trivy's
 * negligible counted as low), the SLSA level from verified provenance, hours since the
 * verified signing time, and the SBOM's complete share.
 */
export function assessModule(
  module: VerifiedModule,
  policy: CompiledPolicy,
  now: Date,
): Assessment {
  const s = module.scan.residual.bySeverity;
  const bucket = (sev: 'critical' | 'high' | 'medium' | 'low') => {
    const extra = sev === 'low' ? s.negligible : undefined;
    return {
      unaddressed: s[sev].unaddressed + (extra?.unaddressed ?? 0),
      under_investigation: s[sev].under_investigation + (extra?.under_investigation ?? 0),
      affected: s[sev].affected + (extra?.affected ?? 0),
    };
  };
  const vulnerabilities = {
    critical: bucket('critical'),
    high: bucket('high'),
    medium: bucket('medium'),
    low: bucket('low'),
  };
  const open = (b: { unaddressed: number; under_investigation: number; affected: number }) =>
    b.unaddressed + b.under_investigation + b.affected;
  const completeness = module.sbom.completeness.completeness;
  const score = computeTrustScore({
    vulnerabilities: {
      critical: open(vulnerabilities.critical),
      high: open(vulnerabilities.high),
      medium: open(vulnerabilities.medium),
      low: open(vulnerabilities.low),
      unknown: s.unknown.open,
    },
    slsaLevel: module.provenance.slsa.level,
    hoursSinceSigned: hoursSince(module.signature.signedAt, { now }),
    sbomCompleteness: completeness,
  });
  const logIndex = module.signature.logIndex;
  const policyInput: PolicyInput = {
    module: { name: module.slug, digest: module.manifest.digest, version: module.manifest.version },
    signature: {
      present: true,
      verified: true,
      ...(module.signature.identity === undefined ? {} : { identity: module.signature.identity }),
      ...(module.signature.issuer === undefined ? {} : { issuer: module.signature.issuer }),
    },
    rekor: {
      entry_present: module.signature.summary.tlog.entries.length > 0,
      ...(logIndex === undefined || !Number.isSafeInteger(Number(logIndex))
        ? {}
        : { log_index: Number(logIndex) }),
    },
    sbom: { present: true, completeness },
    slsa: {
      level: module.provenance.slsa.level,
      ...(module.provenance.slsa.builderId === null
        ? {}
        : { builder_id: module.provenance.slsa.builderId }),
    },
    vulnerabilities,
    trust_score: score.score,
  };
  return {
    evaluatedAt: now.toISOString(),
    score,
    policyInput,
    decision: policy.query({ input: policyInput }),
  };
}
