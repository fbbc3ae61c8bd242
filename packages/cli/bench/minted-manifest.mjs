// A verify-batch manifest of DISTINCT keyless bundles, for benchmarks that must not profit
// from any repetition: every line has its own signing certificate (own key), its own DSSE
// signature, its own log entry (SET and inclusion proof), so no signature check recurs and
// the verified-signature cache of verify-batch saves nothing. Minted with @flareo/testkit: a
// P-384 CA chain (as Fulcio's) and a Rekor v1 log, and a trusted_root.json for both.
//
// writeMintedManifest(dir, count) → { manifest, trustedRoot, identity, issuer }
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildTrustedRoot,
  createFulcioChain,
  DEFAULT_OIDC_ISSUER,
  DEFAULT_WORKFLOW_URI,
  mintSigstoreBundle,
  TestRekorV1,
} from '@flareo/testkit';

/**
 * A P-384 CA chain (as Fulcio's) and a Rekor v1 log minted from `seed`, and a
 * trusted_root.json for both written as `dir/<seed>-trusted-root.json`.
 */
function writeMintedTrust(dir, seed) {
  const chain = createFulcioChain({ seed });
  const rekor = new TestRekorV1({ seed: `${seed}-rekor` });
  const trustedRoot = join(dir, `${seed}-trusted-root.json`);
  writeFileSync(
    trustedRoot,
    JSON.stringify({
      ...buildTrustedRoot({
        certificateAuthorities: [{ chain: [chain.intermediate, chain.root] }],
      }),
      tlogs: [rekor.transparencyLogInstance()],
    }),
  );
  return { chain, rekor, trustedRoot };
}

export function writeMintedManifest(dir, count) {
  const { chain, rekor, trustedRoot } = writeMintedTrust(dir, 'cli-bench-distinct');
  const lines = [];
  for (let i = 0; i < count; i++) {
    const artifact = new TextEncoder().encode(`distinct artifact ${i}\n`);
    const minted = mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'dsse', artifact },
      signer: { certificate: chain.leaf({ seed: `cli-bench-leaf-${i}` }) },
      rekor,
    });
    const name = `minted-${i}.sigstore.json`;
    writeFileSync(join(dir, name), JSON.stringify(minted.json));
    // The in-toto subject's sha256 is the artifact's: a digest line, as in the 900 case.
    const digest = createHash('sha256').update(artifact).digest('hex');
    lines.push(
      JSON.stringify({
        bundle: name,
        artifact: `sha256:${digest}`,
        identity: DEFAULT_WORKFLOW_URI,
        issuer: DEFAULT_OIDC_ISSUER,
      }),
    );
  }
  const manifest = join(dir, 'minted-manifest.jsonl');
  writeFileSync(manifest, `${lines.join('\n')}\n`);
  return { manifest, trustedRoot, identity: DEFAULT_WORKFLOW_URI, issuer: DEFAULT_OIDC_ISSUER };
}
