import { type Command, Option } from 'commander';
import { usageError } from './errors.js';
import { readBytes, readText } from './io.js';
import { applySigstoreEnv } from './sigstore-env.js';
import type { TrustFlags } from './trust.js';
import type { SignedInput } from './verification.js';

/**
 * cosign's `verify` / `verify-blob` flags that flareo reads with cosign's meaning. See
 * docs/cosign.md for the whole table, including the flags refused on purpose.
 */
export interface CosignFlags {
  /** `--certificate FILE`: the signing certificate (PEM, or base64 of PEM as cosign writes it). */
  readonly certificate?: string;
  /** `--certificate-chain FILE`: the signing certificate's CA chain, parent first, root last. */
  readonly certificateChain?: string;
  /** `--ca-roots FILE`: trusted root CA certificates (PEM). */
  readonly caRoots?: string;
  /** `--ca-intermediates FILE`: intermediate CA certificates (PEM), with `--ca-roots`. */
  readonly caIntermediates?: string;
  /** `--trusted-root FILE`: cosign's name for a trusted_root.json (flareo's `--trust-root`). */
  readonly trustedRoot?: string;
  readonly insecureIgnoreTlog?: boolean;
  readonly privateInfrastructure?: boolean;
  readonly insecureIgnoreSct?: boolean;
  readonly offline?: boolean;
  readonly useSignedTimestamps?: boolean;
  readonly newBundleFormat?: boolean;
  readonly certificateGithubWorkflowTrigger?: string;
  readonly certificateGithubWorkflowSha?: string;
  readonly certificateGithubWorkflowName?: string;
  readonly certificateGithubWorkflowRepository?: string;
  readonly certificateGithubWorkflowRef?: string;
  /** `-o, --output json|text`. */
  readonly output?: 'json' | 'text';
}

/** The five GitHub workflow flags and the Fulcio extension each one names. */
export const WORKFLOW_FLAGS = [
  ['certificateGithubWorkflowTrigger', 'trigger', 'githubWorkflowTrigger'],
  ['certificateGithubWorkflowSha', 'sha', 'githubWorkflowSha'],
  ['certificateGithubWorkflowName', 'name', 'githubWorkflowName'],
  ['certificateGithubWorkflowRepository', 'repository', 'githubWorkflowRepository'],
  ['certificateGithubWorkflowRef', 'ref', 'githubWorkflowRef'],
] as const;

/**
 * cosign flags flareo refuses on purpose, each with the reason. They are declared (hidden from
 * `--help`) so that using one says why, with exit 2, instead of "unknown option".
 */
const UNSUPPORTED: Record<string, { readonly value: boolean; readonly why: string }> = {
  sk: {
    value: false,
    why: 'hardware security keys (PIV) are not read; export the public key to PEM and pass it with --key',
  },
  slot: {
    value: true,
    why: 'hardware security keys (PIV) are not read; export the public key to PEM and pass it with --key',
  },
  sct: {
    value: true,
    why: 'detached SCTs are not read; the SCTs embedded in the certificate are verified against the trust root’s CT logs',
  },
  'timestamp-certificate-chain': {
    value: true,
    why: 'timestamp authorities come from the trust root; pass a trusted_root.json listing the TSA with --trusted-root',
  },
  'max-workers': {
    value: true,
    why: 'a single verification has no workers; for many artifacts use flareo verify-batch --concurrency',
  },
  'experimental-oci11': {
    value: false,
    why: 'flareo verify-image always looks for OCI 1.1 referrers as well as cosign .sig tags',
  },
  payload: {
    value: true,
    why: 'verify-image reads the signed payload from the registry or layout, never from a separate file',
  },
  'local-image': {
    value: false,
    why: 'pass the image layout directly: flareo verify-image oci:DIR (an OCI image layout, as written by cosign save or skopeo)',
  },
  'check-claims': {
    value: false,
    why: 'claims are always checked: the signed payload must name the image digest',
  },
  attachment: {
    value: true,
    why: 'attachments (sbom) are deprecated in cosign and not verified by flareo',
  },
  'attachment-tag-prefix': {
    value: true,
    why: 'custom attachment tag prefixes are not supported; signatures are found by the standard sha256-<hex>.sig tag and OCI 1.1 referrers',
  },
  certificate: {
    value: true,
    why: 'verify-image reads the signing certificate with each signature, from the registry or layout (cosign .sig manifest or Sigstore bundle)',
  },
  signature: {
    value: true,
    why: 'verify-image reads the signatures from the registry or layout (cosign deprecated --signature for images)',
  },
  'signature-digest-algorithm': {
    value: true,
    why: 'the digest algorithm comes from the signature material itself',
  },
  'k8s-keychain': {
    value: false,
    why: 'Kubernetes keychains are not read; use --registry-username with FLAREO_REGISTRY_PASSWORD, or FLAREO_REGISTRY_TOKEN',
  },
  'allow-insecure-registry': {
    value: false,
    why: 'TLS is always verified; --allow-http allows plain HTTP to a loopback registry only',
  },
  'allow-http-registry': {
    value: false,
    why: 'use --allow-http, which allows plain HTTP to a loopback registry only',
  },
  'registry-password': {
    value: true,
    why: 'passwords are never taken from the command line; set FLAREO_REGISTRY_PASSWORD',
  },
  'registry-token': {
    value: true,
    why: 'tokens are never taken from the command line; set FLAREO_REGISTRY_TOKEN',
  },
  'registry-cacert': {
    value: true,
    why: 'registry TLS uses the system CA store (NODE_EXTRA_CA_CERTS adds one)',
  },
  'registry-client-cert': {
    value: true,
    why: 'registry client certificates (mTLS) are not supported',
  },
  'registry-client-key': {
    value: true,
    why: 'registry client certificates (mTLS) are not supported',
  },
  'output-file': {
    value: true,
    why: 'redirect standard output instead: flareo … > FILE (or --json > FILE)',
  },
  verbose: {
    value: false,
    why: 'the report already names each failed step; FLAREO_DEBUG=1 adds stack traces',
  },
  timeout: {
    value: true,
    why: 'verify is offline and bounded by its input limits: nothing waits on the network',
  },
  'registry-server-name': {
    value: true,
    why: 'registry client certificates (mTLS) are not supported',
  },
};

/** Which unsupported flags each command declares. */
const UNSUPPORTED_BY_COMMAND = {
  verify: [
    'output-file',
    'verbose',
    'sk',
    'slot',
    'sct',
    'timestamp-certificate-chain',
    'max-workers',
    'experimental-oci11',
    'signature-digest-algorithm',
  ],
  'verify-image': [
    'output-file',
    'verbose',
    'certificate',
    'signature',
    'timestamp-certificate-chain',
    'sk',
    'slot',
    'sct',
    'max-workers',
    'experimental-oci11',
    'payload',
    'local-image',
    'check-claims',
    'attachment',
    'attachment-tag-prefix',
    'signature-digest-algorithm',
    'k8s-keychain',
    'allow-insecure-registry',
    'allow-http-registry',
    'registry-password',
    'registry-token',
    'registry-cacert',
    'registry-client-cert',
    'registry-client-key',
    'registry-server-name',
  ],
} as const;

const camel = (flag: string): string =>
  flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** Declare cosign's flags on `verify` or `verify-image`, and the ones refused on purpose. */
export function cosignOptions(command: Command, which: 'verify' | 'verify-image'): Command {
  if (which === 'verify') {
    command.option(
      '--certificate <file>',
      'the signing certificate of a detached --signature (PEM, or base64 of PEM as cosign writes it)',
    );
  }
  command
    .option(
      '--certificate-chain <file>',
      'CA certificates (PEM) of the signing certificate, parent first, root last: trusted instead of the root’s CAs',
    )
    .option('--ca-roots <file>', 'root CA certificates (PEM) trusted instead of the root’s CAs')
    .option('--ca-intermediates <file>', 'intermediate CA certificates (PEM), with --ca-roots')
    .option(
      '--trusted-root <file>',
      'a trusted_root.json to trust (cosign’s name for --trust-root)',
    )
    .option(
      '--insecure-ignore-tlog',
      'require no transparency-log entry (cosign); the certificate is then checked at a timestamp, or now',
    )
    .option('--private-infrastructure', 'same as --insecure-ignore-tlog (cosign)')
    .option('--insecure-ignore-sct', 'do not verify the certificate’s embedded SCTs (cosign)')
    .option(
      '--offline',
      which === 'verify'
        ? 'never go online: input without a transparency-log entry fails, naming it (no Rekor lookup)'
        : 'accepted for cosign compatibility: flareo never uses the network to verify',
    )
    .option(
      '--use-signed-timestamps',
      'a certificate must be checked at a verified RFC 3161 timestamp (cosign)',
    )
    .option('--new-bundle-format', 'accepted for cosign compatibility: the format is detected');
  for (const [, suffix] of WORKFLOW_FLAGS) {
    command.option(
      `--certificate-github-workflow-${suffix} <value>`,
      `the certificate's GitHub workflow ${suffix} (Fulcio extension), exactly`,
    );
  }
  command.addOption(
    new Option('-o, --output <format>', 'output format (cosign): json is --json').choices([
      'json',
      'text',
    ]),
  );
  for (const flag of UNSUPPORTED_BY_COMMAND[which]) {
    const spec = UNSUPPORTED[flag] as { value: boolean };
    command.addOption(new Option(`--${flag}${spec.value ? ' <value>' : ''}`).hideHelp());
  }
  return command;
}

/** Exit 2 naming the first cosign flag given that flareo refuses on purpose, and why. */
export function rejectUnsupported(flags: object, which: 'verify' | 'verify-image'): void {
  for (const flag of UNSUPPORTED_BY_COMMAND[which]) {
    if ((flags as Record<string, unknown>)[camel(flag)] !== undefined) {
      throw usageError(
        `cosign's --${flag} is not supported by flareo ${which}`,
        (UNSUPPORTED[flag] as { why: string }).why,
      );
    }
  }
}

/** A `--key` that names a KMS, a URL or another cosign key reference rather than a PEM file. */
const KEY_REFERENCE = /^(awskms|gcpkms|azurekms|hashivault|k8s|gitlab|env|pkcs11|https?):\/\//i;

/** Refuse cosign key references flareo cannot read (exit 2), before any file is opened. */
export function rejectKeyReferences(keys: readonly string[] | undefined): void {
  for (const key of keys ?? []) {
    const m = KEY_REFERENCE.exec(key);
    if (m) {
      throw usageError(
        `--key ${key}: ${(m[1] as string).toLowerCase()}:// key references are not supported`,
        'flareo verifies offline from a PEM public key file: export the key (cosign public-key --key REF > key.pub) and pass --key key.pub',
      );
    }
  }
}

/** The Fulcio extension policy of the five workflow flags (exact values), if any was given. */
export function workflowExtensions(flags: CosignFlags): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [field, , extension] of WORKFLOW_FLAGS) {
    const value = flags[field];
    if (value !== undefined) out[extension] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

/** `--insecure-ignore-tlog` or its cosign synonym `--private-infrastructure`. */
export function ignoresTlog(flags: CosignFlags): boolean {
  return flags.insecureIgnoreTlog === true || flags.privateInfrastructure === true;
}

const BASE64_TEXT = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/**
 * `--signature FILE --certificate FILE` (cosign sign-blob's `--output-signature` and
 * `--output-certificate`) as one legacy cosign bundle without log evidence: the signature in
 * base64 and the certificate as cosign writes it (PEM, or base64 of the PEM). The verifier
 * reads, checks and limits both exactly as it does inside a cosign bundle.
 */
export function detachedCertificateInput(
  signaturePath: string,
  certificatePath: string,
): SignedInput {
  const raw = readBytes(signaturePath, 'signature');
  const text = Buffer.from(raw).toString('latin1');
  const base64Signature =
    text.trim().length > 0 && BASE64_TEXT.test(text)
      ? text.replace(/\s+/g, '')
      : Buffer.from(raw).toString('base64');
  const cert = readText(certificatePath, 'certificate').trim();
  return {
    kind: 'signature',
    path: signaturePath,
    value: { base64Signature, cert },
    certificatePath,
  };
}

/**
 * The trust flags with cosign's spellings folded in: `--trusted-root` joins `--trust-root`,
 * and cosign's `--rekor-url` names the base URL of the logs of `--rekor-key` when there are
 * any. Otherwise it is only the server of `verify`'s online lookup (`lookup` true), or, for
 * commands without a lookup, noted and set aside.
 */
export function cosignTrustFlags(
  flags: TrustFlags & Pick<CosignFlags, 'trustedRoot'>,
  out: { note(text: string): void; warn(text: string): void },
  lookup = false,
  env: NodeJS.ProcessEnv = process.env,
): TrustFlags {
  const trustRoot = [...(flags.trustRoot ?? []), ...(flags.trustedRoot ? [flags.trustedRoot] : [])];
  const rekorUrl = flags.rekorUrl;
  const keepUrl = rekorUrl !== undefined && (flags.rekorKey?.length ?? 0) > 0;
  if (rekorUrl !== undefined && !keepUrl && !lookup) {
    out.note(
      `note: --rekor-url ${rekorUrl} is not contacted: flareo verifies the log evidence the input carries, offline`,
    );
  }
  const pick = <K extends keyof TrustFlags>(k: K) =>
    flags[k] === undefined ? {} : ({ [k]: flags[k] } as Pick<TrustFlags, K>);
  const folded = applySigstoreEnv(
    {
      ...pick('key'),
      ...pick('rekorKey'),
      ...pick('certificateChain'),
      ...pick('caRoots'),
      ...pick('caIntermediates'),
      ...(trustRoot.length ? { trustRoot } : {}),
    },
    env,
    out,
  );
  // The URL names the logs of --rekor-key, or of SIGSTORE_REKOR_PUBLIC_KEY.
  return keepUrl || (folded.env?.rekorKey !== undefined && rekorUrl !== undefined)
    ? { ...folded, rekorUrl: rekorUrl as string }
    : folded;
}
