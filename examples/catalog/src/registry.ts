import {
  type IdentityPolicy,
  summarizeResult,
  type VerificationSummary,
  type VerifierOptions,
} from '@flareo/bundle-verify';
import {
  type CollectedImage,
  createImageVerifier,
  type ImageVerificationResult,
  ImageVerifyError,
  type RegistryAuth,
  registrySource,
  type SignatureReport,
} from '@flareo/image-verify';
import type { TrustRoot } from '@flareo/trust-root';
import { collectAttestationTag } from './attestation-tag.js';
import { cosignRecord, verifyCosignRecord } from './cosign.js';
import { CatalogError } from './errors.js';
import {
  MODULE_FILES,
  type ModuleManifest,
  type SignatureEvidence,
  type SignatureSource,
} from './module.js';
import type { AttestationCandidate } from './parts.js';

// Registry support: a module's signature is fetched from the registry its image lives in
// (cosign signature manifests and Sigstore bundle referrers, through @flareo/image-verify),
// instead of being read from the module directory. All network access is in collectImage.

/** Options of {@link registrySignatureSource} and {@link recheckModule}. */
export interface RegistrySignatureOptions {
  /**
   * Speak plain HTTP to the registry. Only loopback registries (`localhost`, `127.0.0.0/8`,
   * `[::1]`) are accepted; a module whose image is elsewhere is refused. Default false (HTTPS).
   */
  readonly plainHttp?: boolean;
  /**
   * Registry credentials: Basic username and password, or a bearer token. Default none
   * (anonymous; see {@link registryAuthFromEnv}).
   */
  readonly auth?: RegistryAuth;
  /** Timeout of each registry request, in milliseconds. Default 30,000 (`@flareo/image-verify`). */
  readonly timeoutMs?: number;
}

/** Environment variables {@link registryAuthFromEnv} reads. */
export const REGISTRY_ENV = Object.freeze({
  username: 'FLAREO_REGISTRY_USERNAME',
  password: 'FLAREO_REGISTRY_PASSWORD',
  token: 'FLAREO_REGISTRY_TOKEN',
});

/**
 * Registry credentials from the environment: `FLAREO_REGISTRY_USERNAME` with
 * `FLAREO_REGISTRY_PASSWORD`, or `FLAREO_REGISTRY_TOKEN`; undefined when none is set. Throws
 * `ARGUMENT_INVALID` for half a pair or for both kinds at once (which one was meant is unclear).
 */
export function registryAuthFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): RegistryAuth | undefined {
  const username = env[REGISTRY_ENV.username] || undefined;
  const password = env[REGISTRY_ENV.password] || undefined;
  const token = env[REGISTRY_ENV.token] || undefined;
  if (token !== undefined && (username !== undefined || password !== undefined)) {
    throw new CatalogError(
      'ARGUMENT_INVALID',
      `set either ${REGISTRY_ENV.token} or ${REGISTRY_ENV.username}/${REGISTRY_ENV.password}, not both`,
      { expected: 'one kind of registry credentials', actual: 'a token and a username/password' },
    );
  }
  if (token !== undefined) return { token };
  if ((username === undefined) !== (password === undefined)) {
    throw new CatalogError(
      'ARGUMENT_INVALID',
      `${REGISTRY_ENV.username} and ${REGISTRY_ENV.password} must be set together`,
      {
        expected: 'both variables',
        actual: username === undefined ? REGISTRY_ENV.password : REGISTRY_ENV.username,
      },
    );
  }
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}

/** The image reference a module is signed as: `<image>@<digest>`. */
export const imageReferenceOf = (manifest: Pick<ModuleManifest, 'image' | 'digest'>) =>
  `${manifest.image}@${manifest.digest}`;

/** Loader codes that mean "the registry could not be read", not "the signature is bad". */
const UNAVAILABLE = new Set(['REGISTRY_ERROR', 'AUTH_FAILED', 'IMAGE_NOT_FOUND']);

/**
 * Map a failure of the `@flareo/image-verify` loader to a catalog error: `REGISTRY_UNAVAILABLE`
 * for an unreachable registry, refused credentials or a missing image; `MODULE_FILE_INVALID` for
 * an image reference that does not parse; `ARGUMENT_INVALID` for plain HTTP to a host that is
 * not loopback; `SIGNATURE_REJECTED` for an image whose content is not what it must be.
 * `detail.reason` is the image-verify code.
 */
export function loaderError(error: unknown, slug: string, reference: string): CatalogError {
  if (error instanceof ImageVerifyError) {
    const detail = {
      slug,
      reason: error.code,
      ...(error.detail.expected === undefined ? {} : { expected: error.detail.expected }),
      ...(error.detail.actual === undefined ? {} : { actual: error.detail.actual }),
    };
    if (UNAVAILABLE.has(error.code)) {
      return new CatalogError(
        'REGISTRY_UNAVAILABLE',
        `${reference}: ${error.code}: ${error.message}`,
        detail,
        { cause: error },
      );
    }
    if (error.code === 'REFERENCE_INVALID') {
      return new CatalogError(
        'MODULE_FILE_INVALID',
        `module.json: ${reference} is not an image reference: ${error.message}`,
        { ...detail, file: MODULE_FILES.manifest },
        { cause: error },
      );
    }
    if (error.code === 'ARGUMENT_INVALID') {
      // plainHttp towards a host that is not loopback.
      return new CatalogError(
        'ARGUMENT_INVALID',
        `${reference}: ${error.message} (plain HTTP is only for loopback registries)`,
        detail,
        { cause: error },
      );
    }
    // Content problems of the image itself (manifest not well formed, limits exceeded).
    return new CatalogError(
      'SIGNATURE_REJECTED',
      `${reference}: ${error.code}: ${error.message}`,
      detail,
      { cause: error },
    );
  }
  return new CatalogError(
    'REGISTRY_UNAVAILABLE',
    `${reference}: ${error instanceof Error ? error.message : String(error)}`,
    { slug },
    { cause: error },
  );
}

/** Fetch the image's signatures. The only network access of the catalog. */
async function collectImage(
  slug: string,
  manifest: Pick<ModuleManifest, 'image' | 'digest'>,
  options: RegistrySignatureOptions,
): Promise<CollectedImage> {
  const reference = imageReferenceOf(manifest);
  let collected: CollectedImage;
  try {
    collected = await registrySource(reference, {
      ...(options.plainHttp === undefined ? {} : { plainHttp: options.plainHttp }),
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    }).collect();
  } catch (error) {
    throw loaderError(error, slug, reference);
  }
  // The loader fetched the manifest by digest and checked its bytes against it, so every
  // signature collected is about manifest.digest.
  return collected;
}

/** One signature found in the registry, as the catalog reports it. */
export interface FoundSignature {
  /** `bundle` (a Sigstore bundle referrer), `cosign` (a legacy `.sig` layer) or `unreadable`. */
  readonly kind: SignatureReport['kind'];
  /** How it was found (`signature-tag`, `referrers-api`, `referrers-tag`). */
  readonly via: string;
  /** Digest of the signature or referrer manifest. */
  readonly manifest: string;
  /** Layer index in that manifest (cosign signatures). */
  readonly layer?: number;
  readonly verified: boolean;
  /** The signer's identity (certificate SAN), when the signature verified. */
  readonly identity?: string;
  /** The signer's OIDC issuer, when the signature verified. */
  readonly issuer?: string;
  /** Why it did not verify: the `@flareo/image-verify` or `@flareo/bundle-verify` code. */
  readonly code?: string;
  readonly message?: string;
}

function signerOf(summary: VerificationSummary): { identity?: string; issuer?: string } {
  const signer = summary.signer;
  if (signer.kind !== 'certificate') return {};
  const identity = signer.subjectAlternativeNames[0];
  return {
    ...(identity === undefined ? {} : { identity }),
    ...(signer.issuer === undefined ? {} : { issuer: signer.issuer }),
  };
}

function describe(report: SignatureReport): FoundSignature {
  const where = {
    kind: report.kind,
    via: report.origin.via,
    manifest: report.origin.manifest,
    ...(report.origin.layer === undefined ? {} : { layer: report.origin.layer }),
  };
  return report.verified
    ? { ...where, verified: true, ...signerOf(report.result) }
    : { ...where, verified: false, code: report.code, message: report.message };
}

function inspect(
  collected: CollectedImage,
  trust: { readonly trustRoot?: TrustRoot; readonly verifierOptions?: VerifierOptions },
  identity: IdentityPolicy,
  slug: string,
): ImageVerificationResult {
  if (trust.trustRoot === undefined) {
    throw new CatalogError(
      'CONFIG_INVALID',
      'the registry signature source needs the catalog trust root (open the store with CatalogStore.open)',
      { slug, expected: 'trustRoot in the verify context' },
    );
  }
  try {
    return createImageVerifier(trust.trustRoot, trust.verifierOptions ?? {}).inspectImage(
      collected,
      { identity },
    );
  } catch (error) {
    // inspectImage throws only for a policy it cannot use (an identity regexp that does not
    // compile): the catalog's configuration is at fault, not the module.
    throw new CatalogError(
      'CONFIG_INVALID',
      `catalog.json identity: ${error instanceof Error ? error.message : String(error)}`,
      {
        slug,
        ...(error instanceof ImageVerifyError ? { reason: error.code } : {}),
      },
      { cause: error },
    );
  }
}

const summaryOf = (found: readonly FoundSignature[]) =>
  found.map((s) =>
    s.verified
      ? `${s.kind} via ${s.via}: verified (${s.identity ?? 'no identity'})`
      : `${s.kind} via ${s.via}: ${s.code}`,
  );

/**
 * A {@link SignatureSource} that fetches the signatures of `<image>@<digest>` (from
 * `module.json`) from the registry, and verifies them with `@flareo/image-verify` against the
 * catalog's trust root, Rekor policy and the module's identity policy. The first verified
 * Sigstore bundle referrer becomes the module's `signature.sigstore.json` (checked once more
 * with the catalog's own verifier over the digest, the exact check made at every restart);
 * when no bundle verifies, the first verified cosign `.sig` signature layer is stored as
 * `signature.cosign.json` (checked once more the same way). A signature file in the module
 * directory is ignored. The evidence also carries the part attestations attached to the image
 * (every Sigstore bundle referrer, and each DSSE layer of cosign's `sha256-<hex>.att` tag, see
 * `attestation-tag.ts`), which ingest verifies with the parts (`verifySignedParts`).
 *
 * Refusals: `SIGNATURE_REJECTED` when no signature was found (`reason` `NO_SIGNATURES`) or
 * when nothing verifies (`reason` `NO_VERIFIED_SIGNATURE`), with every
 * signature found in `detail.actual`; `REGISTRY_UNAVAILABLE` when the registry cannot be read
 * (`reason` `REGISTRY_ERROR`, `AUTH_FAILED`, `IMAGE_NOT_FOUND`); `ARGUMENT_INVALID` for plain
 * HTTP to a registry that is not loopback.
 */
export function registrySignatureSource(options: RegistrySignatureOptions = {}): SignatureSource {
  return {
    name: 'registry',
    async verify(request) {
      const collected = await collectImage(request.slug, request.manifest, options);
      const evidence = signatureEvidence(collected, request);
      // The parts' attestations attached to the image: Sigstore bundle referrers (collected with
      // the signatures; image-verify lists them without counting them as signatures) and the
      // layers of cosign's `.att` tag. Verified with the parts (see verifySignedParts).
      const attestations: AttestationCandidate[] = [];
      for (const s of collected.signatures) {
        if (s.kind !== 'bundle') continue;
        let bundle: unknown;
        try {
          bundle = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(s.bundle));
        } catch {
          continue; // not JSON: not an attestation of any part (and not a signature either)
        }
        attestations.push({ bundle, via: s.origin.via, manifest: s.origin.manifest });
      }
      attestations.push(
        ...(await collectAttestationTag(
          request.manifest.image,
          request.manifest.digest,
          request.slug,
          options,
        )),
      );
      return { ...evidence, attestations };
    },
  };
}

/** The module's signature among what was collected (see {@link registrySignatureSource}). */
function signatureEvidence(
  collected: CollectedImage,
  request: Parameters<SignatureSource['verify']>[0],
): SignatureEvidence {
  const { slug, manifest } = request;
  const reference = imageReferenceOf(manifest);
  const result = inspect(collected, request, request.identity, slug);
  const found = result.signatures.map(describe);
  if (found.length === 0) {
    throw new CatalogError('SIGNATURE_REJECTED', `${reference} has no signatures`, {
      slug,
      reason: 'NO_SIGNATURES',
      expected: 'a Sigstore bundle referrer signed by the module identity',
      actual: [],
    });
  }
  const index = result.signatures.findIndex((s) => s.verified && s.kind === 'bundle');
  const collectedSignature = collected.signatures[index];
  if (index < 0 || collectedSignature?.kind !== 'bundle') {
    // No bundle referrer verifies: a cosign `.sig` signature layer that verifies is stored
    // instead (signature.cosign.json), after one more check through the stored record, the
    // exact check every restart makes.
    const cosignIndex = result.signatures.findIndex((s) => s.verified && s.kind === 'cosign');
    const cosignSignature = collected.signatures[cosignIndex];
    if (cosignIndex >= 0 && cosignSignature?.kind === 'cosign') {
      const record = cosignRecord(reference, cosignSignature);
      const { summary } = verifyCosignRecord(
        JSON.parse(JSON.stringify(record)),
        manifest.digest,
        { trustRoot: request.trustRoot, verifierOptions: request.verifierOptions },
        request.identity,
        slug,
        MODULE_FILES.cosignSignature,
      );
      return { bundle: record, summary, format: 'cosign-signature' as const };
    }
    throw new CatalogError(
      'SIGNATURE_REJECTED',
      `${reference}: no signature verifies. Found: ${summaryOf(found).join('; ')}`,
      {
        slug,
        reason: 'NO_VERIFIED_SIGNATURE',
        expected: 'a Sigstore bundle referrer signed by the module identity',
        actual: found,
      },
    );
  }
  // The same check a restart makes over the stored file, with the catalog's own verifier:
  // what is stored must verify there. image-verify has just verified these bytes over the
  // same digest, so this cannot fail unless the two disagree; it fails closed if they do.
  let bundle: unknown;
  let summary: VerificationSummary;
  try {
    bundle = JSON.parse(
      new TextDecoder('utf-8', { fatal: true }).decode(collectedSignature.bundle),
    );
    summary = summarizeResult(
      request.verifier.verifyBundle(
        bundle as object,
        { digest: manifest.digest },
        request.identity,
      ),
    );
  } catch (error) {
    throw new CatalogError(
      'SIGNATURE_REJECTED',
      `${reference}: the referrer bundle does not verify over the digest: ${(error as Error).message}`,
      {
        slug,
        file: MODULE_FILES.signature,
        ...(typeof (error as { code?: unknown }).code === 'string'
          ? { reason: (error as { code: string }).code }
          : {}),
      },
      { cause: error },
    );
  }
  return { bundle, summary };
}

/** What {@link recheckModule} found for one stored module. */
export interface RecheckReport {
  readonly slug: string;
  /** `<image>@<digest>` as fetched. */
  readonly image: string;
  /** True when at least one signature of the image still verifies. */
  readonly verified: boolean;
  /** Every signature found, verified or not. */
  readonly signatures: readonly FoundSignature[];
  /** Why the image could not be checked at all (`REGISTRY_UNAVAILABLE`, ...). */
  readonly error?: {
    readonly code: CatalogError['code'];
    readonly reason?: string;
    readonly message: string;
  };
}

/**
 * Fetch a stored module's image signatures from the registry again and verify every one
 * against the trust root and the module's identity. Never throws for a failed check: read
 * `verified`, `signatures` and `error`.
 */
export async function recheckModule(
  module: { readonly slug: string; readonly manifest: Pick<ModuleManifest, 'image' | 'digest'> },
  trust: {
    readonly trustRoot: TrustRoot;
    readonly verifierOptions?: VerifierOptions;
    readonly identity: IdentityPolicy;
  },
  options: RegistrySignatureOptions = {},
): Promise<RecheckReport> {
  const image = imageReferenceOf(module.manifest);
  try {
    const collected = await collectImage(module.slug, module.manifest, options);
    const result = inspect(collected, trust, trust.identity, module.slug);
    return {
      slug: module.slug,
      image,
      verified: result.verified,
      signatures: result.signatures.map(describe),
    };
  } catch (error) {
    if (!(error instanceof CatalogError)) throw error;
    return {
      slug: module.slug,
      image,
      verified: false,
      signatures: [],
      error: {
        code: error.code,
        ...(error.detail.reason === undefined ? {} : { reason: error.detail.reason }),
        message: error.message,
      },
    };
  }
}
