import { TestRekorV1 } from '../log/rekor-v1.js';
import type { TestRekorV2 } from '../log/rekor-v2.js';
import type { TlogEntryJson } from '../log/tlog-base.js';
import { keyDetailsFor } from '../log/tlog-base.js';
import type { TestTimestampAuthority } from '../tsa/tsa.js';
import {
  b64,
  type MintContent,
  type MintDigestAlgorithm,
  type MintSigner,
  type SignedMintContent,
  signContent,
  signerPem,
  signingKey,
} from './content.js';

/** Sigstore bundle media types, by version (v0.3 has two spellings in the wild). */
export const SIGSTORE_BUNDLE_MEDIA_TYPES = Object.freeze({
  '0.1': 'application/vnd.dev.sigstore.bundle+json;version=0.1',
  '0.2': 'application/vnd.dev.sigstore.bundle+json;version=0.2',
  '0.3': 'application/vnd.dev.sigstore.bundle.v0.3+json',
  '0.3-legacy': 'application/vnd.dev.sigstore.bundle+json;version=0.3',
});

const V2_HASH: Record<MintDigestAlgorithm, 'SHA2_256' | 'SHA2_384' | 'SHA2_512'> = {
  sha256: 'SHA2_256',
  sha384: 'SHA2_384',
  sha512: 'SHA2_512',
};

/** Options of {@link mintSigstoreBundle}. */
export interface MintSigstoreBundleOptions {
  readonly version: '0.1' | '0.2' | '0.3';
  readonly content: MintContent;
  readonly signer: MintSigner;
  /**
   * The log the signature is entered in. Default `null`: no log entry (`tlogEntries: []`).
   * Message signatures become hashedrekord (0.0.1 on v1, 0.0.2 on v2); DSSE envelopes become
   * dsse 0.0.1 or intoto 0.0.2 ({@link dsseLogKind}) on v1, hashedrekord 0.0.2 over the PAE on v2.
   */
  readonly rekor?: TestRekorV1 | TestRekorV2 | null;
  /** Attach an inclusion proof and checkpoint. Default: false for v0.1, true for v0.2 and v0.3. */
  readonly inclusionProof?: boolean;
  /** Keep the v1 log's SignedEntryTimestamp. Default true (Rekor v2 entries never have one). */
  readonly set?: boolean;
  /** Add an RFC 3161 timestamp over the signature bytes. */
  readonly timestamp?: TestTimestampAuthority;
  /** The timestamp's genTime. Default {@link integratedTime}, else the signing time. */
  readonly timestampTime?: Date;
  /**
   * Integrated time of the v1 log entry. Default: a minute after the signing certificate's
   * notBefore; for key signers, the log's own default.
   */
  readonly integratedTime?: Date;
  /** v0.3 media type: `'v0.3'` (`…bundle.v0.3+json`, default) or `'legacy'` (`…+json;version=0.3`). */
  readonly mediaTypeSpelling?: 'legacy' | 'v0.3';
  /** Rekor v1 entry kind for DSSE. Default `'dsse'` (0.0.1); `'intoto'` writes intoto 0.0.2. */
  readonly dsseLogKind?: 'dsse' | 'intoto';
  /**
   * Message digest algorithm: the bundle's `messageDigest`, the signature's hash (not for
   * Ed25519) and the hashedrekord body digest. Default `'sha256'` (cosign's default).
   */
  readonly digestAlgorithm?: MintDigestAlgorithm;
  /**
   * Override how a certificate signer is written: `'chain'` (x509CertificateChain, the v0.1
   * and v0.2 form) or `'certificate'` (single certificate, the v0.3 form). Default by version.
   */
  readonly certificateMaterial?: 'chain' | 'certificate';
}

/** A minted Sigstore bundle and what went into it. */
export interface MintedSigstoreBundle {
  /** The bundle in protobuf JSON form (what `cosign` / `sigstore-js` write to disk). */
  readonly json: Record<string, unknown>;
  /** The artifact signed (message) or the default statement's subject (DSSE). */
  readonly artifact: Uint8Array | undefined;
  readonly signed: SignedMintContent;
  /** The signature bytes (message signature or DSSE signature). */
  readonly signature: Uint8Array;
  /** The log entry as written into the bundle, when a log was given. */
  readonly tlogEntry?: TlogEntryJson;
  /** The signing time used for defaults (integrated time / timestamp genTime). */
  readonly signingTime?: Date;
}

function keyDetailsOf(signer: MintSigner): string {
  return keyDetailsFor(signingKey(signer).type);
}

function v2Verifier(signer: MintSigner) {
  return 'certificate' in signer
    ? { certificateDer: signer.certificate.der, keyDetails: keyDetailsOf(signer) }
    : { publicKeyDer: signer.key.spki, keyDetails: keyDetailsOf(signer) };
}

function logEntry(
  rekor: TestRekorV1 | TestRekorV2,
  signed: SignedMintContent,
  signer: MintSigner,
  options: MintSigstoreBundleOptions,
  integratedTime: Date | undefined,
): TlogEntryJson {
  const proof = options.inclusionProof ?? options.version !== '0.1';
  if (rekor instanceof TestRekorV1) {
    const common = {
      ...(integratedTime === undefined ? {} : { integratedTime }),
      inclusionProof: proof,
    };
    const verifier =
      'certificate' in signer
        ? { certificatePem: signer.certificate.pem }
        : { publicKeyPem: signer.key.publicKeyPem };
    let entry: TlogEntryJson;
    if (signed.kind === 'message') {
      entry = rekor.addHashedRekord({
        ...common,
        ...verifier,
        artifactDigest: signed.digest,
        digestAlgorithm: signed.digestAlgorithm,
        signature: signed.signature,
      });
    } else {
      const input = { ...common, envelope: signed.envelope, verifierPem: signerPem(signer) };
      entry = options.dsseLogKind === 'intoto' ? rekor.addIntoto(input) : rekor.addDsse(input);
    }
    if (options.set === false) {
      const { inclusionPromise: _dropped, ...withoutSet } = entry;
      return withoutSet;
    }
    return entry;
  }
  if (signed.kind === 'message') {
    return rekor.addHashedRekordV002({
      ...v2Verifier(signer),
      digest: signed.digest,
      digestAlgorithm: V2_HASH[signed.digestAlgorithm],
      signature: signed.signature,
      inclusionProof: options.inclusionProof ?? true,
    });
  }
  return rekor.addDsseAsHashedRekord({
    ...v2Verifier(signer),
    envelope: signed.envelope,
    inclusionProof: options.inclusionProof ?? true,
  });
}

/**
 * Sign an artifact (or a DSSE payload) and emit a Sigstore bundle exactly as cosign and
 * sigstore-js write it: protobuf JSON, bytes in base64, int64 values as strings, camelCase.
 * v0.1 carries `x509CertificateChain` and (with a log) a SET; v0.2 adds the inclusion proof;
 * v0.3 carries a single `certificate` and the inclusion proof (plus the SET on Rekor v1).
 * Nothing is validated: options that make an invalid bundle (a v0.3 bundle without proof, a
 * v0.1 bundle from Rekor v2) are honoured, for negative tests.
 */
export function mintSigstoreBundle(options: MintSigstoreBundleOptions): MintedSigstoreBundle {
  const { signer, version } = options;
  const key = signingKey(signer);
  const signed = signContent(options.content, key, options.digestAlgorithm ?? 'sha256');
  const signingTime =
    options.integratedTime ??
    ('certificate' in signer
      ? new Date(new Date(signer.certificate.x509.validFrom).getTime() + 60_000)
      : undefined);

  const material: Record<string, unknown> = {};
  if ('certificate' in signer) {
    const form = options.certificateMaterial ?? (version === '0.3' ? 'certificate' : 'chain');
    if (form === 'chain') {
      material.x509CertificateChain = {
        certificates: [signer.certificate, ...(signer.chain ?? [])].map((c) => ({
          rawBytes: b64(c.der),
        })),
      };
    } else {
      material.certificate = { rawBytes: b64(signer.certificate.der) };
    }
  } else {
    material.publicKey = { hint: signer.hint ?? signer.key.keyId };
  }
  let tlogEntry: TlogEntryJson | undefined;
  if (options.rekor) {
    tlogEntry = logEntry(options.rekor, signed, signer, options, signingTime);
    material.tlogEntries = [tlogEntry];
  } else {
    material.tlogEntries = [];
  }
  if (options.timestamp) {
    const time = options.timestampTime ?? signingTime ?? new Date();
    const minted = options.timestamp.timestamp({ data: signed.signature, time });
    material.timestampVerificationData = { rfc3161Timestamps: [minted.bundleJson] };
  }

  const mediaType =
    version === '0.3' && options.mediaTypeSpelling === 'legacy'
      ? SIGSTORE_BUNDLE_MEDIA_TYPES['0.3-legacy']
      : SIGSTORE_BUNDLE_MEDIA_TYPES[version];
  const json: Record<string, unknown> = { mediaType, verificationMaterial: material };
  if (signed.kind === 'message') {
    json.messageSignature = {
      messageDigest: { algorithm: V2_HASH[signed.digestAlgorithm], digest: b64(signed.digest) },
      signature: b64(signed.signature),
    };
  } else {
    json.dsseEnvelope = {
      payload: signed.envelope.payload,
      payloadType: signed.envelope.payloadType,
      signatures: signed.envelope.signatures.map((s) => ({ sig: s.sig, keyid: s.keyid ?? '' })),
    };
  }
  return {
    json,
    artifact: signed.artifact,
    signed,
    signature: signed.signature,
    ...(tlogEntry === undefined ? {} : { tlogEntry }),
    ...(signingTime === undefined ? {} : { signingTime }),
  };
}
