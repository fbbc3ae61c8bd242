import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import {
  memoizeBackend,
  parseTrustedRoot,
  platformCrypto,
  type SyncCryptoBackend,
  type VerifyRequest,
} from '@flareo/trust-root';
import { describe, expect, it, vi } from 'vitest';
import { createVerifier } from '../src/index.js';
import { createVerifierPool } from '../src/node.js';
import { rejected, rejection } from './support/rejection.js';

// `VerifierOptions.cryptoBackend` answers every signature check of the synchronous methods.
// With the verified-signature cache of `@flareo/trust-root` (`memoizeBackend`), a repeated
// bundle pays no public-key operation; every answer, success or failure, is the same as
// without it.

const dir = vectorsDir();
const names = dir
  ? readdirSync(join(dir, 'sigstore', 'bundles'))
      .filter((f) => f.endsWith('.sigstore'))
      .sort()
  : [];
const policy = {
  subjectAlternativeName: 'brian@dehamer.com',
  issuer: 'https://github.com/login/oauth',
};

describe.skipIf(!dir)('VerifierOptions.cryptoBackend', () => {
  const trust = parseTrustedRoot(JSON.parse(readVector('sigstore/public-good/trusted_root.json')));
  const plain = createVerifier(trust);
  const texts = names.map((n) => readVector(`sigstore/bundles/${n}`));

  it('with the cache: the same results, and a second pass asks the backend nothing', () => {
    const memo = memoizeBackend(platformCrypto.sync, { maxEntries: 256 });
    const cached = createVerifier(trust, { cryptoBackend: memo });
    // The nine bundles were signed with two certificates (the same signer, twice): their
    // chain checks recur within the first pass already.
    const leaves = new Set(
      texts.map((t) => {
        const m = JSON.parse(t).verificationMaterial;
        return (m.certificate ?? m.x509CertificateChain.certificates[0]).rawBytes;
      }),
    );
    expect([texts.length, leaves.size]).toEqual([9, 2]);
    const pass = () => {
      for (const text of texts) {
        expect(cached.verifyBundle(text, undefined, policy)).toEqual(
          plain.verifyBundle(text, undefined, policy),
        );
      }
      return memo.stats;
    };
    const first = pass();
    // The chain, DSSE, SET and SCT checks of each bundle (and the checkpoint's when there is
    // a proof) are asked. The nine files are two signing events in nine formats, so the
    // same checks recur: at least the four checks of each event reach the backend.
    expect(first.hits + first.misses).toBeGreaterThanOrEqual(texts.length * 4);
    expect(first.misses).toBeGreaterThanOrEqual(leaves.size * 4);
    expect(first.hits).toBeGreaterThan(0);
    const second = pass();
    expect(second.misses).toBe(first.misses);
    expect(second.hits - first.hits).toBe(first.hits + first.misses);
  });

  it('the backend decides: a backend that refuses fails the bundle, and is asked again', async () => {
    const asked: VerifyRequest[] = [];
    const refusing: SyncCryptoBackend = {
      name: 'refusing',
      verify: (r) => {
        asked.push(r);
        return false;
      },
    };
    const memo = memoizeBackend(refusing);
    // The unwrapped createVerifier: the test set-up's async twin of each call runs on the
    // platform's async backend, which this refusing sync backend does not answer for.
    const { createVerifier: unwrapped } =
      await vi.importActual<typeof import('../src/verifier.js')>('../src/verifier.js');
    const verifier = unwrapped(trust, { cryptoBackend: memo });
    const codes = [0, 1].map(
      () => rejected(() => verifier.verifyBundle(texts[0] as string, undefined, policy)).code,
    );
    expect(codes[0]).toBe(codes[1]);
    expect(codes[0]).toBe('SIGNATURE_MISMATCH');
    // A refusal is never remembered: the second verification asked the same questions again.
    expect(asked.length % 2).toBe(0);
    expect(asked.length).toBeGreaterThan(0);
    expect(memo.size).toBe(0);
  });

  it('a warm cache changes no failure: tampered bundles fail as without it', () => {
    const memo = memoizeBackend(platformCrypto.sync);
    const cached = createVerifier(trust, { cryptoBackend: memo });
    for (const text of texts) cached.verifyBundle(text, undefined, policy); // warm
    let compared = 0;
    for (const text of texts) {
      const json = JSON.parse(text);
      const material = json.verificationMaterial;
      const cert = material.certificate ?? material.x509CertificateChain.certificates[0];
      const der = Buffer.from(cert.rawBytes, 'base64');
      // The last byte of the leaf's signatureValue, then a byte inside its TBSCertificate.
      for (const at of [der.length - 1, 40]) {
        const bad = Buffer.from(der);
        bad[at] = (bad[at] as number) ^ 1;
        cert.rawBytes = bad.toString('base64');
        const tampered = JSON.stringify(json);
        const want = rejected(() => plain.verifyBundle(tampered, undefined, policy));
        const got = rejected(() => cached.verifyBundle(tampered, undefined, policy));
        expect([got.code, got.detail.step]).toEqual([want.code, want.detail.step]);
        compared++;
      }
      cert.rawBytes = der.toString('base64');
    }
    expect(compared).toBe(18);
  });

  it('refuses a backend that is not one, and a pool refuses any (ARGUMENT_INVALID)', () => {
    for (const backend of [null, 5, {}, { verify: 'yes' }]) {
      rejection(
        () => createVerifier(trust, { cryptoBackend: backend as never }),
        'ARGUMENT_INVALID',
      );
    }
    rejection(
      () =>
        createVerifierPool({
          trust: [{ kind: 'trusted-root', json: '{}' }],
          verifier: { cryptoBackend: platformCrypto.sync } as never,
          size: 1,
        }),
      'ARGUMENT_INVALID',
    );
  });
});
