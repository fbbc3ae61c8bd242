// The verifier the module page loads in the visitor's browser. scripts/build-verifier.mjs
// bundles this file with esbuild for the browser (the web builds of the Flareo packages,
// picked by their `browser` export condition) into dist/web/verifier-<hash>.js at build time;
// the catalog serves that file and never runs this one in Node.
//
// It takes what the page fetched from the catalog as raw documents (the Sigstore bundle the
// catalog serves for download, its trusted_root.json, the module's digest and identity
// policy) and verifies them here, reporting each check as it passes. It never sees the
// server's verdict.
import { type LogEntryInput, type RekorPolicy, verifyLogEvidenceAsync } from '@flareo/rekor-set';
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
  /** Checks this build cannot make in a browser (and did not), with why. */
  readonly notChecked: readonly BrowserStep[];
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

const base64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const hexBytes = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (b) => Number.parseInt(b, 16));

type Json = Record<string, unknown>;
const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Json)[key] : undefined;

/** The leaf certificate of a v0.1–v0.3 bundle (DER), or undefined. */
function leafCertificate(bundle: unknown): Uint8Array | undefined {
  const material = field(bundle, 'verificationMaterial');
  const single = field(field(material, 'certificate'), 'rawBytes');
  const chain = field(field(material, 'x509CertificateChain'), 'certificates');
  const raw =
    typeof single === 'string'
      ? single
      : field(Array.isArray(chain) ? chain[0] : undefined, 'rawBytes');
  return typeof raw === 'string' ? base64(raw) : undefined;
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
 * Verify a module's signature bundle in this browser against the catalog's trusted root.
 *
 * @throws {BrowserVerifyError} naming the failing step and the library's error code.
 */
export async function verifyModuleSignature(
  input: BrowserVerifyInput,
): Promise<BrowserVerifyResult> {
  const steps: BrowserStep[] = [];
  const pass = (step: BrowserStep) => {
    steps.push(step);
    input.onStep?.(step);
  };
  const trustRoot = await trustRootOf(input.trustedRoot);
  const bundle = input.bundle;
  const signature = field(field(bundle, 'messageSignature'), 'signature');
  const certificate = leafCertificate(bundle);
  const digest = /^sha256:([0-9a-f]{64})$/.exec(input.digest)?.[1];
  if (typeof signature !== 'string' || certificate === undefined || digest === undefined) {
    throw new BrowserVerifyError(
      'BUNDLE_MALFORMED',
      'parse',
      'the bundle has no message signature with a certificate over a sha256 digest',
    );
  }
  pass({ check: 'parse', detail: 'Sigstore bundle with a message signature and its certificate' });
  const tlogEntries = field(field(bundle, 'verificationMaterial'), 'tlogEntries');
  let evidence: Awaited<ReturnType<typeof verifyLogEvidenceAsync>>;
  try {
    evidence = await verifyLogEvidenceAsync(
      (Array.isArray(tlogEntries) ? tlogEntries : []) as LogEntryInput[],
      {
        signature: base64(signature),
        verifier: { certificate },
        artifactDigest: { algorithm: 'sha256', digest: hexBytes(digest) },
      },
      trustRoot,
      { policy: input.rekorPolicy ?? 'require-any' },
    );
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'TLOG_UNTRUSTED';
    throw new BrowserVerifyError(code, logStepOf(code), (error as Error).message, {
      cause: error,
    });
  }
  for (const entry of evidence.entries) {
    const at = `log index ${entry.logIndex}`;
    if (entry.checks.set) pass({ check: 'log-set', detail: `signed entry timestamp, ${at}` });
    if (entry.checks.inclusionProof)
      pass({ check: 'log-inclusion-proof', detail: `inclusion proof, ${at}` });
    if (entry.checks.checkpoint)
      pass({
        check: 'log-checkpoint',
        detail: `signed checkpoint of ${entry.log.baseUrl ?? 'the log'}`,
      });
    pass({
      check: 'log-body',
      detail: `the entry body binds this signature, certificate and digest, ${at}`,
    });
  }
  const why = 'needs @flareo/bundle-verify’s browser build';
  return {
    steps,
    notChecked: ['signature', 'certificate-chain', 'identity'].map((check) => ({
      check,
      detail: why,
    })),
  };
}

/** The log check a rekor-set error code belongs to. */
function logStepOf(code: string): string {
  if (code.startsWith('SET_')) return 'log-set';
  if (code.startsWith('PROOF_')) return 'log-inclusion-proof';
  if (code.startsWith('CHECKPOINT_')) return 'log-checkpoint';
  if (code.startsWith('BODY_')) return 'log-body';
  return 'log';
}
