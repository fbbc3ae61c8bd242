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

/** What the catalog reports for one part. */
export interface SignedPart {
  readonly part: PartName;
  /** The plain file (`sbom.cdx.json`, `vex/01.openvex.json`, …). */
  readonly file: string;
  readonly signed: boolean;
  /** The attestation bundle file, when signed. */
  readonly attestation?: string;
  readonly predicateType?: string;
  readonly identity?: string;
  readonly issuer?: string;
  /** Rekor log index of the attestation's entry. */
  readonly logIndex?: string;
}

/**
 * Verify the attestations of the parts. `parts` lists each part's file and its parsed JSON.
 * A present attestation must verify (fail closed); a missing one refuses the module when
 * `required`. Throws `ATTESTATION_REJECTED` with `reason` `ATTESTATION_MISSING`,
 * `NOT_AN_ATTESTATION`, `PREDICATE_TYPE_MISMATCH`, `PREDICATE_MISMATCH` or the bundle-verify code.
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
}): SignedPart[] {
  const { slug, digest, files, verifier, identity } = options;
  return options.parts.map(({ part, file, document }) => {
    const attestation = attestationFileOf(file);
    const bytes = files.get(attestation);
    const refuse = (
      reason: string,
      message: string,
      extra: Record<string, unknown> = {},
      cause?: unknown,
    ) =>
      new CatalogError(
        'ATTESTATION_REJECTED',
        `${attestation}: ${message}`,
        { slug, file: attestation, reason, ...extra },
        cause === undefined ? {} : { cause },
      );
    if (!bytes) {
      if (options.required) {
        throw refuse('ATTESTATION_MISSING', `the catalog requires ${file} to be signed`, {
          expected: `a DSSE Sigstore bundle with predicate type ${PART_PREDICATE_TYPES[part]}`,
        });
      }
      return { part, file, signed: false };
    }
    let bundle: unknown;
    try {
      bundle = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (error) {
      throw refuse('NOT_AN_ATTESTATION', 'not UTF-8 JSON', {}, error);
    }
    let result: ReturnType<BundleVerifier['verifyBundle']>;
    try {
      result = verifier.verifyBundle(bundle as object, { digest }, identity);
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
    if (result.content !== 'dsse' || !result.statement?.matchedSubject) {
      throw refuse('NOT_AN_ATTESTATION', 'not an in-toto statement about the module image', {
        expected: `a DSSE bundle whose subject is ${digest}`,
        actual: result.content,
      });
    }
    let statement: { predicateType?: unknown; predicate?: unknown };
    try {
      const payload = (bundle as { dsseEnvelope: { payload: string } }).dsseEnvelope.payload;
      statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
    } catch (error) {
      throw refuse('NOT_AN_ATTESTATION', 'the statement is not JSON', {}, error);
    }
    const expectedType = PART_PREDICATE_TYPES[part];
    if (statement.predicateType !== expectedType) {
      throw refuse('PREDICATE_TYPE_MISMATCH', `predicate type ${String(statement.predicateType)}`, {
        expected: expectedType,
        actual: statement.predicateType,
      });
    }
    if (!isDeepStrictEqual(partOfPredicate(part, statement.predicate), document)) {
      throw refuse('PREDICATE_MISMATCH', `the signed ${part} differs from ${file}`, {
        expected: `${file} as signed`,
      });
    }
    const summary = summarizeResult(result);
    const signer = summary.signer;
    const identityOf =
      signer.kind === 'certificate' ? signer.subjectAlternativeNames[0] : undefined;
    const issuer = signer.kind === 'certificate' ? signer.issuer : undefined;
    const logIndex = summary.tlog.entries[0]?.logIndex;
    return {
      part,
      file,
      signed: true,
      attestation,
      predicateType: expectedType,
      ...(identityOf === undefined ? {} : { identity: identityOf }),
      ...(issuer === undefined ? {} : { issuer }),
      ...(logIndex === undefined ? {} : { logIndex }),
    };
  });
}
