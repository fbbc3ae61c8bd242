// Per-bundle time of bundle-verify's whole verification of the nine public-good bundles (the
// identity policy and subject digest of its interop tests), with the synchronous method
// (node:crypto on Node, @noble elsewhere) and the asynchronous one (node:crypto on Node,
// WebCrypto elsewhere). Bundled and run by bench/runtimes.measure.ts.
import { createVerifier, type IdentityPolicy } from '@flareo/bundle-verify';
import { parseTrustedRoot } from '@flareo/trust-root';
import type { RuntimeCase } from '../src/cases.js';
import { BUNDLES, TRUSTED_ROOT, unb64 } from '../test/fixtures/sigstore-data.js';
import { perCall } from './timing.js';

const IDENTITY: IdentityPolicy = {
  subjectAlternativeName: 'brian@dehamer.com',
  issuer: 'https://github.com/login/oauth',
};
const verifier = createVerifier(parseTrustedRoot(TRUSTED_ROOT));

export const cases: RuntimeCase[] = Object.entries(BUNDLES).flatMap(([name, bundle]) => {
  const statement = JSON.parse(new TextDecoder().decode(unb64(bundle.dsseEnvelope.payload)));
  const artifact = { digest: `sha512:${statement.subject[0].digest.sha512}` };
  // The bundle as its JSON text, as an application receives it: parsing is part of the cost.
  const text = JSON.stringify(bundle);
  return [
    {
      name: `${name} sync`,
      run: () => perCall(() => verifier.verifyBundle(text, artifact, IDENTITY)),
    },
    {
      name: `${name} async`,
      run: () => perCall(() => verifier.verifyBundleAsync(text, artifact, IDENTITY)),
    },
  ];
});
