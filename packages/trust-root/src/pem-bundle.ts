import { argumentError, optionalString, requireOneOf, requireOptions } from './arguments.js';
import {
  checkIssuedBy,
  namesLink,
  parseCertificate,
  requireIntactSelfSignature,
  requireIssuer,
  type TrustedCertificate,
} from './certificates.js';
import { asyncBackend, syncBackend } from './crypto/platform.js';
import { type CryptoTask, runCryptoAsync, runCryptoSync } from './crypto/seam.js';
import { TrustRootError, where } from './errors.js';
import { importPublicKey, makeTrustedKey, type TrustedKey } from './keys.js';
import { type CertificateAuthority, type TransparencyLog, TrustRoot } from './model.js';
import { parsePemBlocks } from './pem.js';
import { hostOf } from './url.js';
import { UNBOUNDED } from './validity.js';

/** Options of {@link parsePemTrustBundle}. */
export interface PemTrustBundleOptions {
  /** The input's name (usually its file path), used in errors and in `source`. Default: none. */
  readonly name?: string;
  /**
   * What the bundle's public keys are for. Default `'keys'`: signing keys (KEYED mode,
   * cosign public keys). `'tlog'`: transparency log keys, e.g. a `rekor.pub` file; each key
   * becomes a log whose id is sha256(SPKI). `'ctlog'`: certificate transparency log keys.
   */
  readonly keysAs?: 'keys' | 'tlog' | 'ctlog';
  /**
   * With `keysAs: 'tlog' | 'ctlog'`: the log's base URL (e.g. `https://rekor.sigstore.dev`),
   * whose host is the checkpoint key name. Default: none (checkpoints cannot be matched by name).
   */
  readonly logBaseUrl?: string;
}

/**
 * Parse a PEM trust bundle: `PUBLIC KEY` (also `EC PUBLIC KEY`, `RSA PUBLIC KEY`) and
 * `CERTIFICATE` blocks in any order. Certificates are certificate authorities: each is
 * linked to its issuer when that issuer is in the bundle (the signature is verified here,
 * once), and the ones whose issuer is absent are trust anchors. Any problem throws a
 * {@link TrustRootError}; there is never a partial result.
 */
export function parsePemTrustBundle(
  input: string | Uint8Array,
  options: PemTrustBundleOptions = {},
): TrustRoot {
  return runCryptoSync(pemBundleTask('parsePemTrustBundle', input, options), syncBackend);
}

/**
 * {@link parsePemTrustBundle} for every runtime, with the same arguments, result and error
 * codes: certificate links are checked with WebCrypto outside Node (`node:crypto` on Node).
 */
export async function parsePemTrustBundleAsync(
  input: string | Uint8Array,
  options: PemTrustBundleOptions = {},
): Promise<TrustRoot> {
  return runCryptoAsync(pemBundleTask('parsePemTrustBundleAsync', input, options), asyncBackend);
}

/** The parse as a seam task (internal: the differential test drives it with each backend). */
export function* pemBundleTask(
  fn: string,
  input: string | Uint8Array,
  options: PemTrustBundleOptions,
): CryptoTask<TrustRoot> {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw argumentError(fn, 'input', 'a string or a Uint8Array', input);
  }
  const opts = requireOptions(fn, options);
  optionalString(fn, 'options.name', opts.name);
  if (opts.keysAs !== undefined) {
    requireOneOf(fn, 'options.keysAs', opts.keysAs, ['keys', 'tlog', 'ctlog'] as const);
  }
  optionalString(fn, 'options.logBaseUrl', opts.logBaseUrl);
  const text = typeof input === 'string' ? input : decodeUtf8(input, options.name);
  const blocks = parsePemBlocks(text, options.name);
  const keys: TrustedKey[] = [];
  const certificates: TrustedCertificate[] = [];
  for (const block of blocks) {
    const detail = {
      ...(options.name === undefined ? {} : { source: options.name }),
      line: block.line,
    };
    const source = {
      kind: 'pem' as const,
      ...(options.name === undefined ? {} : { name: options.name }),
      location: `line ${block.line}`,
    };
    if (block.label === 'CERTIFICATE') {
      certificates.push(yield* parseCertificate(block.der, source, detail));
    } else {
      const format = block.label === 'RSA PUBLIC KEY' ? 'pkcs1' : 'spki';
      keys.push(makeTrustedKey(importPublicKey(block.der, format, detail), source));
    }
  }
  const keysAs = options.keysAs ?? 'keys';
  const certificateAuthorities = yield* authoritiesFromPool(certificates, options.name);
  if (keysAs === 'keys') return new TrustRoot({ keys, certificateAuthorities });
  const host = options.logBaseUrl === undefined ? undefined : hostOf(options.logBaseUrl);
  const logs: TransparencyLog[] = keys.map((key) =>
    Object.freeze({
      kind: keysAs,
      ...(options.logBaseUrl === undefined ? {} : { baseUrl: options.logBaseUrl }),
      ...(host === undefined ? {} : { host }),
      logId: key.id,
      hashAlgorithm: 'sha256' as const,
      key,
      validFor: key.validFor,
    }),
  );
  return new TrustRoot({
    certificateAuthorities,
    ...(keysAs === 'tlog' ? { tlogs: logs } : { ctlogs: logs }),
  });
}

function decodeUtf8(bytes: Uint8Array, name: string | undefined): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new TrustRootError(
      'PEM_MALFORMED',
      `${name ? `${name}: ` : ''}trust bundle is not UTF-8 text`,
      name === undefined ? {} : { source: name },
      { cause },
    );
  }
}

/**
 * Link the bundle's certificates into authorities. Every certificate must be a CA. A
 * certificate whose issuer is in the bundle is verified against it now (once); one whose
 * issuer is not in the bundle is an anchor. Each anchor with the certificates below it
 * forms one authority.
 */
function* authoritiesFromPool(
  pool: readonly TrustedCertificate[],
  name: string | undefined,
): CryptoTask<CertificateAuthority[]> {
  const unique = [...new Map(pool.map((c) => [c.fingerprint, c])).values()];
  const parents = new Map<TrustedCertificate, TrustedCertificate[]>();
  for (const cert of unique) {
    const detail = { ...(name === undefined ? {} : { source: name }), path: cert.source.location };
    requireIssuer(cert, detail, 'trust bundle certificate');
    requireIntactSelfSignature(cert, detail);
    if (cert.selfSigned) continue;
    // Candidates by name and key identifier; one that links by name but whose signature
    // fails means altered bytes, never a second anchor.
    const candidates = unique.filter((other) => other !== cert && namesLink(cert, other));
    const issuers: TrustedCertificate[] = [];
    for (const other of candidates) if (yield* checkIssuedBy(cert, other)) issuers.push(other);
    if (candidates.length && !issuers.length) {
      throw new TrustRootError(
        'CERTIFICATE_CHAIN_INVALID',
        `${where(detail)}"${cert.subject}" names "${cert.issuer}" as issuer, which is in the bundle, but its signature does not verify with that key`,
        { ...detail, expected: `signature by ${cert.issuer}`, actual: 'signature mismatch' },
      );
    }
    if (issuers.length) parents.set(cert, issuers);
  }
  const anchors = unique.filter((c) => !parents.has(c));
  return anchors.map((anchor) => {
    const below: TrustedCertificate[] = [];
    const frontier = [anchor];
    while (frontier.length) {
      const current = frontier.shift() as TrustedCertificate;
      for (const [child, issuers] of parents) {
        if (issuers.includes(current) && !below.includes(child) && child !== anchor) {
          below.push(child);
          frontier.push(child);
        }
      }
    }
    return Object.freeze({
      certificates: Object.freeze([...below.reverse(), anchor]),
      anchor,
      validFor: UNBOUNDED,
      source: anchor.source,
    });
  });
}
