import { fromBase64, toHex, utf8Decode } from '@flareo/internal/bytes';
import { withoutNulls } from '@flareo/internal/protojson';
import {
  argumentError,
  optionalString,
  requireBytes,
  requireOneOf,
  requireOptions,
} from './arguments.js';
import {
  checkIssuedBy,
  parseCertificate,
  requireIntactSelfSignature,
  requireIssuer,
  type TrustedCertificate,
} from './certificates.js';
import { asyncBackend, syncBackend } from './crypto/platform.js';
import { type CryptoTask, runCryptoAsync, runCryptoSync } from './crypto/seam.js';
import { TrustRootError, type TrustRootErrorDetail, where } from './errors.js';
// TRUSTED_ROOT_SCHEMA compiled by ajv at build time (scripts/generate-validator.mjs).
import { validate } from './generated/trusted-root-validator.js';
import {
  type HashAlgorithm,
  type ImportKeyOptions,
  importPublicKey,
  type KeyAlgorithm,
  makeTrustedKey,
  noteKeyHash,
  sha256,
  type TrustedKey,
  type TrustSource,
} from './keys.js';
import {
  type CertificateAuthority,
  type TimestampAuthority,
  type TransparencyLog,
  TrustRoot,
} from './model.js';
import type {
  CertificateAuthorityJson,
  TransparencyLogInstanceJson,
  TrustedRootJson,
} from './trusted-root-schema.js';
import { hostOf } from './url.js';
import { parseValidFor } from './validity.js';

/** trusted_root.json media types this version reads. */
export const TRUSTED_ROOT_MEDIA_TYPES: readonly string[] = Object.freeze([
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot+json;version=0.2',
  'application/vnd.dev.sigstore.trustedroot.v0.1+json',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
]);

/** Options of {@link parseTrustedRoot}. */
export interface TrustedRootOptions {
  /** The input's name (usually its file path), used in errors and in `source`. Default: none. */
  readonly name?: string;
  /**
   * What to do with a log or authority whose key type this version does not verify (for
   * example a post-quantum log added to the public-good root later). Default `'error'`:
   * the whole root is rejected. `'skip'`: the entry is left out and named in
   * `TrustRoot.skipped`.
   */
  readonly onUnsupported?: 'error' | 'skip';
}

/** What a protobuf-specs `PublicKeyDetails` value says about a key. */
interface KeyDetails {
  readonly format: 'spki' | 'pkcs1';
  readonly kind: KeyAlgorithm['kind'];
  readonly curve?: 'P-256' | 'P-384' | 'P-521';
  readonly bits?: number;
  readonly scheme?: 'pkcs1v15' | 'pss';
  readonly hash?: HashAlgorithm;
}

const KEY_DETAILS: Record<string, KeyDetails> = {
  PKIX_ECDSA_P256_SHA_256: { format: 'spki', kind: 'ecdsa', curve: 'P-256', hash: 'sha256' },
  PKIX_ECDSA_P384_SHA_384: { format: 'spki', kind: 'ecdsa', curve: 'P-384', hash: 'sha384' },
  PKIX_ECDSA_P521_SHA_512: { format: 'spki', kind: 'ecdsa', curve: 'P-521', hash: 'sha512' },
  PKIX_ED25519: { format: 'spki', kind: 'ed25519' },
  PKIX_RSA_PKCS1V15_2048_SHA256: rsa(2048, 'pkcs1v15'),
  PKIX_RSA_PKCS1V15_3072_SHA256: rsa(3072, 'pkcs1v15'),
  PKIX_RSA_PKCS1V15_4096_SHA256: rsa(4096, 'pkcs1v15'),
  PKIX_RSA_PSS_2048_SHA256: rsa(2048, 'pss'),
  PKIX_RSA_PSS_3072_SHA256: rsa(3072, 'pss'),
  PKIX_RSA_PSS_4096_SHA256: rsa(4096, 'pss'),
  // Deprecated protobuf-specs values that still appear in older roots.
  PKCS1_RSA_PKCS1V5: { format: 'pkcs1', kind: 'rsa', scheme: 'pkcs1v15', hash: 'sha256' },
  PKIX_RSA_PKCS1V5: { format: 'spki', kind: 'rsa', scheme: 'pkcs1v15', hash: 'sha256' },
  PKCS1_RSA_PSS: { format: 'pkcs1', kind: 'rsa', scheme: 'pss', hash: 'sha256' },
  PKIX_RSA_PSS: { format: 'spki', kind: 'rsa', scheme: 'pss', hash: 'sha256' },
};

function rsa(bits: number, scheme: 'pkcs1v15' | 'pss'): KeyDetails {
  return { format: 'spki', kind: 'rsa', bits, scheme, hash: 'sha256' };
}

class Skip extends Error {}

/** How `publicGoodTrustRoot` parses the embedded root, this package's own build artefact. */
export interface BuiltRootOptions extends ImportKeyOptions {
  /**
   * The document is known to match the schema (the embedded root: the tests parse it with
   * the full check), so the schema validation is skipped. Default `false`.
   */
  readonly schemaChecked?: boolean;
}

/**
 * Parse a Sigstore `trusted_root.json` (text, bytes or an already-parsed object) into a
 * {@link TrustRoot}. The document is validated against `TRUSTED_ROOT_SCHEMA`;
 * `validFor` windows are closed intervals, a window without `start` is rejected, and a
 * missing `validFor` means unbounded. Each CA chain is verified link by link now, once.
 * Log ids must equal sha256(SPKI) or the log's signed-note key hash. Any problem throws a
 * {@link TrustRootError}; there is never a partial result.
 */
export function parseTrustedRoot(
  input: string | Uint8Array | object,
  options: TrustedRootOptions = {},
): TrustRoot {
  return runCryptoSync(trustedRootTask('parseTrustedRoot', input, options), syncBackend);
}

/**
 * {@link parseTrustedRoot} for every runtime, with the same arguments, result and error codes:
 * the certificate chains are checked with WebCrypto outside Node (`node:crypto` on Node).
 * The one entry point to use in browsers and edge workers when the root may hold RSA
 * certificates; the synchronous function covers ECDSA and Ed25519 there.
 */
export async function parseTrustedRootAsync(
  input: string | Uint8Array | object,
  options: TrustedRootOptions = {},
): Promise<TrustRoot> {
  return runCryptoAsync(trustedRootTask('parseTrustedRootAsync', input, options), asyncBackend);
}

/**
 * The parse as a seam task (internal: the differential test drives it with each backend, and
 * `publicGoodTrustRoot` runs it with the build-time checks of the embedded root).
 * `keyOptions.deferRuntimeKey` leaves the `node:crypto` key imports to first use and
 * `keyOptions.schemaChecked` skips the schema: only for input known to pass both (the
 * embedded root).
 */
export function* trustedRootTask(
  fn: string,
  input: string | Uint8Array | object,
  options: TrustedRootOptions,
  keyOptions: BuiltRootOptions = {},
): CryptoTask<TrustRoot> {
  // Any object goes on to the schema (an array is a document, just not a trusted root).
  if (typeof input !== 'string' && (typeof input !== 'object' || input === null)) {
    throw argumentError(fn, 'input', 'JSON text, bytes or an object', input);
  }
  const opts = requireOptions(fn, options);
  optionalString(fn, 'options.name', opts.name);
  if (opts.onUnsupported !== undefined) {
    requireOneOf(fn, 'options.onUnsupported', opts.onUnsupported, ['error', 'skip'] as const);
  }
  const base: TrustRootErrorDetail = options.name === undefined ? {} : { source: options.name };
  const parsed = withoutNulls(toJson(input, base));
  if (!(keyOptions.schemaChecked || validate(parsed))) {
    const err = validate.errors?.[0];
    const path = err?.instancePath || '/';
    throw new TrustRootError(
      'TRUSTED_ROOT_INVALID',
      `${where({ ...base, path })}trusted_root.json ${err?.message ?? 'is invalid'}`,
      { ...base, path, expected: err?.params, actual: err?.keyword },
    );
  }
  const doc = parsed as TrustedRootJson;
  if (!TRUSTED_ROOT_MEDIA_TYPES.includes(doc.mediaType)) {
    throw new TrustRootError(
      'TRUSTED_ROOT_MEDIA_TYPE',
      `${where({ ...base, path: '/mediaType' })}unsupported trusted root media type ${JSON.stringify(doc.mediaType)}`,
      { ...base, path: '/mediaType', expected: TRUSTED_ROOT_MEDIA_TYPES, actual: doc.mediaType },
    );
  }
  const skipped: string[] = [];
  // `build` is a seam task (CA chains) or a plain function (logs: no signature to check).
  function* guard<T>(path: string, build: () => CryptoTask<T> | T): CryptoTask<T[]> {
    try {
      const built = build();
      return [isTask(built) ? yield* built : built];
    } catch (error) {
      if (error instanceof Skip) {
        skipped.push(`${path}: ${error.message}`);
        return [];
      }
      throw error;
    }
  }
  const source = (path: string): TrustSource => ({
    kind: 'trusted-root',
    ...(options.name === undefined ? {} : { name: options.name }),
    location: path,
  });
  const onUnsupported = options.onUnsupported ?? 'error';
  function* logs(kind: 'tlog' | 'ctlog', entries: readonly TransparencyLogInstanceJson[]) {
    const out: TransparencyLog[] = [];
    for (const [i, entry] of entries.entries()) {
      const path = `/${kind}s/${i}`;
      out.push(
        ...(yield* guard(path, () =>
          parseLog(kind, entry, { ...base, path }, source(path), onUnsupported, keyOptions),
        )),
      );
    }
    return out;
  }
  function* authorities(
    field: 'certificateAuthorities' | 'timestampAuthorities',
    entries: readonly CertificateAuthorityJson[],
  ) {
    const out: (CertificateAuthority | TimestampAuthority)[] = [];
    for (const [i, entry] of entries.entries()) {
      const path = `/${field}/${i}`;
      out.push(
        ...(yield* guard(path, () =>
          parseAuthority(field, entry, { ...base, path }, source(path), onUnsupported, keyOptions),
        )),
      );
    }
    return out;
  }
  const tlogs = yield* logs('tlog', doc.tlogs ?? []);
  const ctlogs = yield* logs('ctlog', doc.ctlogs ?? []);
  const cas = yield* authorities('certificateAuthorities', doc.certificateAuthorities ?? []);
  const tsas = yield* authorities('timestampAuthorities', doc.timestampAuthorities ?? []);
  return new TrustRoot({
    tlogs,
    ctlogs,
    certificateAuthorities: cas as CertificateAuthority[],
    timestampAuthorities: tsas as TimestampAuthority[],
    skipped,
  });
}

function isTask<T>(value: CryptoTask<T> | T): value is CryptoTask<T> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { next?: unknown }).next === 'function' &&
    Symbol.iterator in value
  );
}

function toJson(input: string | Uint8Array | object, detail: TrustRootErrorDetail): unknown {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) return input;
  const text = typeof input === 'string' ? input : utf8Decode(input);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new TrustRootError(
      'JSON_INVALID',
      `${where(detail)}trusted root is not valid JSON`,
      detail,
      {
        cause,
      },
    );
  }
}

const b64 = (value: string): Uint8Array => fromBase64(value);

function parseLog(
  kind: 'tlog' | 'ctlog',
  entry: TransparencyLogInstanceJson,
  detail: TrustRootErrorDetail,
  source: TrustSource,
  onUnsupported: 'error' | 'skip',
  keyOptions: ImportKeyOptions,
): TransparencyLog {
  if (entry.hashAlgorithm !== 'SHA2_256') {
    unsupportedOr(onUnsupported, detail, `log hash algorithm ${entry.hashAlgorithm}`);
  }
  const key = parseLogKey(
    entry,
    { ...detail, path: `${detail.path}/publicKey` },
    source,
    onUnsupported,
    keyOptions,
  );
  const host = hostOf(entry.baseUrl);
  const logId = toHex(b64(entry.logId.keyId));
  const allowed = new Set([key.id]);
  if (kind === 'tlog') allowed.add(toHex(noteKeyHash(key, host)));
  if (!allowed.has(logId)) {
    throw new TrustRootError(
      'LOG_ID_MISMATCH',
      `${where({ ...detail, path: `${detail.path}/logId` })}log id ${logId} matches neither sha256(SPKI) nor the signed-note key hash for "${host}"`,
      { ...detail, path: `${detail.path}/logId`, expected: [...allowed], actual: logId },
    );
  }
  const checkpointKeyId = entry.checkpointKeyId
    ? toHex(b64(entry.checkpointKeyId.keyId))
    : undefined;
  return Object.freeze({
    kind,
    baseUrl: entry.baseUrl,
    host,
    logId,
    ...(checkpointKeyId === undefined ? {} : { checkpointKeyId }),
    hashAlgorithm: 'sha256' as const,
    key,
    validFor: key.validFor,
    ...(entry.operator === undefined ? {} : { operator: entry.operator }),
  });
}

function unsupportedOr(
  onUnsupported: 'error' | 'skip',
  detail: TrustRootErrorDetail,
  what: string,
): never {
  if (onUnsupported === 'skip') throw new Skip(`unsupported ${what}`);
  throw new TrustRootError('KEY_UNSUPPORTED', `${where(detail)}unsupported ${what}`, {
    ...detail,
    actual: what,
  });
}

function parseLogKey(
  entry: TransparencyLogInstanceJson,
  detail: TrustRootErrorDetail,
  source: TrustSource,
  onUnsupported: 'error' | 'skip',
  keyOptions: ImportKeyOptions,
): TrustedKey {
  const declared = entry.publicKey.keyDetails;
  const spec = declared === undefined ? undefined : KEY_DETAILS[declared];
  if (declared !== undefined && spec === undefined) {
    unsupportedOr(onUnsupported, detail, `keyDetails ${declared}`);
  }
  let imported: ReturnType<typeof importPublicKey>;
  try {
    imported = importPublicKey(
      b64(entry.publicKey.rawBytes),
      spec?.format ?? 'spki',
      detail,
      keyOptions,
    );
  } catch (error) {
    if (
      error instanceof TrustRootError &&
      error.code === 'KEY_UNSUPPORTED' &&
      onUnsupported === 'skip'
    ) {
      throw new Skip(error.message);
    }
    throw error;
  }
  const algorithm = spec
    ? checkDetails(imported.algorithm, spec, declared as string, detail)
    : imported.algorithm;
  const validFor = parseValidFor(entry.publicKey.validFor, {
    ...detail,
    path: `${detail.path}/validFor`,
  });
  const hash = spec?.hash ?? defaultHash(algorithm);
  return makeTrustedKey({ ...imported, algorithm }, source, validFor, hash);
}

function defaultHash(algorithm: KeyAlgorithm): HashAlgorithm | undefined {
  if (algorithm.kind === 'ecdsa') {
    return algorithm.curve === 'P-256'
      ? 'sha256'
      : algorithm.curve === 'P-384'
        ? 'sha384'
        : 'sha512';
  }
  return algorithm.kind === 'rsa' ? 'sha256' : undefined;
}

function checkDetails(
  actual: KeyAlgorithm,
  spec: KeyDetails,
  declared: string,
  detail: TrustRootErrorDetail,
): KeyAlgorithm {
  const mismatch = (what: unknown) =>
    new TrustRootError(
      'KEY_DETAILS_MISMATCH',
      `${where(detail)}keyDetails ${declared} does not describe the key (${JSON.stringify(what)})`,
      { ...detail, expected: declared, actual: what },
    );
  if (actual.kind !== spec.kind) throw mismatch(actual);
  if (actual.kind === 'ecdsa' && actual.curve !== spec.curve) throw mismatch(actual);
  if (actual.kind === 'rsa') {
    if (spec.bits !== undefined && actual.bits !== spec.bits) throw mismatch(actual);
    if (spec.scheme && !actual.schemes.includes(spec.scheme)) throw mismatch(actual);
    return {
      kind: 'rsa',
      bits: actual.bits,
      schemes: spec.scheme ? [spec.scheme] : actual.schemes,
    };
  }
  return actual;
}

function* parseAuthority(
  field: 'certificateAuthorities' | 'timestampAuthorities',
  entry: CertificateAuthorityJson,
  detail: TrustRootErrorDetail,
  source: TrustSource,
  onUnsupported: 'error' | 'skip',
  keyOptions: ImportKeyOptions,
): CryptoTask<CertificateAuthority | TimestampAuthority> {
  const certificates: TrustedCertificate[] = [];
  for (const [i, c] of entry.certChain.certificates.entries()) {
    const path = `${detail.path}/certChain/certificates/${i}`;
    try {
      certificates.push(
        yield* parseCertificate(
          b64(c.rawBytes),
          { ...source, location: path },
          { ...detail, path },
          keyOptions,
        ),
      );
    } catch (error) {
      if (
        error instanceof TrustRootError &&
        error.code === 'KEY_UNSUPPORTED' &&
        onUnsupported === 'skip'
      ) {
        throw new Skip(error.message);
      }
      throw error;
    }
  }
  // Link every certificate to the next one; a TSA chain starts with the signing (leaf) cert.
  for (const [i, cert] of certificates.entries()) {
    const path = `${detail.path}/certChain/certificates/${i}`;
    const isTsaLeaf = field === 'timestampAuthorities' && i === 0;
    if (!isTsaLeaf) requireIssuer(cert, { ...detail, path }, 'chain certificate');
    requireIntactSelfSignature(cert, { ...detail, path });
    const issuer = certificates[i + 1];
    if (issuer && !(yield* checkIssuedBy(cert, issuer))) {
      throw new TrustRootError(
        'CERTIFICATE_CHAIN_INVALID',
        `${where({ ...detail, path })}"${cert.subject}" is not issued by the next certificate "${issuer.subject}"`,
        { ...detail, path, expected: issuer.subject, actual: cert.issuer },
      );
    }
  }
  const validFor = parseValidFor(entry.validFor, { ...detail, path: `${detail.path}/validFor` });
  const anchor = certificates[certificates.length - 1] as TrustedCertificate;
  const subject = entry.subject
    ? Object.freeze({
        ...(entry.subject.organization === undefined
          ? {}
          : { organization: entry.subject.organization }),
        ...(entry.subject.commonName === undefined ? {} : { commonName: entry.subject.commonName }),
      })
    : undefined;
  return Object.freeze({
    certificates: Object.freeze(certificates),
    ...(field === 'certificateAuthorities' ? { anchor } : {}),
    ...(subject === undefined ? {} : { subject }),
    ...(entry.uri === undefined ? {} : { uri: entry.uri }),
    validFor,
    source,
  }) as CertificateAuthority | TimestampAuthority;
}

/** sha256 of bytes as hex (exported for callers computing key ids the same way). */
export function keyIdOf(spki: Uint8Array): string {
  requireBytes('keyIdOf', 'spki', spki);
  return toHex(sha256(spki));
}
