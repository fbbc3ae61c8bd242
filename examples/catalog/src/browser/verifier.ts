// The verifier the module page loads in the visitor's browser. scripts/build-verifier.mjs
// bundles this file with esbuild for the browser (the web builds of the Flareo packages,
// picked by their `browser` export condition) into dist/web/verifier-<hash>.js at build time;
// the catalog serves that file and never runs this one in Node.
//
// It takes what the page fetched from the catalog as raw documents (the Sigstore bundle the
// catalog serves for download, its trusted_root.json, the module's digest and identity
// policy) and verifies them here, reporting each check as it passes. It never sees the
// server's verdict.
import {
  BundleVerifyError,
  createVerifier,
  type IdentityPolicy,
  type VerificationProgress,
} from '@flareo/bundle-verify';
import type { RekorPolicy } from '@flareo/rekor-set';
import { parseTrustedRootAsync, type TrustRoot } from '@flareo/trust-root';

/** A check that passed, as the page lists it. */
export interface BrowserStep {
  /** The check's name, as `@flareo/bundle-verify`'s `onStep` names it (`signature`, `log-set`, …). */
  readonly check: string;
  /** What was checked, in words. */
  readonly detail?: string;
}

/** What the page hands the verifier: the documents it fetched, untouched. */
export interface BrowserVerifyInput {
  /** The Sigstore bundle as served by `…/attestations/signature.sigstore.json`, parsed. */
  readonly bundle: unknown;
  /** The artifact's digest, `sha256:<hex>`, as the catalog serves it. */
  readonly digest: string;
  /** The catalog's `trusted_root.json`, as text. */
  readonly trustedRoot: string;
  /** The catalog's identity policy for this module (`subjectAlternativeName`, `issuer`). */
  readonly identity: unknown;
  /** The catalog's Rekor policy. Defaults to `'require-any'`. */
  readonly rekorPolicy?: RekorPolicy;
  /** Called once for each check as it passes, in order. */
  readonly onStep?: (step: BrowserStep) => void;
}

/** The outcome of a browser verification. */
export interface BrowserVerifyResult {
  /** Every check that passed, in order. */
  readonly steps: readonly BrowserStep[];
}

/** A failure, in the shape the page shows: the step that failed and the library's code. */
export class BrowserVerifyError extends Error {
  override readonly name = 'BrowserVerifyError';
  constructor(
    readonly code: string,
    readonly step: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A check's detail in words: `key value` pairs, times as ISO-8601, lists joined. */
function describeDetail(detail: VerificationProgress['detail']): string | undefined {
  if (!detail) return undefined;
  const text = (value: unknown): string => {
    if (value instanceof Date) return value.toISOString();
    if (Array.isArray(value)) return value.map(text).join(', ');
    if (typeof value === 'object' && value !== null) {
      const time = (value as { time?: unknown }).time;
      if (time instanceof Date)
        return `${(value as { source?: string }).source ?? 'time'} ${time.toISOString()}`;
      return Object.entries(value)
        .map(([k, v]) => `${k} ${text(v)}`)
        .join(', ');
    }
    return String(value);
  };
  // The identity's full extension list is long: the page names who signed and the issuer.
  const shown =
    'subjectAlternativeNames' in detail
      ? { signedBy: detail.subjectAlternativeNames, issuer: detail.issuer }
      : detail;
  const words = Object.entries(shown)
    .filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${text(v)}`)
    .join('; ');
  return words || undefined;
}

async function trustRootOf(text: string): Promise<TrustRoot> {
  try {
    return await parseTrustedRootAsync(text);
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'TRUST_ROOT_INVALID';
    throw new BrowserVerifyError(code, 'trust-root', (error as Error).message, { cause: error });
  }
}

/**
 * Verify a module's Sigstore bundle in this browser with `@flareo/bundle-verify`
 * (`verifyBundleAsync`, WebCrypto) against the catalog's trusted root, the module's digest
 * and the catalog's identity policy, reporting each check as it passes.
 *
 * @throws {BrowserVerifyError} naming the failing step and `@flareo/bundle-verify`'s code.
 */
export async function verifyModuleSignature(
  input: BrowserVerifyInput,
): Promise<BrowserVerifyResult> {
  const trustRoot = await trustRootOf(input.trustedRoot);
  const steps: BrowserStep[] = [];
  try {
    const verifier = createVerifier(trustRoot, {
      rekor: { policy: input.rekorPolicy ?? 'require-any' },
    });
    await verifier.verifyBundleAsync(
      input.bundle as object,
      { digest: input.digest },
      input.identity as IdentityPolicy,
      {
        onStep: (event) => {
          const detail = describeDetail(event.detail);
          const step =
            detail === undefined ? { check: event.check } : { check: event.check, detail };
          steps.push(step);
          input.onStep?.(step);
        },
      },
    );
  } catch (error) {
    if (error instanceof BundleVerifyError) {
      const reason = error.detail.rekorCode;
      throw new BrowserVerifyError(
        error.code,
        error.detail.step,
        typeof reason === 'string' && !error.message.includes(reason)
          ? `${error.message} (${reason})`
          : error.message,
        { cause: error },
      );
    }
    throw error;
  }
  return { steps };
}
