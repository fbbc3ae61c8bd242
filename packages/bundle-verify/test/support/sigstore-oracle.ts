import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';

// The reference verifier (@sigstore/verify 3.1.1) as a differential oracle and benchmark
// baseline. Its trust material is built from trusted_root.json by hand (base64 → Buffer,
// timestamps → Date), the way the research notes show it accepts.

// biome-ignore lint/suspicious/noExplicitAny: raw protobuf-JSON documents
type Json = Record<string, any>;
const buf = (s: string) => Buffer.from(s, 'base64');
const window = (v: Json | undefined) =>
  v ? { start: new Date(v.start), ...(v.end ? { end: new Date(v.end) } : {}) } : undefined;

export function referenceTrustMaterial(trustedRoot: Json): ReturnType<typeof toTrustMaterial> {
  const log = (t: Json) => ({
    baseUrl: t.baseUrl,
    hashAlgorithm: 1,
    publicKey: {
      rawBytes: buf(t.publicKey.rawBytes),
      keyDetails: t.publicKey.keyDetails,
      validFor: window(t.publicKey.validFor),
    },
    logId: { keyId: buf(t.logId.keyId) },
  });
  const ca = (c: Json) => ({
    subject: c.subject,
    uri: c.uri,
    certChain: {
      certificates: c.certChain.certificates.map((x: Json) => ({ rawBytes: buf(x.rawBytes) })),
    },
    validFor: window(c.validFor),
  });
  const root = {
    mediaType: trustedRoot.mediaType,
    tlogs: (trustedRoot.tlogs ?? []).map(log),
    ctlogs: (trustedRoot.ctlogs ?? []).map(log),
    certificateAuthorities: (trustedRoot.certificateAuthorities ?? []).map(ca),
    timestampAuthorities: (trustedRoot.timestampAuthorities ?? []).map(ca),
  };
  return toTrustMaterial(root as unknown as Parameters<typeof toTrustMaterial>[0]);
}

/** A reusable reference verifier; `verify` throws on rejection like the library does. */
export function referenceVerifier(
  trustedRoot: Json,
  options?: ConstructorParameters<typeof Verifier>[1],
) {
  const verifier = new Verifier(referenceTrustMaterial(trustedRoot), options);
  return {
    verify(bundleJson: Json, artifact?: Buffer, policy?: Parameters<Verifier['verify']>[1]) {
      return verifier.verify(toSignedEntity(bundleFromJSON(bundleJson), artifact), policy);
    },
  };
}
