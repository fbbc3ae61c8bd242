import { createChecks, isRecord, typeOf } from '@flareo/internal/arguments';
import { RekorError } from './errors.js';

/**
 * Argument checks of the public functions. Material the caller builds (bindings, trust roots,
 * logs, hashes, options) of the wrong type is refused with `ARGUMENT_INVALID`, naming the
 * function, the parameter, what was expected and what was given, before it could surface as
 * a raw TypeError. Untrusted data keeps its own codes (a log entry that is not an object is
 * `ENTRY_MALFORMED`, a checkpoint that is not a string `CHECKPOINT_MALFORMED`). The generic
 * checks are `@flareo/internal`'s, bundled in at build time.
 */

export { typeOf };

export const {
  argumentError,
  requireRecord,
  requireOptional,
  requireString,
  requireBytes,
  requireBigint,
  optionalBoolean,
} = createChecks((message, mismatch) => new RekorError('ARGUMENT_INVALID', message, mismatch));

export function requireHashes(fn: string, parameter: string, value: unknown): void {
  if (!Array.isArray(value) || !value.every((h) => h instanceof Uint8Array)) {
    throw argumentError(fn, parameter, 'an array of Uint8Array hashes', value);
  }
}

/** A transparency log from a `@flareo/trust-root` TrustRoot. */
export function requireLog(fn: string, parameter: string, value: unknown): void {
  const log = requireRecord(fn, parameter, value);
  const key = log.key;
  if (
    typeof log.logId !== 'string' ||
    !isRecord(key) ||
    !isRecord(key.algorithm) ||
    !(key.spki instanceof Uint8Array) ||
    !isRecord(log.validFor) ||
    (log.host !== undefined && typeof log.host !== 'string') ||
    (log.checkpointKeyId !== undefined && typeof log.checkpointKeyId !== 'string')
  ) {
    throw argumentError(fn, parameter, 'a TransparencyLog of a TrustRoot', value);
  }
}

/** A `@flareo/trust-root` TrustRoot (checked by shape, so that two copies of the package interoperate). */
export function requireTrustRoot(fn: string, parameter: string, value: unknown): void {
  const root = requireRecord(fn, parameter, value);
  if (typeof root.tlogsById !== 'function' || !Array.isArray(root.tlogs)) {
    throw argumentError(fn, parameter, 'a TrustRoot', value);
  }
}

const DIGESTS = ['sha256', 'sha384', 'sha512'];

/** An {@link EntryBinding}: what the log entry must be about. */
export function requireBinding(fn: string, parameter: string, value: unknown): void {
  const binding = requireRecord(fn, parameter, value);
  requireBytes(fn, `${parameter}.signature`, binding.signature);
  const verifier = requireRecord(fn, `${parameter}.verifier`, binding.verifier);
  const material = verifier.certificate ?? verifier.publicKey;
  if (!(material instanceof Uint8Array)) {
    throw argumentError(
      fn,
      `${parameter}.verifier`,
      '{ certificate: Uint8Array } or { publicKey: Uint8Array }',
      material,
    );
  }
  if (binding.artifactDigest !== undefined) {
    const digest = requireRecord(fn, `${parameter}.artifactDigest`, binding.artifactDigest);
    if (typeof digest.algorithm !== 'string' || !DIGESTS.includes(digest.algorithm)) {
      throw argumentError(
        fn,
        `${parameter}.artifactDigest.algorithm`,
        'sha256, sha384 or sha512',
        digest.algorithm,
      );
    }
    requireBytes(fn, `${parameter}.artifactDigest.digest`, digest.digest);
  }
  if (binding.dsse !== undefined) {
    const dsse = requireRecord(fn, `${parameter}.dsse`, binding.dsse);
    requireString(fn, `${parameter}.dsse.payloadType`, dsse.payloadType);
    requireBytes(fn, `${parameter}.dsse.payload`, dsse.payload);
  }
}

/** What `setPayload` reads of an entry. */
export function requireSetFields(fn: string, parameter: string, value: unknown): void {
  const entry = requireRecord(fn, parameter, value);
  requireBytes(fn, `${parameter}.body`, entry.body);
  requireBigint(fn, `${parameter}.integratedTime`, entry.integratedTime);
  requireBigint(fn, `${parameter}.logIndex`, entry.logIndex);
  if (typeof entry.logIdHex !== 'string' || !/^(?:[0-9a-f]{2})+$/.test(entry.logIdHex)) {
    throw argumentError(fn, `${parameter}.logIdHex`, 'lowercase hex', entry.logIdHex);
  }
}
