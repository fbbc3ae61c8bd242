import { fromBase64 } from '@flareo/internal/bytes';
import { withoutNulls } from '@flareo/internal/protojson';
import { parsePemBlocks, TrustRootError } from '@flareo/trust-root';
import { requireLimits, requireSignatureInput } from './arguments.js';
import { type BundleJson, BundleShapeError, readBundleJson } from './bundle-json.js';
import { BundleVerifyError } from './errors.js';
import { latin1Text, utf8Length, utf8Text } from './keys.js';

/** Formats the verifier reads. */
export type BundleFormat =
  | 'sigstore-bundle-v0.1'
  | 'sigstore-bundle-v0.2'
  | 'sigstore-bundle-v0.3'
  | 'cosign-legacy-bundle'
  | 'keyed-signature';

export const MEDIA_TYPES: Readonly<Record<string, BundleFormat>> = Object.freeze({
  'application/vnd.dev.sigstore.bundle+json;version=0.1': 'sigstore-bundle-v0.1',
  'application/vnd.dev.sigstore.bundle+json;version=0.2': 'sigstore-bundle-v0.2',
  'application/vnd.dev.sigstore.bundle+json;version=0.3': 'sigstore-bundle-v0.3',
  'application/vnd.dev.sigstore.bundle.v0.3+json': 'sigstore-bundle-v0.3',
});

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** What was signed, in one shape for every input format. */
export type SignedContent =
  | {
      readonly kind: 'message';
      readonly signature: Uint8Array;
      /** The digest the bundle claims for the artifact (absent for raw `.sig` files and legacy bundles). */
      readonly digest?: { readonly algorithm: DigestAlgorithm; readonly value: Uint8Array };
    }
  | {
      readonly kind: 'dsse';
      readonly payloadType: string;
      readonly payload: Uint8Array;
      readonly signature: Uint8Array;
    };

/** Who the input says signed. */
export type SignerMaterial =
  | { readonly kind: 'certificate'; readonly chain: readonly Uint8Array[] }
  | { readonly kind: 'public-key'; readonly hint?: string; readonly spki?: Uint8Array }
  | { readonly kind: 'none' };

/** Every input normalised: one pipeline verifies this. */
export interface NormalizedInput {
  readonly format: BundleFormat;
  readonly content: SignedContent;
  readonly signer: SignerMaterial;
  /** Raw log entries, handed to `@flareo/rekor-set` (bundle entries or a legacy `rekorBundle`). */
  readonly tlogEntries: readonly unknown[];
  /** RFC 3161 signed timestamps (DER). */
  readonly timestamps: readonly Uint8Array[];
}

/** Size and count limits, so hostile input cannot exhaust memory or time. */
export interface InputLimits {
  /** Largest bundle JSON text in bytes. Default 16 MiB. */
  readonly maxBundleBytes: number;
  /** Most certificates in a chain. Default 10. */
  readonly maxCertificates: number;
  /** Most transparency-log entries. Default 16. */
  readonly maxTlogEntries: number;
  /** Most RFC 3161 timestamps. Default 16. */
  readonly maxTimestamps: number;
}

export const DEFAULT_LIMITS: InputLimits = Object.freeze({
  maxBundleBytes: 16 * 1024 * 1024,
  maxCertificates: 10,
  maxTlogEntries: 16,
  maxTimestamps: 16,
});

const HASHES: Record<number, DigestAlgorithm> = { 1: 'sha256', 2: 'sha384', 3: 'sha512' };

function malformed(message: string, field?: string, cause?: unknown): never {
  throw new BundleVerifyError(
    'BUNDLE_MALFORMED',
    message,
    { step: 'parse', ...(field === undefined ? {} : { field }) },
    cause === undefined ? undefined : { cause },
  );
}

function limit(what: string, count: number, max: number): void {
  if (count > max) {
    throw new BundleVerifyError('LIMIT_EXCEEDED', `${count} ${what} exceed the limit of ${max}`, {
      step: 'parse',
      field: what,
      expected: `<= ${max}`,
      actual: count,
    });
  }
}

/** Parse JSON text (or take an object) with the size limit applied. */
export function toJsonObject(
  input: string | Uint8Array | object,
  limits: InputLimits,
): Record<string, unknown> {
  let value: unknown = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    // UTF-8 needs at most 3 bytes per UTF-16 unit: only a string that could exceed the
    // limit is measured exactly.
    const size =
      typeof input !== 'string'
        ? input.length
        : input.length * 3 <= limits.maxBundleBytes
          ? input.length
          : utf8Length(input);
    limit('bundle bytes', size, limits.maxBundleBytes);
    try {
      value = JSON.parse(typeof input === 'string' ? input : utf8Text(input));
    } catch (cause) {
      malformed('bundle is not valid JSON', undefined, cause);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    malformed('bundle must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Detect the format of a bundle document and normalise it. */
export function normalizeBundle(
  input: string | Uint8Array | object,
  limits: InputLimits = DEFAULT_LIMITS,
): NormalizedInput {
  requireLimits('normalizeBundle', 'limits', limits);
  // A partial limits object keeps the defaults for what it leaves out (never "no limit").
  const applied = limits === DEFAULT_LIMITS ? limits : { ...DEFAULT_LIMITS, ...limits };
  return normalizeBundleWithin(input, applied);
}

/**
 * {@link normalizeBundle} with limits already checked and completed with the defaults: the
 * verifier checks and completes its limits once, when it is created, not per bundle.
 */
export function normalizeBundleWithin(
  input: string | Uint8Array | object,
  applied: InputLimits,
): NormalizedInput {
  const json = toJsonObject(input, applied);
  if (typeof json.mediaType === 'string') return normalizeSigstoreBundle(json, applied);
  if ('base64Signature' in json) return normalizeLegacyBundle(json, applied);
  throw new BundleVerifyError(
    'UNSUPPORTED_FORMAT',
    'not a Sigstore bundle (no mediaType) nor a legacy cosign bundle (no base64Signature)',
    {
      step: 'parse',
      expected: ['Sigstore bundle', 'cosign legacy bundle'],
      actual: Object.keys(json).slice(0, 8),
    },
  );
}

function normalizeSigstoreBundle(
  input: Record<string, unknown>,
  limits: InputLimits,
): NormalizedInput {
  const json = withoutNulls(input) as Record<string, unknown>;
  const mediaType = json.mediaType as string;
  const format = MEDIA_TYPES[mediaType];
  if (!format) {
    throw new BundleVerifyError(
      'UNSUPPORTED_FORMAT',
      `unsupported bundle media type ${JSON.stringify(mediaType)}`,
      {
        step: 'parse',
        field: 'mediaType',
        expected: Object.keys(MEDIA_TYPES),
        actual: mediaType,
      },
    );
  }
  const vm = json.verificationMaterial as Record<string, unknown> | undefined;
  const rawEntries = Array.isArray(vm?.tlogEntries) ? (vm.tlogEntries as unknown[]) : [];
  limit('transparency log entries', rawEntries.length, limits.maxTlogEntries);
  const chainJson = (vm?.x509CertificateChain as { certificates?: unknown[] } | undefined)
    ?.certificates;
  if (Array.isArray(chainJson)) limit('certificates', chainJson.length, limits.maxCertificates);
  const tsJson = (vm?.timestampVerificationData as { rfc3161Timestamps?: unknown[] } | undefined)
    ?.rfc3161Timestamps;
  if (Array.isArray(tsJson)) limit('timestamps', tsJson.length, limits.maxTimestamps);

  let bundle: BundleJson;
  try {
    bundle = readBundleJson(json);
  } catch (cause) {
    if (cause instanceof BundleShapeError) {
      malformed(
        `bundle is malformed: ${cause.message} (${cause.fields.join(', ')})`,
        cause.fields.join(','),
        cause,
      );
    }
    malformed('bundle is malformed', undefined, cause);
  }
  // readBundleJson refuses a bundle without verification material or content.
  const material = bundle.verificationMaterial?.content;
  let signer: SignerMaterial;
  switch (material?.$case) {
    case 'x509CertificateChain':
      signer = { kind: 'certificate', chain: material.certificates };
      break;
    case 'certificate':
      signer = { kind: 'certificate', chain: [material.rawBytes] };
      break;
    case 'publicKey':
      signer = { kind: 'public-key', ...(material.hint ? { hint: material.hint } : {}) };
      break;
    default:
      malformed('bundle has no verification material', 'verificationMaterial.content');
  }
  if (signer.kind === 'certificate' && signer.chain.some((c) => c.length === 0)) {
    malformed('bundle holds an empty certificate', 'verificationMaterial');
  }
  let content: SignedContent;
  if (bundle.content?.$case === 'messageSignature') {
    const ms = bundle.content;
    const algorithm = ms.messageDigest ? HASHES[ms.messageDigest.algorithm] : undefined;
    if (ms.messageDigest && !algorithm) {
      throw new BundleVerifyError('UNSUPPORTED_FORMAT', 'unsupported message digest algorithm', {
        step: 'parse',
        field: 'messageSignature.messageDigest.algorithm',
        expected: ['SHA2_256', 'SHA2_384', 'SHA2_512'],
        actual: ms.messageDigest.algorithm,
      });
    }
    content = {
      kind: 'message',
      signature: ms.signature,
      ...(ms.messageDigest && algorithm
        ? { digest: { algorithm, value: ms.messageDigest.digest } }
        : {}),
    };
  } else if (bundle.content?.$case === 'dsseEnvelope') {
    const env = bundle.content;
    const sig = env.signatures[0];
    if (!sig || env.signatures.length !== 1)
      malformed('a DSSE envelope must carry exactly one signature', 'dsseEnvelope.signatures');
    content = {
      kind: 'dsse',
      payloadType: env.payloadType,
      payload: env.payload,
      signature: sig,
    };
  } else {
    malformed('bundle has neither a message signature nor a DSSE envelope', 'content');
  }
  const timestamps = bundle.verificationMaterial?.timestamps ?? [];
  return { format, content, signer, tlogEntries: rawEntries, timestamps };
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

function strictBase64(text: string, field: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !B64.test(compact))
    malformed(`${field} is not base64`, field);
  return fromBase64(compact);
}

/** The cosign `sign-blob --bundle` (legacy) format: base64Signature, cert, rekorBundle. */
function normalizeLegacyBundle(
  json: Record<string, unknown>,
  limits: InputLimits,
): NormalizedInput {
  if (typeof json.base64Signature !== 'string')
    malformed('base64Signature must be a string', 'base64Signature');
  const sigBytes = strictBase64(json.base64Signature, 'base64Signature');
  let content: SignedContent = { kind: 'message', signature: sigBytes };
  // `cosign attest-blob` legacy bundles carry a whole DSSE envelope in base64Signature.
  if (sigBytes[0] === 0x7b) {
    const env = parseEnvelope(sigBytes);
    if (env) content = env;
  }
  let signer: SignerMaterial = { kind: 'none' };
  if (json.cert !== undefined && json.cert !== null && json.cert !== '') {
    if (typeof json.cert !== 'string') malformed('cert must be a string', 'cert');
    const pem = json.cert.includes('-----BEGIN')
      ? json.cert
      : utf8Text(strictBase64(json.cert, 'cert'));
    let blocks: ReturnType<typeof parsePemBlocks>;
    try {
      blocks = parsePemBlocks(pem, 'cert');
    } catch (cause) {
      malformed(
        `cert is not a PEM certificate or public key${cause instanceof TrustRootError ? `: ${cause.message}` : ''}`,
        'cert',
        cause,
      );
    }
    limit('certificates', blocks.length, limits.maxCertificates);
    const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
    const keys = blocks.filter((b) => b.label !== 'CERTIFICATE');
    if (certs.length && keys.length) malformed('cert mixes certificates and public keys', 'cert');
    if (certs.length) signer = { kind: 'certificate', chain: certs.map((b) => b.der) };
    else if (keys.length === 1 && keys[0]?.label === 'PUBLIC KEY')
      signer = { kind: 'public-key', spki: keys[0].der };
    else malformed('cert must hold certificates or exactly one PUBLIC KEY', 'cert');
  }
  const tlogEntries =
    json.rekorBundle === undefined || json.rekorBundle === null ? [] : [json.rekorBundle];
  const timestamps =
    json.rfc3161Timestamp === undefined || json.rfc3161Timestamp === null
      ? []
      : [legacyTimestamp(json.rfc3161Timestamp)];
  return { format: 'cosign-legacy-bundle', content, signer, tlogEntries, timestamps };
}

/**
 * cosign keeps an RFC 3161 timestamp out of its legacy bundle: `sign-blob` writes it to its own
 * file and `cosign sign` to the `dev.sigstore.cosign/rfc3161timestamp` layer annotation, both
 * as `{"SignedRFC3161Timestamp": "<base64 DER TimeStampResp>"}`. Callers attach that object as
 * `rfc3161Timestamp`; the token is verified like a Sigstore bundle's, over the signature bytes.
 */
function legacyTimestamp(value: unknown): Uint8Array {
  const field = 'rfc3161Timestamp.SignedRFC3161Timestamp';
  if (typeof value !== 'object' || Array.isArray(value)) {
    malformed('rfc3161Timestamp must be an object {"SignedRFC3161Timestamp": "<base64>"}', field);
  }
  const signed = (value as { SignedRFC3161Timestamp?: unknown }).SignedRFC3161Timestamp;
  if (typeof signed !== 'string') malformed(`${field} must be a base64 string`, field);
  return strictBase64(signed, field);
}

function parseEnvelope(bytes: Uint8Array): SignedContent | undefined {
  let env: unknown;
  try {
    env = JSON.parse(utf8Text(bytes));
  } catch {
    return undefined;
  }
  if (typeof env !== 'object' || env === null) return undefined;
  const e = env as { payloadType?: unknown; payload?: unknown; signatures?: unknown };
  if (
    typeof e.payloadType !== 'string' ||
    typeof e.payload !== 'string' ||
    !Array.isArray(e.signatures)
  )
    return undefined;
  const [sig, ...rest] = e.signatures as { sig?: unknown }[];
  if (!sig || rest.length || typeof sig.sig !== 'string')
    malformed('a DSSE envelope must carry exactly one signature', 'base64Signature');
  return {
    kind: 'dsse',
    payloadType: e.payloadType,
    payload: strictBase64(e.payload, 'envelope payload'),
    signature: strictBase64(sig.sig, 'envelope signature'),
  };
}

/** A raw `.sig` sidecar: base64 text (what cosign writes) or the signature bytes themselves. */
export function normalizeKeyedSignature(signature: string | Uint8Array): NormalizedInput {
  requireSignatureInput('normalizeKeyedSignature', 'signature', signature);
  let bytes: Uint8Array;
  if (typeof signature === 'string') bytes = strictBase64(signature, 'signature');
  else {
    const text = latin1Text(signature).trim();
    bytes =
      text.length && B64.test(text.replace(/\s+/g, '')) && text.length % 4 === 0
        ? strictBase64(text, 'signature')
        : new Uint8Array(signature);
  }
  if (bytes.length === 0 || bytes.length > 1024)
    malformed(`signature of ${bytes.length} bytes is not plausible`, 'signature');
  return {
    format: 'keyed-signature',
    content: { kind: 'message', signature: bytes },
    signer: { kind: 'none' },
    tlogEntries: [],
    timestamps: [],
  };
}
