// The cryptographic floor of one public-good bundle: the public-key work no verifier can
// skip. Importing the signing certificate's key (new in every bundle) by the cheapest route
// Node offers (JWK), the leaf checked by its issuer (P-384), the DSSE signature, and one P-256
// verify each standing for the SET, the SCT and, when present, the checkpoint (same cost).
// Shared by bundle-verify.bench.ts and floor-cpu.mjs so both measure the same floor.
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { parseCertificate } from '@flareo/trust-root/x509';

/** Precompute the inputs of `bundle` (parsed JSON); returns the floor's work as a function. */
export function floorOf(bundle, trust) {
  const vm = bundle.verificationMaterial;
  const leaf = new X509Certificate(
    Buffer.from(
      vm.certificate?.rawBytes ?? vm.x509CertificateChain.certificates[0].rawBytes,
      'base64',
    ),
  );
  const ca = trust.issuerCandidates({
    issuerNameDer: parseCertificate(new Uint8Array(leaf.raw)).issuerNameDer,
  })[0]?.certificate;
  const env = bundle.dsseEnvelope;
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
  const p256 = trust.tlogs[0]?.key.keyObject;
  return () => {
    if (ca) leaf.verify(ca.publicKey);
    const key = createPublicKey({ key: jwk, format: 'jwk' }); // the leaf key, imported
    verify('sha256', pae, key, sig);
    if (p256) {
      verify('sha256', pae, p256, sig); // the SET check
      verify('sha256', pae, p256, sig); // the SCT check
      if (hasProof) verify('sha256', pae, p256, sig); // the checkpoint check
    }
  };
}
