import { concatBytes, toHex, utf8Encode } from '@flareo/internal/bytes';
import { requireKey, requireString } from './arguments.js';
import { sha256 as platformSha256, runtimeKeyOf } from './crypto/platform.js';
import { readRsaPublicKey, readSpki, rsaSpkiOf, SpkiError, type SpkiInfo } from './crypto/spki.js';
import { TrustRootError, type TrustRootErrorDetail, where } from './errors.js';
import { UNBOUNDED, type ValidityWindow } from './validity.js';

/** Digest a signature scheme uses. */
export type HashAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** What a trusted key is and how signatures by it are checked. */
export type KeyAlgorithm =
  | { readonly kind: 'ecdsa'; readonly curve: 'P-256' | 'P-384' | 'P-521' }
  | { readonly kind: 'ed25519' }
  | {
      readonly kind: 'rsa';
      readonly bits: number;
      /** Paddings this key is trusted for; both when the source does not say. */
      readonly schemes: readonly ('pkcs1v15' | 'pss')[];
    };

/** Where a piece of trust material came from. */
export interface TrustSource {
  /** `pem` bundle or Sigstore `trusted-root` JSON. */
  readonly kind: 'pem' | 'trusted-root';
  /** The caller's name for the input (file name), if given. */
  readonly name?: string;
  /** PEM line of the BEGIN line, or JSON path inside trusted_root.json. */
  readonly location: string;
}

/**
 * Node's `KeyObject` as far as these types promise it, written out so that the package's
 * type declarations need no `@types/node`: a browser or worker project type-checks without
 * it. On Node the value is a `node:crypto` `KeyObject` (every `KeyObject` fits this type;
 * to pass it to a `node:crypto` function, say so: `key.keyObject as KeyObject`).
 */
export interface PublicKeyObject {
  /** `'public'` for the keys of a trust root. */
  readonly type: string;
  /** `'ec'`, `'ed25519'`, `'rsa'`, `'rsa-pss'`, ... */
  readonly asymmetricKeyType?: string | undefined;
  /** As `KeyObject#export`: PEM text (a string), DER bytes (a `Buffer` on Node) or a JWK. */
  export(options: { readonly type: 'spki' | 'pkcs1'; readonly format: 'pem' }): string | Uint8Array;
  export(options: { readonly type: 'spki' | 'pkcs1'; readonly format: 'der' }): Uint8Array;
  export(options: { readonly format: 'jwk' }): Record<string, unknown>;
}

/** A public key the caller trusts, imported once and ready to verify with. */
export interface TrustedKey {
  /** sha256 of the DER SubjectPublicKeyInfo, lowercase hex (= Rekor v1 log id). */
  readonly id: string;
  readonly algorithm: KeyAlgorithm;
  /** The digest this key's signatures use when the source states it (trusted_root keyDetails). */
  readonly hash?: HashAlgorithm;
  /** DER SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /**
   * The `node:crypto` key, imported once: present in the Node build only (`undefined` in the
   * browser/worker build). Kept for callers that verify with `node:crypto` themselves; new
   * code verifies through the crypto seam with `spki` and `algorithm`.
   */
  readonly keyObject: PublicKeyObject;
  /** When this key may be used (closed interval). Unbounded for PEM keys. */
  readonly validFor: ValidityWindow;
  readonly source: TrustSource;
}

/** sha256 of bytes or a UTF-8 string (the platform's synchronous hash). */
export const sha256 = (data: Uint8Array | string): Uint8Array =>
  platformSha256(typeof data === 'string' ? utf8Encode(data) : data);

const CURVES: Record<string, 'P-256' | 'P-384' | 'P-521'> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/** Smallest RSA modulus we accept. */
export const MIN_RSA_BITS = 2048;

/** A classified public key: canonical DER SPKI, its algorithm, and on Node its `KeyObject`. */
export interface ImportedKey {
  readonly spki: Uint8Array;
  readonly algorithm: KeyAlgorithm;
  /** Node build only (compatibility field); `undefined` elsewhere, and while deferred. */
  readonly keyObject: PublicKeyObject | undefined;
  /**
   * True when the runtime import was deferred (`importPublicKey(…, { deferRuntimeKey })`):
   * {@link makeTrustedKey} then imports the runtime key on first read of `keyObject`.
   */
  readonly deferred?: true;
}

/** How {@link importPublicKey} treats the runtime key. */
export interface ImportKeyOptions {
  /**
   * Leave the `node:crypto` import (`runtimeKeyOf`) to the first read of the compatibility
   * field instead of doing it now. Only for keys already checked to import, such as the
   * embedded public-good root's (its keys are imported by the test suite and the build):
   * a key that fails to import would otherwise fail later than at load. Default `false`.
   */
  readonly deferRuntimeKey?: boolean;
}

/**
 * Read a DER public key (SPKI, or PKCS#1 for `RSA PUBLIC KEY` blocks) and classify it, in
 * pure JavaScript (`crypto/spki.ts`). Rejects what the verifiers do not support (DSA,
 * secp256k1, RSA below 2048 bits, X25519) and SPKIs that are not in canonical DER.
 */
export function importPublicKey(
  der: Uint8Array,
  format: 'spki' | 'pkcs1',
  detail: TrustRootErrorDetail,
  options: ImportKeyOptions = {},
): ImportedKey {
  let spki: Uint8Array;
  let info: SpkiInfo;
  try {
    spki = format === 'spki' ? new Uint8Array(der) : rsaSpkiOf(pkcs1(der));
    info = readSpki(spki);
  } catch (cause) {
    if (cause instanceof SpkiError && cause.reason === 'noncanonical') {
      // A second encoding of a key would get a second key id.
      throw new TrustRootError(
        'KEY_INVALID',
        `${where(detail)}public key is not in canonical DER form`,
        detail,
        { cause },
      );
    }
    throw new TrustRootError(
      'KEY_INVALID',
      `${where(detail)}not a valid ${format === 'spki' ? 'SubjectPublicKeyInfo' : 'PKCS#1 RSA'} public key`,
      detail,
      { cause },
    );
  }
  const algorithm = classifyKey(info, detail);
  if (options.deferRuntimeKey) return { spki, algorithm, keyObject: undefined, deferred: true };
  let keyObject: PublicKeyObject | undefined;
  try {
    keyObject = runtimeKeyOf(spki);
  } catch (cause) {
    throw new TrustRootError(
      'KEY_INVALID',
      `${where(detail)}not a valid public key for this runtime`,
      detail,
      { cause },
    );
  }
  return { spki, algorithm, keyObject };
}

function pkcs1(der: Uint8Array): Uint8Array {
  readRsaPublicKey(der);
  return der;
}

function classifyKey(info: SpkiInfo, detail: TrustRootErrorDetail): KeyAlgorithm {
  if (info.type === 'ec') {
    const curve = CURVES[info.curve];
    if (curve) return { kind: 'ecdsa', curve };
    throw unsupported(detail, `EC curve ${info.curve === 'explicit' ? 'unknown' : info.curve}`);
  }
  if (info.type === 'ed25519') return { kind: 'ed25519' };
  if (info.type === 'rsa' || info.type === 'rsa-pss') {
    const bits = info.bits;
    if (bits < MIN_RSA_BITS) {
      throw new TrustRootError(
        'KEY_UNSUPPORTED',
        `${where(detail)}RSA key of ${bits} bits is too small (minimum ${MIN_RSA_BITS})`,
        { ...detail, expected: `>= ${MIN_RSA_BITS} bits`, actual: bits },
      );
    }
    return {
      kind: 'rsa',
      bits,
      schemes: info.type === 'rsa-pss' ? ['pss'] : ['pkcs1v15', 'pss'],
    };
  }
  throw unsupported(detail, `key type ${info.type === 'other' ? info.name : info.type}`);
}

function unsupported(detail: TrustRootErrorDetail, what: string): TrustRootError {
  return new TrustRootError(
    'KEY_UNSUPPORTED',
    `${where(detail)}unsupported ${what} (supported: ECDSA P-256/P-384/P-521, Ed25519, RSA >= ${MIN_RSA_BITS})`,
    {
      ...detail,
      expected: 'ECDSA P-256/P-384/P-521, Ed25519 or RSA',
      actual: what,
    },
  );
}

/** Build an immutable {@link TrustedKey}. */
export function makeTrustedKey(
  imported: ImportedKey,
  source: TrustSource,
  validFor: ValidityWindow = UNBOUNDED,
  hash?: HashAlgorithm,
): TrustedKey {
  const spki = imported.spki;
  const head = {
    id: toHex(sha256(spki)),
    algorithm: Object.freeze(imported.algorithm),
    ...(hash === undefined ? {} : { hash }),
    spki,
  };
  const tail = { validFor, source: Object.freeze(source) };
  if (imported.deferred) {
    // Same fields in the same order; `keyObject` is read through a getter that imports the
    // key on first use (cached per SPKI by the platform module, so always the same object).
    return Object.freeze({
      ...head,
      get keyObject(): PublicKeyObject {
        return deferredKeyObject(spki);
      },
      ...tail,
    });
  }
  return Object.freeze({ ...head, keyObject: imported.keyObject as PublicKeyObject, ...tail });
}

/**
 * The runtime key of an SPKI whose import was deferred (see {@link ImportKeyOptions}); the
 * platform module caches it per SPKI array. `undefined` in the browser/worker build.
 */
export function deferredKeyObject(spki: Uint8Array): PublicKeyObject {
  return runtimeKeyOf(spki) as PublicKeyObject;
}

/** The raw 32-byte Ed25519 public key inside its SPKI. */
function rawEd25519(spki: Uint8Array): Uint8Array {
  return spki.subarray(spki.length - 32);
}

/**
 * The C2SP signed-note key hash of `key` for signer `name` (32 bytes; its first four bytes
 * are the key ID written on signature lines).
 *
 * - Ed25519 (type 0x01): sha256(name ‖ "\n" ‖ 0x01 ‖ raw key). For Rekor v2 this is also the log id.
 * - ECDSA: sha256(DER SPKI), with no name, as Rekor v1 and rekor-tiles compute it.
 * - RSA (Sigstore's 0xFF convention): sha256(name ‖ "\n" ‖ 0xFF ‖ "PKIX-RSA-PKCS#1v1.5" ‖ DER SPKI).
 */
export function noteKeyHash(key: Pick<TrustedKey, 'algorithm' | 'spki'>, name: string): Uint8Array {
  requireKey('noteKeyHash', 'key', key);
  requireString('noteKeyHash', 'name', name);
  const prefix = utf8Encode(`${name}\n`);
  switch (key.algorithm.kind) {
    case 'ed25519':
      return sha256(concatBytes(prefix, Uint8Array.of(0x01), rawEd25519(key.spki)));
    case 'ecdsa':
      return sha256(key.spki);
    case 'rsa':
      return sha256(
        concatBytes(prefix, Uint8Array.of(0xff), utf8Encode('PKIX-RSA-PKCS#1v1.5'), key.spki),
      );
  }
}

/** The 4-byte signed-note key ID (hex) of `key` for signer `name`. */
export function noteKeyId(key: Pick<TrustedKey, 'algorithm' | 'spki'>, name: string): string {
  requireKey('noteKeyId', 'key', key);
  requireString('noteKeyId', 'name', name);
  return toHex(noteKeyHash(key, name).subarray(0, 4));
}
