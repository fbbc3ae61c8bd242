import type {
  ArtifactInput,
  BundleVerifier,
  CompiledIdentityPolicy,
  IdentityPolicy,
  VerificationResult,
} from '@flareo/bundle-verify';
import type { NormalizedInput } from '@flareo/bundle-verify/input';
import { CliError, type FailureReport } from './errors.js';
import {
  checkRekorUrl,
  type LookupAnswer,
  type LookupOptions,
  lookUpLogEntries,
  sha256,
  toPem,
} from './rekor-lookup.js';
import { isBundleVerifyError, isVerificationFailure, verificationFailure } from './verification.js';

/** How `verify` treats input that carries no transparency-log entry. */
export interface OnlineLookup extends LookupOptions {
  /** `--offline`: never go online; fail naming the missing evidence. */
  readonly offline: boolean;
}

/** Where a log entry found online came from (part of the JSON output). */
export interface LookupSource {
  readonly url: string;
  readonly uuid: string;
}

/** The outcome of a lookup: a verified result, or the failure to report (exit 1). */
export type LookupOutcome =
  | { readonly ok: true; readonly result: VerificationResult; readonly source: LookupSource }
  | {
      readonly ok: false;
      readonly report: FailureReport;
      readonly lookup?: { readonly url: string; readonly entries: number };
    };

const BODY_MISMATCH = /^BODY_/;
const PUBLIC_KEY_BLOCK = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/** Each PUBLIC KEY block of a `--key` file, ending with a newline as cosign logs it. */
function pemBlocks(text: string): string[] {
  return (text.match(PUBLIC_KEY_BLOCK) ?? []).map((block) => `${block}\n`);
}

function hexDigest(artifact: ArtifactInput): Uint8Array | undefined {
  if (artifact instanceof Uint8Array) return sha256(artifact);
  if ('bytes' in artifact) return sha256(artifact.bytes);
  const m = /^sha256:([0-9a-f]{64})$/i.exec(artifact.digest);
  return m ? new Uint8Array(Buffer.from(m[1] as string, 'hex')) : undefined;
}

/**
 * What restores air-gapped verification of a raw keyed `--signature`: until flareo 0.2 it
 * needed no log evidence by default; since then it needs an entry, as in cosign.
 */
export const KEYED_WITHOUT_TLOG_HINT =
  'a keyed --signature needs a transparency-log entry by default, as in cosign; to verify it with the key alone (flareo’s default before 0.2), pass --insecure-ignore-tlog or --rekor-policy disabled';

/** Is this a raw `--signature` checked against `--key` (no certificate, never any log entry)? */
function isKeyedSignature(input: NormalizedInput): boolean {
  return input.format === 'keyed-signature';
}

/**
 * A lookup of a keyed signature that could not be completed (exit 2): its hint names the
 * flag that verifies with the key alone rather than `--offline` (which would only fail).
 */
function withKeyedHint(error: unknown, keyed: boolean): unknown {
  if (!keyed || !(error instanceof CliError)) return error;
  const hint = `${KEYED_WITHOUT_TLOG_HINT}; or name another Rekor server with --rekor-url URL`;
  return new CliError(
    { ...error.report, hint },
    error.exitCode,
    error.cause === undefined ? undefined : { cause: error.cause },
  );
}

function missing(message: string, hint: string): LookupOutcome {
  return {
    ok: false,
    report: {
      code: 'TLOG_MISSING',
      message,
      step: 'tlog',
      missing: 'a transparency-log entry for this signature',
      hint,
    },
  };
}

/**
 * The input verified up to its log evidence and has none: find its entry in Rekor (unless
 * `--offline`) and verify each entry found exactly as a bundle's, offline, with the same
 * verifier and policy. The first entry that verifies wins; a server can only make this fail.
 */
export async function verifyWithOnlineEntry(
  verifier: BundleVerifier,
  input: NormalizedInput,
  artifact: ArtifactInput,
  policy: IdentityPolicy | CompiledIdentityPolicy,
  lookup: OnlineLookup,
  keyPems: readonly string[],
  note: (text: string) => void,
): Promise<LookupOutcome> {
  const keyed = isKeyedSignature(input);
  if (lookup.offline) {
    return keyed
      ? missing(
          'the keyed signature carries no transparency-log entry (a raw --signature never does), and --offline forbids looking it up in Rekor',
          `drop --offline to look the entry up in Rekor (--rekor-url); ${KEYED_WITHOUT_TLOG_HINT}`,
        )
      : missing(
          'the input carries no transparency-log entry, and --offline forbids looking it up',
          'verify a bundle that holds the entry (--bundle), or drop --offline to look it up in Rekor (--rekor-url); if it was signed without Rekor, pass --insecure-ignore-tlog (or --rekor-policy disabled)',
        );
  }
  if (input.content.kind !== 'message') {
    return missing(
      'the input carries no transparency-log entry, and the online lookup finds message signatures (hashedrekord entries) only',
      'verify the bundle that holds the entry (--bundle), or pass --insecure-ignore-tlog if it was never logged',
    );
  }
  const digest = hexDigest(artifact);
  if (digest === undefined) {
    return missing(
      'the input carries no transparency-log entry, and Rekor is searched by the artifact’s SHA-256',
      keyed
        ? `give the artifact itself, or its digest as sha256:<hex>; ${KEYED_WITHOUT_TLOG_HINT}`
        : 'give the artifact itself, or its digest as sha256:<hex>',
    );
  }
  const signer = input.signer;
  const verifierPems =
    signer.kind === 'certificate' && signer.chain[0]
      ? [toPem('CERTIFICATE', signer.chain[0])]
      : signer.kind === 'public-key' && signer.spki
        ? [toPem('PUBLIC KEY', signer.spki)]
        : keyPems.flatMap((text) => [text, ...pemBlocks(text)]);
  let answer: LookupAnswer;
  try {
    checkRekorUrl(lookup.url);
    note(
      keyed
        ? `note: the keyed signature carries no transparency-log entry; looking it up at ${lookup.url} as cosign does (--offline never goes online; --insecure-ignore-tlog verifies with the key alone)`
        : `note: the input carries no transparency-log entry; looking it up at ${lookup.url} (--offline never goes online)`,
    );
    answer = await lookUpLogEntries(
      { artifactSha256: digest, signature: input.content.signature, verifierPems },
      lookup,
    );
  } catch (error) {
    throw withKeyedHint(error, keyed);
  }
  const failures: FailureReport[] = [];
  for (const candidate of answer.entries) {
    try {
      const result = verifier.verifyNormalized(
        { ...input, tlogEntries: [candidate.entry] },
        artifact,
        policy,
      );
      return { ok: true, result, source: { url: lookup.url, uuid: candidate.uuid } };
    } catch (error) {
      if (!isBundleVerifyError(error) || !isVerificationFailure(error)) throw error;
      const report = verificationFailure(error, undefined);
      failures.push({ ...report, message: `entry ${candidate.uuid}: ${report.message}` });
    }
  }
  const count = answer.entries.length + answer.refused.length;
  const lookupInfo = { url: lookup.url, entries: count };
  // An entry that is about this signature but fails its proof says more than one about
  // something else; an entry the server filed under a wrong UUID comes next.
  const bound = failures.find((f) => !BODY_MISMATCH.test(f.rekorCode ?? ''));
  if (bound) {
    return {
      ok: false,
      report: { ...bound, message: `log entry from ${lookup.url}: ${bound.message}` },
      lookup: lookupInfo,
    };
  }
  const first = answer.refused[0];
  if (first) {
    return {
      ok: false,
      report: {
        code: 'TLOG_ENTRY_INVALID',
        message: `log entry ${first.uuid} from ${lookup.url}: ${first.error.message}`,
        step: 'tlog',
        rekorCode: first.error.code,
        ...(first.error.detail.field === undefined ? {} : { field: first.error.detail.field }),
      },
      lookup: lookupInfo,
    };
  }
  return {
    ok: false,
    report: {
      code: 'TLOG_ENTRY_NOT_FOUND',
      message:
        count === 0
          ? `the transparency log at ${lookup.url} has no entry for this signature and artifact`
          : `none of the ${count} entries the transparency log at ${lookup.url} returned is for this signature, signer and artifact`,
      step: 'tlog',
      missing: 'a transparency-log entry for this signature',
      ...(failures[0]?.rekorCode === undefined ? {} : { rekorCode: failures[0].rekorCode }),
      hint: keyed
        ? `check --rekor-url names the log the signature was written to; ${KEYED_WITHOUT_TLOG_HINT}`
        : 'check --rekor-url names the log the signature was written to; pass --insecure-ignore-tlog if it was never logged',
    },
    lookup: lookupInfo,
  };
}
