import {
  createCertificateAuthority,
  createLeafCertificate,
  type LegacyCosignBundleJson,
  mintKeyedSignature,
  mintLegacyCosignBundle,
  mintSigstoreBundle,
  TestRekorV1,
  testKey,
} from '@flareo/testkit';

/** Everything the controller tests sign with: deterministic keys, an author CA, two Rekor logs. */
export const enc = new TextEncoder();

export const keys = {
  authorA: testKey('ecdsa-p256', 'ctl-author-a'),
  authorB: testKey('ecdsa-p256', 'ctl-author-b'),
  intruder: testKey('ecdsa-p256', 'ctl-intruder'),
  ed25519: testKey('ed25519', 'ctl-author-ed'),
  rsa: testKey('rsa-2048', 'ctl-author-rsa'),
  p384: testKey('ecdsa-p384', 'ctl-author-p384'),
};

/** The author's own CA (trusted as a CERTIFICATE block) and leaves it issued. */
export const authorCa = createCertificateAuthority({
  seed: 'ctl-author-ca',
  commonName: 'Acme Module Signing CA',
  organization: 'acme.test',
});
export const otherCa = createCertificateAuthority({
  seed: 'ctl-other-ca',
  commonName: 'Somebody Else CA',
  organization: 'other.test',
});
/** Fulcio-style: valid ten minutes from 2024-01-01, so only a SET time can vouch for it. */
export const shortLeaf = createLeafCertificate({
  issuer: authorCa,
  seed: 'ctl-short-leaf',
  san: { email: ['release@acme.test'] },
});
/** Long-lived (2024–2040): what an internal CA issues; checked at the current time on opt-in. */
export const longLeaf = createLeafCertificate({
  issuer: authorCa,
  seed: 'ctl-long-leaf',
  san: { email: ['builder@acme.test'] },
  notBefore: new Date('2024-01-01T00:00:00Z'),
  notAfter: new Date('2040-01-01T00:00:00Z'),
});
export const foreignLeaf = createLeafCertificate({
  issuer: otherCa,
  seed: 'ctl-foreign-leaf',
  san: { email: ['release@other.test'] },
  notBefore: new Date('2024-01-01T00:00:00Z'),
  notAfter: new Date('2040-01-01T00:00:00Z'),
});

export const rekor = new TestRekorV1({ seed: 'ctl-rekor' });
/** Same hostname, different key: its SETs must not verify against rekor.pub. */
export const rogueRekor = new TestRekorV1({ seed: 'ctl-rogue-rekor', hostname: rekor.hostname });

/** PEM text of a trust root made of the given blocks. */
export const pem = (...blocks: string[]): string => blocks.join('');

/** Module bytes: a fake jar with a name in it. */
export const moduleBytes = (name: string): Uint8Array =>
  enc.encode(`PK\u0003\u0004 fake module ${name}\n${'x'.repeat(200)}\n`);

/** A tampered copy: one byte flipped. */
export function tamper(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  const i = Math.floor(copy.length / 2);
  copy[i] = (copy[i] ?? 0) ^ 0x01;
  return copy;
}

/** A legacy `cosign sign-blob --bundle` file as text. */
export function cosignBundle(
  artifact: Uint8Array,
  signer: { key: (typeof keys)[keyof typeof keys] } | { certificate: typeof shortLeaf },
  options: { rekor?: TestRekorV1 } = {},
): string {
  const json: LegacyCosignBundleJson = mintLegacyCosignBundle({
    artifact,
    signer,
    ...(options.rekor ? { rekor: options.rekor } : {}),
  });
  return JSON.stringify(json);
}

/** A Sigstore bundle v0.3 with a Rekor entry, SET and inclusion proof. */
export function sigstoreBundle(
  artifact: Uint8Array,
  key: (typeof keys)[keyof typeof keys],
): string {
  return JSON.stringify(
    mintSigstoreBundle({
      version: '0.3',
      content: { kind: 'message', artifact },
      signer: { key },
      rekor,
    }).json,
  );
}

/** A `.sig` sidecar. */
export const keyedSig = (artifact: Uint8Array, key: (typeof keys)[keyof typeof keys]): string =>
  mintKeyedSignature(artifact, key);
