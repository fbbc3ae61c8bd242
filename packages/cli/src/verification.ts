import type {
  ArtifactInput,
  BundleVerifyError,
  IdentityPolicy,
  VerificationSummary,
  VerifierOptions,
} from '@flareo/bundle-verify';
import type { RekorPolicy } from '@flareo/rekor-set';
import { CliError, EXIT, type FailureReport, usageError } from './errors.js';
import { isFile, parseJson, readBytes, readText, STDIN } from './io.js';
import type { Colors } from './output.js';
import type { TrustPlan } from './trust.js';

/**
 * The `--rekor-policy` values: exactly `@flareo/rekor-set`'s `RekorPolicy`, which owns them
 * (the check below stops the build if rekor-set gains or loses one). Written out instead of
 * importing rekor-set's `REKOR_POLICIES` because the commands are registered at every start:
 * importing it there loads all of rekor-set and part of trust-root, 17–50 ms measured on the
 * 2-core CI machine, for `flareo score` as much as for `flareo verify`.
 */
export const REKOR_POLICIES = [
  'require-set',
  'require-inclusion-proof',
  'require-any',
  'disabled',
] as const satisfies readonly RekorPolicy[];
export type RekorPolicyFlag = (typeof REKOR_POLICIES)[number];
/** Compiles only while every `RekorPolicy` is listed above. */
const everyPolicyListed: [Exclude<RekorPolicy, RekorPolicyFlag>] extends [never] ? true : never =
  true;
void everyPolicyListed;

const DIGEST = /^(sha256|sha384|sha512):(.*)$/i;
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** An artifact as the user named it, and what the verifier gets. */
export interface ArtifactArg {
  readonly label: string;
  readonly input: ArtifactInput;
}

/**
 * ARTIFACT is a path, `-` (standard input), or a digest `sha256:<hex>` / `sha384:<hex>` /
 * `sha512:<hex>`. An existing file wins over the digest reading of the same text.
 */
export function parseArtifact(arg: string, baseDir?: string): ArtifactArg {
  const m = DIGEST.exec(arg);
  const path = baseDir && arg !== STDIN && !arg.startsWith('/') ? `${baseDir}/${arg}` : arg;
  if (m && !isFile(path)) {
    const algorithm = (m[1] as string).toLowerCase();
    const hex = (m[2] as string).toLowerCase();
    const length = HEX_LENGTH[algorithm] as number;
    if (!/^[0-9a-f]*$/.test(hex) || hex.length !== length) {
      throw new CliError({
        code: 'USAGE',
        message: `artifact digest ${JSON.stringify(arg)} is not a ${algorithm} digest`,
        expected: `${algorithm}:<${length} hex digits>`,
        actual: `${hex.length} characters${/^[0-9a-f]*$/.test(hex) ? '' : ', not all hex'}`,
      });
    }
    return { label: `${algorithm}:${hex}`, input: { digest: `${algorithm}:${hex}` } };
  }
  return { label: arg === STDIN ? '(stdin)' : arg, input: readBytes(path, 'artifact') };
}

/** The identity flags (cosign's names). */
export interface IdentityFlags {
  readonly certificateIdentity?: string;
  readonly certificateIdentityRegexp?: string;
  readonly certificateOidcIssuer?: string;
  readonly certificateOidcIssuerRegexp?: string;
}

/** The trust flags of the verifying commands; `trust.ts` owns them. */
export type { TrustFlags } from './trust.js';

/**
 * Build the identity policy; `undefined` when no identity flag was given. Regular expressions
 * are RE2, applied as `match` says: `'search'` (the default) for cosign's flag names, which
 * cosign applies with Go's unanchored `MatchString`; `'full'` for flareo's own manifest keys.
 * Their syntax is checked by {@link checkIdentityRegexps} (the library refuses it otherwise).
 */
export function identityPolicy(
  flags: IdentityFlags,
  match: 'search' | 'full' = 'search',
): IdentityPolicy | undefined {
  if (flags.certificateIdentity !== undefined && flags.certificateIdentityRegexp !== undefined) {
    throw usageError('give --certificate-identity or --certificate-identity-regexp, not both');
  }
  if (
    flags.certificateOidcIssuer !== undefined &&
    flags.certificateOidcIssuerRegexp !== undefined
  ) {
    throw usageError(
      'give --certificate-oidc-issuer or --certificate-oidc-issuer-regexp, not both',
    );
  }
  const san =
    flags.certificateIdentity ??
    (flags.certificateIdentityRegexp === undefined
      ? undefined
      : { regexp: flags.certificateIdentityRegexp, match });
  const issuer =
    flags.certificateOidcIssuer ??
    (flags.certificateOidcIssuerRegexp === undefined
      ? undefined
      : { regexp: flags.certificateOidcIssuerRegexp, match });
  if (san === undefined && issuer === undefined) return undefined;
  return {
    ...(san === undefined ? {} : { subjectAlternativeName: san }),
    ...(issuer === undefined ? {} : { issuer }),
  };
}

/** Split a pattern at its top-level `|` (outside groups, classes and escapes). */
function topLevelAlternatives(pattern: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let from = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
    } else if (c === '|' && depth === 0) {
      parts.push(pattern.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(pattern.slice(from));
  return parts;
}

/** Does `alternative` end with an unescaped `$` (or `\z`)? */
function endsAnchored(alternative: string): boolean {
  const end = alternative.endsWith('$') ? 1 : alternative.endsWith('\\z') ? 2 : 0;
  if (end === 0) return false;
  let slashes = 0;
  for (let i = alternative.length - end - 1; i >= 0 && alternative[i] === '\\'; i--) slashes++;
  return slashes % 2 === 0;
}

/**
 * The full-match pattern equal to searching for `pattern`, or `undefined` when `pattern` is
 * anchored at both ends already (every top-level alternative starts with `^` or `\A` and ends
 * with `$` or `\z`). An unanchored side becomes an explicit `.*`: searching for
 * `^https://github.com/acme/` accepts exactly what `^https://github.com/acme/.*$` accepts.
 */
export function anchoredForm(pattern: string): string | undefined {
  const alternatives = topLevelAlternatives(pattern);
  let anchored = true;
  const cores = alternatives.map((whole) => {
    // A leading flag group such as (?i) stays in front: (?i)^acme$ is anchored.
    const flags = /^\(\?[imsU]+\)/.exec(whole)?.[0] ?? '';
    const alt = whole.slice(flags.length);
    const starts = alt.startsWith('^') || alt.startsWith('\\A');
    const ends = endsAnchored(alt);
    if (!starts || !ends) anchored = false;
    let core = starts ? alt.slice(alt.startsWith('^') ? 1 : 2) : `.*${alt}`;
    core = ends ? core.slice(0, core.endsWith('$') ? -1 : -2) : `${core}.*`;
    return `${flags}${core}`;
  });
  if (anchored) return undefined;
  return cores.length === 1 ? `^${cores[0]}$` : `^(?:${cores.join('|')})$`;
}

/**
 * Check the regexp flags as the verifier will compile them (RE2 syntax: exit 2 naming the
 * flag and the reason), and warn once per flag that is not anchored at both ends: such a
 * pattern is searched, as cosign does, and the warning shows the anchored pattern that
 * accepts the same values.
 */
export async function checkIdentityRegexps(
  flags: IdentityFlags,
  out: { warn(text: string): void },
  match: 'search' | 'full' = 'search',
): Promise<void> {
  const rows = [
    ['--certificate-identity-regexp', 'subjectAlternativeName', flags.certificateIdentityRegexp],
    ['--certificate-oidc-issuer-regexp', 'issuer', flags.certificateOidcIssuerRegexp],
  ] as const;
  if (rows.every(([, , value]) => value === undefined)) return;
  const { compileIdentityPolicy } = await import('@flareo/bundle-verify');
  for (const [flag, field, value] of rows) {
    if (value === undefined) continue;
    try {
      compileIdentityPolicy({ [field]: { regexp: value, match } });
    } catch (error) {
      if (!isBundleVerifyError(error)) throw error;
      throw new CliError(
        {
          code: 'USAGE',
          message: `${flag} is not a valid regular expression: ${error.message.replace(/^identity policy [^:]+: /, '')}`,
          expected:
            'an RE2 regular expression (Go syntax, as cosign; no backreferences or lookaround)',
          actual: value,
        },
        EXIT.usage,
        { cause: error },
      );
    }
    const anchored = match === 'search' ? anchoredForm(value) : undefined;
    if (anchored !== undefined) {
      out.warn(
        `${flag} ${JSON.stringify(value)} is not anchored at both ends; as in cosign it matches anywhere in the value, so it accepts what ${JSON.stringify(anchored)} accepts. Anchor it (^…$) to accept only what you mean.`,
      );
    }
  }
}

/**
 * Keyless checks on the expected signer: against the public-good root both the identity and
 * the issuer are required (anyone can get a public-good certificate); against a private trust
 * root neither is, but verifying without them accepts any signer the root vouches for, so say so.
 */
export function checkKeylessSigner(
  plan: TrustPlan,
  policy: IdentityPolicy | undefined,
  out: { warn(text: string): void },
): void {
  const hasSan = policy?.subjectAlternativeName !== undefined;
  const hasIssuer = policy?.issuer !== undefined;
  if (plan.publicGood && !(hasSan && hasIssuer)) {
    throw usageError(
      'keyless verification against the public-good root needs the expected signer',
      'give --certificate-identity (or --certificate-identity-regexp) and --certificate-oidc-issuer (or --certificate-oidc-issuer-regexp)',
    );
  }
  if (!hasSan && !hasIssuer) {
    out.warn(
      'no --certificate-identity or --certificate-oidc-issuer: any signer the trust root vouches for is accepted',
    );
  }
}

/** What cosign's flags change in the verifier options. */
export interface VerifierExtras {
  /** `--use-signed-timestamps`: a certificate is checked at RFC 3161 times only. */
  readonly timestampsOnly?: boolean;
  /** `--insecure-ignore-sct`: embedded SCTs are not required. */
  readonly ignoreSct?: boolean;
}

/** Verifier options from `--rekor-policy`, `--use-current-time` and cosign's flags. */
export function verifierOptions(
  rekorPolicy: RekorPolicyFlag,
  useCurrentTime: boolean,
  extras: VerifierExtras = {},
): Omit<VerifierOptions, 'now'> {
  const timeSources = extras.timestampsOnly
    ? useCurrentTime
      ? (['timestamp', 'current'] as const)
      : (['timestamp'] as const)
    : useCurrentTime
      ? (['log', 'timestamp', 'current'] as const)
      : undefined;
  return {
    rekor: { policy: rekorPolicy },
    ...(timeSources === undefined ? {} : { timeSources }),
    ...(extras.ignoreSct ? { sctThreshold: 0 } : {}),
  };
}

/** A bundle or signature file, read and (for bundles) parsed as JSON. */
export interface SignedInput {
  readonly kind: 'bundle' | 'signature';
  readonly path: string;
  readonly value: string | object;
  /** The `--rfc3161-timestamp` file merged into a legacy cosign bundle, if any. */
  readonly timestampPath?: string;
  /**
   * `--certificate FILE` beside `--signature`: `value` is then a legacy cosign bundle object
   * made of the two (no log evidence), verified like a bundle.
   */
  readonly certificatePath?: string;
}

/** Is this input verified as a bundle (a bundle file, or a signature with its certificate)? */
export function verifiedAsBundle(signed: SignedInput): boolean {
  return signed.kind === 'bundle' || typeof signed.value === 'object';
}

/** Does the input carry RFC 3161 timestamps (Sigstore bundle or cosign's timestamp file)? */
export function carriesTimestamps(signed: SignedInput): boolean {
  if (typeof signed.value !== 'object' || signed.value === null) return false;
  const v = signed.value as {
    rfc3161Timestamp?: unknown;
    verificationMaterial?: { timestampVerificationData?: { rfc3161Timestamps?: unknown } };
  };
  const list = v.verificationMaterial?.timestampVerificationData?.rfc3161Timestamps;
  return (
    (v.rfc3161Timestamp !== undefined && v.rfc3161Timestamp !== null) ||
    (Array.isArray(list) && list.length > 0)
  );
}

/**
 * `--rfc3161-timestamp FILE` (cosign verify-blob's flag): the timestamp cosign wrote beside a
 * legacy bundle (`{"SignedRFC3161Timestamp": "<base64>"}`) joins that bundle as its
 * `rfc3161Timestamp`; bundle-verify checks its shape and signature. Sigstore bundles carry
 * their timestamps inside, so the flag is refused for them.
 */
export function withTimestampFile(signed: SignedInput, path: string): SignedInput {
  const bundle = verifiedAsBundle(signed) ? (signed.value as Record<string, unknown>) : {};
  if (typeof bundle.base64Signature !== 'string') {
    throw usageError(
      '--rfc3161-timestamp goes with a legacy cosign bundle or --signature with --certificate',
      'Sigstore bundles hold their RFC 3161 timestamps inside (verificationMaterial.timestampVerificationData)',
    );
  }
  if (bundle.rfc3161Timestamp !== undefined) {
    throw usageError(
      `bundle ${signed.path} already holds an rfc3161Timestamp`,
      'drop --rfc3161-timestamp, or give a bundle without one',
    );
  }
  const timestamp = parseJson(readText(path, 'timestamp'), path, 'timestamp');
  return { ...signed, value: { ...bundle, rfc3161Timestamp: timestamp }, timestampPath: path };
}

/** Read `--bundle` (must be JSON: exit 2 otherwise) or `--signature` (base64 text). */
export function readSignedInput(kind: 'bundle' | 'signature', path: string): SignedInput {
  if (kind === 'signature') {
    return { kind, path, value: readText(path, 'signature') };
  }
  const value = parseJson(readText(path, 'bundle'), path, 'bundle');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CliError({
      code: 'INPUT_INVALID',
      message: `bundle ${path} must hold a JSON object`,
      expected: 'a Sigstore bundle or legacy cosign bundle (JSON object)',
      actual: Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value,
    });
  }
  return { kind, path, value };
}

/** A hint for failures caused by missing trust input or a policy that does not fit. */
export function hintFor(
  error: BundleVerifyError,
  trust: TrustPlan | undefined,
): string | undefined {
  const missing = error.detail.missing ?? '';
  switch (error.code) {
    case 'UNTRUSTED_SIGNER':
      if (/PUBLIC KEY/.test(missing)) {
        return trust?.keyed
          ? 'none of the keys given with --key made this signature; pass the signer’s public key with --key FILE'
          : 'keyed signatures need the signer’s public key: pass it with --key FILE (PEM)';
      }
      if (/timestamp/i.test(missing)) {
        return 'pass a trusted_root.json listing the timestamp authority with --trust-root FILE';
      }
      return trust?.publicGood
        ? 'the signing certificate does not chain to the Sigstore public-good CA; for a private CA pass its certificates with --trust-root FILE (PEM bundle or trusted_root.json)'
        : 'pass the certificate authority that issued the signing certificate with --trust-root FILE (PEM bundle or trusted_root.json)';
    case 'TLOG_UNTRUSTED':
      return 'pass the log’s public key with --rekor-key FILE, or a trusted_root.json listing the log with --trust-root FILE';
    case 'TLOG_MISSING':
    case 'SET_MISSING':
      return 'the bundle lacks the transparency-log evidence this --rekor-policy requires; if it was signed without Rekor, pass --rekor-policy disabled (and --use-current-time for a long-lived certificate)';
    case 'TIME_SOURCE_MISSING':
      return 'a certificate is checked at a trusted time: keep a Rekor policy that verifies log entries, or pass --use-current-time for a long-lived private-CA certificate';
    case 'SCT_INVALID':
      return /ctlogs/.test(missing)
        ? 'pass a trusted_root.json listing the certificate transparency log (ctlogs) with --trust-root FILE'
        : undefined;
    default:
      return undefined;
  }
}

/** A verification failure as the CLI reports it. */
export function verificationFailure(
  error: BundleVerifyError,
  trust: TrustPlan | undefined,
): FailureReport {
  const d = error.detail;
  const hint = hintFor(error, trust);
  return {
    code: error.code,
    message: error.message,
    step: d.step,
    ...(d.field === undefined ? {} : { field: d.field }),
    ...(d.expected === undefined ? {} : { expected: d.expected }),
    ...(d.actual === undefined ? {} : { actual: d.actual }),
    ...(d.missing === undefined ? {} : { missing: d.missing }),
    ...(d.rekorCode === undefined ? {} : { rekorCode: d.rekorCode }),
    ...(hint === undefined ? {} : { hint }),
  };
}

/** Is this a verification failure (exit 1) rather than bad usage (exit 2)? */
export function isVerificationFailure(error: unknown): error is BundleVerifyError {
  return isBundleVerifyError(error) && error.code !== 'ARGUMENT_INVALID';
}

/**
 * A `BundleVerifyError`, recognised by name so that `@flareo/bundle-verify` is only loaded by
 * the commands that verify (errors from worker threads are rebuilt with the same name).
 */
export function isBundleVerifyError(error: unknown): error is BundleVerifyError {
  return (
    error instanceof Error &&
    error.name === 'BundleVerifyError' &&
    typeof (error as { detail?: unknown }).detail === 'object'
  );
}

/** `ARGUMENT_INVALID` from the verifier is a usage error (bad regular expression, digest…). */
export function asUsageError(error: BundleVerifyError): CliError {
  return new CliError(
    {
      code: error.code,
      message: error.message,
      step: error.detail.step,
      ...(error.detail.field === undefined ? {} : { field: error.detail.field }),
      ...(error.detail.expected === undefined ? {} : { expected: error.detail.expected }),
      ...(error.detail.actual === undefined ? {} : { actual: error.detail.actual }),
    },
    EXIT.usage,
    { cause: error },
  );
}

const FORMAT_NAMES: Record<VerificationSummary['format'], string> = {
  'sigstore-bundle-v0.1': 'Sigstore bundle v0.1',
  'sigstore-bundle-v0.2': 'Sigstore bundle v0.2',
  'sigstore-bundle-v0.3': 'Sigstore bundle v0.3',
  'cosign-legacy-bundle': 'legacy cosign bundle',
  'keyed-signature': 'keyed signature',
};

/** The human description of a successful verification, one line per fact. */
export function describeSummary(s: VerificationSummary, c: Colors): string[] {
  const rows: [string, string][] = [];
  const content =
    s.content === 'dsse'
      ? `DSSE${s.statement ? `, in-toto ${s.statement.predicateType}` : ''}`
      : 'message signature';
  rows.push(['format', `${FORMAT_NAMES[s.format]} (${content})`]);
  if (s.statement?.matchedSubject) rows.push(['subject', s.statement.matchedSubject]);
  if (s.signer.kind === 'key') {
    rows.push(['signer', `public key ${s.signer.keyId}`]);
  } else {
    rows.push(['identity', s.signer.subjectAlternativeNames.join(', ') || '(no SAN)']);
    if (s.signer.issuer) rows.push(['issuer', s.signer.issuer]);
    rows.push([
      'certificate',
      `sha256:${s.signer.certificateFingerprint}, valid ${s.signer.notBefore} .. ${s.signer.notAfter}`,
    ]);
    rows.push([
      'trusted by',
      s.signer.trustedBy.kind === 'pinned-key'
        ? `pinned key ${s.signer.trustedBy.keyId}`
        : s.signer.trustedBy.anchor,
    ]);
    const ext = s.signer.extensions;
    for (const name of ['sourceRepositoryURI', 'sourceRepositoryRef', 'buildSignerURI']) {
      const v = ext[name];
      if (v !== undefined) rows.push([name, v]);
    }
  }
  const entries = s.tlog.entries;
  if (entries.length === 0) {
    rows.push(['tlog', `no entries verified (policy ${s.tlog.policy})`]);
  } else {
    for (const [i, e] of entries.entries()) {
      const checks = (['set', 'inclusionProof', 'checkpoint', 'body'] as const)
        .filter((k) => e.checks[k])
        .map((k) => (k === 'inclusionProof' ? 'inclusion proof' : k === 'set' ? 'SET' : k))
        .join(', ');
      rows.push([
        i === 0 ? 'tlog' : '',
        `${e.kind} ${e.version} at index ${e.logIndex}${e.integratedTime ? `, integrated ${e.integratedTime}` : ''} (${checks}; policy ${s.tlog.policy})`,
      ]);
    }
  }
  if (s.times.length > 0) {
    rows.push(['times', s.times.map((t) => `${t.time} (${t.source})`).join(', ')]);
  }
  if (s.scts > 0) rows.push(['SCTs', `${s.scts} verified`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${c.dim(k.padEnd(width))}  ${v}`);
}
