import { PolicyError } from './errors.js';
import type { CveSeverity, PolicyInput, ResidualCounts } from './types.js';

/**
 * What a signature verification proved, as `@flareo/bundle-verify` hands it out: its
 * `VerificationResult` (`verifier.verifyBundle(...)`) or the JSON summary `summarizeResult`
 * makes of one (what a worker pool, a store or the CLI's `verify --json` keep). Only the
 * signer and the log entries are read.
 */
export interface VerifiedSignature {
  readonly signer:
    | { readonly kind: 'key' }
    | {
        readonly kind: 'certificate';
        /** A `VerificationResult`'s signer identity. */
        readonly identity: {
          readonly subjectAlternativeNames: readonly string[];
          readonly issuer?: string | undefined;
        };
      }
    | {
        readonly kind: 'certificate';
        /** A `VerificationSummary`'s signer: the identity fields sit on the signer itself. */
        readonly subjectAlternativeNames: readonly string[];
        readonly issuer?: string | undefined;
      };
  /** The verified log entries; a `VerificationResult` carries `bigint` indexes, a summary strings. */
  readonly tlog: { readonly entries: readonly { readonly logIndex: bigint | string }[] };
}

/** Residual findings after VEX, by severity: what `@flareo/vex` returns as `residual`. */
export interface ResidualBySeverity {
  /**
   * Open and suppressed counts per severity (vex's `Residual.bySeverity`, one count per
   * vulnerability and package). Only `critical`, `high`, `medium` and `low` have a rule;
   * choose where Grype's `Negligible` goes when VEX is applied (vex's `negligibleAs`).
   */
  readonly bySeverity: Readonly<Record<CveSeverity, ResidualCounts>>;
}

/** The facts {@link policyInputFrom} builds a {@link PolicyInput} from. */
export interface PolicyInputSources {
  /** Which module: its name, image digest and, optionally, version. Required. */
  readonly module: PolicyInput['module'];
  /**
   * The module's signature: what its verification proved, or `'unverified'` when a signature
   * was found but did not verify, or `'absent'` when there was none. Required: an admission
   * decision must say which.
   */
  readonly signature: VerifiedSignature | 'unverified' | 'absent';
  /**
   * The SLSA assessment of the module's verified provenance (`@flareo/trust-score`'s
   * `slsaLevelFromProvenance` result). Defaults to level 0 (no verified provenance).
   */
  readonly slsa?: { readonly level: number; readonly builderId: string | null } | undefined;
  /**
   * The SBOM's completeness (`@flareo/trust-score`'s `sbomCompleteness` result). Defaults to
   * no SBOM.
   */
  readonly sbom?: { readonly completeness: number } | undefined;
  /** Residual findings after VEX (`@flareo/vex`'s `residual`). Required. */
  readonly residual: ResidualBySeverity;
  /** The trust score: `@flareo/trust-score`'s `computeTrustScore` result or its `score`. Required. */
  readonly trustScore: { readonly score: number } | number;
}

const SEVERITIES: readonly CveSeverity[] = ['critical', 'high', 'medium', 'low'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function argumentInvalid(field: string, expected: string, actual: unknown): PolicyError {
  const shown =
    actual === null ? 'null' : Array.isArray(actual) ? 'an array' : `a ${typeof actual}`;
  return new PolicyError(
    'ARGUMENT_INVALID',
    `policyInputFrom ${field}: expected ${expected}, got ${typeof actual === 'string' ? JSON.stringify(actual) : shown}`,
    { expected, actual },
  );
}

function signatureFacts(
  signature: PolicyInputSources['signature'],
): Pick<PolicyInput, 'signature' | 'rekor'> {
  if (signature === 'absent' || signature === 'unverified') {
    return {
      signature: { present: signature === 'unverified', verified: false },
      rekor: { entry_present: false },
    };
  }
  const expected = "a VerificationResult, a VerificationSummary, 'unverified' or 'absent'";
  if (!isRecord(signature) || !isRecord(signature.signer) || !isRecord(signature.tlog)) {
    throw argumentInvalid('signature', expected, signature);
  }
  const entries: unknown = signature.tlog.entries;
  if (!Array.isArray(entries)) throw argumentInvalid('signature.tlog.entries', 'an array', entries);
  const signer = signature.signer as Record<string, unknown>;
  let identity: string | undefined;
  let issuer: string | undefined;
  if (signer.kind === 'certificate') {
    const holder = isRecord(signer.identity) ? signer.identity : signer;
    const names = holder.subjectAlternativeNames;
    if (!Array.isArray(names)) {
      throw argumentInvalid('signature.signer.subjectAlternativeNames', 'an array', names);
    }
    identity = typeof names[0] === 'string' ? names[0] : undefined;
    issuer = typeof holder.issuer === 'string' ? holder.issuer : undefined;
  } else if (signer.kind !== 'key') {
    throw argumentInvalid('signature.signer.kind', "'key' or 'certificate'", signer.kind);
  }
  // The first entry's index, when it is one a JSON number can hold exactly.
  const first: unknown = isRecord(entries[0]) ? entries[0].logIndex : undefined;
  const index = typeof first === 'bigint' || typeof first === 'string' ? Number(first) : Number.NaN;
  return {
    signature: {
      present: true,
      verified: true,
      ...(identity === undefined ? {} : { identity }),
      ...(issuer === undefined ? {} : { issuer }),
    },
    rekor: {
      entry_present: entries.length > 0,
      ...(Number.isSafeInteger(index) && index >= 0 ? { log_index: index } : {}),
    },
  };
}

function residualCounts(residual: unknown): PolicyInput['vulnerabilities'] {
  if (!isRecord(residual) || !isRecord(residual.bySeverity)) {
    throw argumentInvalid('residual', 'a residual with bySeverity (from @flareo/vex)', residual);
  }
  const out = {} as Record<CveSeverity, ResidualCounts>;
  for (const severity of SEVERITIES) {
    const counts = residual.bySeverity[severity];
    if (!isRecord(counts)) {
      throw argumentInvalid(`residual.bySeverity.${severity}`, 'counts by disposition', counts);
    }
    // Only the three open buckets; their validity (non-negative integers) is the input
    // schema's to check, where a bad count makes its rule `error` rather than throw.
    out[severity] = {
      unaddressed: counts.unaddressed as number,
      under_investigation: counts.under_investigation as number,
      affected: counts.affected as number,
    };
  }
  return out;
}

/**
 * Build the policy's input document from what the verifiers and scorers returned, so the
 * facts the admission decision reads are the verified ones, not re-derived by hand:
 * - `signature` and `rekor` from a signature's verification result (or summary): present
 *   and verified, the first subject alternative name as `identity`, the OIDC issuer, whether
 *   a log entry was verified and the first entry's index;
 * - `slsa` from the SLSA assessment of verified provenance (level and builder id);
 * - `sbom` from the SBOM completeness;
 * - `vulnerabilities` from the residual after VEX (unaddressed, under investigation,
 *   affected, per severity);
 * - `trust_score` from the trust score.
 *
 * Pure: nothing is verified again here. Values inside the sources are checked by the input
 * schema when the policy evaluates the document (a bad one makes its rule `error`).
 *
 * @throws {PolicyError} `ARGUMENT_INVALID` when a source is missing or not of its kind.
 * @example
 * const input = policyInputFrom({
 *   module: { name: 'vaultwarden', digest },
 *   signature: verifier.verifyBundle(signatureBundle, { digest }, identity),
 *   slsa: slsaLevelFromProvenance(provenance.verifiedStatement, { trustedBuilders }),
 *   sbom: sbomCompleteness(sbom),
 *   residual: applyToTrivy(report, vex, { negligibleAs: 'low' }).residual,
 *   trustScore: score,
 * });
 * policy.evaluate(input);
 */
export function policyInputFrom(sources: PolicyInputSources): PolicyInput {
  if (!isRecord(sources)) throw argumentInvalid('sources', 'an object', sources);
  const { module, slsa, sbom, trustScore } = sources;
  if (!isRecord(module)) throw argumentInvalid('module', 'an object', module);
  if (slsa !== undefined && !isRecord(slsa)) {
    throw argumentInvalid('slsa', 'an SLSA assessment', slsa);
  }
  if (sbom !== undefined && !isRecord(sbom)) {
    throw argumentInvalid('sbom', 'an SBOM completeness', sbom);
  }
  const score = typeof trustScore === 'number' ? trustScore : (trustScore as { score?: unknown });
  if (typeof score !== 'number' && !(isRecord(score) && typeof score.score === 'number')) {
    throw argumentInvalid('trustScore', 'a trust score or its number', trustScore);
  }
  const builderId = slsa?.builderId;
  return {
    module,
    ...signatureFacts(sources.signature),
    sbom:
      sbom === undefined ? { present: false } : { present: true, completeness: sbom.completeness },
    slsa: {
      level: slsa?.level ?? 0,
      ...(typeof builderId === 'string' ? { builder_id: builderId } : {}),
    },
    vulnerabilities: residualCounts(sources.residual),
    trust_score: typeof score === 'number' ? score : (score.score as number),
  };
}
