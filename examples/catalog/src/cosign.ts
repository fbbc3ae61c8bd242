import type { IdentityPolicy, VerificationSummary, VerifierOptions } from '@flareo/bundle-verify';
import {
  type CollectedSignature,
  createImageVerifier,
  type SimpleSigningClaims,
} from '@flareo/image-verify';
import type { TrustRoot } from '@flareo/trust-root';
import { CatalogError } from './errors.js';

// Images signed the cosign way: a layer of the `sha256-<digest>.sig` manifest whose content is a
// simple-signing payload, with the signature, certificate, chain, Rekor bundle and RFC 3161
// timestamp in `dev.cosignproject.cosign/*` and `dev.sigstore.cosign/*` annotations. The catalog
// stores what it verified as `signature.cosign.json` (the payload bytes and those annotations)
// and verifies it again at every start through @flareo/image-verify's own cosign path, offline.

/** `mediaType` of a stored cosign signature record (the catalog's own format). */
export const COSIGN_RECORD_MEDIA_TYPE = 'application/vnd.flareo.catalog.cosign-signature.v1+json';

/** The annotations a cosign signature layer carries that verification reads. */
const KEPT_ANNOTATIONS = [
  'dev.cosignproject.cosign/signature',
  'dev.sigstore.cosign/certificate',
  'dev.sigstore.cosign/chain',
  'dev.sigstore.cosign/bundle',
  'dev.sigstore.cosign/rfc3161timestamp',
] as const;

/** `signature.cosign.json`: one verified cosign signature layer, as stored and served. */
export interface CosignSignatureRecord {
  readonly mediaType: typeof COSIGN_RECORD_MEDIA_TYPE;
  /** `<image>@<digest>` the signature was fetched for. */
  readonly image: string;
  /** Where it was found: the `.sig` manifest's digest and the layer index. */
  readonly origin: { readonly via: string; readonly manifest: string; readonly layer?: number };
  /** The simple-signing payload, base64 of the exact signed bytes. */
  readonly payload: string;
  /** The layer's signature, certificate, chain, Rekor bundle and timestamp annotations. */
  readonly annotations: Readonly<Record<string, string>>;
}

/** The record of a collected cosign signature layer. */
export function cosignRecord(
  image: string,
  signature: Extract<CollectedSignature, { kind: 'cosign' }>,
): CosignSignatureRecord {
  const annotations: Record<string, string> = {};
  for (const key of KEPT_ANNOTATIONS) {
    const value = signature.annotations[key];
    if (value !== undefined) annotations[key] = value;
  }
  return {
    mediaType: COSIGN_RECORD_MEDIA_TYPE,
    image,
    origin: {
      via: signature.origin.via,
      manifest: signature.origin.manifest,
      ...(signature.origin.layer === undefined ? {} : { layer: signature.origin.layer }),
    },
    payload: Buffer.from(signature.payload).toString('base64'),
    annotations,
  };
}

const isRecord = (value: unknown): value is CosignSignatureRecord => {
  const r = value as Partial<CosignSignatureRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.mediaType === COSIGN_RECORD_MEDIA_TYPE &&
    typeof r.image === 'string' &&
    typeof r.payload === 'string' &&
    typeof r.origin === 'object' &&
    r.origin !== null &&
    typeof r.origin.manifest === 'string' &&
    typeof r.annotations === 'object' &&
    r.annotations !== null &&
    Object.values(r.annotations).every((v) => typeof v === 'string')
  );
};

/**
 * Verify a stored cosign signature record over `digest`, with the catalog's trust root, Rekor
 * policy and the module's identity, through @flareo/image-verify (the same code that verified
 * it in the registry): signature over the payload bytes, certificate chain and identity, Rekor
 * evidence, then the payload must name `digest` with the cosign signature type. Throws
 * `SIGNATURE_REJECTED` (`reason` the image-verify or bundle-verify code) when it does not.
 */
export function verifyCosignRecord(
  record: unknown,
  digest: string,
  trust: {
    readonly trustRoot: TrustRoot | undefined;
    readonly verifierOptions: VerifierOptions | undefined;
  },
  identity: IdentityPolicy,
  slug: string,
  file: string,
): { summary: VerificationSummary; claims: SimpleSigningClaims } {
  if (!isRecord(record)) {
    throw new CatalogError('SIGNATURE_REJECTED', `${file} is not a cosign signature record`, {
      slug,
      file,
      reason: 'SIGNATURE_MALFORMED',
      expected: `{ mediaType: ${COSIGN_RECORD_MEDIA_TYPE}, image, origin, payload, annotations }`,
    });
  }
  if (trust.trustRoot === undefined) {
    throw new CatalogError('CONFIG_INVALID', 'verifying a cosign signature needs the trust root', {
      slug,
      expected: 'trustRoot in the verify context',
    });
  }
  const payload = Buffer.from(record.payload, 'base64');
  const via = record.origin.via as Extract<CollectedSignature, { kind: 'cosign' }>['origin']['via'];
  const result = createImageVerifier(trust.trustRoot, trust.verifierOptions ?? {}).inspectImage(
    {
      reference: record.image,
      digest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      signatures: [
        {
          kind: 'cosign',
          origin: {
            via,
            manifest: record.origin.manifest,
            ...(record.origin.layer === undefined ? {} : { layer: record.origin.layer }),
          },
          payload: new Uint8Array(payload),
          annotations: record.annotations,
        },
      ],
    },
    { identity },
  );
  const report = result.signatures[0];
  if (!report?.verified || report.kind !== 'cosign' || !report.claims) {
    const code = report && !report.verified ? report.code : 'NO_VERIFIED_SIGNATURE';
    const message = report && !report.verified ? report.message : 'nothing verified';
    throw new CatalogError('SIGNATURE_REJECTED', `${file}: ${code}: ${message}`, {
      slug,
      file,
      reason: code,
    });
  }
  return { summary: report.result, claims: report.claims };
}

/** The Rekor entry of a cosign record's `dev.sigstore.cosign/bundle` annotation, leniently read. */
export function cosignRekorEntry(
  record: unknown,
): { logIndex: string; logId: string; body: string } | undefined {
  if (!isRecord(record)) return undefined;
  const text = record.annotations['dev.sigstore.cosign/bundle'];
  if (text === undefined) return undefined;
  try {
    const payload = (
      JSON.parse(text) as { Payload?: { body?: unknown; logIndex?: unknown; logID?: unknown } }
    ).Payload;
    if (
      typeof payload?.body !== 'string' ||
      (typeof payload.logIndex !== 'number' && typeof payload.logIndex !== 'string') ||
      typeof payload.logID !== 'string'
    ) {
      return undefined;
    }
    return {
      logIndex: String(payload.logIndex),
      logId: payload.logID.toLowerCase(),
      body: payload.body,
    };
  } catch {
    return undefined;
  }
}
