import { createPublicKey, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readVector, vectorsDir } from '@flareo/testkit';
import { parseTrustedRoot } from '@flareo/trust-root';
import { parseCertificate } from '@flareo/trust-root/x509';
import { bench, describe } from 'vitest';
import { createVerifier } from '../dist/index.js';
import { referenceVerifier } from '../test/support/sigstore-oracle.js';

// Per-bundle verification of the nine real public-good bundles: ours, @sigstore/verify 3.1.1
// (the reference, Verifier built once) and the cryptographic floor (the public-key work no
// verifier can skip: importing the signing certificate's key, which is new in every bundle,
// by the cheapest route Node offers (JWK), then the leaf by intermediate, the DSSE
// signature, the SET, the checkpoint when present and the SCT), all in the same run.
const dir = vectorsDir();

if (dir) {
  const rootJson = JSON.parse(readVector('sigstore/public-good/trusted_root.json'));
  const trust = parseTrustedRoot(rootJson);
  const ours = createVerifier(trust);
  const reference = referenceVerifier(rootJson);
  const names = readdirSync(join(dir, 'sigstore', 'bundles')).filter((f) =>
    f.endsWith('.sigstore'),
  );
  const texts = names.map((n) => readVector(`sigstore/bundles/${n}`));
  const objects = texts.map((t) => JSON.parse(t));
  for (const o of objects) ours.verifyBundle(o, undefined, {}); // all must verify before timing

  describe('nine real bundles, one verification each', () => {
    bench('@flareo/bundle-verify (from JSON text)', () => {
      for (const t of texts) ours.verifyBundle(t, undefined, {});
    });
    bench('@flareo/bundle-verify (from parsed JSON)', () => {
      for (const o of objects) ours.verifyBundle(o, undefined, {});
    });
    bench('@sigstore/verify 3.1.1 (from parsed JSON)', () => {
      for (const o of objects) reference.verify(o);
    });
    // The floor, precomputed inputs: only the public-key operations.
    const floor = objects.map((o) => {
      const vm = o.verificationMaterial;
      const leaf = new X509Certificate(
        Buffer.from(
          vm.certificate?.rawBytes ?? vm.x509CertificateChain.certificates[0].rawBytes,
          'base64',
        ),
      );
      const ca = trust.issuerCandidates({
        issuerNameDer: parseCertificate(new Uint8Array(leaf.raw)).issuerNameDer,
      })[0]?.certificate;
      const env = o.dsseEnvelope;
      const payload = Buffer.from(env.payload, 'base64');
      const type = Buffer.from(env.payloadType);
      const pae = Buffer.concat([
        Buffer.from(`DSSEv1 ${type.length} `),
        type,
        Buffer.from(` ${payload.length} `),
        payload,
      ]);
      const sig = Buffer.from(env.signatures[0].sig, 'base64');
      const jwk = leaf.publicKey.export({ format: 'jwk' });
      const hasProof = Boolean(vm.tlogEntries[0].inclusionProof);
      return () => {
        if (ca) leaf.verify(ca.publicKey as KeyObject);
        const key = createPublicKey({ key: jwk, format: 'jwk' }); // the leaf key, imported
        verify('sha256', pae, key, sig);
        const p256 = trust.tlogs[0]?.key.keyObject as KeyObject | undefined;
        if (p256) {
          verify('sha256', pae, p256, sig); // stands for the SET check (same cost: one P-256 verify)
          verify('sha256', pae, p256, sig); // stands for the SCT check
          if (hasProof) verify('sha256', pae, p256, sig); // stands for the checkpoint check
        }
      };
    });
    bench('cryptographic floor (leaf key import, P-384 leaf check, 3-4 P-256 verifies)', () => {
      for (const f of floor) f();
    });
  });
}
