import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createVerifier } from '@flareo/bundle-verify';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { slsaLevelFromProvenance } from '../../src/index.js';
import { rejection } from '../support.js';

// The public-good bundles carry real in-toto statements (npm publish attestations), not SLSA
// provenance. Verified by @flareo/bundle-verify, their statements must be refused by
// predicate type rather than granted any level; their raw envelopes must be refused as
// unverified.
const dir = vectorsDir();

describe.skipIf(!dir)('real in-toto statements from public-good bundles', () => {
  const names = dir
    ? readdirSync(join(dir, 'sigstore/bundles')).filter((n) => n.endsWith('.sigstore'))
    : [];
  const verifier = dir
    ? createVerifier(parseTrustedRoot(readVector('sigstore/public-good/trusted_root.json')))
    : undefined;

  it('finds the bundles', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  for (const name of names) {
    const bundle = dir ? JSON.parse(readVector(`sigstore/bundles/${name}`)) : {};
    it.skipIf(!bundle.dsseEnvelope)(`refuses the npm publish attestation in ${name}`, () => {
      const result = verifier!.verifyBundle(bundle, undefined, {});
      const e = rejection(() =>
        slsaLevelFromProvenance(result.verifiedStatement, { trustedBuilders: [] }),
      );
      expect(e.code).toBe('PROVENANCE_UNSUPPORTED');
      expect(e.detail.actual).toBe(
        'https://github.com/npm/attestation/tree/main/specs/publish/v0.1',
      );
      const raw = rejection(() =>
        slsaLevelFromProvenance(bundle.dsseEnvelope, { trustedBuilders: [] }),
      );
      expect(raw.code).toBe('PROVENANCE_UNVERIFIED');
    });
  }

  it('refuses statement.json as an unverified statement', () => {
    const e = rejection(() =>
      slsaLevelFromProvenance(JSON.parse(readVector('sigstore/bundles/statement.json')), {
        trustedBuilders: [],
      }),
    );
    expect(e.code).toBe('PROVENANCE_UNVERIFIED');
  });
});
