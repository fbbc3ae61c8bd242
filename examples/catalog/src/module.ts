import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BundleVerifier,
  BundleVerifyError,
  type IdentityPolicy,
  summarizeResult,
  type VerificationSummary,
  type VerifierOptions,
} from '@flareo/bundle-verify';
import { parseRfc3339 } from '@flareo/internal/rfc3339';
import type { TrustRoot } from '@flareo/trust-root';
import {
  type SbomCompleteness,
  type SlsaAssessment,
  sbomCompleteness,
  slsaLevelFromProvenance,
  TrustScoreError,
} from '@flareo/trust-score';
import {
  applyToTrivy,
  type FindingOutcome,
  mergeVex,
  parseVex,
  type Residual,
  type VexDocument,
  VexError,
  validateVex,
} from '@flareo/vex';
import { verifyCosignRecord } from './cosign.js';
import { CatalogError, isSlug, SLUG_PATTERN } from './errors.js';
import {
  type AttestationCandidate,
  attestationFileOf,
  type PartName,
  type SignedPart,
  verifySignedParts,
} from './parts.js';
import {
  assertSchema,
  contactSchema,
  cyclonedxSchema,
  moduleManifestSchema,
  trivySchema,
} from './schemas.js';

/** File names of a module directory (the ingest input and the stored form). */
export const MODULE_FILES = Object.freeze({
  manifest: 'module.json',
  contact: 'flareo.json',
  signature: 'signature.sigstore.json',
  /** A verified cosign `.sig` signature layer (see `cosign.ts`), stored instead of a bundle. */
  cosignSignature: 'signature.cosign.json',
  provenance: 'provenance.sigstore.json',
  sbom: 'sbom.cdx.json',
  scan: 'trivy.json',
  /** Directory of one or more OpenVEX documents (`*.json`), merged in file-name order. */
  vexDir: 'vex',
});

/** Largest file read from a module directory. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** `module.json`. */
export interface ModuleManifest {
  readonly slug: string;
  readonly name: string;
  readonly version: string;
  readonly description?: string;
  readonly image: string;
  readonly digest: string;
  readonly builtAt: string;
  readonly artifact?: string;
}

/** `flareo.json`, the contact file. */
export interface ModuleContact {
  readonly name: string;
  readonly description?: string;
  readonly homepage?: string;
  readonly source?: string;
  readonly license?: string;
  readonly contact: { readonly email: string; readonly name?: string; readonly security?: string };
  readonly [key: string]: unknown;
}

/** The raw files of a module, by path relative to the module directory (`vex/a.json`). */
export interface ModuleSource {
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/**
 * How a module's image is signed: a Sigstore bundle (`signature.sigstore.json`), or cosign's
 * classic `.sig` signature layer (`signature.cosign.json`, see `cosign.ts`).
 */
export type SignatureFormat = 'sigstore-bundle' | 'cosign-signature';

/** The stored file of each signature format. */
export const SIGNATURE_FILES: Readonly<Record<SignatureFormat, string>> = Object.freeze({
  'sigstore-bundle': 'signature.sigstore.json',
  'cosign-signature': 'signature.cosign.json',
});

/** What the signature source proved about the module's artifact. */
export interface SignatureEvidence {
  /**
   * What verified: the Sigstore bundle, stored as `signature.sigstore.json`, or the cosign
   * signature record, stored as `signature.cosign.json`.
   */
  readonly bundle: unknown;
  /** Which of the two it is. Default `'sigstore-bundle'`. */
  readonly format?: SignatureFormat;
  /** What `@flareo/bundle-verify` proved, JSON-safe. */
  readonly summary: VerificationSummary;
  /**
   * Part attestations the source found attached to the image (the registry source: Sigstore
   * bundle referrers and cosign `.att` layers), not verified yet: verified with the module's
   * parts, where each one that holds up is stored as the part's attestation file.
   */
  readonly attestations?: readonly AttestationCandidate[];
}

/** Everything a signature source gets to verify one module. */
export interface SignatureRequest {
  readonly slug: string;
  readonly manifest: ModuleManifest;
  readonly source: ModuleSource;
  /** The artifact: its bytes when the module directory carries them, else its digest. */
  readonly artifact: Uint8Array | { readonly digest: string };
  /** The catalog's verifier (its trust root and Rekor policy). */
  readonly verifier: BundleVerifier;
  /** The identity this module must be signed by. */
  readonly identity: IdentityPolicy;
  /**
   * The catalog's parsed trust root, for sources that build their own verifier (the registry
   * source verifies with `@flareo/image-verify`). Absent when the context carries none.
   */
  readonly trustRoot?: TrustRoot;
  /** The verifier options the catalog's {@link verifier} was built with (its Rekor policy). */
  readonly verifierOptions?: VerifierOptions;
}

/**
 * Where a module's signature comes from. The default reads `signature.sigstore.json` from
 * the module directory; a registry source (cosign signatures attached to the image) can be
 * plugged in without changing the rest of ingest. A source must throw a `CatalogError`
 * (`SIGNATURE_REJECTED`, `MODULE_FILE_MISSING`) when nothing verifies: fail closed.
 */
export interface SignatureSource {
  readonly name: string;
  verify(request: SignatureRequest): SignatureEvidence | Promise<SignatureEvidence>;
}

/** One finding after VEX, deduplicated by (vulnerability, package). */
export interface FindingSummary {
  readonly vulnerability: string;
  readonly package: { readonly name?: string; readonly version?: string; readonly purl?: string };
  readonly severity: string;
  readonly disposition: FindingOutcome['disposition'];
  readonly status?: string;
  readonly justification?: string;
  readonly impactStatement?: string;
  readonly actionStatement?: string;
  readonly statusNotes?: string;
}

/**
 * Something ingest accepted but reports: today an OpenVEX `affected` statement without an
 * `action_statement` (`AFFECTED_WITHOUT_ACTION`).
 */
export interface IngestWarning {
  readonly code: 'AFFECTED_WITHOUT_ACTION';
  /** The VEX file, relative to the module directory (`vex/01.openvex.json`). */
  readonly file: string;
  /** JSON pointer of the statement in that file (`/statements/0`). */
  readonly path: string;
  /** The statement's `@id` when it has one. */
  readonly statement?: string;
  readonly vulnerability: string;
  readonly message: string;
}

/** A module whose every part verified; what the catalog stores and serves. */
export interface VerifiedModule {
  readonly slug: string;
  /** What ingest accepted but reports (recomputed at every start from the stored files). */
  readonly warnings: readonly IngestWarning[];
  /** Each part (contact file, SBOM, Trivy report, VEX documents): signed or not, and by whom. */
  readonly parts: readonly SignedPart[];
  readonly manifest: ModuleManifest;
  readonly contact: ModuleContact;
  readonly signature: SignatureEvidence & {
    readonly format: SignatureFormat;
    /** The verified signing time (SET integrated time or RFC 3161 time). */
    readonly signedAt: string;
    readonly identity: string | undefined;
    readonly issuer: string | undefined;
    readonly logIndex: string | undefined;
  };
  readonly provenance: {
    readonly bundle: unknown;
    readonly statement: unknown;
    readonly summary: VerificationSummary;
    readonly slsa: SlsaAssessment;
  };
  readonly sbom: { readonly document: unknown; readonly completeness: SbomCompleteness };
  readonly vex: { readonly documents: readonly VexDocument[] };
  readonly scan: {
    readonly report: unknown;
    readonly findings: readonly FindingSummary[];
    readonly residual: Residual;
  };
  /** The files to store, by relative path. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** Everything {@link verifyModule} needs besides the files. */
export interface VerifyContext {
  readonly verifier: BundleVerifier;
  /** Identity policy for a slug (the catalog config's template, filled in). */
  readonly identityFor: (slug: string) => IdentityPolicy;
  /** SLSA trusted-builder table for `slsaLevelFromProvenance`. */
  readonly trustedBuilders: readonly { readonly idPattern: RegExp; readonly level: 1 | 2 | 3 }[];
  /** Where the signature comes from. Default {@link bundleFileSignatureSource}. */
  readonly signatureSource?: SignatureSource;
  /** The trust root {@link verifier} was built from; passed to the signature source. Default none. */
  readonly trustRoot?: TrustRoot;
  /** The options {@link verifier} was built with; passed to the signature source. Default none. */
  readonly verifierOptions?: VerifierOptions;
  /** Refuse a module whose contact file, SBOM, Trivy report or a VEX document is not signed. Default false. */
  readonly requireSignedParts?: boolean;
}

const text = (bytes: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(bytes);

/**
 * What {@link readModuleFiles} reads a module through: a directory on disk, or the files of
 * an uploaded archive. `kind` of a path that does not exist is `undefined`.
 */
export interface ModuleReader {
  /** Where the module comes from, for messages. */
  readonly where: string;
  kind(
    rel: string,
  ): Promise<{ kind: 'file' | 'symlink' | 'directory' | 'other'; size: number } | undefined>;
  read(rel: string): Promise<Uint8Array>;
  /** Names in a directory (empty when it does not exist). */
  list(rel: string): Promise<string[]>;
}

/** Read a module directory (only the files the catalog knows) into memory. */
export async function readModuleDir(dir: string): Promise<ModuleSource> {
  return readModuleFiles({
    where: dir,
    async kind(rel) {
      let info: Awaited<ReturnType<typeof lstat>>;
      try {
        info = await lstat(join(dir, rel));
      } catch {
        return undefined;
      }
      return {
        kind: info.isFile()
          ? 'file'
          : info.isSymbolicLink()
            ? 'symlink'
            : info.isDirectory()
              ? 'directory'
              : 'other',
        size: info.size,
      };
    },
    read: async (rel) => new Uint8Array(await readFile(join(dir, rel))),
    async list(rel) {
      try {
        return await readdir(join(dir, rel));
      } catch {
        return [];
      }
    },
  });
}

/**
 * Read the files of a module that the catalog knows (and nothing else) through `reader`:
 * the same selection and the same refusals whether the module is a directory or an upload.
 */
export async function readModuleFiles(reader: ModuleReader): Promise<ModuleSource> {
  const files = new Map<string, Uint8Array>();
  const read = async (rel: string, optional: boolean) => {
    const info = await reader.kind(rel);
    if (!info) {
      if (optional) return;
      throw new CatalogError('MODULE_FILE_MISSING', `${rel} is missing from ${reader.where}`, {
        file: rel,
      });
    }
    // Symbolic links are refused: ingest reads only what the module directory itself holds.
    if (info.kind !== 'file') {
      throw new CatalogError('MODULE_FILE_INVALID', `${rel} is not a regular file`, {
        file: rel,
        expected: 'a regular file',
        actual:
          info.kind === 'symlink'
            ? 'a symbolic link'
            : info.kind === 'directory'
              ? 'a directory'
              : 'a special file',
      });
    }
    const size = info.size;
    if (size > MAX_FILE_BYTES) {
      throw new CatalogError(
        'MODULE_FILE_INVALID',
        `${rel} is larger than ${MAX_FILE_BYTES} bytes`,
        {
          file: rel,
          expected: `at most ${MAX_FILE_BYTES} bytes`,
          actual: size,
        },
      );
    }
    files.set(rel, await reader.read(rel));
  };
  const required = [
    MODULE_FILES.manifest,
    MODULE_FILES.contact,
    MODULE_FILES.provenance,
    MODULE_FILES.sbom,
    MODULE_FILES.scan,
  ];
  for (const rel of required) await read(rel, false);
  await read(MODULE_FILES.signature, true);
  await read(MODULE_FILES.cosignSignature, true);
  // At least one document is required: checked by verifyModule.
  const vexNames = (await reader.list(MODULE_FILES.vexDir))
    .filter((n) => n.endsWith('.json'))
    .sort();
  for (const name of vexNames) await read(`${MODULE_FILES.vexDir}/${name}`, false);
  // Signed parts: attestations/<part file>.sigstore.json, each optional here (the catalog's
  // requireSignedParts decides in verifyModule).
  for (const rel of [
    MODULE_FILES.contact,
    MODULE_FILES.sbom,
    MODULE_FILES.scan,
    ...vexNames.map((n) => `${MODULE_FILES.vexDir}/${n}`),
  ]) {
    await read(attestationFileOf(rel), true);
  }
  const manifestBytes = files.get(MODULE_FILES.manifest);
  if (manifestBytes) {
    const artifact = artifactName(manifestBytes);
    if (artifact !== undefined) await read(artifact, false);
  }
  return { files };
}

/** The `artifact` field of a manifest, when it is a safe plain file name. */
function artifactName(manifestBytes: Uint8Array): string | undefined {
  try {
    const value = (JSON.parse(text(manifestBytes)) as { artifact?: unknown }).artifact;
    return typeof value === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(value)
      ? value
      : undefined;
  } catch {
    return undefined; // reported by verifyModule with the schema issues
  }
}

function parseJson(
  source: ModuleSource,
  file: string,
  code:
    | 'MODULE_FILE_INVALID'
    | 'SBOM_INVALID'
    | 'SCAN_INVALID'
    | 'PROVENANCE_REJECTED'
    | 'SIGNATURE_REJECTED',
  slug?: string,
): unknown {
  const bytes = source.files.get(file);
  if (!bytes)
    throw new CatalogError('MODULE_FILE_MISSING', `${file} is missing`, {
      file,
      ...(slug ? { slug } : {}),
    });
  try {
    return JSON.parse(text(bytes));
  } catch (error) {
    throw new CatalogError(
      code,
      `${file} is not UTF-8 JSON`,
      { file, ...(slug ? { slug } : {}), expected: 'a JSON document' },
      { cause: error },
    );
  }
}

const jsonBytes = (value: unknown) =>
  new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

function rejectedBy(
  code: 'SIGNATURE_REJECTED' | 'PROVENANCE_REJECTED',
  file: string,
  slug: string,
  error: unknown,
): CatalogError {
  if (error instanceof BundleVerifyError) {
    return new CatalogError(
      code,
      `${file}: ${error.code}: ${error.message}`,
      {
        slug,
        file,
        reason: error.code,
        ...(error.detail.expected === undefined ? {} : { expected: error.detail.expected }),
        ...(error.detail.actual === undefined ? {} : { actual: error.detail.actual }),
      },
      { cause: error },
    );
  }
  if (error instanceof TrustScoreError) {
    return new CatalogError(
      code,
      `${file}: ${error.code}: ${error.message}`,
      { slug, file, reason: error.code },
      { cause: error },
    );
  }
  if (error instanceof CatalogError) return error;
  return new CatalogError(
    code,
    `${file}: ${error instanceof Error ? error.message : String(error)}`,
    { slug, file },
    { cause: error },
  );
}

/**
 * The default signature source: `signature.sigstore.json` in the module directory, or, when
 * there is none, a stored cosign signature record `signature.cosign.json` (what a registry
 * ingest of a cosign-signed image stores), verified over the manifest's digest.
 */
export const bundleFileSignatureSource: SignatureSource = {
  name: 'bundle-file',
  verify(request) {
    if (
      !request.source.files.has(MODULE_FILES.signature) &&
      request.source.files.has(MODULE_FILES.cosignSignature)
    ) {
      const file = MODULE_FILES.cosignSignature;
      const record = parseJson(request.source, file, 'SIGNATURE_REJECTED', request.slug);
      const { summary } = verifyCosignRecord(
        record,
        request.manifest.digest,
        { trustRoot: request.trustRoot, verifierOptions: request.verifierOptions },
        request.identity,
        request.slug,
        file,
      );
      return { bundle: record, summary, format: 'cosign-signature' };
    }
    const file = MODULE_FILES.signature;
    const bundle = parseJson(request.source, file, 'SIGNATURE_REJECTED', request.slug);
    try {
      const result = request.verifier.verifyBundle(
        bundle as object,
        request.artifact,
        request.identity,
      );
      return { bundle, summary: summarizeResult(result) };
    } catch (error) {
      throw rejectedBy('SIGNATURE_REJECTED', file, request.slug, error);
    }
  },
};

function summarizeFinding(f: FindingOutcome): FindingSummary {
  const pkg = {
    ...(f.package.name === undefined ? {} : { name: f.package.name }),
    ...(f.package.version === undefined ? {} : { version: f.package.version }),
    ...(f.package.purl === undefined ? {} : { purl: f.package.purl }),
  };
  return {
    vulnerability: f.vulnerability,
    package: pkg,
    severity: f.severity,
    disposition: f.disposition,
    ...(f.status === undefined ? {} : { status: f.status }),
    ...(f.justification === undefined ? {} : { justification: f.justification }),
    ...(f.impactStatement === undefined ? {} : { impactStatement: f.impactStatement }),
    ...(f.actionStatement === undefined ? {} : { actionStatement: f.actionStatement }),
    ...(f.statusNotes === undefined ? {} : { statusNotes: f.statusNotes }),
  };
}

/** Keep one outcome per (vulnerability, package): Trivy repeats a CVE per target. */
function uniqueFindings(findings: readonly FindingOutcome[]): FindingSummary[] {
  const seen = new Map<string, FindingSummary>();
  for (const f of findings) {
    const key = `${f.vulnerability}\u0000${f.package.purl ?? `${f.package.name}@${f.package.version}`}`;
    if (!seen.has(key)) seen.set(key, summarizeFinding(f));
  }
  return [...seen.values()];
}

/**
 * Verify every part of a module with the Flareo libraries, and fail closed on the first
 * problem: manifest and contact file (schemas), signature over the artifact digest with
 * Rekor evidence (`@flareo/bundle-verify`, identity bound to the slug), SLSA provenance
 * (a DSSE bundle about the same digest, then `slsaLevelFromProvenance` against the
 * trusted-builder table), SBOM (shape, then `sbomCompleteness`), OpenVEX (strict
 * `parseVex`, `mergeVex`) and the Trivy report (shape, bound to the digest, `applyToTrivy`).
 */
export async function verifyModule(
  source: ModuleSource,
  context: VerifyContext,
): Promise<VerifiedModule> {
  const manifest = parseJson(
    source,
    MODULE_FILES.manifest,
    'MODULE_FILE_INVALID',
  ) as ModuleManifest;
  if (
    typeof manifest === 'object' &&
    manifest !== null &&
    'slug' in manifest &&
    !isSlug(manifest.slug)
  ) {
    throw new CatalogError(
      'SLUG_INVALID',
      `module.json: invalid module slug ${JSON.stringify(manifest.slug)}`,
      {
        file: MODULE_FILES.manifest,
        expected: SLUG_PATTERN,
        actual: manifest.slug,
      },
    );
  }
  assertSchema(moduleManifestSchema, manifest, 'MODULE_FILE_INVALID', {
    file: MODULE_FILES.manifest,
  });
  const slug = manifest.slug;
  if (parseRfc3339(manifest.builtAt) === undefined) {
    throw new CatalogError('MODULE_FILE_INVALID', `module.json: builtAt is not a real date`, {
      slug,
      file: MODULE_FILES.manifest,
      expected: 'an RFC 3339 date-time',
      actual: manifest.builtAt,
    });
  }
  const contact = parseJson(
    source,
    MODULE_FILES.contact,
    'MODULE_FILE_INVALID',
    slug,
  ) as ModuleContact;
  assertSchema(contactSchema, contact, 'MODULE_FILE_INVALID', { file: MODULE_FILES.contact, slug });

  // The artifact: its bytes when present (the signature is checked against them first, so a
  // tampered artifact is a signature failure), else the declared digest.
  let artifact: Uint8Array | { digest: string } = { digest: manifest.digest };
  if (manifest.artifact !== undefined) {
    const bytes = source.files.get(manifest.artifact);
    if (!bytes) {
      throw new CatalogError(
        'MODULE_FILE_MISSING',
        `${manifest.artifact} (module.json artifact) is missing`,
        { slug, file: manifest.artifact },
      );
    }
    artifact = bytes;
  }
  const identity = context.identityFor(slug);
  const signatureSource = context.signatureSource ?? bundleFileSignatureSource;
  const evidence = await signatureSource.verify({
    slug,
    manifest,
    source,
    artifact,
    verifier: context.verifier,
    identity,
    ...(context.trustRoot === undefined ? {} : { trustRoot: context.trustRoot }),
    ...(context.verifierOptions === undefined ? {} : { verifierOptions: context.verifierOptions }),
  });
  if (artifact instanceof Uint8Array && sha256(artifact) !== manifest.digest) {
    throw new CatalogError(
      'ARTIFACT_DIGEST_MISMATCH',
      `module.json digest differs from the digest of ${manifest.artifact}`,
      {
        slug,
        file: MODULE_FILES.manifest,
        expected: sha256(artifact),
        actual: manifest.digest,
      },
    );
  }
  const signedTime = evidence.summary.times.map((t) => t.time).sort()[0];
  if (signedTime === undefined) {
    throw new CatalogError('SIGNATURE_REJECTED', 'the signature has no trusted signing time', {
      slug,
      reason: 'TIME_SOURCE_MISSING',
    });
  }
  const signer = evidence.summary.signer;

  // Provenance: a DSSE bundle whose in-toto subject is the artifact digest, same identity.
  const provenanceBundle = parseJson(source, MODULE_FILES.provenance, 'PROVENANCE_REJECTED', slug);
  let provenanceSummary: VerificationSummary;
  let statement: unknown;
  let slsa: SlsaAssessment;
  try {
    const result = context.verifier.verifyBundle(
      provenanceBundle as object,
      { digest: manifest.digest },
      identity,
    );
    if (result.content !== 'dsse' || !result.statement?.matchedSubject) {
      throw new CatalogError(
        'PROVENANCE_REJECTED',
        'provenance must be a DSSE in-toto statement about the artifact',
        {
          slug,
          file: MODULE_FILES.provenance,
          expected: 'dsse with a subject matching the artifact digest',
          actual: result.content,
        },
      );
    }
    provenanceSummary = summarizeResult(result);
    // The statement whose signature was just checked, never the bundle JSON's payload.
    statement = result.verifiedStatement?.statement;
    slsa = slsaLevelFromProvenance(result.verifiedStatement, {
      trustedBuilders: context.trustedBuilders,
      subjectDigest: manifest.digest,
      unknownBuilderLevel: 1,
    });
  } catch (error) {
    throw rejectedBy('PROVENANCE_REJECTED', MODULE_FILES.provenance, slug, error);
  }

  // SBOM.
  const sbom = parseJson(source, MODULE_FILES.sbom, 'SBOM_INVALID', slug);
  assertSchema(cyclonedxSchema, sbom, 'SBOM_INVALID', { file: MODULE_FILES.sbom, slug });
  let completeness: SbomCompleteness;
  try {
    completeness = sbomCompleteness(sbom);
  } catch (error) {
    throw new CatalogError(
      'SBOM_INVALID',
      `${MODULE_FILES.sbom}: ${(error as Error).message}`,
      {
        slug,
        file: MODULE_FILES.sbom,
        ...(error instanceof TrustScoreError ? { reason: error.code } : {}),
      },
      { cause: error },
    );
  }

  // OpenVEX: strict 0.2.0, every document.
  const vexFiles = [...source.files.keys()]
    .filter((k) => k.startsWith(`${MODULE_FILES.vexDir}/`))
    .sort();
  if (vexFiles.length === 0) {
    throw new CatalogError('MODULE_FILE_MISSING', 'no OpenVEX document in vex/', {
      slug,
      file: `${MODULE_FILES.vexDir}/*.json`,
    });
  }
  const documents: VexDocument[] = [];
  const warnings: IngestWarning[] = [];
  for (const file of vexFiles) {
    const document = readVexDocument(source, file, slug);
    documents.push(document);
    warnings.push(...reviewVexStatements(document, file, slug));
  }
  const merged = mergeVex(documents, { id: `urn:flareo:catalog:${slug}:vex` }).document;

  // Trivy report: about this artifact, then VEX applied.
  const report = parseJson(source, MODULE_FILES.scan, 'SCAN_INVALID', slug) as {
    Metadata: { RepoDigests: string[] };
  };
  assertSchema(trivySchema, report, 'SCAN_INVALID', { file: MODULE_FILES.scan, slug });
  const expectedRef = `${manifest.image}@${manifest.digest}`;
  if (!report.Metadata.RepoDigests.includes(expectedRef)) {
    throw new CatalogError('SCAN_INVALID', `${MODULE_FILES.scan} is not a scan of ${expectedRef}`, {
      slug,
      file: MODULE_FILES.scan,
      expected: expectedRef,
      actual: report.Metadata.RepoDigests,
    });
  }
  let applied: ReturnType<typeof applyToTrivy>;
  try {
    applied = applyToTrivy(report, [merged], { negligibleAs: 'low' });
  } catch (error) {
    throw new CatalogError(
      'SCAN_INVALID',
      `${MODULE_FILES.scan}: ${(error as Error).message}`,
      {
        slug,
        file: MODULE_FILES.scan,
        ...(error instanceof VexError ? { reason: error.code } : {}),
      },
      { cause: error },
    );
  }

  // Signed parts, last: every part has passed its own checks; now each attestation present must
  // verify and carry exactly that part, and a missing one refuses when the catalog requires it.
  const { parts, adopted } = verifySignedParts({
    slug,
    digest: manifest.digest,
    files: source.files,
    parts: [
      { part: 'contact' as PartName, file: MODULE_FILES.contact, document: contact },
      { part: 'sbom' as PartName, file: MODULE_FILES.sbom, document: sbom },
      { part: 'scan' as PartName, file: MODULE_FILES.scan, document: report },
      ...vexFiles.map((file) => ({
        part: 'vex' as PartName,
        file,
        document: JSON.parse(text(source.files.get(file) as Uint8Array)),
      })),
    ],
    verifier: context.verifier,
    identity,
    required: context.requireSignedParts ?? false,
    ...(evidence.attestations === undefined ? {} : { candidates: evidence.attestations }),
  });

  const files = new Map<string, Uint8Array>();
  for (const [rel, bytes] of source.files) {
    if (rel !== manifest.artifact) files.set(rel, bytes);
  }
  // A part signed by an attestation attached to the image: that attestation is stored in the
  // part's attestation file (replacing a directory file that was not used), checked again at
  // every start like any other.
  for (const [rel, bytes] of adopted) files.set(rel, bytes);
  // Only the signature that verified is stored, in the file of its format.
  const format = evidence.format ?? 'sigstore-bundle';
  files.delete(MODULE_FILES.signature);
  files.delete(MODULE_FILES.cosignSignature);
  files.set(SIGNATURE_FILES[format], jsonBytes(evidence.bundle));
  if (manifest.artifact !== undefined) {
    // The artifact bytes are not stored: the stored manifest keeps only the verified digest.
    const { artifact: _bytesNotStored, ...stored } = manifest;
    files.set(MODULE_FILES.manifest, jsonBytes(stored));
  }

  return {
    slug,
    warnings,
    parts,
    manifest,
    contact,
    signature: {
      bundle: evidence.bundle,
      summary: evidence.summary,
      format,
      signedAt: signedTime,
      identity: signer.kind === 'certificate' ? signer.subjectAlternativeNames[0] : undefined,
      issuer: signer.kind === 'certificate' ? signer.issuer : undefined,
      logIndex: evidence.summary.tlog.entries[0]?.logIndex,
    },
    provenance: { bundle: provenanceBundle, statement, summary: provenanceSummary, slsa },
    sbom: { document: sbom, completeness },
    vex: { documents },
    scan: { report, findings: uniqueFindings(applied.findings), residual: applied.residual },
    files,
  };
}

const vexIssues = (issues: unknown) =>
  Array.isArray(issues)
    ? (issues as { path: string; message: string; code?: string }[]).map((i) => ({
        path: i.path || '/',
        message: i.code ? `${i.code}: ${i.message}` : i.message,
      }))
    : undefined;

/**
 * Parse one OpenVEX document in strict mode. The one strict rule the catalog relaxes is
 * `affected` without `action_statement`: the seed makes it a warning of the ingest report,
 * so a document whose only strict errors are that one is read in lenient mode (which
 * reports it as a warning, see {@link reviewVexStatements}) and every other error refuses.
 */
function readVexDocument(source: ModuleSource, file: string, slug: string): VexDocument {
  const refuse = (error: unknown): never => {
    const issues = error instanceof VexError ? vexIssues(error.detail.issues) : undefined;
    throw new CatalogError(
      'VEX_INVALID',
      `${file}: ${(error as Error).message}`,
      {
        slug,
        file,
        ...(error instanceof VexError ? { reason: error.code } : {}),
        ...(issues ? { issues } : {}),
      },
      { cause: error },
    );
  };
  try {
    const input = text(source.files.get(file) as Uint8Array);
    const strict = validateVex(input, { mode: 'strict' });
    const onlyMissingActions =
      !strict.valid &&
      strict.errors.length > 0 &&
      strict.errors.every((e) => e.code === 'AFFECTED_WITHOUT_ACTION');
    return parseVex(input, { mode: onlyMissingActions ? 'lenient' : 'strict' }).document;
  } catch (error) {
    return refuse(error);
  }
}

/**
 * The seed's VEX rules beyond OpenVEX: "the reviewer team writes a public impact statement
 * for every not_affected annotation", so a `not_affected` statement without
 * `impact_statement` (a justification alone is not enough) refuses the module
 * (`VEX_INVALID`, reason `IMPACT_STATEMENT_MISSING`, naming the statement); an `affected`
 * statement without `action_statement` is returned as a warning.
 */
export function reviewVexStatements(
  document: VexDocument,
  file: string,
  slug: string,
): IngestWarning[] {
  const warnings: IngestWarning[] = [];
  document.statements.forEach((statement, i) => {
    const path = `/statements/${i}`;
    const vulnerability = statement.vulnerability.name;
    const id = statement['@id'];
    const named = `${file}${path} (${vulnerability}${id === undefined ? '' : `, ${id}`})`;
    if (statement.status === 'not_affected' && !statement.impact_statement?.trim()) {
      throw new CatalogError(
        'VEX_INVALID',
        `${named}: a not_affected statement needs a public impact_statement`,
        {
          slug,
          file,
          reason: 'IMPACT_STATEMENT_MISSING',
          expected: 'a non-empty impact_statement on every not_affected statement',
          actual: {
            path,
            vulnerability,
            ...(id === undefined ? {} : { statement: id }),
            ...(statement.justification === undefined
              ? {}
              : { justification: statement.justification }),
          },
          issues: [{ path, message: 'not_affected without impact_statement' }],
        },
      );
    }
    if (statement.status === 'affected' && !statement.action_statement?.trim()) {
      warnings.push({
        code: 'AFFECTED_WITHOUT_ACTION',
        file,
        path,
        ...(id === undefined ? {} : { statement: id }),
        vulnerability,
        message: `${named}: an affected statement has no action_statement`,
      });
    }
  });
  return warnings;
}

/**
 * What verification computed about a module besides its files, JSON-safe: stored with the
 * module so that a start serves it again without verifying it again ({@link restoreModule}).
 */
export interface DerivedModule {
  readonly warnings: VerifiedModule['warnings'];
  readonly parts: VerifiedModule['parts'];
  readonly signature: Omit<VerifiedModule['signature'], 'bundle' | 'attestations'>;
  readonly provenance: Pick<VerifiedModule['provenance'], 'summary' | 'slsa'>;
  readonly sbom: Pick<VerifiedModule['sbom'], 'completeness'>;
  readonly scan: Pick<VerifiedModule['scan'], 'findings' | 'residual'>;
}

/** The part of a verified module that is stored beside its files. */
export function deriveModule(module: VerifiedModule): DerivedModule {
  const { bundle: _bundle, attestations: _attestations, ...signature } = module.signature;
  return {
    warnings: module.warnings,
    parts: module.parts,
    signature,
    provenance: { summary: module.provenance.summary, slsa: module.provenance.slsa },
    sbom: { completeness: module.sbom.completeness },
    scan: { findings: module.scan.findings, residual: module.scan.residual },
  };
}

/**
 * Rebuild a module that verified earlier from its stored files and what verification
 * derived then: the documents are parsed from the files again (JSON and OpenVEX parsing, no
 * signature check). The files must be the ones verified, which the store guarantees by
 * keeping them content-addressed and checking each one's digest when reading it.
 */
export function restoreModule(
  slug: string,
  files: ReadonlyMap<string, Uint8Array>,
  derived: DerivedModule,
): VerifiedModule {
  const source: ModuleSource = { files };
  const json = (file: string) => parseJson(source, file, 'MODULE_FILE_INVALID', slug);
  const provenanceBundle = json(MODULE_FILES.provenance) as { dsseEnvelope: { payload: string } };
  const statement = JSON.parse(
    Buffer.from(provenanceBundle.dsseEnvelope.payload, 'base64').toString('utf8'),
  );
  const vexFiles = [...files.keys()].filter((k) => k.startsWith(`${MODULE_FILES.vexDir}/`)).sort();
  return {
    slug,
    warnings: derived.warnings,
    parts: derived.parts,
    manifest: json(MODULE_FILES.manifest) as ModuleManifest,
    contact: json(MODULE_FILES.contact) as ModuleContact,
    signature: { ...derived.signature, bundle: json(SIGNATURE_FILES[derived.signature.format]) },
    provenance: { ...derived.provenance, bundle: provenanceBundle, statement },
    sbom: { ...derived.sbom, document: json(MODULE_FILES.sbom) },
    vex: { documents: vexFiles.map((file) => readVexDocument(source, file, slug)) },
    scan: { ...derived.scan, report: json(MODULE_FILES.scan) },
    files,
  };
}
