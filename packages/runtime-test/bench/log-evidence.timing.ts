// Per-bundle time of rekor-set's log-evidence verification of the nine public-good bundles,
// with the synchronous API (node:crypto on Node, @noble elsewhere) and the asynchronous one
// (node:crypto on Node, WebCrypto elsewhere). Bundled and run by bench/runtimes.measure.ts.
import { type EntryBinding, verifyLogEvidence, verifyLogEvidenceAsync } from '@flareo/rekor-set';
import { parseTrustedRoot } from '@flareo/trust-root';
import type { RuntimeCase } from '../src/cases.js';
import { BUNDLES, leafDer, TRUSTED_ROOT, unb64 } from '../test/fixtures/sigstore-data.js';
import { perCall } from './timing.js';

const trust = parseTrustedRoot(TRUSTED_ROOT);

export const cases: RuntimeCase[] = Object.entries(BUNDLES).flatMap(([name, bundle]) => {
  const env = bundle.dsseEnvelope;
  const binding: EntryBinding = {
    signature: unb64(env.signatures[0].sig),
    verifier: { certificate: leafDer(bundle) },
    dsse: { payloadType: env.payloadType, payload: unb64(env.payload) },
  };
  const entries = bundle.verificationMaterial.tlogEntries;
  return [
    {
      name: `${name} sync`,
      run: () => perCall(() => verifyLogEvidence(entries, binding, trust)),
    },
    {
      name: `${name} async`,
      run: () => perCall(() => verifyLogEvidenceAsync(entries, binding, trust)),
    },
  ];
});
