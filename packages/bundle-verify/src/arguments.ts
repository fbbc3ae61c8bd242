import { createChecks, describeMismatch, isRecord } from '@flareo/internal/arguments';
import { REKOR_POLICIES } from '@flareo/rekor-set';
import { BundleVerifyError, type VerificationStep } from './errors.js';

/**
 * Argument checks of the public functions. An argument or option of the wrong type is
 * refused with `ARGUMENT_INVALID` (this package's code for invalid options, policies and
 * artifacts), naming the function, the parameter, what was expected and what was given; a
 * bundle or signature input of the wrong type is `BUNDLE_MALFORMED`. Nothing reaches the
 * pipeline to surface as a raw TypeError. The generic checks are `@flareo/internal`'s,
 * bundled in at build time.
 */

/** An argument or option of the wrong type: `ARGUMENT_INVALID`, at `step` of the pipeline. */
export function argumentError(
  fn: string,
  parameter: string,
  expected: string,
  value: unknown,
  step: VerificationStep = 'parse',
): BundleVerifyError {
  const { message, mismatch } = describeMismatch(fn, parameter, expected, value);
  return new BundleVerifyError('ARGUMENT_INVALID', message, { step, ...mismatch });
}

/** A bundle or signature input of the wrong type: `BUNDLE_MALFORMED`. */
export function inputError(fn: string, parameter: string, expected: string, value: unknown) {
  const { message, mismatch } = describeMismatch(fn, parameter, expected, value);
  return new BundleVerifyError('BUNDLE_MALFORMED', message, { step: 'parse', ...mismatch });
}

export const { requireRecord, requireOptional, optionalBoolean } = createChecks(
  (message, mismatch) =>
    new BundleVerifyError('ARGUMENT_INVALID', message, { step: 'parse', ...mismatch }),
);

export function requireInteger(
  fn: string,
  parameter: string,
  value: unknown,
  min: number,
  step: VerificationStep = 'parse',
): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw argumentError(fn, parameter, `an integer >= ${min}`, value, step);
  }
}

/** A `@flareo/trust-root` TrustRoot, checked by shape so that two copies of it interoperate. */
export function requireTrustRoot(fn: string, parameter: string, value: unknown): void {
  const root = requireRecord(fn, parameter, value);
  for (const method of ['keysById', 'tlogsById', 'ctlogsById', 'issuerCandidates']) {
    if (typeof root[method] !== 'function') {
      throw argumentError(fn, parameter, 'a TrustRoot', value, 'trust');
    }
  }
  for (const list of ['keys', 'certificateAuthorities', 'timestampAuthorities', 'tlogs']) {
    if (!Array.isArray(root[list]))
      throw argumentError(fn, parameter, 'a TrustRoot', value, 'trust');
  }
}

const LIMIT_NAMES = ['maxBundleBytes', 'maxCertificates', 'maxTlogEntries', 'maxTimestamps'];

/** Input limits: an object whose given fields are integers >= 0 (no unknown fields). */
export function requireLimits(fn: string, parameter: string, value: unknown): void {
  const limits = requireOptional(fn, parameter, value);
  for (const [name, limit] of Object.entries(limits)) {
    if (!LIMIT_NAMES.includes(name)) {
      throw argumentError(fn, `${parameter}.${name}`, `one of ${LIMIT_NAMES.join(', ')}`, name);
    }
    if (limit !== undefined) requireInteger(fn, `${parameter}.${name}`, limit, 0);
  }
}

const TIME_SOURCES = ['log', 'timestamp', 'current'];

/** {@link VerifierOptions} (without `now` when `withClock` is false: it cannot cross threads). */
export function requireVerifierOptions(
  fn: string,
  parameter: string,
  value: unknown,
  withClock = true,
): void {
  const options = requireOptional(fn, parameter, value);
  if (options.rekor !== undefined) {
    const rekor = requireRecord(fn, `${parameter}.rekor`, options.rekor);
    if (
      rekor.policy !== undefined &&
      !(REKOR_POLICIES as readonly unknown[]).includes(rekor.policy)
    ) {
      throw argumentError(
        fn,
        `${parameter}.rekor.policy`,
        `one of ${REKOR_POLICIES.join(', ')}`,
        rekor.policy,
        'tlog',
      );
    }
    if (rekor.threshold !== undefined) {
      requireInteger(fn, `${parameter}.rekor.threshold`, rekor.threshold, 0, 'tlog');
    }
    const skew = rekor.clockSkewSeconds;
    if (skew !== undefined && (typeof skew !== 'number' || !Number.isFinite(skew) || skew < 0)) {
      throw argumentError(fn, `${parameter}.rekor.clockSkewSeconds`, 'a number >= 0', skew, 'tlog');
    }
    optionalBoolean(
      fn,
      `${parameter}.rekor.allowDeprecatedDsseV002`,
      rekor.allowDeprecatedDsseV002,
    );
  }
  if (options.timeSources !== undefined) {
    if (!Array.isArray(options.timeSources)) {
      throw argumentError(
        fn,
        `${parameter}.timeSources`,
        `an array of ${TIME_SOURCES.join(', ')}`,
        options.timeSources,
        'time',
      );
    }
    for (const source of options.timeSources as unknown[]) {
      if (!TIME_SOURCES.includes(source as string)) {
        throw new BundleVerifyError(
          'ARGUMENT_INVALID',
          `${fn}: unknown time source ${JSON.stringify(source)}`,
          {
            step: 'time',
            field: `${parameter}.timeSources`,
            expected: TIME_SOURCES,
            actual: source,
          },
        );
      }
    }
  }
  // At least one trusted time: with none, a certificate's validity would go unchecked.
  if (options.timeThreshold !== undefined) {
    requireInteger(fn, `${parameter}.timeThreshold`, options.timeThreshold, 1, 'time');
  }
  if (options.sctThreshold !== undefined) {
    requireInteger(fn, `${parameter}.sctThreshold`, options.sctThreshold, 0, 'sct');
  }
  requireLimits(fn, `${parameter}.limits`, options.limits);
  if (options.now !== undefined) {
    if (!withClock) {
      throw argumentError(
        fn,
        `${parameter}.now`,
        'absent (a clock cannot cross threads)',
        options.now,
      );
    }
    if (typeof options.now !== 'function') {
      throw argumentError(fn, `${parameter}.now`, 'a function returning a Date', options.now);
    }
  }
  if (options.cryptoBackend !== undefined) {
    const backend = options.cryptoBackend as { verify?: unknown } | null;
    if (!withClock) {
      throw argumentError(
        fn,
        `${parameter}.cryptoBackend`,
        'absent (a backend cannot cross threads)',
        backend,
      );
    }
    if (typeof backend !== 'object' || backend === null || typeof backend.verify !== 'function') {
      throw argumentError(
        fn,
        `${parameter}.cryptoBackend`,
        'a synchronous CryptoBackend (an object with verify)',
        backend,
      );
    }
  }
}

/** A bundle document: JSON text, bytes or an object (its content is checked by parsing). */
export function requireBundleInput(fn: string, parameter: string, value: unknown): void {
  if (typeof value !== 'string' && !(value instanceof Uint8Array) && !isRecord(value)) {
    throw inputError(fn, parameter, 'JSON text, bytes or an object', value);
  }
}

/** A keyed signature: base64 text or bytes. */
export function requireSignatureInput(fn: string, parameter: string, value: unknown): void {
  if (typeof value !== 'string' && !(value instanceof Uint8Array)) {
    throw inputError(fn, parameter, 'base64 text or bytes', value);
  }
}

/** An identity policy, plain or compiled: `undefined` or an object. */
export function requirePolicy(fn: string, parameter: string, value: unknown): void {
  if (value !== undefined && !isRecord(value)) {
    throw argumentError(
      fn,
      parameter,
      'an identity policy object ({} accepts any identity)',
      value,
      'identity',
    );
  }
}

const FORMATS = [
  'sigstore-bundle-v0.1',
  'sigstore-bundle-v0.2',
  'sigstore-bundle-v0.3',
  'cosign-legacy-bundle',
  'keyed-signature',
];
const DIGESTS = ['sha256', 'sha384', 'sha512'];

/** A {@link NormalizedInput} built by a caller: every field the pipeline reads, of its type. */
export function requireNormalizedInput(fn: string, parameter: string, value: unknown): void {
  const bad = (field: string, expected: string, actual: unknown): never => {
    throw inputError(fn, `${parameter}${field}`, expected, actual);
  };
  if (!isRecord(value)) bad('', 'a NormalizedInput object', value);
  const input = value as Record<string, unknown>;
  if (!FORMATS.includes(input.format as string))
    bad('.format', `one of ${FORMATS.join(', ')}`, input.format);
  const content = input.content;
  if (!isRecord(content)) bad('.content', 'an object', content);
  const c = content as Record<string, unknown>;
  if (!(c.signature instanceof Uint8Array)) bad('.content.signature', 'a Uint8Array', c.signature);
  if (c.kind === 'message') {
    if (c.digest !== undefined) {
      const d = c.digest as Record<string, unknown>;
      if (
        !isRecord(d) ||
        !DIGESTS.includes(d.algorithm as string) ||
        !(d.value instanceof Uint8Array)
      ) {
        bad(
          '.content.digest',
          '{ algorithm: sha256 | sha384 | sha512, value: Uint8Array }',
          c.digest,
        );
      }
    }
  } else if (c.kind === 'dsse') {
    if (typeof c.payloadType !== 'string') bad('.content.payloadType', 'a string', c.payloadType);
    if (!(c.payload instanceof Uint8Array)) bad('.content.payload', 'a Uint8Array', c.payload);
  } else {
    bad('.content.kind', '"message" or "dsse"', c.kind);
  }
  const signer = input.signer;
  if (!isRecord(signer)) bad('.signer', 'an object', signer);
  const s = signer as Record<string, unknown>;
  if (s.kind === 'certificate') {
    if (!Array.isArray(s.chain) || !s.chain.every((c) => c instanceof Uint8Array)) {
      bad('.signer.chain', 'an array of Uint8Array', s.chain);
    }
  } else if (s.kind === 'public-key') {
    if (s.hint !== undefined && typeof s.hint !== 'string') bad('.signer.hint', 'a string', s.hint);
    if (s.spki !== undefined && !(s.spki instanceof Uint8Array))
      bad('.signer.spki', 'a Uint8Array', s.spki);
  } else if (s.kind !== 'none') {
    bad('.signer.kind', '"certificate", "public-key" or "none"', s.kind);
  }
  if (!Array.isArray(input.tlogEntries)) bad('.tlogEntries', 'an array', input.tlogEntries);
  if (!Array.isArray(input.timestamps) || !input.timestamps.every((t) => t instanceof Uint8Array)) {
    bad('.timestamps', 'an array of Uint8Array', input.timestamps);
  }
}
