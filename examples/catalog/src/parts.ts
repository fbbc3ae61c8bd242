import { isDeepStrictEqual } from 'node:util';
import {
  type BundleVerifier,
  BundleVerifyError,
  type IdentityPolicy,
  summarizeResult,
} from '@flareo/bundle-verify';
import { CatalogError } from './errors.js';

// Signed parts: the contact file, the SBOM, the Trivy report and each VEX document may come as
// in-toto attestations in DSSE Sigstore bundles, the way `cosign attest --type cyclonedx |
// vuln | openvex` makes them (and a Flareo predicate type for the contact file). Each one is
// verified with the catalog's verifier and identity policy, must have the module's image digest
// as subject, the predicate type of its part, and a predicate equal to the plain file the
// module directory carries (which every other check reads). A catalog can require them all
// (`requireSignedParts` in catalog.json).

/** The parts that can be signed. */
export type PartName = 'contact' | 'sbom' | 'scan' | 'vex';

/** The predicate type each part is attested with. */
export const PART_PREDICATE_TYPES: Readonly<Record<PartName, string>> = Object.freeze({
  contact: 'https://flareo.dev/attestation/contact/v1',
  sbom: 'https://cyclonedx.org/bom',
  scan: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  vex: 'https://openvex.dev/ns',
});

/** Directory of the attestation bundles in a module directory. */
export const ATTESTATIONS_DIR = 'attestations';

/** The attestation bundle file of a part file: `attestations/<file>.sigstore.json`. */
export const attestationFileOf = (file: string) => `${ATTESTATIONS_DIR}/${file}.sigstore.json`;

/**
 * The document a part's predicate carries: the predicate itself, except for cosign's `vuln`
 * predicate, whose scanner report is `scanner.result`.
 */
export function partOfPredicate(part: PartName, predicate: unknown): unknown {
  if (part !== 'scan') return predicate;
  return (predicate as { scanner?: { result?: unknown } } | null)?.scanner?.result;
}

/** The stored form of a part's attestation (read from the stored file at every start). */
export type AttestationFormat = 'sigstore-bundle' | 'cosign-legacy-bundle';

/** What the catalog reports for one part. */
export interface SignedPart {
  readonly part: PartName;
  /** The plain file (`sbom.cdx.json`, `vex/01.openvex.json`, …). */
  readonly file: string;
  readonly signed: boolean;
  /** The attestation bundle file, when signed. */
  readonly attestation?: string;
  /**
   * How the attestation is stored: a Sigstore bundle (`cosign attest --new-bundle-format`, or
   * a file of the module directory), or a legacy cosign bundle (`base64Signature` holding the
   * DSSE envelope, `cert`, `rekorBundle`), which is what a layer of cosign's `.att` tag becomes.
   */
  readonly format?: AttestationFormat;
  readonly predicateType?: string;
  readonly identity?: string;
  readonly issuer?: string;
  /** Rekor log index of the attestation's entry. */
  readonly logIndex?: string;
}

/**
 * An attestation a signature source found outside the module directory (attached to the image
 * in its registry), not verified yet: a Sigstore bundle or a legacy cosign bundle, as JSON.
 */
export interface AttestationCandidate {
  /** The bundle JSON (Sigstore bundle, or legacy cosign bundle built from a `.att` layer). */
  readonly bundle: unknown;
  /** How it was found: `referrers-api`, `referrers-tag` or `attestation-tag`. */
  readonly via: string;
  /** Digest of the referrer or `.att` manifest. */
  readonly manifest: string;
  /** Layer index in that manifest (`.att` layers). */
  readonly layer?: number;
}

/** The in-toto statement a bundle carries, read without verifying (to sort candidates only). */
function claimedStatement(bundle: unknown): { predicateType?: unknown; predicate?: unknown } {
  try {
    const b = bundle as {
      dsseEnvelope?: { payload?: unknown };
      base64Signature?: unknown;
    } | null;
    let payload: unknown = b?.dsseEnvelope?.payload;
    if (payload === undefined && typeof b?.base64Signature === 'string') {
      payload = JSON.parse(Buffer.from(b.base64Signature, 'base64').toString('utf8'))?.payload;
    }
    if (typeof payload !== 'string') return {};
    const statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
    return typeof statement === 'object' && statement !== null ? statement : {};
  } catch {
    return {};
  }
}

/** The statement's predicate type as claimed, read without verifying (to sort candidates only). */
export function claimedPredicateType(bundle: unknown): string | undefined {
  const type = claimedStatement(bundle).predicateType;
  return typeof type === 'string' ? type : undefined;
}

const describeCandidate = (c: AttestationCandidate) =>
  `${c.via} ${c.manifest}${c.layer === undefined ? '' : ` layer ${c.layer}`}`;

/** What {@link verifySignedParts} returns: each part, and the attestation files to store. */
export interface SignedPartsResult {
  readonly parts: SignedPart[];
  /**
   * The attestation file of each part signed by a candidate (not by a file of the module
   * directory): `attestations/<file>.sigstore.json` → the bundle JSON bytes, to store.
   */
  readonly adopted: Map<string, Uint8Array>;
}

const bundleBytes = (bundle: unknown) =>
  new TextEncoder().encode(`${JSON.stringify(bundle, null, 2)}\n`);

/**
 * Verify the attestations of the parts. `parts` lists each part's file and its parsed JSON.
 * Each part's attestation is, in this order: a {@link AttestationCandidate} (found in the
 * registry) with the part's predicate type that verifies and carries exactly the part, else the
 * module directory's `attestations/<file>.sigstore.json`. A directory attestation that is present
 * must verify (fail closed); a part with none refuses the module when `required`. Throws
 * `ATTESTATION_REJECTED` with `reason` `ATTESTATION_MISSING`, `NOT_AN_ATTESTATION`,
 * `PREDICATE_TYPE_MISMATCH`, `PREDICATE_MISMATCH` or the bundle-verify code (for a part whose
 * only attestations are registry candidates that fail, the first candidate's reason, with every
 * candidate's in `detail.actual`).
 */
export function verifySignedParts(options: {
  readonly slug: string;
  readonly digest: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly parts: readonly {
    readonly part: PartName;
    readonly file: string;
    readonly document: unknown;
  }[];
  readonly verifier: BundleVerifier;
  readonly identity: IdentityPolicy;
  readonly required: boolean;
  /** Attestations found in the registry (see {@link AttestationCandidate}). Default none. */
  readonly candidates?: readonly AttestationCandidate[];
}): SignedPartsResult {
  const { slug, digest, files, verifier, identity } = options;
  const candidates = options.candidates ?? [];
  const typed = candidates.map((c) => ({ candidate: c, type: claimedPredicateType(c.bundle) }));
  const adopted = new Map<string, Uint8Array>();
  const parts = options.parts.map(({ part, file, document }): SignedPart => {
    const attestation = attestationFileOf(file);
    const expectedType = PART_PREDICATE_TYPES[part];
    // Registry candidates claiming this part's predicate type: the first that verifies wins.
    const failures: CatalogError[] = [];
    for (const { candidate } of typed.filter((t) => t.type === expectedType)) {
      try {
        const signed = checkAttestation({
          bundle: candidate.bundle,
          where: `${attestation} (${describeCandidate(candidate)})`,
          file: attestation,
          part,
          partFile: file,
          document,
          slug,
          digest,
          verifier,
          identity,
        });
        adopted.set(attestation, bundleBytes(candidate.bundle));
        return signed;
      } catch (error) {
        if (!(error instanceof CatalogError)) throw error;
        // An attestation of another file of the same part (another VEX document) is not a
        // failure of this one.
        const other =
          error.detail.reason === 'PREDICATE_MISMATCH' &&
          options.parts.some(
            (p) =>
              p.part === part &&
              p.file !== file &&
              isDeepStrictEqual(
                partOfPredicate(part, claimedStatement(candidate.bundle).predicate),
                p.document,
              ),
          );
        if (!other) failures.push(error);
      }
    }
    const bytes = files.get(attestation);
    if (!bytes) {
      const [first] = failures;
      if (first !== undefined) {
        // Attestations of this part were attached to the image, and none holds up.
        throw new CatalogError(
          'ATTESTATION_REJECTED',
          `${file}: no attestation attached to the image verifies: ${failures.map((f) => f.message).join('; ')}`,
          {
            ...first.detail,
            actual: failures.map((f) => ({
              reason: f.detail.reason,
              message: f.message,
            })),
          },
          { cause: first },
        );
      }
      if (options.required) {
        throw new CatalogError(
          'ATTESTATION_REJECTED',
          `${attestation}: the catalog requires ${file} to be signed`,
          {
            slug,
            file: attestation,
            reason: 'ATTESTATION_MISSING',
            expected: `an in-toto attestation with predicate type ${expectedType} about ${digest}`,
            actual:
              candidates.length === 0
                ? 'none in the module directory'
                : `none in the module directory, and none of the ${candidates.length} attestation(s) attached to the image carries ${file}`,
          },
        );
      }
      return { part, file, signed: false };
    }
    let bundle: unknown;
    try {
      bundle = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      throw new CatalogError(
        'ATTESTATION_REJECTED',
        `${attestation}: not UTF-8 JSON`,
        { slug, file: attestation, reason: 'NOT_AN_ATTESTATION' },
        { cause: error },
      );
    }
    return checkAttestation({
      bundle,
      where: attestation,
      file: attestation,
      part,
      partFile: file,
      document,
      slug,
      digest,
      verifier,
      identity,
    });
  });
  return { parts, adopted };
}

/** Verify one attestation of one part; throws `ATTESTATION_REJECTED`. */
function checkAttestation(options: {
  readonly bundle: unknown;
  /** How the attestation is named in messages. */
  readonly where: string;
  /** `detail.file`: the attestation file it is (or would be) stored as. */
  readonly file: string;
  readonly part: PartName;
  readonly partFile: string;
  readonly document: unknown;
  readonly slug: string;
  readonly digest: string;
  readonly verifier: BundleVerifier;
  readonly identity: IdentityPolicy;
}): SignedPart {
  const { bundle, where, file, part, partFile, document, slug, digest } = options;
  const refuse = (
    reason: string,
    message: string,
    extra: Record<string, unknown> = {},
    cause?: unknown,
  ) =>
    new CatalogError(
      'ATTESTATION_REJECTED',
      `${where}: ${message}`,
      { slug, file, reason, ...extra },
      cause === undefined ? {} : { cause },
    );
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle)) {
    throw refuse('NOT_AN_ATTESTATION', 'not a JSON object', {
      expected: 'a Sigstore bundle or a legacy cosign bundle',
    });
  }
  let result: ReturnType<BundleVerifier['verifyBundle']>;
  try {
    result = options.verifier.verifyBundle(bundle, { digest }, options.identity);
  } catch (error) {
    if (error instanceof BundleVerifyError) {
      throw refuse(
        error.code,
        `${error.code}: ${error.message}`,
        {
          ...(error.detail.expected === undefined ? {} : { expected: error.detail.expected }),
          ...(error.detail.actual === undefined ? {} : { actual: error.detail.actual }),
        },
        error,
      );
    }
    throw refuse('NOT_AN_ATTESTATION', (error as Error).message, {}, error);
  }
  const verified = result.verifiedStatement;
  if (result.content !== 'dsse' || !result.statement?.matchedSubject || verified === undefined) {
    throw refuse('NOT_AN_ATTESTATION', 'not an in-toto statement about the module image', {
      expected: `a DSSE bundle whose subject is ${digest}`,
      actual: result.content,
    });
  }
  const statement = verified.statement;
  const expectedType = PART_PREDICATE_TYPES[part];
  if (statement.predicateType !== expectedType) {
    throw refuse('PREDICATE_TYPE_MISMATCH', `predicate type ${String(statement.predicateType)}`, {
      expected: expectedType,
      actual: statement.predicateType,
    });
  }
  if (!isDeepStrictEqual(partOfPredicate(part, statement.predicate), document)) {
    throw refuse('PREDICATE_MISMATCH', `the signed ${part} differs from ${partFile}`, {
      expected: `${partFile} as signed`,
    });
  }
  const summary = summarizeResult(result);
  const signer = summary.signer;
  const identityOf = signer.kind === 'certificate' ? signer.subjectAlternativeNames[0] : undefined;
  const issuer = signer.kind === 'certificate' ? signer.issuer : undefined;
  const logIndex = summary.tlog.entries[0]?.logIndex;
  return {
    part,
    file: partFile,
    signed: true,
    attestation: attestationFileOf(partFile),
    format: 'mediaType' in bundle ? 'sigstore-bundle' : 'cosign-legacy-bundle',
    predicateType: expectedType,
    ...(identityOf === undefined ? {} : { identity: identityOf }),
    ...(issuer === undefined ? {} : { issuer }),
    ...(logIndex === undefined ? {} : { logIndex }),
  };
}
