// Reading a Sigstore bundle's protobuf-JSON into the few fields the verifier uses, with the
// structural rules of the bundle specification per media type. Hand-written, replacing
// `@sigstore/bundle`'s `bundleFromJSON`: its generated protobuf decoder
// (`@sigstore/protobuf-specs`) calls `Buffer.from` for every bytes field, so it cannot run in
// a browser or a worker without a Buffer shim, and it is the largest dependency of the
// browser build. This reads the same JSON the same way (a field that is null or absent takes
// its protobuf default; bytes are base64 read as leniently as Buffer did; the first set
// member of a oneof wins, in the order the generated code tests them) and refuses the same
// bundles with the same field names (see `test/input.test.ts` and the interop suites).

import { fromBase64 } from '@flareo/internal/bytes';

/** A bundle that breaks a structural rule; `fields` names each offending field. */
export class BundleShapeError extends Error {
  override readonly name = 'BundleShapeError';
  constructor(
    message: string,
    readonly fields: readonly string[],
  ) {
    super(message);
  }
}

/** The parts of a Sigstore bundle the verifier reads. */
export interface BundleJson {
  readonly mediaType: string;
  readonly verificationMaterial:
    | {
        readonly content:
          | { readonly $case: 'publicKey'; readonly hint: string }
          | { readonly $case: 'x509CertificateChain'; readonly certificates: Uint8Array[] }
          | { readonly $case: 'certificate'; readonly rawBytes: Uint8Array }
          | undefined;
        readonly timestamps: Uint8Array[];
      }
    | undefined;
  readonly content:
    | {
        readonly $case: 'messageSignature';
        readonly messageDigest:
          | { readonly algorithm: number; readonly digest: Uint8Array }
          | undefined;
        readonly signature: Uint8Array;
      }
    | {
        readonly $case: 'dsseEnvelope';
        readonly payload: Uint8Array;
        readonly payloadType: string;
        readonly signatures: Uint8Array[];
      }
    | undefined;
}

type Json = Record<string, unknown>;

const isSet = (v: unknown): boolean => v !== null && v !== undefined;
const at = (o: unknown, key: string): unknown =>
  typeof o === 'object' && o !== null ? (o as Json)[key] : undefined;

/** A protobuf-JSON `bytes` value: base64 text, decoded as leniently as `Buffer` did. */
function bytes(value: unknown): Uint8Array {
  if (!isSet(value)) return new Uint8Array(0);
  if (typeof value === 'string') return fromBase64(value);
  // Buffer.from also took an array of octets; anything else was a TypeError.
  if (Array.isArray(value)) return Uint8Array.from(value, (v) => Number(v) & 0xff);
  throw new TypeError(`a bytes field holds ${typeof value}, not base64 text`);
}

const text = (value: unknown): string => (isSet(value) ? String(value) : '');

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const HASH_ALGORITHMS: Readonly<Record<string, number>> = {
  HASH_ALGORITHM_UNSPECIFIED: 0,
  SHA2_256: 1,
  SHA2_384: 2,
  SHA2_512: 3,
  SHA3_256: 4,
  SHA3_384: 5,
};

/** The HashAlgorithm enum by name or number (unknown values are an error, as in protobuf). */
function hashAlgorithm(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 5) {
    return value;
  }
  const n = typeof value === 'string' ? HASH_ALGORITHMS[value] : undefined;
  if (n === undefined) throw new Error(`Unrecognized enum value ${value} for enum HashAlgorithm`);
  return n;
}

/** What a transparency log entry must hold to be checked further (by `@flareo/rekor-set`). */
interface EntryShape {
  readonly logId: boolean;
  readonly kindVersion: boolean;
  readonly inclusionPromise: boolean;
  readonly inclusionProof: boolean;
  readonly checkpoint: boolean;
}

/**
 * Refuse a `bytes` value the generated decoder could not decode, without keeping the bytes:
 * `@flareo/rekor-set` decodes the entry's fields itself, with its own stricter rules. Base64
 * text always decodes (leniently), so only other values go through {@link bytes}; decoding
 * the body and proof hashes here only to drop them was a quarter of the bundle's base64 work.
 */
function decodable(value: unknown): void {
  if (typeof value !== 'string') bytes(value);
}

/** Read one entry the way the generated decoder did: its bytes fields must decode. */
function entryShape(entry: unknown): EntryShape {
  const logId = at(entry, 'logId');
  if (isSet(logId)) decodable(at(logId, 'keyId'));
  const promise = at(entry, 'inclusionPromise');
  if (isSet(promise)) decodable(at(promise, 'signedEntryTimestamp'));
  const proof = at(entry, 'inclusionProof');
  if (isSet(proof)) {
    decodable(at(proof, 'rootHash'));
    for (const h of list(at(proof, 'hashes'))) decodable(h);
  }
  decodable(at(entry, 'canonicalizedBody'));
  return {
    logId: isSet(logId),
    kindVersion: isSet(at(entry, 'kindVersion')),
    inclusionPromise: isSet(promise),
    inclusionProof: isSet(proof),
    checkpoint: isSet(proof) && isSet(at(proof, 'checkpoint')),
  };
}

const V01 = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
const V02 = 'application/vnd.dev.sigstore.bundle+json;version=0.2';

/**
 * Decode a Sigstore bundle's JSON (nulls already removed) and check its structure for its
 * media type: v0.1 entries need an inclusion promise, v0.2 and later an inclusion proof with
 * a checkpoint, v0.3 no certificate chain. Throws {@link BundleShapeError} naming every
 * offending field, or a plain error when a field cannot be decoded at all.
 */
export function readBundleJson(json: Json): BundleJson {
  const vmJson = json.verificationMaterial;
  let verificationMaterial: BundleJson['verificationMaterial'];
  const entries: EntryShape[] = [];
  let tlogEntriesSet = false;
  if (isSet(vmJson)) {
    const publicKey = at(vmJson, 'publicKey');
    const chain = at(vmJson, 'x509CertificateChain');
    const certificate = at(vmJson, 'certificate');
    let content: NonNullable<BundleJson['verificationMaterial']>['content'];
    if (isSet(publicKey)) content = { $case: 'publicKey', hint: text(at(publicKey, 'hint')) };
    else if (isSet(chain)) {
      content = {
        $case: 'x509CertificateChain',
        certificates: list(at(chain, 'certificates')).map((c) => bytes(at(c, 'rawBytes'))),
      };
    } else if (isSet(certificate)) {
      content = { $case: 'certificate', rawBytes: bytes(at(certificate, 'rawBytes')) };
    }
    // The decoder always produced a (possibly empty) list of entries.
    tlogEntriesSet = true;
    for (const entry of list(at(vmJson, 'tlogEntries'))) entries.push(entryShape(entry));
    const tvd = at(vmJson, 'timestampVerificationData');
    const timestamps = isSet(tvd)
      ? list(at(tvd, 'rfc3161Timestamps')).map((t) => bytes(at(t, 'signedTimestamp')))
      : [];
    verificationMaterial = { content, timestamps };
  }
  let content: BundleJson['content'];
  const ms = json.messageSignature;
  const dsse = json.dsseEnvelope;
  if (isSet(ms)) {
    const md = at(ms, 'messageDigest');
    content = {
      $case: 'messageSignature',
      messageDigest: isSet(md)
        ? {
            algorithm: isSet(at(md, 'algorithm')) ? hashAlgorithm(at(md, 'algorithm')) : 0,
            digest: bytes(at(md, 'digest')),
          }
        : undefined,
      signature: bytes(at(ms, 'signature')),
    };
  } else if (isSet(dsse)) {
    content = {
      $case: 'dsseEnvelope',
      payload: bytes(at(dsse, 'payload')),
      payloadType: text(at(dsse, 'payloadType')),
      signatures: list(at(dsse, 'signatures')).map((s) => bytes(at(s, 'sig'))),
    };
  }
  const bundle: BundleJson = {
    mediaType: text(json.mediaType),
    verificationMaterial,
    content,
  };
  const invalid = baseProblems(bundle, tlogEntriesSet, entries);
  let message = 'invalid bundle';
  if (bundle.mediaType === V01) {
    message = 'invalid v0.1 bundle';
    entries.forEach((e, i) => {
      if (!e.inclusionPromise)
        invalid.push(`verificationMaterial.tlogEntries[${i}].inclusionPromise`);
    });
  } else {
    if (bundle.mediaType === V02) message = 'invalid v0.2 bundle';
    entries.forEach((e, i) => {
      if (!e.inclusionProof) invalid.push(`verificationMaterial.tlogEntries[${i}].inclusionProof`);
      else if (!e.checkpoint) {
        invalid.push(`verificationMaterial.tlogEntries[${i}].inclusionProof.checkpoint`);
      }
    });
    if (
      bundle.mediaType !== V02 &&
      verificationMaterial?.content?.$case === 'x509CertificateChain'
    ) {
      invalid.push('verificationMaterial.content.$case');
    }
  }
  if (invalid.length > 0) throw new BundleShapeError(message, invalid);
  return bundle;
}

/** The rules every bundle version shares. */
function baseProblems(
  b: BundleJson,
  tlogEntriesSet: boolean,
  entries: readonly EntryShape[],
): string[] {
  const invalid: string[] = [];
  if (
    !/^application\/vnd\.dev\.sigstore\.bundle\+json;version=\d\.\d/.test(b.mediaType) &&
    !/^application\/vnd\.dev\.sigstore\.bundle\.v\d\.\d\+json/.test(b.mediaType)
  ) {
    invalid.push('mediaType');
  }
  const c = b.content;
  if (c === undefined) invalid.push('content');
  else if (c.$case === 'messageSignature') {
    if (c.messageDigest === undefined) invalid.push('content.messageSignature.messageDigest');
    else if (c.messageDigest.digest.length === 0) {
      invalid.push('content.messageSignature.messageDigest.digest');
    }
    if (c.signature.length === 0) invalid.push('content.messageSignature.signature');
  } else {
    if (c.payload.length === 0) invalid.push('content.dsseEnvelope.payload');
    if (c.signatures.length !== 1) invalid.push('content.dsseEnvelope.signatures');
    else if (c.signatures[0]?.length === 0) invalid.push('content.dsseEnvelope.signatures[0].sig');
  }
  const vm = b.verificationMaterial;
  if (vm === undefined) {
    invalid.push('verificationMaterial');
    return invalid;
  }
  const m = vm.content;
  if (m === undefined) invalid.push('verificationMaterial.content');
  else if (m.$case === 'x509CertificateChain') {
    if (m.certificates.length === 0) {
      invalid.push('verificationMaterial.content.x509CertificateChain.certificates');
    }
    m.certificates.forEach((cert, i) => {
      if (cert.length === 0) {
        invalid.push(
          `verificationMaterial.content.x509CertificateChain.certificates[${i}].rawBytes`,
        );
      }
    });
  } else if (m.$case === 'certificate' && m.rawBytes.length === 0) {
    invalid.push('verificationMaterial.content.certificate.rawBytes');
  }
  if (!tlogEntriesSet) invalid.push('verificationMaterial.tlogEntries');
  entries.forEach((e, i) => {
    if (!e.logId) invalid.push(`verificationMaterial.tlogEntries[${i}].logId`);
    if (!e.kindVersion) invalid.push(`verificationMaterial.tlogEntries[${i}].kindVersion`);
  });
  return invalid;
}
