import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { describe, expect, it } from 'vitest';
import { BundleVerifyError, createVerifier } from '../../src/index.js';
import { referenceVerifier } from '../support/sigstore-oracle.js';

// Differential suite: every real bundle is verified by us and by @sigstore/verify 3.1.1.
// Agreement is the rule; each disagreement is a named case saying why we are right.
const dir = vectorsDir();

describe.skipIf(!dir)(
  'differential: @flareo/bundle-verify vs @sigstore/verify on real bundles',
  () => {
    const rootJson = dir ? JSON.parse(readVector('sigstore/public-good/trusted_root.json')) : {};
    const ours = dir ? createVerifier(parseTrustedRoot(rootJson)) : undefined;
    const reference = dir ? referenceVerifier(rootJson) : undefined;
    const names = dir
      ? readdirSync(join(dir, 'sigstore', 'bundles')).filter((f) => f.endsWith('.sigstore'))
      : [];
    const load = (n: string) => JSON.parse(readVector(`sigstore/bundles/${n}`));
    const outcome = (fn: () => unknown): string => {
      try {
        fn();
        return 'accept';
      } catch (error) {
        return error instanceof BundleVerifyError
          ? `reject:${error.code}`
          : `reject:${(error as { code?: string }).code ?? 'error'}`;
      }
    };

    it.each(names)('%s: both accept with the real identity', (name) => {
      const b = load(name);
      expect(
        outcome(() =>
          ours?.verifyBundle(b, undefined, {
            subjectAlternativeName: 'brian@dehamer.com',
            issuer: 'https://github.com/login/oauth',
          }),
        ),
      ).toBe('accept');
      expect(
        outcome(() =>
          reference?.verify(b, undefined, {
            subjectAlternativeName: 'brian@dehamer.com',
            extensions: { issuer: 'https://github.com/login/oauth' },
          }),
        ),
      ).toBe('accept');
    });

    it.each(names)('%s: both reject another identity', (name) => {
      const b = load(name);
      expect(
        outcome(() =>
          ours?.verifyBundle(b, undefined, { subjectAlternativeName: 'mallory@example.com' }),
        ),
      ).toBe('reject:IDENTITY_MISMATCH');
      expect(
        outcome(() =>
          reference?.verify(b, undefined, { subjectAlternativeName: 'mallory@example.com' }),
        ),
      ).toMatch(/^reject:/);
    });

    it.each(names)('%s: both reject a tampered DSSE signature', (name) => {
      const b = load(name);
      const sig = Buffer.from(b.dsseEnvelope.signatures[0].sig, 'base64');
      sig[sig.length - 5] = (sig[sig.length - 5] ?? 0) ^ 1;
      b.dsseEnvelope.signatures[0].sig = sig.toString('base64');
      expect(outcome(() => ours?.verifyBundle(b, undefined, {}))).toMatch(
        /^reject:(SIGNATURE_MISMATCH|LOG_BODY_MISMATCH)$/,
      );
      expect(outcome(() => reference?.verify(b))).toMatch(/^reject:/);
    });

    // Disagreement 1: @sigstore/verify matches the SAN as an unanchored regular expression, so a
    // fragment of the identity passes. Ours treats a string as an exact value and anchors every
    // regular expression: a policy naming part of an identity must not admit the whole.
    it('disagreement (we are stricter): a SAN fragment is not an identity', () => {
      const b = load(names[0] as string);
      expect(
        outcome(() => reference?.verify(b, undefined, { subjectAlternativeName: 'dehamer' })),
      ).toBe('accept');
      expect(
        outcome(() => ours?.verifyBundle(b, undefined, { subjectAlternativeName: 'dehamer' })),
      ).toBe('reject:IDENTITY_MISMATCH');
      expect(
        outcome(() =>
          ours?.verifyBundle(b, undefined, { subjectAlternativeName: { regexp: 'dehamer' } }),
        ),
      ).toBe('reject:IDENTITY_MISMATCH');
      expect(
        outcome(() =>
          ours?.verifyBundle(b, undefined, {
            subjectAlternativeName: { regexp: '.*@dehamer\\.com' },
          }),
        ),
      ).toBe('accept');
    });

    // Disagreement 2: a media type from the future. @sigstore/bundle accepts any `vN.N`; we
    // refuse media types we do not know, since their semantics may differ.
    it('disagreement (we are stricter): unknown media type v0.9', () => {
      const b = load('bundleV03-dsse.sigstore');
      b.mediaType = 'application/vnd.dev.sigstore.bundle.v0.9+json';
      expect(outcome(() => reference?.verify(b))).toBe('accept');
      expect(outcome(() => ours?.verifyBundle(b, undefined, {}))).toBe('reject:UNSUPPORTED_FORMAT');
    });
  },
);
