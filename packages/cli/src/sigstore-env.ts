import { usageError } from './errors.js';
import type { TrustFlags } from './trust.js';

/**
 * The Sigstore environment variables cosign reads when it verifies (cosign's
 * `pkg/cosign/env`), with cosign's meaning: each names a PEM file that replaces one part of
 * the public-good trust material, which keeps supplying the rest.
 */
export const SIGSTORE_TRUST_ENV = {
  /** Fulcio CA certificates (roots, and intermediates) trusted instead of the root's CAs. */
  rootFile: 'SIGSTORE_ROOT_FILE',
  /** The Rekor public key trusted instead of the root's transparency logs. */
  rekorPublicKey: 'SIGSTORE_REKOR_PUBLIC_KEY',
  /** The CT log public key trusted for SCTs instead of the root's CT logs. */
  ctLogPublicKey: 'SIGSTORE_CT_LOG_PUBLIC_KEY_FILE',
  /** The TSA certificate chain (leaf, intermediates, root) trusted instead of the root's TSAs. */
  tsaCertificate: 'SIGSTORE_TSA_CERTIFICATE_FILE',
} as const;

/** Refused: it would trust the log key that the very Rekor server being checked hands out. */
const REFUSED = 'SIGSTORE_TRUST_REKOR_API_PUBLIC_KEY';

/** cosign's TUF variables: the TUF client is not part of `verify`, so they are not read. */
const TUF_ENV = ['TUF_ROOT', 'TUF_MIRROR', 'TUF_ROOT_JSON'] as const;

/** The trust parts the Sigstore variables replace, as paths of PEM files. */
export interface EnvTrust {
  /** `SIGSTORE_REKOR_PUBLIC_KEY`. */
  readonly rekorKey?: string;
  /** `SIGSTORE_CT_LOG_PUBLIC_KEY_FILE`. */
  readonly ctlogKey?: string;
  /** `SIGSTORE_TSA_CERTIFICATE_FILE`. */
  readonly tsaChain?: string;
}

interface Out {
  note(text: string): void;
  warn(text: string): void;
}

const set = (env: NodeJS.ProcessEnv, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
};

/**
 * Fold cosign's Sigstore environment variables into the trust flags. A variable applies only
 * where no flag already says where that trust comes from (`--trusted-root`/`--trust-root` for
 * all of them; `--key` and the CA flags for `SIGSTORE_ROOT_FILE`; `--rekor-key` for
 * `SIGSTORE_REKOR_PUBLIC_KEY`): a flag on the command line wins, and the variable is then
 * named in a note. `SIGSTORE_TRUST_REKOR_API_PUBLIC_KEY` exits 2; the TUF variables warn
 * that they are not read.
 */
export function applySigstoreEnv(flags: TrustFlags, env: NodeJS.ProcessEnv, out: Out): TrustFlags {
  if (set(env, REFUSED) !== undefined) {
    throw usageError(
      `${REFUSED} is not supported: it trusts the log key the Rekor server itself hands out, which is what verifying a log entry must not do`,
      `pass the log's public key with --rekor-key FILE (or ${SIGSTORE_TRUST_ENV.rekorPublicKey}=FILE), or a trusted_root.json with --trusted-root`,
    );
  }
  for (const name of TUF_ENV) {
    if (set(env, name) !== undefined) {
      out.warn(
        `${name} is not read: flareo verify takes its trust root from --trusted-root FILE, else from the cache that flareo trust-root update fills through TUF (FLAREO_TUF_MIRROR, FLAREO_TUF_CACHE), else from the build`,
      );
    }
  }
  const rootFile = set(env, SIGSTORE_TRUST_ENV.rootFile);
  const rekorKey = set(env, SIGSTORE_TRUST_ENV.rekorPublicKey);
  const ctlogKey = set(env, SIGSTORE_TRUST_ENV.ctLogPublicKey);
  const tsaChain = set(env, SIGSTORE_TRUST_ENV.tsaCertificate);
  if (!rootFile && !rekorKey && !ctlogKey && !tsaChain) return flags;
  const explicitRoot = (flags.trustRoot?.length ?? 0) > 0;
  const ignored = (name: string, flag: string) =>
    out.note(`note: ${name} is ignored: ${flag} says where that trust comes from`);
  let next: TrustFlags = flags;
  const envTrust: { rekorKey?: string; ctlogKey?: string; tsaChain?: string } = {};
  if (rootFile) {
    const caFlag =
      flags.certificateChain !== undefined ||
      flags.caRoots !== undefined ||
      flags.caIntermediates !== undefined;
    if (explicitRoot || caFlag || (flags.key?.length ?? 0) > 0) {
      ignored(
        SIGSTORE_TRUST_ENV.rootFile,
        explicitRoot ? '--trusted-root' : caFlag ? 'a CA flag' : '--key',
      );
    } else {
      next = { ...next, caRoots: rootFile };
    }
  }
  if (rekorKey) {
    if (explicitRoot || (flags.rekorKey?.length ?? 0) > 0) {
      ignored(SIGSTORE_TRUST_ENV.rekorPublicKey, explicitRoot ? '--trusted-root' : '--rekor-key');
    } else envTrust.rekorKey = rekorKey;
  }
  for (const [name, field, value] of [
    [SIGSTORE_TRUST_ENV.ctLogPublicKey, 'ctlogKey', ctlogKey],
    [SIGSTORE_TRUST_ENV.tsaCertificate, 'tsaChain', tsaChain],
  ] as const) {
    if (!value) continue;
    if (explicitRoot) ignored(name, '--trusted-root');
    else envTrust[field] = value;
  }
  return Object.keys(envTrust).length ? { ...next, env: envTrust } : next;
}
