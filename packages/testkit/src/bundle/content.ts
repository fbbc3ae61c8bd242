import { createHash } from 'node:crypto';
import type { TestKey } from '../keys.js';
import { type DsseEnvelopeJson, signDsseEnvelope } from '../log/dsse.js';
import type { TestCertificate } from '../x509.js';

/** Digest algorithms a bundle, an in-toto subject or a Rekor body may use. */
export type MintDigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** The in-toto DSSE payload type. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
/** The in-toto Statement v1 `_type`. */
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';

/** The artifact of minted bundles when the caller gives none. */
export const DEFAULT_ARTIFACT: Uint8Array = new TextEncoder().encode(
  'flareo test artifact: module bundle v1.0.0\n',
);

/** A message signature over the artifact bytes (`cosign sign-blob`). */
export interface MessageContent {
  readonly kind: 'message';
  readonly artifact: Uint8Array;
}

/**
 * A DSSE envelope (`cosign attest-blob`, npm provenance). By default its payload is an
 * in-toto Statement v1 about {@link artifact}; give `statement` (any JSON object) or the raw
 * `payload` bytes (with `payloadType`) to sign something else.
 */
export interface DsseContent {
  readonly kind: 'dsse';
  /** The artifact the default statement is about. Default {@link DEFAULT_ARTIFACT}. */
  readonly artifact?: Uint8Array;
  /** Digests written into the default statement's subject. Default `['sha256']`. */
  readonly subjectDigests?: readonly MintDigestAlgorithm[];
  /** The statement to sign (serialised with `JSON.stringify`). */
  readonly statement?: object;
  /** Payload type. Default `application/vnd.in-toto+json`. */
  readonly payloadType?: string;
  /** Raw payload bytes (take precedence over `statement`). */
  readonly payload?: Uint8Array;
}

export type MintContent = MessageContent | DsseContent;

/** A certificate signer (keyless / private CA): the leaf, and for v0.1/v0.2 its issuers. */
export interface CertificateSigner {
  readonly certificate: TestCertificate;
  /** Issuing certificates written after the leaf (leaf-most first) where the format allows. */
  readonly chain?: readonly TestCertificate[];
}

/** A key signer (`cosign sign-blob --key`). */
export interface KeySigner {
  readonly key: TestKey;
  /** Sigstore bundle `publicKey.hint`. Default: the key id, hex sha256 of the DER SPKI. */
  readonly hint?: string;
}

export type MintSigner = CertificateSigner | KeySigner;

/** The content once signed. */
export type SignedMintContent =
  | {
      readonly kind: 'message';
      readonly artifact: Uint8Array;
      readonly digestAlgorithm: MintDigestAlgorithm;
      readonly digest: Uint8Array;
      readonly signature: Uint8Array;
    }
  | {
      readonly kind: 'dsse';
      /** The artifact the statement is about (absent when the caller gave the payload or statement). */
      readonly artifact?: Uint8Array;
      readonly payloadType: string;
      readonly payload: Uint8Array;
      readonly envelope: DsseEnvelopeJson;
      readonly signature: Uint8Array;
    };

export const digestOf = (algorithm: MintDigestAlgorithm, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash(algorithm).update(data).digest());

export const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** The signing key of a signer. */
export function signingKey(signer: MintSigner): TestKey {
  return 'certificate' in signer ? signer.certificate.key : signer.key;
}

/** PEM of the signer as Rekor v1 bodies and legacy bundles carry it (leaf or public key). */
export function signerPem(signer: MintSigner): string {
  return 'certificate' in signer ? signer.certificate.pem : signer.key.publicKeyPem;
}

/**
 * An in-toto Statement v1 whose single subject is `artifact`, with one digest per algorithm,
 * and a small SLSA-shaped predicate.
 */
export function inTotoStatement(
  artifact: Uint8Array,
  options: { name?: string; digests?: readonly MintDigestAlgorithm[]; predicateType?: string } = {},
): Record<string, unknown> {
  const digest: Record<string, string> = {};
  for (const alg of options.digests ?? ['sha256']) {
    digest[alg] = Buffer.from(digestOf(alg, artifact)).toString('hex');
  }
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [{ name: options.name ?? 'module-bundle.tar.gz', digest }],
    predicateType: options.predicateType ?? 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: 'https://flareo.test/build/v1',
        externalParameters: { source: 'https://github.com/flareo/demo' },
      },
      runDetails: { builder: { id: 'https://flareo.test/builder' } },
    },
  };
}

/**
 * Sign the content with the signer's key. Message signatures use `digestAlgorithm`
 * (cosign's default SHA-256; Ed25519 signs the bytes themselves); DSSE signatures sign the PAE
 * with the key's own digest (SHA-256 for P-256 and RSA, SHA-384 for P-384).
 */
export function signContent(
  content: MintContent,
  key: TestKey,
  digestAlgorithm: MintDigestAlgorithm = 'sha256',
): SignedMintContent {
  if (content.kind === 'message') {
    return {
      kind: 'message',
      artifact: content.artifact,
      digestAlgorithm,
      digest: digestOf(digestAlgorithm, content.artifact),
      signature: key.sign(content.artifact, { hash: digestAlgorithm }),
    };
  }
  const ownPayload = content.payload !== undefined || content.statement !== undefined;
  const artifact = content.artifact ?? DEFAULT_ARTIFACT;
  const payload =
    content.payload ??
    new TextEncoder().encode(
      JSON.stringify(
        content.statement ??
          inTotoStatement(artifact, { digests: content.subjectDigests ?? ['sha256'] }),
      ),
    );
  const payloadType = content.payloadType ?? IN_TOTO_PAYLOAD_TYPE;
  const envelope = signDsseEnvelope(payloadType, payload, [key]);
  const sig = envelope.signatures[0];
  if (!sig) throw new Error('signDsseEnvelope returned no signature');
  return {
    kind: 'dsse',
    ...(ownPayload && content.artifact === undefined ? {} : { artifact }),
    payloadType,
    payload,
    envelope,
    signature: new Uint8Array(Buffer.from(sig.sig, 'base64')),
  };
}
