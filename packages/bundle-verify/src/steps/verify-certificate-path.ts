import type { RekorEvidence } from '@flareo/rekor-set';
import type { CertificateAuthority, CryptoTask, TrustedKey } from '@flareo/trust-root';
import { OID } from '@flareo/trust-root/x509';
import { checkLeaf, checkValidity, verifyChain } from '../chain.js';
import { embeddedSctsTask } from '../sct.js';
import { requireTimeThreshold } from './collect-trusted-times.js';
import type { TrustedTime, Verification } from './context.js';
import type { SigningKey } from './verify-signature.js';

/** How a signing certificate was trusted, and how many of its SCTs verified. */
export interface CertificatePath {
  readonly trustedBy:
    | {
        readonly kind: 'certificate-authority';
        readonly authority: CertificateAuthority;
        readonly anchor: string;
      }
    | { readonly kind: 'pinned-key'; readonly key: TrustedKey };
  readonly scts: number;
}

/**
 * Steps 7–8 (`time`, `certificate`, `trust`, `sct`): a certificate whose key the trust root
 * pins is trusted as that key. Any other needs `timeThreshold` trusted times, must be a
 * code-signing leaf valid at each of them, must chain (through the bundle's intermediates
 * when needed) to a trusted CA whose window holds them, and its embedded SCTs, if any, must
 * verify against the trust root's CT logs over the pre-certificate.
 */
export function* verifyCertificatePath(
  run: Verification,
  signing: Extract<SigningKey, { kind: 'certificate' }>,
  times: readonly TrustedTime[],
  tlog: RekorEvidence,
  report: (
    check: 'trusted-time' | 'certificate-chain' | 'sct',
    detail: Record<string, unknown>,
  ) => void = () => {},
): CryptoTask<CertificatePath> {
  const { leaf, pinned } = signing;
  if (pinned) return { trustedBy: { kind: 'pinned-key', key: pinned }, scts: 0 };
  requireTimeThreshold(run, times, tlog);
  const { input, config } = run;
  const instants = times.map((t) => t.time);
  checkLeaf(leaf);
  checkValidity(leaf, instants, 'signing certificate');
  report('trusted-time', { times: times.map((t) => ({ source: t.source, time: t.time })) });
  const chain = yield* verifyChain(
    leaf,
    input.signer.kind === 'certificate' ? input.signer.chain.slice(1) : [],
    config.trustRoot,
    instants,
  );
  report('certificate-chain', { anchor: chain.authority.anchor.subject });
  let scts = 0;
  if (leaf.extensions.has(OID.sctList)) {
    // The leaf's view, parsed once in resolveSigner, and the issuer's (a trust-root
    // certificate is a view too): the SCT check reads their layouts, never the DER again.
    const issuer = chain.bundleIntermediates[0] ?? chain.trustedIssuer;
    scts = (yield* embeddedSctsTask(leaf, issuer, config.trustRoot, {
      threshold: config.sctThreshold,
    })).verified.length;
    report('sct', { verified: scts });
  }
  return {
    trustedBy: {
      kind: 'certificate-authority',
      authority: chain.authority,
      anchor: chain.authority.anchor.subject,
    },
    scts,
  };
}
