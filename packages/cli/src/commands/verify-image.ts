import { statSync } from 'node:fs';
import type { IdentityPolicy } from '@flareo/bundle-verify';
import type {
  ImageVerificationResult,
  ImageVerifyError,
  SignatureReport,
  SignatureSource,
} from '@flareo/image-verify';
import { type Command, Option } from 'commander';
import { collect, decided, examples, helpText, jsonOption, run } from '../command.js';
import {
  type CosignFlags,
  cosignOptions,
  cosignTrustFlags,
  ignoresTlog,
  rejectKeyReferences,
  rejectUnsupported,
  workflowExtensions,
} from '../cosign.js';
import { CliError, EXIT, type ExitCode, type FailureReport, usageError } from '../errors.js';
import { integerOption, platformOption } from '../options.js';
import type { Output } from '../output.js';
import { loadTrust, planTrust, type TrustPlan } from '../trust.js';
import {
  checkIdentityRegexps,
  checkKeylessSigner,
  describeSummary,
  identityPolicy,
  REKOR_POLICIES,
  type RekorPolicyFlag,
  type TrustFlags,
  type VerifierExtras,
  verifierOptions,
} from '../verification.js';
import { identityOptions, trustOptions } from './verify.js';

interface VerifyImageFlags extends TrustFlags, CosignFlags {
  readonly annotations?: string[];
  readonly platform?: string[];
  readonly allPlatforms?: boolean;
  readonly allowHttp?: boolean;
  readonly registryUsername?: string;
  readonly timeout?: number;
}

/** Where the image comes from: a registry reference or an OCI layout. */
type ImageTarget =
  | { readonly kind: 'registry'; readonly reference: string }
  | { readonly kind: 'layout'; readonly dir: string; readonly image?: string };

/**
 * `oci:DIR`, `oci:DIR:REF_NAME`, `oci:DIR@sha256:<hex>` (skopeo's spelling), or an existing
 * directory holding an `oci-layout` file; anything else is a registry reference.
 */
export function parseImageTarget(arg: string): ImageTarget {
  if (arg.startsWith('oci:')) {
    const rest = arg.slice(4);
    const at = rest.indexOf('@sha');
    if (at > 0) return { kind: 'layout', dir: rest.slice(0, at), image: rest.slice(at + 1) };
    const colon = rest.lastIndexOf(':');
    if (colon > 0)
      return { kind: 'layout', dir: rest.slice(0, colon), image: rest.slice(colon + 1) };
    if (!rest) throw usageError('oci: needs a directory', 'write oci:DIR or oci:DIR:REF_NAME');
    return { kind: 'layout', dir: rest };
  }
  try {
    if (statSync(arg, { bigint: true }).isDirectory()) return { kind: 'layout', dir: arg };
  } catch {
    // not a local path: a registry reference
  }
  return { kind: 'registry', reference: arg };
}

function parseAnnotations(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) {
      throw usageError(`-a ${value}: expected key=value`, 'for example -a module=demo');
    }
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}

/** Problems with what was named or how it was reached: bad usage or unreadable input (exit 2). */
const INPUT_CODES = new Set([
  'REFERENCE_INVALID',
  'ARGUMENT_INVALID',
  'IMAGE_NOT_FOUND',
  'LAYOUT_INVALID',
  'REGISTRY_ERROR',
  'AUTH_FAILED',
]);

function isImageVerifyError(error: unknown): error is ImageVerifyError {
  return (
    error instanceof Error &&
    error.name === 'ImageVerifyError' &&
    typeof (error as { detail?: unknown }).detail === 'object'
  );
}

function reportOfImageError(error: ImageVerifyError): FailureReport {
  const d = error.detail;
  return {
    code: error.code,
    message: error.message,
    ...(d.location === undefined ? {} : { field: String(d.location) }),
    ...(d.expected === undefined ? {} : { expected: d.expected }),
    ...(d.actual === undefined ? {} : { actual: d.actual }),
  };
}

function hintForImage(result: ImageVerificationResult, plan: TrustPlan): string | undefined {
  const all = [result, ...(result.platforms ?? [])].flatMap((r) => r.signatures);
  const codes = new Set(all.filter((s) => !s.verified).map((s) => (s.verified ? '' : s.code)));
  if (all.length === 0) {
    return 'sign the image with cosign (a sha256-<hex>.sig manifest or a Sigstore bundle referrer); for a layout, copy the signature tags too (see docs/image-verify.md)';
  }
  if (codes.has('UNTRUSTED_SIGNER')) {
    return plan.publicGood
      ? 'the signer does not chain to the Sigstore public-good CA; for a private CA pass it with --trust-root FILE'
      : 'pass the certificate authority that issued the signing certificate with --trust-root FILE';
  }
  if (codes.has('IDENTITY_MISMATCH')) {
    return 'check --certificate-identity(-regexp) and --certificate-oidc-issuer against the signer named below';
  }
  if (codes.has('TLOG_UNTRUSTED')) {
    return 'pass the log’s public key with --rekor-key FILE, or a trusted_root.json listing it';
  }
  if (codes.has('PAYLOAD_DIGEST_MISMATCH')) {
    return 'a signature names another image digest: it was copied from (or made for) another image';
  }
  return undefined;
}

function originText(s: SignatureReport): string {
  const o = s.origin;
  const kind =
    s.kind === 'cosign'
      ? 'cosign signature'
      : s.kind === 'bundle'
        ? 'Sigstore bundle'
        : 'unreadable signature';
  const where =
    o.via === 'signature-tag'
      ? `.sig layer ${o.layer ?? 0}`
      : o.via === 'referrers-api'
        ? 'referrer (API)'
        : o.via === 'referrers-tag'
          ? 'referrer (fallback tag)'
          : 'layout entry';
  return `${kind}, ${where}, ${o.manifest.slice(0, 19)}…`;
}

function describeImage(out: Output, result: ImageVerificationResult, stream: 'out' | 'err'): void {
  const c = stream === 'out' ? out.out : out.err;
  const write = (line: string) => (stream === 'out' ? out.line(line) : out.note(line));
  const images = [result, ...(result.platforms ?? [])];
  for (const image of images) {
    const verified = image.signatures.filter((s) => s.verified).length;
    const label = image.platform
      ? `platform ${image.platform.os}/${image.platform.architecture}${image.platform.variant ? `/${image.platform.variant}` : ''}`
      : 'image';
    write(
      `  ${label} ${image.digest}: ${verified} of ${image.signatures.length} signature(s) verified`,
    );
    for (const s of image.signatures) {
      if (s.verified) {
        write(`    ${c.green('✓')} ${originText(s)}`);
        for (const line of describeSummary(s.result, c)) write(`        ${line}`);
      } else {
        write(`    ${c.red('✗')} ${originText(s)}: ${c.red(s.code)} ${s.message}`);
      }
    }
  }
}

/** `flareo verify-image IMAGE_REF_OR_LAYOUT`: cosign verify for module images. */
export function registerVerifyImage(program: Command, out: Output): void {
  const command = program
    .command('verify-image')
    .summary('verify the signatures of a container image, from a registry or an OCI layout')
    .description(
      helpText([
        'Prove that a container image digest is signed: its cosign signatures (the',
        'sha256-<hex>.sig manifest) and Sigstore bundles attached as OCI 1.1 referrers are',
        'found and verified; at least one must verify against the trust root and the identity',
        'policy. IMAGE is a registry reference (registry/repository[:tag][@sha256:<hex>]) or an',
        'OCI image layout: a directory, oci:DIR, oci:DIR:REF_NAME or oci:DIR@sha256:<hex>.',
        'A layout is verified fully offline; a registry is read over the OCI distribution API',
        '(anonymous or token auth; FLAREO_REGISTRY_PASSWORD or FLAREO_REGISTRY_TOKEN from the',
        'environment). Verification itself never uses the network.',
        '',
        'Exit status: 0 verified, 1 no signature verified, 2 bad usage or unreadable input.',
      ]),
    )
    .argument('<image>', 'registry reference, or OCI layout (DIR, oci:DIR[:REF_NAME])');
  trustOptions(command);
  identityOptions(command);
  command
    .addOption(
      new Option(
        '--rekor-policy <policy>',
        'transparency-log evidence required (default: require-any)',
      ).choices(REKOR_POLICIES),
    )
    .option(
      '--use-current-time',
      'also check the certificate at the current time (long-lived private-CA certificates)',
    )
    .option(
      '-a, --annotations <key=value>',
      'a claim the signed payload must carry in "optional" (like cosign -a); repeatable',
      collect,
    )
    .option(
      '--platform <os/arch[/variant]>',
      'for a multi-arch index, also require this platform manifest to be signed; repeatable',
      platformOption(),
    )
    .option('--all-platforms', 'for a multi-arch index, require every platform manifest signed')
    .option('--allow-http', 'plain HTTP to a loopback registry (localhost, 127.0.0.0/8, [::1])')
    .option('--registry-username <user>', 'registry user (password from FLAREO_REGISTRY_PASSWORD)')
    .option(
      '--timeout <seconds>',
      'timeout of each registry request, 1 to 3600 (default 30)',
      integerOption({ min: 1, max: 3600 }),
    )
    .addOption(jsonOption());
  cosignOptions(command, 'verify-image');
  examples(command, [
    'flareo verify-image ghcr.io/flareo/modules/demo@sha256:5e28… \\',
    "  --certificate-identity-regexp '^https://github\\.com/flareo/.+$' \\",
    '  --certificate-oidc-issuer https://token.actions.githubusercontent.com',
    'flareo verify-image oci:./demo-layout:v1 --trust-root trusted_root.json \\',
    "  --certificate-identity-regexp '^https://github\\.com/flareo/.+$' \\",
    '  --certificate-oidc-issuer https://token.actions.githubusercontent.com --all-platforms',
    'flareo verify-image --allow-http 127.0.0.1:5000/modules/demo:v1 -a module=demo --json …',
  ]);
  command.action((image: string, flags: VerifyImageFlags) => {
    const json = flags.json === true || flags.output === 'json';
    return run(out, json, async () => {
      rejectUnsupported(flags, 'verify-image');
      rejectKeyReferences(flags.key);
      const ignoreTlog = ignoresTlog(flags);
      if (ignoreTlog && flags.rekorPolicy !== undefined && flags.rekorPolicy !== 'disabled') {
        throw usageError(
          `--insecure-ignore-tlog contradicts --rekor-policy ${flags.rekorPolicy}`,
          'give one of them',
        );
      }
      const target = parseImageTarget(image);
      const plan = await planTrust(cosignTrustFlags(flags, out));
      const base = identityPolicy(flags);
      const extensions = workflowExtensions(flags);
      const policy = extensions === undefined ? base : { ...(base ?? {}), extensions };
      await checkIdentityRegexps(flags, out);
      const requireAnnotations = parseAnnotations(flags.annotations ?? []);
      if (flags.allPlatforms && flags.platform?.length) {
        throw usageError('give --all-platforms or --platform, not both');
      }
      if (!plan.keyed) checkKeylessSigner(plan, policy, out);
      if (target.kind === 'layout' && (flags.allowHttp || flags.registryUsername)) {
        throw usageError('--allow-http and --registry-username are for registry references');
      }
      const iv = await import('@flareo/image-verify');
      let source: SignatureSource;
      try {
        source =
          target.kind === 'layout'
            ? iv.openOciLayout(
                target.dir,
                target.image === undefined ? {} : { image: target.image },
              )
            : iv.registrySource(target.reference, {
                ...(flags.allowHttp ? { plainHttp: true } : {}),
                ...(flags.timeout === undefined ? {} : { timeoutMs: flags.timeout * 1000 }),
                ...registryAuth(flags),
              });
      } catch (error) {
        if (isImageVerifyError(error))
          throw new CliError(reportOfImageError(error), EXIT.usage, { cause: error });
        throw error;
      }
      const trust = await loadTrust(plan);
      return verifyImageJob(out, {
        source,
        plan,
        trust,
        policy,
        requireAnnotations,
        platforms: flags.allPlatforms ? true : (flags.platform ?? false),
        rekorPolicy: ignoreTlog ? 'disabled' : (flags.rekorPolicy ?? 'require-any'),
        // cosign, told to ignore the log, checks a certificate at a signed timestamp, else now.
        useCurrentTime:
          flags.useCurrentTime === true || (ignoreTlog && flags.useSignedTimestamps !== true),
        extras: {
          ...(flags.useSignedTimestamps ? { timestampsOnly: true } : {}),
          ...(flags.insecureIgnoreSct ? { ignoreSct: true } : {}),
        },
        json,
        label: image,
      });
    });
  });
}

function registryAuth(flags: VerifyImageFlags) {
  const token = process.env.FLAREO_REGISTRY_TOKEN;
  const password = process.env.FLAREO_REGISTRY_PASSWORD;
  if (flags.registryUsername !== undefined) {
    if (!password) {
      throw usageError(
        '--registry-username needs the password in FLAREO_REGISTRY_PASSWORD',
        'passwords are never taken from the command line',
      );
    }
    return { auth: { username: flags.registryUsername, password } };
  }
  if (token) return { auth: { token } };
  return {};
}

interface ImageJob {
  readonly source: SignatureSource;
  readonly plan: TrustPlan;
  readonly trust: Awaited<ReturnType<typeof loadTrust>>;
  readonly policy: IdentityPolicy | undefined;
  readonly requireAnnotations: Record<string, string>;
  readonly platforms: boolean | string[];
  readonly rekorPolicy: RekorPolicyFlag;
  readonly useCurrentTime: boolean;
  readonly extras?: VerifierExtras;
  readonly json: boolean;
  readonly label: string;
}

async function verifyImageJob(out: Output, job: ImageJob): Promise<ExitCode> {
  const { createImageVerifier } = await import('@flareo/image-verify');
  const base = { image: job.label, source: job.source.description, trust: job.plan.sources };
  let result: ImageVerificationResult;
  try {
    const collected = await job.source.collect({ platforms: job.platforms });
    const verifier = createImageVerifier(
      job.trust,
      verifierOptions(job.rekorPolicy, job.useCurrentTime, job.extras),
    );
    result = verifier.inspectImage(collected, {
      identity: job.policy ?? {},
      requireAnnotations: job.requireAnnotations,
    });
  } catch (error) {
    if (!isImageVerifyError(error)) throw error;
    const report = reportOfImageError(error);
    if (INPUT_CODES.has(error.code)) throw new CliError(report, EXIT.usage, { cause: error });
    decided(EXIT.failed);
    if (job.json) out.json({ verified: false, ...base, error: report });
    out.failure(`verification failed for ${job.label}`, report);
    return EXIT.failed;
  }
  if (!result.verified) {
    const failing =
      [result, ...(result.platforms ?? [])].find((r) => !r.signatures.some((s) => s.verified)) ??
      result;
    const code = failing.signatures.length === 0 ? 'NO_SIGNATURES' : 'NO_VERIFIED_SIGNATURE';
    const hint = hintForImage(result, job.plan);
    const report: FailureReport = {
      code,
      message:
        code === 'NO_SIGNATURES'
          ? `no signature found for ${failing.digest}`
          : `none of the ${failing.signatures.length} signature(s) of ${failing.digest} verified`,
      ...(hint === undefined ? {} : { hint }),
    };
    decided(EXIT.failed);
    if (job.json)
      out.json({ verified: false, ...base, digest: result.digest, error: report, result });
    out.failure(`verification failed for ${job.label}`, report);
    describeImage(out, result, 'err');
    return EXIT.failed;
  }
  if (job.json) {
    out.json({ verified: true, ...base, digest: result.digest, result });
  } else {
    out.line(`${out.out.green(out.out.bold('✓ Verified OK'))}  ${job.label}`);
    describeImage(out, result, 'out');
  }
  return EXIT.ok;
}
