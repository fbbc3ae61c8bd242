import { createChecks, isRecord, typeOf } from '@flareo/internal/arguments';
import { TrustRootError } from './errors.js';

/**
 * Argument checks of the public functions: a value of the wrong type is refused with
 * `ARGUMENT_INVALID` naming the function, the parameter, what was expected and what was
 * given, before it can surface as a raw TypeError deep inside. The generic checks are
 * `@flareo/internal`'s, bundled in at build time; the ones below know this package's types.
 */

const checks = createChecks(
  (message, { expected, actual }) =>
    new TrustRootError('ARGUMENT_INVALID', message, { expected, actual }),
);

export const {
  argumentError,
  requireRecord,
  requireString,
  optionalString,
  requireBytes,
  requireDate,
  requireArrayOf,
} = checks;

/** An options object: `undefined` or a plain object. */
export function requireOptions(
  fn: string,
  value: unknown,
  parameter = 'options',
): Record<string, unknown> {
  return checks.requireOptional(fn, parameter, value);
}

export function requireOneOf<T extends string>(
  fn: string,
  parameter: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new TrustRootError(
      'ARGUMENT_INVALID',
      `${fn}: ${parameter} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${typeof value === 'string' ? JSON.stringify(value) : typeOf(value)}`,
      { expected: allowed, actual: typeof value === 'string' ? value : typeOf(value) },
    );
  }
  return value as T;
}

/** A validity window: an object whose `start` and `end`, when present, are Dates. */
export function requireWindow(fn: string, parameter: string, value: unknown): void {
  const w = requireRecord(fn, parameter, value);
  if (w.start !== undefined) requireDate(fn, `${parameter}.start`, w.start);
  if (w.end !== undefined) requireDate(fn, `${parameter}.end`, w.end);
}

/** A trusted key as this package builds it (`id`, `algorithm`, `spki`, `keyObject`, `validFor`). */
export function requireKey(fn: string, parameter: string, value: unknown): void {
  const key = requireRecord(fn, parameter, value);
  const algorithm = key.algorithm;
  if (
    !isRecord(algorithm) ||
    !['ecdsa', 'ed25519', 'rsa'].includes(algorithm.kind as string) ||
    !(key.spki instanceof Uint8Array)
  ) {
    throw argumentError(fn, parameter, 'a TrustedKey (algorithm and spki)', value);
  }
}

/** A key with everything the trust model indexes it by. */
export function requireTrustedKey(fn: string, parameter: string, value: unknown): void {
  requireKey(fn, parameter, value);
  const key = value as Record<string, unknown>;
  if (typeof key.id !== 'string') {
    throw argumentError(fn, parameter, 'a TrustedKey (id, algorithm and spki)', value);
  }
  requireWindow(fn, `${parameter}.validFor`, key.validFor);
}

/** A certificate as this package builds it (see `TrustedCertificate`). */
export function requireCertificate(fn: string, parameter: string, value: unknown): void {
  const cert = requireRecord(fn, parameter, value);
  if (
    !(cert.der instanceof Uint8Array) ||
    !(cert.tbs instanceof Uint8Array) ||
    !(cert.signature instanceof Uint8Array) ||
    !(cert.spki instanceof Uint8Array) ||
    !isRecord(cert.keyAlgorithm) ||
    typeof cert.fingerprint !== 'string' ||
    typeof cert.subjectNameDer !== 'string' ||
    typeof cert.issuerNameDer !== 'string' ||
    typeof cert.isCA !== 'boolean'
  ) {
    throw argumentError(fn, parameter, 'a TrustedCertificate', value);
  }
}

/**
 * A Node `KeyObject` seen without importing `node:crypto` (the core must load in every
 * runtime): the class's tag and its public `type`.
 */
export function isPublicKeyObject(
  key: unknown,
): key is { type: 'public'; export(options: object): unknown } {
  return (
    typeof key === 'object' &&
    key !== null &&
    Object.prototype.toString.call(key) === '[object KeyObject]' &&
    (key as { type?: unknown }).type === 'public'
  );
}

/** A key as the crypto seam takes it: `{ spki, algorithm }` (a `TrustedKey` is one). */
export function isKeyRef(key: unknown): key is { spki: Uint8Array; algorithm: { kind: string } } {
  return (
    isRecord(key) &&
    key.spki instanceof Uint8Array &&
    isRecord(key.algorithm) &&
    ['ecdsa', 'ed25519', 'rsa'].includes(key.algorithm.kind as string)
  );
}

/** A certificate view (see `@flareo/trust-root/x509`) and a public key (seam key or `KeyObject`). */
export function requireViewAndKey(
  fn: string,
  view: unknown,
  viewParameter: string,
  key: unknown,
  keyParameter: string,
): void {
  const cert = requireRecord(fn, viewParameter, view);
  if (
    !(cert.tbs instanceof Uint8Array) ||
    !(cert.signature instanceof Uint8Array) ||
    typeof cert.signatureAlgorithm !== 'string'
  ) {
    throw argumentError(fn, viewParameter, 'a CertificateView', view);
  }
  if (!isKeyRef(key) && !isPublicKeyObject(key)) {
    throw argumentError(
      fn,
      keyParameter,
      'a public key ({ spki, algorithm } or a public KeyObject)',
      key,
    );
  }
}
