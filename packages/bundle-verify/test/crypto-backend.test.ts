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
import { describe, expect, it } from 'vitest';
import { createVerifier, createVerifierPool } from '../src/index.js';
import { rejected, rejection } from './support/rejection.js';

// `VerifierOptions.cryptoBackend` answers the certificate-chain signature checks. With the
// verified-signature cache of `@flareo/trust-root` (`memoizeBackend`), a repeated bundle pays
// its chain check once; every answer, success or failure, is the same as without it.

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

  it('with the cache: the same results, and each certificate pays its chain check once', () => {
    const memo = memoizeBackend(platformCrypto.sync, { maxEntries: 64 });
    const cached = createVerifier(trust, { cryptoBackend: memo });
    // The nine bundles were signed with two certificates (the same signer, twice).
    const leaves = new Set(
      texts.map((t) => {
        const m = JSON.parse(t).verificationMaterial;
        return (m.certificate ?? m.x509CertificateChain.certificates[0]).rawBytes;
      }),
    );
    expect([texts.length, leaves.size]).toEqual([9, 2]);
    for (const pass of [1, 2]) {
      for (const text of texts) {
        expect(cached.verifyBundle(text, undefined, policy)).toEqual(
          plain.verifyBundle(text, undefined, policy),
        );
      }
      expect(memo.stats).toEqual({
        hits: texts.length * pass - leaves.size,
        misses: leaves.size,
      });
    }
  });

  it('the backend decides the chain check: a backend that refuses makes UNTRUSTED_SIGNER', () => {
    const asked: VerifyRequest[] = [];
    const refusing: SyncCryptoBackend = {
      name: 'refusing',
      verify: (r) => {
        asked.push(r);
        return false;
      },
    };
    const memo = memoizeBackend(refusing);
    const verifier = createVerifier(trust, { cryptoBackend: memo });
    for (let i = 0; i < 2; i++) {
      rejection(
        () => verifier.verifyBundle(texts[0] as string, undefined, policy),
        'UNTRUSTED_SIGNER',
        'trust',
      );
    }
    // A P-384 certificate signature, asked both times: a refusal is never remembered.
    expect(asked).toHaveLength(2);
    expect(asked[0]?.scheme).toEqual({ kind: 'ecdsa', hash: 'sha384' });
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
