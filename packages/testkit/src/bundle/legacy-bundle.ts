import type { TestKey } from '../keys.js';
import type { LegacyRekorBundleJson, TestRekorV1 } from '../log/rekor-v1.js';
import type { TestTimestampAuthority } from '../tsa/tsa.js';
import {
  b64,
  type DsseContent,
  type MintDigestAlgorithm,
  type MintSigner,
  signContent,
  signingKey,
} from './content.js';

/** Cosign's legacy `sign-blob --bundle` / `attest-blob --bundle` JSON (`LocalSignedPayload`). */
export interface LegacyCosignBundleJson {
  base64Signature: string;
  cert?: string;
  rekorBundle?: LegacyRekorBundleJson;
  /**
   * Not part of cosign's JSON: cosign writes the timestamp to its own file (`sign-blob
   * --rfc3161-timestamp`) or layer annotation, in this shape. `@flareo/bundle-verify` reads it
   * here when the caller attaches it.
   */
  rfc3161Timestamp?: CosignTimestampJson;
}

/** cosign's RFC 3161 timestamp JSON: the base64 DER TimeStampResp over the signature bytes. */
export interface CosignTimestampJson {
  SignedRFC3161Timestamp: string;
}

/** Options of {@link mintLegacyCosignBundle}. */
export interface MintLegacyCosignBundleOptions {
  /** The blob signed (and, with {@link dsse}, the default statement's subject). */
  readonly artifact: Uint8Array;
  /**
   * `cosign attest-blob`: sign a DSSE envelope (by default an in-toto statement about
   * `artifact`) and put the whole envelope, base64-encoded, in `base64Signature`.
   */
  readonly dsse?: boolean | Omit<DsseContent, 'kind' | 'artifact'>;
  /** Certificate signer (leaf plus optional issuers, all written into `cert`) or key signer. */
  readonly signer: MintSigner;
  /** The Rekor v1 log to enter the signature in. Default none: no `rekorBundle`. */
  readonly rekor?: TestRekorV1 | null;
  /**
   * How `cert` is written: `'base64-pem'` (base64 of the PEM text, what cosign writes; default)
   * or `'pem'` (the PEM text itself, which cosign also reads).
   */
  readonly certEncoding?: 'base64-pem' | 'pem';
  /** Write the key signer's public key PEM into `cert` (cosign does for keyed signing). Default true. */
  readonly includePublicKey?: boolean;
  /** Integrated time of the entry. Default: a minute after the certificate's notBefore. */
  readonly integratedTime?: Date;
  /** Log kind for DSSE envelopes. Default `'intoto'` (0.0.2, what attest-blob uploads). */
  readonly dsseLogKind?: 'dsse' | 'intoto';
  /** Message signature digest. Default `'sha256'`. */
  readonly digestAlgorithm?: MintDigestAlgorithm;
  /** Add an RFC 3161 timestamp over the signature bytes as `rfc3161Timestamp`. Default none. */
  readonly timestamp?: TestTimestampAuthority;
  /** The timestamp's genTime. Default the integrated time, else the certificate's notBefore + 1 min. */
  readonly timestampTime?: Date;
}

/**
 * Mint a legacy cosign bundle: `base64Signature`, `cert` (base64 PEM of the leaf and its
 * chain, or of the public key) and, with a log, `rekorBundle` (`SignedEntryTimestamp` and
 * `Payload{body, integratedTime, logIndex, logID}`) with a real SET.
 */
export function mintLegacyCosignBundle(
  options: MintLegacyCosignBundleOptions,
): LegacyCosignBundleJson {
  const { signer } = options;
  const key = signingKey(signer);
  const dsse = options.dsse === true ? {} : options.dsse === false ? undefined : options.dsse;
  const signed = signContent(
    dsse === undefined
      ? { kind: 'message', artifact: options.artifact }
      : { ...dsse, kind: 'dsse', artifact: options.artifact },
    key,
    options.digestAlgorithm ?? 'sha256',
  );
  const base64Signature =
    signed.kind === 'message'
      ? b64(signed.signature)
      : Buffer.from(JSON.stringify(signed.envelope)).toString('base64');

  let pem: string | undefined;
  if ('certificate' in signer) {
    pem = [signer.certificate, ...(signer.chain ?? [])].map((c) => c.pem).join('');
  } else if (options.includePublicKey ?? true) {
    pem = signer.key.publicKeyPem;
  }
  const cert =
    pem === undefined
      ? undefined
      : options.certEncoding === 'pem'
        ? pem
        : Buffer.from(pem, 'utf8').toString('base64');

  let rekorBundle: LegacyRekorBundleJson | undefined;
  if (options.rekor) {
    const rekor = options.rekor;
    const integratedTime =
      options.integratedTime ??
      ('certificate' in signer
        ? new Date(new Date(signer.certificate.x509.validFrom).getTime() + 60_000)
        : undefined);
    const common = integratedTime === undefined ? {} : { integratedTime };
    const verifierPem = 'certificate' in signer ? signer.certificate.pem : signer.key.publicKeyPem;
    const entry =
      signed.kind === 'message'
        ? rekor.addHashedRekord({
            ...common,
            artifactDigest: signed.digest,
            digestAlgorithm: signed.digestAlgorithm,
            signature: signed.signature,
            ...('certificate' in signer
              ? { certificatePem: verifierPem }
              : { publicKeyPem: verifierPem }),
          })
        : (options.dsseLogKind ?? 'intoto') === 'intoto'
          ? rekor.addIntoto({ ...common, envelope: signed.envelope, verifierPem })
          : rekor.addDsse({ ...common, envelope: signed.envelope, verifierPem });
    rekorBundle = rekor.legacyRekorBundle(entry);
  }
  let rfc3161Timestamp: CosignTimestampJson | undefined;
  if (options.timestamp) {
    const time =
      options.timestampTime ??
      options.integratedTime ??
      ('certificate' in signer
        ? new Date(new Date(signer.certificate.x509.validFrom).getTime() + 60_000)
        : new Date());
    const minted = options.timestamp.timestamp({ data: signed.signature, time });
    rfc3161Timestamp = { SignedRFC3161Timestamp: b64(minted.response) };
  }
  return {
    base64Signature,
    ...(cert === undefined ? {} : { cert }),
    ...(rekorBundle === undefined ? {} : { rekorBundle }),
    ...(rfc3161Timestamp === undefined ? {} : { rfc3161Timestamp }),
  };
}

/**
 * A cosign `.sig` sidecar (`cosign sign-blob --key … --output-signature`): the base64 of the
 * signature over the artifact, SHA-256 by default (Ed25519 signs the bytes themselves).
 */
export function mintKeyedSignature(
  artifact: Uint8Array,
  key: TestKey,
  options: { digestAlgorithm?: MintDigestAlgorithm } = {},
): string {
  return b64(key.sign(artifact, { hash: options.digestAlgorithm ?? 'sha256' }));
}
