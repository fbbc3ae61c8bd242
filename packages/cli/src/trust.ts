import type { TrustInput } from '@flareo/bundle-verify/node';
import type { PemTrustBundleOptions, TrustRoot } from '@flareo/trust-root';
import type { TufProvenance } from '@flareo/trust-root/tuf';
import { CliError, inputError, usageError } from './errors.js';
import { readText } from './io.js';
import type { EnvTrust } from './sigstore-env.js';
import type { IdentityFlags, RekorPolicyFlag } from './verification.js';

/**
 * The trust, identity and Rekor flags `verify`, `verify-batch` and `verify-image` share (the
 * one definition; `verification.ts` re-exports it for the commands). {@link planTrust} reads
 * the trust sources; the verification helpers read the rest.
 */
export interface TrustFlags extends IdentityFlags {
  /** `--key FILE`, repeatable: PEM public keys (KEYED trust). */
  readonly key?: readonly string[];
  /** `--trust-root FILE`, repeatable: PEM bundles or trusted_root.json files. */
  readonly trustRoot?: readonly string[];
  /** `--rekor-key FILE`, repeatable: Rekor public keys (PEM), trusted as transparency logs. */
  readonly rekorKey?: readonly string[];
  /** `--rekor-url URL`: base URL of the log(s) given with `--rekor-key`. */
  readonly rekorUrl?: string;
  /** `--rekor-policy`: which log evidence is required. Defaults per command. */
  readonly rekorPolicy?: RekorPolicyFlag;
  /** `--use-current-time`: check the certificate's validity at the current time too. */
  readonly useCurrentTime?: boolean;
  /** `--json`: machine-readable output. */
  readonly json?: boolean;
  /** cosign's `--certificate-chain FILE`: the signing certificate's CAs, parent first, root last. */
  readonly certificateChain?: string;
  /** cosign's `--ca-roots FILE`: root CA certificates. */
  readonly caRoots?: string;
  /** cosign's `--ca-intermediates FILE`: intermediate CA certificates, with `--ca-roots`. */
  readonly caIntermediates?: string;
  /**
   * Parts of the public-good root replaced through cosign's `SIGSTORE_*` variables (see
   * `sigstore-env.ts`); only applied when the public-good root is the base.
   */
  readonly env?: EnvTrust;
}

/** Where trust comes from, in a form both the main thread and worker threads can load. */
export interface TrustPlan {
  readonly inputs: readonly TrustInput[];
  /** One line per source, for humans. */
  readonly sources: readonly string[];
  /**
   * True when only the Sigstore public-good root is trusted (no trust flag given): the embedded
   * one, or the one cached from Sigstore's TUF mirror.
   */
  readonly publicGood: boolean;
  /** True when `--key` was given. */
  readonly keyed: boolean;
  /** The text of each `--key` file, for the online log lookup of a keyed signature. */
  readonly keyPems: readonly string[];
}

const PUBLIC_GOOD_KEYED_NAME = 'sigstore public-good logs and timestamp authorities';

/** The TUF mirror and cache directory the CLI reads and updates. */
export interface TufLocation {
  readonly mirror: string;
  readonly cacheDir: string;
}

/**
 * The TUF mirror and cache: the flags when given, else `FLAREO_TUF_MIRROR` and
 * `FLAREO_TUF_CACHE`, else Sigstore's mirror and the XDG cache directory.
 */
export async function tufLocation(
  flags: { readonly mirror?: string | undefined; readonly cacheDir?: string | undefined } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<TufLocation> {
  const { SIGSTORE_TUF_MIRROR, defaultTufCacheDir, normalizeMirror } = await import(
    '@flareo/trust-root/tuf'
  );
  const raw = flags.mirror ?? (env.FLAREO_TUF_MIRROR || SIGSTORE_TUF_MIRROR);
  let mirror: string;
  try {
    mirror = normalizeMirror(raw);
  } catch (error) {
    throw inputError(error, flags.mirror === undefined ? 'FLAREO_TUF_MIRROR' : '--mirror');
  }
  return { mirror, cacheDir: flags.cacheDir ?? (env.FLAREO_TUF_CACHE || defaultTufCacheDir(env)) };
}

/** Where the default trust root (no trust flag given) comes from. */
export type RootOrigin =
  | { readonly kind: 'embedded'; readonly source: string }
  | {
      readonly kind: 'tuf';
      readonly provenance: TufProvenance;
      /** The cache generation directory. */
      readonly directory: string;
    };

/** The trust root verification commands use when no trust flag is given. */
export interface DefaultRoot {
  readonly json: string;
  readonly origin: RootOrigin;
  /** True for Sigstore's public-good instance (embedded, or cached from Sigstore's mirror). */
  readonly publicGood: boolean;
  /** One line for humans. */
  readonly description: string;
}

/**
 * The default trust root, in this order: the last good `trusted_root.json` that
 * `flareo trust-root update` cached for the mirror, else the public-good root embedded in this
 * build. Reads the local cache only, never the network. A mirror other than Sigstore's (set
 * with `FLAREO_TUF_MIRROR`) must have a cache: there is no embedded root for it.
 */
export async function defaultRoot(location?: TufLocation): Promise<DefaultRoot> {
  const where = location ?? (await tufLocation());
  const { readTufTrustedRoot, SIGSTORE_TUF_MIRROR } = await import('@flareo/trust-root/tuf');
  let cached: ReturnType<typeof readTufTrustedRoot>;
  try {
    cached = readTufTrustedRoot(where);
  } catch (error) {
    const report = inputError(error, 'TUF cache').report;
    throw new CliError(
      {
        ...report,
        hint: `run flareo trust-root update to replace it, or pass --trusted-root FILE (the cache is under ${where.cacheDir})`,
      },
      2,
      { cause: error },
    );
  }
  const publicGood = where.mirror === SIGSTORE_TUF_MIRROR;
  if (cached) {
    const p = cached.provenance;
    return {
      json: cached.json,
      origin: { kind: 'tuf', provenance: p, directory: cached.directory },
      publicGood,
      description: `${publicGood ? 'Sigstore public-good root' : 'trusted_root.json'} from TUF ${p.mirror} (root version ${p.root.version}, fetched ${p.fetchedAt})`,
    };
  }
  if (!publicGood) {
    throw usageError(
      `no cached trusted root for the TUF mirror ${where.mirror} (FLAREO_TUF_MIRROR)`,
      `run flareo trust-root update --mirror ${where.mirror} --root root.json first`,
    );
  }
  const { publicGoodTrustedRootJson } = await import('@flareo/trust-root');
  return {
    json: publicGoodTrustedRootJson.json,
    origin: { kind: 'embedded', source: publicGoodTrustedRootJson.source },
    publicGood: true,
    description: 'embedded Sigstore public-good root',
  };
}

/**
 * A trusted_root.json with its signer anchors taken out: no certificate authority (and so no
 * CT log, which only vouches for certificates). What stays is what a KEYED verification still
 * needs from a root: transparency logs and timestamp authorities. cosign does the same with
 * `--key`: the trusted root keeps supplying logs and TSAs, the key replaces the signers, and
 * only a key-signed bundle is accepted. Text that is not a JSON object is returned as is, for
 * the trusted-root reader to refuse with its own error.
 */
export function withoutSignerAnchors(json: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    return json;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return json;
  return JSON.stringify({ ...doc, certificateAuthorities: [], ctlogs: [] });
}

/**
 * The public-good root as `--key` adds to it: its transparency logs and timestamp authorities,
 * so that a keyed bundle's Rekor entry and RFC 3161 timestamp verify offline, while no Fulcio
 * certificate is trusted in place of the key the user named.
 */
function publicGoodForKeys(root: DefaultRoot, replaced: readonly TrustPart[]): TrustInput {
  return {
    kind: 'trusted-root',
    json: withoutParts(withoutSignerAnchors(root.json), replaced),
    options: { name: PUBLIC_GOOD_KEYED_NAME },
  };
}

/** The parts of a trusted_root.json that a `SIGSTORE_*` variable can replace. */
type TrustPart = 'tlogs' | 'ctlogs' | 'timestampAuthorities';

/** A trusted_root.json with `parts` emptied (JSON text that is not an object is kept as is). */
function withoutParts(json: string, parts: readonly TrustPart[]): string {
  if (parts.length === 0) return json;
  const doc = JSON.parse(json) as Record<string, unknown>;
  return JSON.stringify({ ...doc, ...Object.fromEntries(parts.map((p) => [p, []])) });
}

/**
 * The trust inputs of cosign's `SIGSTORE_*` variables, and which parts of the public-good root
 * they replace: a Rekor key (`SIGSTORE_REKOR_PUBLIC_KEY`, a log at `rekorUrl`), a CT log key
 * (`SIGSTORE_CT_LOG_PUBLIC_KEY_FILE`) and a TSA chain (`SIGSTORE_TSA_CERTIFICATE_FILE`, leaf
 * first, as cosign reads it; valid from the leaf's notBefore).
 */
async function envInputs(
  env: EnvTrust | undefined,
  rekorUrl: string,
): Promise<{ inputs: TrustInput[]; sources: string[]; replaced: TrustPart[] }> {
  const inputs: TrustInput[] = [];
  const sources: string[] = [];
  const replaced: TrustPart[] = [];
  if (env?.rekorKey) {
    inputs.push({
      kind: 'pem',
      text: readText(env.rekorKey, 'Rekor key'),
      options: { name: env.rekorKey, keysAs: 'tlog', logBaseUrl: rekorUrl },
    });
    sources.push(`Rekor key ${env.rekorKey} (SIGSTORE_REKOR_PUBLIC_KEY)`);
    replaced.push('tlogs');
  }
  if (env?.ctlogKey) {
    inputs.push({
      kind: 'pem',
      text: readText(env.ctlogKey, 'key'),
      options: { name: env.ctlogKey, keysAs: 'ctlog' },
    });
    sources.push(`CT log key ${env.ctlogKey} (SIGSTORE_CT_LOG_PUBLIC_KEY_FILE)`);
    replaced.push('ctlogs');
  }
  if (env?.tsaChain) {
    inputs.push(await tsaInput(env.tsaChain));
    sources.push(`TSA chain ${env.tsaChain} (SIGSTORE_TSA_CERTIFICATE_FILE)`);
    replaced.push('timestampAuthorities');
  }
  return { inputs, sources, replaced };
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/** A PEM TSA chain (leaf, intermediates, root) as a trusted_root.json holding one TSA. */
async function tsaInput(path: string): Promise<TrustInput> {
  const text = readText(path, 'CA certificates');
  const ders = [...text.matchAll(PEM_CERTIFICATE)].map((m) =>
    Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64'),
  );
  if (ders.length === 0) {
    throw usageError(`${path} (SIGSTORE_TSA_CERTIFICATE_FILE) holds no PEM certificate`);
  }
  // Loaded here, not at start-up: only this variable needs the certificate reader.
  const { parseCertificate } = await import('@flareo/trust-root/x509');
  let start: string;
  try {
    start = parseCertificate(ders[0] as Uint8Array).notBefore.toISOString();
  } catch (error) {
    throw inputError(error, path);
  }
  const json = JSON.stringify({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [
      {
        subject: { organization: 'SIGSTORE_TSA_CERTIFICATE_FILE', commonName: path },
        certChain: { certificates: ders.map((d) => ({ rawBytes: d.toString('base64') })) },
        validFor: { start },
      },
    ],
  });
  return { kind: 'trusted-root', json, options: { name: path } };
}

/** Does this text look like trusted_root.json rather than PEM? */
export function looksLikeJson(text: string): boolean {
  return /^\s*\{/.test(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/** Read one trust file as a trust input: trusted_root.json or a PEM bundle, detected. */
export function trustFileInput(path: string, pem: PemTrustBundleOptions = {}): TrustInput {
  const text = readText(path, 'trust root');
  if (looksLikeJson(text)) return { kind: 'trusted-root', json: text, options: { name: path } };
  return { kind: 'pem', text, options: { name: path, ...pem } };
}

/** Turn the trust flags into a plan; reads every file (exit 2 when one is unreadable). */
export async function planTrust(flags: TrustFlags): Promise<TrustPlan> {
  const keys = flags.key ?? [];
  const roots = flags.trustRoot ?? [];
  const rekorKeys = flags.rekorKey ?? [];
  if (flags.rekorUrl !== undefined && rekorKeys.length === 0 && !flags.env?.rekorKey) {
    throw usageError('--rekor-url describes the logs of --rekor-key; give --rekor-key too');
  }
  const inputs: TrustInput[] = [];
  const sources: string[] = [];
  const keyPems: string[] = [];
  const cas = await caInput(flags);
  // The key or the CA flags are the signers; trust roots then add only logs and TSAs.
  const signersGiven = keys.length > 0 || cas !== undefined;
  if (cas) {
    inputs.push(cas.input);
    sources.push(cas.source);
  }
  for (const path of keys) {
    const text = readText(path, 'key');
    if (looksLikeJson(text)) {
      throw usageError(
        `--key ${path} is JSON; --key takes PEM public keys`,
        'pass a trusted_root.json with --trust-root instead',
      );
    }
    inputs.push({ kind: 'pem', text, options: { name: path } });
    keyPems.push(text);
    sources.push(`key ${path}`);
  }
  for (const path of roots) {
    const input = trustFileInput(path);
    // With --key (or cosign's CA flags) those are the signers: a trusted_root.json adds its
    // logs and TSAs, not its CAs.
    if (input.kind === 'trusted-root' && signersGiven) {
      inputs.push({ ...input, json: withoutSignerAnchors(input.json) });
      sources.push(`trusted_root.json ${path} (logs and timestamp authorities)`);
      continue;
    }
    inputs.push(input);
    sources.push(`${input.kind === 'pem' ? 'PEM bundle' : 'trusted_root.json'} ${path}`);
  }
  for (const path of rekorKeys) {
    const text = readText(path, 'Rekor key');
    inputs.push({
      kind: 'pem',
      text,
      options: {
        name: path,
        keysAs: 'tlog',
        ...(flags.rekorUrl === undefined ? {} : { logBaseUrl: flags.rekorUrl }),
      },
    });
    sources.push(`Rekor key ${path}`);
  }
  // cosign's SIGSTORE_* variables replace parts of the default root, when it is the base.
  const defaultIsBase =
    inputs.length === 0 || (signersGiven && roots.length === 0 && rekorKeys.length === 0);
  const fromEnv = await envInputs(
    defaultIsBase ? flags.env : undefined,
    flags.rekorUrl ?? 'https://rekor.sigstore.dev',
  );
  const without = fromEnv.replaced.length ? ` without its ${fromEnv.replaced.join(', ')}` : '';
  // No trust flag: the cached TUF root when there is one, else the embedded public-good root.
  let publicGood = false;
  if (inputs.length === 0) {
    const root = await defaultRoot();
    publicGood = root.publicGood;
    inputs.push(
      root.origin.kind === 'embedded' && fromEnv.replaced.length === 0
        ? { kind: 'public-good' }
        : {
            kind: 'trusted-root',
            json: withoutParts(root.json, fromEnv.replaced),
            options: { name: root.description },
          },
    );
    sources.push(`${root.description}${without}`);
  } else if (signersGiven && roots.length === 0 && rekorKeys.length === 0) {
    const root = await defaultRoot();
    inputs.push(publicGoodForKeys(root, fromEnv.replaced));
    sources.push(
      root.origin.kind === 'embedded'
        ? `embedded Sigstore public-good transparency logs and timestamp authorities${without}`
        : `transparency logs and timestamp authorities of the ${root.description}${without}`,
    );
  }
  inputs.push(...fromEnv.inputs);
  sources.push(...fromEnv.sources);
  return { inputs, sources, publicGood, keyed: keys.length > 0, keyPems };
}

/**
 * cosign's `--certificate-chain`, or `--ca-roots` with optional `--ca-intermediates`, as one
 * PEM trust input of certificate authorities. Every authority must end at a certificate the
 * user named as a root (the last one of `--certificate-chain`, or one of `--ca-roots`): an
 * intermediate that chains to none of them is refused, never made a trust anchor.
 */
async function caInput(
  flags: TrustFlags,
): Promise<{ input: TrustInput; source: string } | undefined> {
  const { certificateChain, caRoots, caIntermediates } = flags;
  if (certificateChain === undefined && caRoots === undefined && caIntermediates === undefined) {
    return undefined;
  }
  if (certificateChain !== undefined && (caRoots !== undefined || caIntermediates !== undefined)) {
    throw usageError(
      '--certificate-chain conflicts with --ca-roots and --ca-intermediates (as in cosign)',
      'give the whole chain with --certificate-chain, or the roots with --ca-roots (and --ca-intermediates)',
    );
  }
  if (caIntermediates !== undefined && caRoots === undefined) {
    throw usageError('--ca-intermediates goes with --ca-roots (as in cosign)');
  }
  const { parsePemBlocks, parsePemTrustBundle } = await import('@flareo/trust-root');
  const read = (path: string): string => {
    const text = readText(path, 'CA certificates');
    if (looksLikeJson(text)) {
      throw usageError(
        `${path} is JSON; cosign's CA flags take PEM certificates`,
        'pass a trusted_root.json with --trusted-root instead',
      );
    }
    return text;
  };
  const name = certificateChain ?? (caRoots as string);
  const rootsText = read(name);
  const text =
    caIntermediates === undefined
      ? rootsText
      : `${rootsText}
${read(caIntermediates)}`;
  let blocks: ReturnType<typeof parsePemBlocks>;
  let root: ReturnType<typeof parsePemTrustBundle>;
  try {
    blocks = parsePemBlocks(rootsText, name);
    root = parsePemTrustBundle(text, { name });
  } catch (error) {
    throw inputError(error, name);
  }
  if (blocks.some((b) => b.label !== 'CERTIFICATE') || blocks.length === 0) {
    throw usageError(`${name} must hold CERTIFICATE blocks only`);
  }
  const hex = (der: Uint8Array): string => Buffer.from(der).toString('hex');
  const named = new Set(
    (certificateChain === undefined ? blocks : blocks.slice(-1)).map((b) => hex(b.der)),
  );
  for (const ca of root.certificateAuthorities) {
    if (
      !named.has(hex(ca.anchor.der)) ||
      (certificateChain !== undefined && !ca.anchor.selfSigned)
    ) {
      throw usageError(
        `"${ca.anchor.subject}" does not chain to ${certificateChain === undefined ? 'a certificate of --ca-roots' : 'the last certificate of --certificate-chain (its root)'}`,
        certificateChain === undefined
          ? 'give its issuer in --ca-roots or --ca-intermediates'
          : 'order --certificate-chain parent first and root last, with every link present',
      );
    }
  }
  const source =
    certificateChain !== undefined
      ? `certificate chain ${certificateChain}`
      : `CA roots ${caRoots}${caIntermediates === undefined ? '' : ` and intermediates ${caIntermediates}`}`;
  return { input: { kind: 'pem', text, options: { name } }, source };
}

/**
 * Load every input of a plan into one trust root with `@flareo/bundle-verify`'s
 * `loadTrustInputs` (the loader its pool's workers use too); a parse error names the file it
 * came from (trust-root's `detail.source`, the input's name) and is a usage error (exit 2).
 */
export async function loadTrust(plan: TrustPlan): Promise<TrustRoot> {
  const { loadTrustInputs } = await import('@flareo/bundle-verify/node');
  try {
    return loadTrustInputs(plan.inputs);
  } catch (error) {
    const source = (error as { detail?: { source?: unknown } } | undefined)?.detail?.source;
    throw inputError(error, typeof source === 'string' ? source : '');
  }
}
