import type { RuleResult } from '@flareo/policy';
import type { Assessment } from './assess.js';
import { cosignRekorEntry } from './cosign.js';
import { SIGNATURE_FILES, type SignatureFormat } from './module.js';
import { rekorLookups } from './rekor.js';
import type { CatalogEntry } from './store.js';

// The JSON shapes the API serves, built from a stored module and its assessment.

/** What the module page needs to verify a module's signature again in the visitor's browser. */
export interface BrowserVerificationContext {
  /** URL path of the built verifier module (`/assets/verifier-<hash>.js`); absent when not built. */
  readonly verifier?: string;
  /** Subresource-integrity value of that module. */
  readonly verifierIntegrity?: string;
  /** The catalog's identity policy for the module (JSON, as `@flareo/bundle-verify` takes it). */
  readonly identity: unknown;
  /** The catalog's Rekor policy. */
  readonly rekorPolicy: string;
  /** `sha256:<hex>` of the `trusted_root.json` the catalog serves. */
  readonly trustRootDigest: string;
}

/** How to verify a module in the browser, or why it cannot be: the API's `browserVerification`. */
function browserVerification(entry: CatalogEntry, context: BrowserVerificationContext | undefined) {
  const m = entry.module;
  if (m.signature.format === 'cosign-signature') {
    return {
      supported: false as const,
      reason:
        'A cosign signature record (.sig tag) is checked with @flareo/image-verify, which the browser verifier does not include; verify it with `flareo verify-image`.',
    };
  }
  if (context?.verifier === undefined) {
    return {
      supported: false as const,
      reason:
        'This catalog was started without its browser verifier build (dist/web/verifier.json); build the catalog with `npm run build`.',
    };
  }
  return {
    supported: true as const,
    verifier: context.verifier,
    ...(context.verifierIntegrity ? { integrity: context.verifierIntegrity } : {}),
    bundle: `/api/v1/modules/${m.slug}/attestations/${SIGNATURE_FILES[m.signature.format]}`,
    trustedRoot: '/api/v1/trust/trusted_root.json',
    trustRootDigest: context.trustRootDigest,
    artifact: { digest: m.manifest.digest },
    identity: context.identity,
    verifierOptions: { rekor: { policy: context.rekorPolicy } },
  };
}

/** How each signature format is named on the page and in the API. */
export const SIGNATURE_FORMAT_LABELS: Readonly<Record<SignatureFormat, string>> = Object.freeze({
  'sigstore-bundle': 'Sigstore bundle',
  'cosign-signature': 'cosign signature (.sig tag, simple signing)',
});

/** A cosign record's Rekor entry in the shape `rekorLookups` reads from a bundle. */
const cosignAsBundle = (record: unknown) => {
  const entry = cosignRekorEntry(record);
  return entry
    ? {
        verificationMaterial: {
          tlogEntries: [
            {
              logIndex: entry.logIndex,
              logId: { keyId: Buffer.from(entry.logId, 'hex').toString('base64') },
              canonicalizedBody: entry.body,
            },
          ],
        },
      }
    : undefined;
};

const links = (slug: string) => ({
  self: `/api/v1/modules/${slug}`,
  vex: `/api/v1/modules/${slug}/vex`,
  policy: `/api/v1/modules/${slug}/policy`,
  score: `/api/v1/modules/${slug}/score`,
  attestations: `/api/v1/modules/${slug}/attestations`,
  page: `/modules/${slug}`,
});

/** One row of the module list. */
export function moduleSummary(entry: CatalogEntry, assessment: Assessment) {
  const m = entry.module;
  return {
    slug: m.slug,
    name: m.manifest.name,
    version: m.manifest.version,
    description: m.manifest.description ?? '',
    image: m.manifest.image,
    digest: m.manifest.digest,
    builtAt: m.manifest.builtAt,
    signedAt: m.signature.signedAt,
    evaluatedAt: assessment.evaluatedAt,
    score: assessment.score.score,
    status: assessment.score.status,
    verdict: assessment.decision.result.verdict,
    allow: assessment.decision.result.allow,
    lastVerified: entry.verification.verifiedAt,
    links: links(m.slug),
  };
}

/** The module detail document. */
export function moduleDetail(
  entry: CatalogEntry,
  assessment: Assessment,
  browser?: BrowserVerificationContext,
) {
  const m = entry.module;
  const sig = m.signature.summary;
  const signer = sig.signer;
  const signatureLog =
    m.signature.format === 'cosign-signature'
      ? rekorLookups(sig, cosignAsBundle(m.signature.bundle))
      : rekorLookups(sig, m.signature.bundle);
  const provenanceLog = rekorLookups(m.provenance.summary, m.provenance.bundle);
  const findings = m.scan.findings;
  const rules: readonly RuleResult[] = assessment.decision.result.rules;
  return {
    ...moduleSummary(entry, assessment),
    ingestedAt: entry.ingestedAt,
    verification: {
      verifiedAt: entry.verification.verifiedAt,
      trustRootDigest: entry.verification.trustRootDigest,
      policyHash: entry.verification.policyHash,
      checks: entry.verification.checks,
      signatureSource: entry.verification.signatureSource,
    },
    warnings: m.warnings,
    parts: m.parts,
    contact: m.contact,
    signature: {
      verifiedBy: 'server' as const,
      library:
        m.signature.format === 'cosign-signature'
          ? '@flareo/image-verify and @flareo/bundle-verify'
          : '@flareo/bundle-verify',
      format: m.signature.format,
      formatLabel: SIGNATURE_FORMAT_LABELS[m.signature.format],
      file: SIGNATURE_FILES[m.signature.format],
      verifiedAs: sig.format,
      identity: m.signature.identity ?? null,
      issuer: m.signature.issuer ?? null,
      signedAt: m.signature.signedAt,
      certificate:
        signer.kind === 'certificate'
          ? {
              fingerprint: signer.certificateFingerprint,
              notBefore: signer.notBefore,
              notAfter: signer.notAfter,
              trustedBy: signer.trustedBy,
              extensions: signer.extensions,
            }
          : null,
      rekor: signatureLog[0] ?? null,
      rekorEntries: signatureLog,
      rekorPolicy: sig.tlog.policy,
      times: sig.times,
      browserVerification: browserVerification(entry, browser),
    },
    provenance: {
      ...m.provenance.slsa,
      verifiedBy: 'server' as const,
      predicateType:
        m.provenance.summary.statement?.predicateType ?? m.provenance.slsa.predicateType,
      matchedSubject: m.provenance.summary.statement?.matchedSubject ?? null,
      rekorEntries: provenanceLog,
    },
    sbom: {
      completeness: m.sbom.completeness.completeness,
      total: m.sbom.completeness.total,
      complete: m.sbom.completeness.complete,
      reason: m.sbom.completeness.reason,
    },
    vulnerabilities: {
      residual: m.scan.residual.bySeverity,
      open: findings.filter((f) => f.disposition !== 'suppressed'),
      suppressed: findings.filter((f) => f.disposition === 'suppressed'),
    },
    trustScore: assessment.score,
    policy: {
      verdict: assessment.decision.result.verdict,
      allow: assessment.decision.result.allow,
      rules,
    },
  };
}
