import type { TrustedKey } from '@flareo/trust-root';
import { parseSigningCertificate, type SigningCertificate } from '../certificate.js';
import { BundleVerifyError } from '../errors.js';
import { sha256Hex } from '../keys.js';
import type { Verification } from './context.js';

/** Who may have signed: the bundle's certificate, or the trusted keys worth trying. */
export type SignerCandidates =
  | {
      readonly kind: 'certificate';
      readonly leaf: SigningCertificate;
      /** The trust root's key with the certificate's SPKI, when it pins one. */
      readonly pinned: TrustedKey | undefined;
    }
  | { readonly kind: 'keys'; readonly keys: readonly TrustedKey[] };

const keyIdOf = sha256Hex;

/**
 * Step 3a (`parse`, `trust`): parse the signing certificate and look its key up among the
 * pinned keys, or narrow the trust root's keys by the bundle's public key or hint. Throws
 * UNTRUSTED_SIGNER when no trusted key could have signed.
 */
export function resolveSigner({ input, config }: Verification): SignerCandidates {
  const { signer } = input;
  const { trustRoot } = config;
  if (signer.kind === 'certificate') {
    const [leafDer] = signer.chain;
    if (!leafDer) {
      throw new BundleVerifyError('BUNDLE_MALFORMED', 'empty certificate chain', {
        step: 'parse',
      });
    }
    const leaf = parseSigningCertificate(leafDer);
    return { kind: 'certificate', leaf, pinned: trustRoot.keysById(keyIdOf(leaf.spki))[0] };
  }
  let keys: readonly TrustedKey[];
  if (signer.kind === 'public-key' && signer.spki) {
    const id = keyIdOf(signer.spki);
    keys = trustRoot.keysById(id);
    if (!keys.length) {
      throw new BundleVerifyError(
        'UNTRUSTED_SIGNER',
        `the bundle's public key (id ${id}) is not in the trust root`,
        {
          step: 'trust',
          expected: trustRoot.keys.map((k) => k.id),
          actual: id,
          missing: 'a PUBLIC KEY block for the signing key',
        },
      );
    }
  } else if (signer.kind === 'public-key' && signer.hint) {
    const hinted = /^[0-9a-f]{64}$/i.test(signer.hint) ? trustRoot.keysById(signer.hint) : [];
    keys = hinted.length ? hinted : trustRoot.keys;
  } else {
    keys = trustRoot.keys;
  }
  if (!keys.length) {
    throw new BundleVerifyError(
      'UNTRUSTED_SIGNER',
      'the trust root holds no public keys to verify a keyed signature with',
      { step: 'trust', missing: 'PUBLIC KEY blocks' },
    );
  }
  return { kind: 'keys', keys };
}
