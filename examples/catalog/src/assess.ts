import {
  type CompiledPolicy,
  type DataApiResponse,
  type PolicyInput,
  policyInputFrom,
} from '@flareo/policy';
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
 * exactly as a user of those packages would: open findings after VEX by severity (VEX is
 * applied with `negligibleAs: 'low'` at ingest), the SLSA level from verified provenance,
 * hours since the verified signing time, and the SBOM's complete share; the policy input is
 * built from those results by `policyInputFrom`.
 */
export function assessModule(
  module: VerifiedModule,
  policy: CompiledPolicy,
  now: Date,
): Assessment {
  const residual = module.scan.residual;
  const open = residual.bySeverity;
  const score = computeTrustScore({
    vulnerabilities: {
      critical: open.critical.open,
      high: open.high.open,
      medium: open.medium.open,
      low: open.low.open,
      unknown: open.unknown.open,
    },
    slsaLevel: module.provenance.slsa.level,
    hoursSinceSigned: hoursSince(module.signature.signedAt, { now }),
    sbomCompleteness: module.sbom.completeness.completeness,
  });
  const policyInput = policyInputFrom({
    module: { name: module.slug, digest: module.manifest.digest, version: module.manifest.version },
    signature: module.signature.summary,
    slsa: module.provenance.slsa,
    sbom: module.sbom.completeness,
    residual,
    trustScore: score,
  });
  return {
    evaluatedAt: now.toISOString(),
    score,
    policyInput,
    decision: policy.query({ input: policyInput }),
  };
}
