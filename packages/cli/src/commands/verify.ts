import type { IdentityPolicy, VerificationSummary } from '@flareo/bundle-verify';
import type { NormalizedInput } from '@flareo/bundle-verify/input';
import { type Command, Option } from 'commander';
import { collect, decided, examples, helpText, jsonOption, run } from '../command.js';
import {
  type CosignFlags,
  cosignOptions,
  cosignTrustFlags,
  detachedCertificateInput,
  ignoresTlog,
  rejectKeyReferences,
  rejectUnsupported,
  workflowExtensions,
} from '../cosign.js';
import { EXIT, type ExitCode, type FailureReport, usageError } from '../errors.js';
import { type LookupSource, type OnlineLookup, verifyWithOnlineEntry } from '../online-log.js';
import { integerOption, urlOption } from '../options.js';
import type { Output } from '../output.js';
import { DEFAULT_LOOKUP_TIMEOUT_SECONDS, DEFAULT_REKOR_URL } from '../rekor-lookup.js';
import { loadTrust, planTrust, type TrustPlan } from '../trust.js';
import {
  type ArtifactArg,
  asUsageError,
  carriesTimestamps,
  checkIdentityRegexps,
  checkKeylessSigner,
  describeSummary,
  identityPolicy,
  isBundleVerifyError,
  isVerificationFailure,
  parseArtifact,
  REKOR_POLICIES,
  type RekorPolicyFlag,
  readSignedInput,
  type SignedInput,
  type TrustFlags,
  type VerifierExtras,
  verificationFailure,
  verifiedAsBundle,
  verifierOptions,
  withTimestampFile,
} from '../verification.js';

interface VerifyFlags extends TrustFlags, CosignFlags {
  readonly bundle?: string;
  readonly signature?: string;
  readonly rfc3161Timestamp?: string;
  readonly timeout?: number;
}

/** Everything one verification needs, gathered and checked by the CLI layer. */
interface VerifyJob {
  readonly artifact: ArtifactArg;
  readonly signed: SignedInput;
  readonly plan: TrustPlan;
  readonly policy: IdentityPolicy | undefined;
  readonly rekorPolicy: RekorPolicyFlag;
  readonly useCurrentTime: boolean;
  readonly extras?: VerifierExtras;
  readonly json: boolean;
  /** `verify-bundle` prints a one-word outcome for the conformance harness. */
  readonly terse: boolean;
  /** Look the log entry up in Rekor when the input carries none (`verify` only). */
  readonly lookup?: OnlineLookup;
  /** PEM of each `--key`, for the lookup of a keyed signature. */
  readonly keyPems?: readonly string[];
}

/** Verify one artifact and print the outcome; 0 verified, 1 failed. */
async function verifyOne(out: Output, job: VerifyJob): Promise<ExitCode> {
  const { createVerifier, summarizeResult } = await import('@flareo/bundle-verify');
  const { normalizeBundle, normalizeKeyedSignature, DEFAULT_LIMITS } = await import(
    '@flareo/bundle-verify/input'
  );
  const trust = await loadTrust(job.plan);
  const verifier = createVerifier(
    trust,
    verifierOptions(job.rekorPolicy, job.useCurrentTime, job.extras),
  );
  const base = {
    artifact: job.artifact.label,
    [job.signed.kind]: job.signed.path,
    ...(job.signed.certificatePath === undefined
      ? {}
      : { certificate: job.signed.certificatePath }),
    ...(job.signed.timestampPath === undefined
      ? {}
      : { rfc3161Timestamp: job.signed.timestampPath }),
    trust: job.plan.sources,
  };
  const fail = (report: FailureReport, extra: object = {}): ExitCode => {
    decided(EXIT.failed);
    if (job.json) out.json({ verified: false, ...base, ...extra, error: report });
    out.failure(`verification failed for ${job.artifact.label}`, report);
    return EXIT.failed;
  };
  let summary: VerificationSummary;
  let online: LookupSource | undefined;
  let input: NormalizedInput | undefined;
  try {
    input = verifiedAsBundle(job.signed)
      ? normalizeBundle(job.signed.value, DEFAULT_LIMITS)
      : normalizeKeyedSignature(job.signed.value as string);
    summary = summarizeResult(
      verifier.verifyNormalized(input, job.artifact.input, job.policy ?? {}),
    );
  } catch (error) {
    if (isBundleVerifyError(error) && !isVerificationFailure(error)) {
      throw asUsageError(error);
    }
    if (!isVerificationFailure(error)) throw error;
    // No log evidence at all: cosign looks the entry up in Rekor, and so does flareo (unless
    // --offline); what comes back is verified offline exactly as a bundle's entry.
    if (
      error.code !== 'TLOG_MISSING' ||
      input === undefined ||
      input.tlogEntries.length > 0 ||
      job.lookup === undefined
    ) {
      return fail(verificationFailure(error, job.plan));
    }
    const outcome = await verifyWithOnlineEntry(
      verifier,
      input,
      job.artifact.input,
      job.policy ?? {},
      job.lookup,
      job.keyPems ?? [],
      (text) => out.note(text),
    );
    if (!outcome.ok) {
      return fail(outcome.report, outcome.lookup ? { tlogLookup: outcome.lookup } : {});
    }
    summary = summarizeResult(outcome.result);
    online = outcome.source;
  }
  if (job.json) {
    out.json({
      verified: true,
      ...base,
      ...(online ? { tlogLookup: online } : {}),
      result: summary,
    });
  } else if (job.terse) {
    out.line(`${out.out.green('✓')} verified ${job.artifact.label}`);
  } else {
    out.line(`${out.out.green(out.out.bold('✓ Verified OK'))}  ${job.artifact.label}`);
    for (const line of describeSummary(summary, out.out)) out.line(`  ${line}`);
    if (online) out.line(`  ${out.out.dim('found at')}  ${online.url} (entry ${online.uuid})`);
  }
  return EXIT.ok;
}

/** The trust flags shared by `verify` and `verify-image`. */
export function trustOptions(command: Command, lookup = false): Command {
  return command
    .option('--key <file>', 'PEM public key(s) of the signer (KEYED trust); repeatable', collect)
    .option(
      '--trust-root <file>',
      'PEM bundle or trusted_root.json to trust instead of the public-good root; repeatable',
      collect,
    )
    .option(
      '--rekor-key <file>',
      'Rekor public key (PEM) trusted as a transparency log, beside a PEM --trust-root; repeatable',
      collect,
    )
    .option(
      '--rekor-url <url>',
      lookup
        ? `Rekor server asked for the log entry when the input carries none (default ${DEFAULT_REKOR_URL}); with --rekor-key, that log’s base URL`
        : 'base URL of the log(s) given with --rekor-key (without it, cosign’s Rekor server: noted, never contacted)',
      urlOption(),
    );
}

/** cosign's identity flags, shared by `verify` and `verify-image`. */
export function identityOptions(command: Command): Command {
  return command
    .option('--certificate-identity <san>', 'the signing certificate’s SAN, exactly')
    .option(
      '--certificate-identity-regexp <regexp>',
      'the SAN as an RE2 regular expression, searched as cosign does (anchor it: ^…$)',
    )
    .option('--certificate-oidc-issuer <url>', 'the OIDC issuer in the certificate, exactly')
    .option(
      '--certificate-oidc-issuer-regexp <regexp>',
      'the OIDC issuer as an RE2 regular expression, searched as cosign does (anchor it: ^…$)',
    );
}

/** `flareo verify ARTIFACT`: the everyday command, with cosign's flag names. */
export function registerVerify(program: Command, out: Output): void {
  const command = program
    .command('verify')
    .summary('verify an artifact against a Sigstore bundle, cosign bundle or .sig (offline)')
    .description(
      helpText([
        'Verify ARTIFACT (a path, - for standard input, or a digest sha256:<hex> / sha512:<hex>)',
        'against a Sigstore bundle or legacy cosign bundle (--bundle, format detected) or a raw',
        'base64 signature (--signature). Trust comes from --key (PEM public keys), --trust-root',
        '(PEM bundle or trusted_root.json, repeatable) or, by default, the Sigstore public-good',
        'root embedded in this build. When the input carries no transparency-log entry (a',
        'detached .sig and certificate, or a bundle without one) and the Rekor policy needs one,',
        'the entry is looked up in Rekor (--rekor-url) as cosign does, then verified offline like',
        'a bundle’s; --offline never goes online. That holds for a keyed --signature too: like',
        'cosign verify-blob --key, flareo requires its log entry unless --insecure-ignore-tlog (or',
        '--rekor-policy disabled) says to verify with the key alone.',
        '',
        'Exit status: 0 verified, 1 verification failed, 2 bad usage or unreadable input.',
      ]),
    )
    .argument('<artifact>', 'file, - (stdin), or digest sha256:<hex> | sha384:<hex> | sha512:<hex>')
    .option('--bundle <file>', 'Sigstore bundle (v0.1–v0.3) or legacy cosign bundle')
    .option(
      '--signature <file>',
      'raw base64 signature (.sig), checked against --key or the signing --certificate',
    )
    .option(
      '--rfc3161-timestamp <file>',
      'RFC 3161 timestamp written by cosign --rfc3161-timestamp, for a legacy cosign --bundle',
    );
  trustOptions(command, true);
  identityOptions(command);
  command
    .option(
      '--timeout <seconds>',
      `time allowed for the online Rekor lookup, all requests together, 1 to 3600 (default ${DEFAULT_LOOKUP_TIMEOUT_SECONDS})`,
      integerOption({ min: 1, max: 3600 }),
    )
    .addOption(
      new Option(
        '--rekor-policy <policy>',
        'transparency-log evidence required (default: require-any, for a keyed --signature too, as cosign; --insecure-ignore-tlog means disabled)',
      ).choices(REKOR_POLICIES),
    )
    .option(
      '--use-current-time',
      'also check the certificate at the current time (long-lived private-CA certificates)',
    )
    .addOption(jsonOption());
  cosignOptions(command, 'verify');
  examples(command, [
    'flareo verify --bundle app.sigstore.json \\',
    '  --certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0 \\',
    '  --certificate-oidc-issuer https://token.actions.githubusercontent.com app.tar.gz',
    "flareo verify --bundle att.sigstore --certificate-identity-regexp '^[^@]+@acme\\.example$' \\",
    '  --certificate-oidc-issuer https://github.com/login/oauth sha512:7bea9f6e…',
    'flareo verify --key cosign.pub --signature app.tar.gz.sig app.tar.gz',
    '  (the entry is looked up in Rekor as cosign does; add --insecure-ignore-tlog for a signature never logged)',
    'flareo verify --signature app.tar.gz.sig --certificate app.tar.gz.pem \\',
    "  --certificate-identity-regexp '^https://github\\.com/acme/app/.+@refs/tags/v[0-9.]+$' \\",
    '  --certificate-oidc-issuer https://token.actions.githubusercontent.com app.tar.gz',
    '  (no log entry in the input: it is looked up in Rekor at --rekor-url; --offline never goes online)',
    'flareo verify --trust-root ca.pem --rekor-key rekor.pub --rekor-policy require-set \\',
    '  --bundle app.cosign.bundle app.tar.gz',
    'flareo verify --trust-root ca.pem --rekor-policy disabled --use-current-time \\',
    '  --bundle app.cosign.bundle app.tar.gz',
    'flareo verify --trust-root trusted_root.json --rekor-policy disabled \\',
    '  --bundle app.cosign.bundle --rfc3161-timestamp app.tsr.json app.tar.gz',
  ]);
  command.action((artifact: string, flags: VerifyFlags) => {
    const json = flags.json === true || flags.output === 'json';
    return run(out, json, async () => {
      rejectUnsupported(flags, 'verify');
      rejectKeyReferences(flags.key);
      if ((flags.bundle === undefined) === (flags.signature === undefined)) {
        throw usageError(
          'give exactly one of --bundle FILE or --signature FILE',
          'a Sigstore or cosign bundle goes with --bundle; a raw .sig with --signature and --key (or --certificate)',
        );
      }
      if (flags.certificate !== undefined) {
        if (flags.signature === undefined) {
          throw usageError(
            '--certificate goes with --signature',
            'a bundle holds its own certificate: give --bundle alone',
          );
        }
        if (flags.key !== undefined) {
          throw usageError('give --key or --certificate, not both (as in cosign)');
        }
      }
      const ignoreTlog = ignoresTlog(flags);
      if (ignoreTlog && flags.rekorPolicy !== undefined && flags.rekorPolicy !== 'disabled') {
        throw usageError(
          `--insecure-ignore-tlog contradicts --rekor-policy ${flags.rekorPolicy}`,
          'give one of them',
        );
      }
      const trustFlags = cosignTrustFlags(flags, out, true);
      const plan = await planTrust(trustFlags);
      const base = identityPolicy(flags);
      const extensions = workflowExtensions(flags);
      const policy = extensions === undefined ? base : { ...(base ?? {}), extensions: extensions };
      await checkIdentityRegexps(flags, out);
      const read =
        flags.bundle !== undefined
          ? readSignedInput('bundle', flags.bundle)
          : flags.certificate !== undefined
            ? detachedCertificateInput(flags.signature as string, flags.certificate)
            : readSignedInput('signature', flags.signature as string);
      const signed =
        flags.rfc3161Timestamp === undefined
          ? read
          : withTimestampFile(read, flags.rfc3161Timestamp);
      const asBundle = verifiedAsBundle(signed);
      if (!asBundle && !plan.keyed && plan.publicGood) {
        throw usageError(
          '--signature needs the signer’s public key or certificate',
          'pass it with --key FILE (PEM), or the signing certificate with --certificate FILE',
        );
      }
      if (asBundle && !plan.keyed) checkKeylessSigner(plan, policy, out);
      // cosign, told to ignore the log, checks a certificate at a signed timestamp, else now.
      const offline = flags.offline === true;
      const rekorUrl = flags.rekorUrl ?? DEFAULT_REKOR_URL;
      const lookup: OnlineLookup = {
        url: rekorUrl,
        timeoutMs: (flags.timeout ?? DEFAULT_LOOKUP_TIMEOUT_SECONDS) * 1000,
        offline,
      };
      const currentTime =
        flags.useCurrentTime === true ||
        (ignoreTlog && flags.useSignedTimestamps !== true && !carriesTimestamps(signed));
      return verifyOne(out, {
        artifact: parseArtifact(artifact),
        signed,
        plan,
        policy,
        // Log evidence is required for every input, a keyed --signature included, as cosign
        // requires it; a raw signature never carries any, so the lookup below finds it.
        rekorPolicy: ignoreTlog ? 'disabled' : (flags.rekorPolicy ?? 'require-any'),
        useCurrentTime: currentTime,
        extras: {
          ...(flags.useSignedTimestamps ? { timestampsOnly: true } : {}),
          ...(flags.insecureIgnoreSct ? { ignoreSct: true } : {}),
        },
        json,
        terse: false,
        lookup,
        keyPems: plan.keyPems,
      });
    });
  });
}

interface VerifyBundleFlags {
  readonly bundle: string;
  readonly key?: string;
  readonly certificateIdentity?: string;
  readonly certificateOidcIssuer?: string;
  readonly trustedRoot?: string;
  readonly json?: boolean;
}

/** `flareo verify-bundle`: the client protocol of the Sigstore conformance suite. */
export function registerVerifyBundle(program: Command, out: Output): void {
  const command = program
    .command('verify-bundle')
    .summary('verify a Sigstore bundle with the Sigstore conformance-suite client protocol')
    .description(
      helpText([
        'The `verify-bundle` command of the Sigstore conformance suite’s client protocol:',
        '  flareo verify-bundle --bundle B (--key K | --certificate-identity I --certificate-oidc-issuer U)',
        '                       [--trusted-root T] FILE_OR_DIGEST',
        'Exits 0 only when the bundle verifies. Without --trusted-root, the Sigstore public-good root',
        'embedded in this build is used; nothing is fetched from the network.',
      ]),
    )
    .argument('<file-or-digest>', 'the artifact, or its digest sha256:<hex>')
    .requiredOption('--bundle <file>', 'the Sigstore bundle')
    .option('--key <file>', 'PEM public key of the signer')
    .option('--certificate-identity <san>', 'the signing certificate’s SAN, exactly')
    .option('--certificate-oidc-issuer <url>', 'the OIDC issuer, exactly')
    .option('--trusted-root <file>', 'trusted_root.json (or PEM bundle) to trust')
    .addOption(jsonOption());
  examples(command, [
    'flareo verify-bundle --bundle a.sigstore.json --certificate-identity brian@dehamer.com \\',
    '  --certificate-oidc-issuer https://github.com/login/oauth sha512:7bea9f6e…',
    'flareo verify-bundle --bundle a.sigstore.json --key key.pub --trusted-root trusted_root.json a.txt',
  ]);
  command.action((artifact: string, flags: VerifyBundleFlags) =>
    run(out, flags.json, async () => {
      const keyed = flags.key !== undefined;
      const hasIdentity =
        flags.certificateIdentity !== undefined && flags.certificateOidcIssuer !== undefined;
      if (keyed === hasIdentity) {
        throw usageError(
          keyed
            ? 'give --key or the certificate identity, not both'
            : 'give --key FILE, or both --certificate-identity and --certificate-oidc-issuer',
        );
      }
      const plan = await planTrust({
        ...(keyed ? { key: [flags.key as string] } : {}),
        ...(flags.trustedRoot === undefined ? {} : { trustRoot: [flags.trustedRoot] }),
      });
      const policy = keyed
        ? undefined
        : identityPolicy({
            certificateIdentity: flags.certificateIdentity as string,
            certificateOidcIssuer: flags.certificateOidcIssuer as string,
          });
      return verifyOne(out, {
        artifact: parseArtifact(artifact),
        signed: readSignedInput('bundle', flags.bundle),
        plan,
        policy,
        rekorPolicy: 'require-any',
        useCurrentTime: false,
        json: flags.json === true,
        terse: true,
      });
    }),
  );
}
