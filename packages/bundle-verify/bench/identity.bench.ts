import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { RE2JS } from 're2js';
import { bench, describe } from 'vitest';
import { compileIdentityPolicy, createVerifier, type IdentityPolicy } from '../dist/index.js';

// What the RE2 identity matching adds to a verification: the nine real public-good bundles,
// verified with no identity policy, then with a cosign-style policy per bundle (SAN and issuer
// as RE2 regexps applied by search, passed uncompiled as the CLI does), the policy work alone
// (compile + match both values, RE2 programs cached by pattern), and the cold cost of a pattern
// never seen before (paid once per distinct pattern). Target: identity < 2% of verification.
const dir = vectorsDir();

if (dir) {
  const trust = parseTrustedRoot(JSON.parse(readVector('sigstore/public-good/trusted_root.json')));
  const verifier = createVerifier(trust);
  const names = readdirSync(join(dir, 'sigstore', 'bundles')).filter((f) =>
    f.endsWith('.sigstore'),
  );
  const objects = names.map((n) => JSON.parse(readVector(`sigstore/bundles/${n}`)));
  const cases = objects.map((bundle) => {
    const signer = verifier.verifyBundle(bundle, undefined, {}).signer;
    if (signer.kind !== 'certificate') throw new Error('expected certificate signers');
    const san = signer.identity.subjectAlternativeNames[0] as string;
    const issuer = signer.identity.issuer as string;
    const policy: IdentityPolicy = {
      subjectAlternativeName: { regexp: `^${RE2JS.quote(san)}$`, match: 'search' },
      issuer: { regexp: `^${RE2JS.quote(issuer)}$`, match: 'search' },
    };
    verifier.verifyBundle(bundle, undefined, policy); // must pass before timing
    return { bundle, policy, san, issuer };
  });

  describe('identity matching (RE2) against one bundle verification, nine real bundles', () => {
    bench('verify, no identity policy', () => {
      for (const c of cases) verifier.verifyBundle(c.bundle, undefined, {});
    });
    bench(
      'verify, SAN + issuer RE2 search policy (given uncompiled: programs come from the cache)',
      () => {
        for (const c of cases) verifier.verifyBundle(c.bundle, undefined, c.policy);
      },
    );
    bench('identity only: compile the policy and match SAN and issuer', () => {
      for (const c of cases) {
        const compiled = compileIdentityPolicy(c.policy);
        if (!compiled.san?.test(c.san) || !compiled.issuer?.test(c.issuer))
          throw new Error('no match');
      }
    });
    let fresh = 0;
    bench('cold: nine never-seen SAN patterns compiled and matched', () => {
      for (const c of cases) {
        fresh += 1;
        const regexp = `^${RE2JS.quote(c.san)}$|^unused-${fresh}$`;
        const compiled = compileIdentityPolicy({
          subjectAlternativeName: { regexp, match: 'search' },
        });
        if (!compiled.san?.test(c.san)) throw new Error('no match');
      }
    });
  });
}
