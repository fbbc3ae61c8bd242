import {
  equalBytes,
  fromBase64,
  fromHex,
  fromPaddedBase64,
  toBase64,
  toHex,
  utf8Decode,
} from '@flareo/internal/bytes';
import { preAuthEncoding } from '@flareo/internal/dsse';
import { platformCrypto } from '@flareo/trust-root';
import { parseCertificate } from '@flareo/trust-root/x509';
import {
  optionalBoolean,
  requireBinding,
  requireBytes,
  requireOptional,
  requireRecord,
  requireString,
} from './arguments.js';
import { RekorError, type RekorErrorDetail } from './errors.js';

/** Digest algorithms a Rekor body may name. */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/**
 * What the log entry must be about: the signature being verified, who made it, and what
 * was signed. `@flareo/bundle-verify` builds this from the bundle it verifies.
 */
export interface EntryBinding {
  /** The signature bytes: the message signature, or the DSSE envelope's signature. */
  readonly signature: Uint8Array;
  /** The signer: the leaf certificate (DER) or the public key (DER SPKI). */
  readonly verifier: { readonly certificate: Uint8Array } | { readonly publicKey: Uint8Array };
  /** For a message signature: the artifact's digest. */
  readonly artifactDigest?: { readonly algorithm: DigestAlgorithm; readonly digest: Uint8Array };
  /** For a DSSE envelope: its payload type and payload bytes. */
  readonly dsse?: { readonly payloadType: string; readonly payload: Uint8Array };
}

/** Options of body binding. */
export interface BodyOptions {
  /**
   * Accept Rekor v2 `dsse/0.0.2` entries, a kind the log stopped accepting and reference
   * clients disagree on. Default `false`.
   */
  readonly allowDeprecatedDsseV002?: boolean;
}

/** Kind and version the body declared and that were bound. */
export interface BoundBody {
  readonly kind: string;
  readonly version: string;
}

type Json = Record<string, unknown>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const hex = toHex;
const b64 = toBase64;
const sha256 = (b: Uint8Array): Uint8Array => platformCrypto.sha256(b);

class Binder {
  constructor(
    readonly binding: EntryBinding,
    readonly detail: RekorErrorDetail,
  ) {}

  get(obj: unknown, path: string): unknown {
    // Walks the dotted path part by part (no `split` array per lookup; a body takes a dozen).
    let cur: unknown = obj;
    let start = 0;
    for (;;) {
      if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
      const dot = path.indexOf('.', start);
      cur = (cur as Json)[dot === -1 ? path.slice(start) : path.slice(start, dot)];
      if (dot === -1) return cur;
      start = dot + 1;
    }
  }

  string(obj: unknown, path: string): string {
    const v = this.get(obj, path);
    if (typeof v !== 'string' || v.length === 0) {
      throw new RekorError('BODY_MALFORMED', `log entry body: ${path} is missing or not a string`, {
        ...this.detail,
        field: path,
      });
    }
    return v;
  }

  /** Lowercase hex of whole bytes, as Rekor writes digests. */
  hex(obj: unknown, path: string, field = path): Uint8Array {
    const v = this.string(obj, path);
    if (!/^(?:[0-9a-f]{2})+$/.test(v)) {
      throw new RekorError('BODY_MALFORMED', `log entry body: ${field} is not lowercase hex`, {
        ...this.detail,
        field,
        expected: 'lowercase hex',
        actual: v.length > 140 ? `${v.slice(0, 140)}…` : v,
      });
    }
    return fromHex(v);
  }

  base64(obj: unknown, path: string): Uint8Array {
    const v = this.string(obj, path);
    const fast = fromPaddedBase64(v);
    if (fast !== undefined) return fast;
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
      throw new RekorError('BODY_MALFORMED', `log entry body: ${path} is not base64`, {
        ...this.detail,
        field: path,
      });
    }
    return fromBase64(v);
  }

  mismatch(
    code:
      | 'BODY_DIGEST_MISMATCH'
      | 'BODY_SIGNATURE_MISMATCH'
      | 'BODY_VERIFIER_MISMATCH'
      | 'BODY_KIND_MISMATCH',
    field: string,
    what: string,
    expected: unknown,
    actual: unknown,
  ): never {
    throw new RekorError(
      code,
      `log entry body names ${what} other than the one verified (${field})`,
      {
        ...this.detail,
        field,
        expected,
        actual,
      },
    );
  }

  signature(actual: Uint8Array, field: string): void {
    if (!equalBytes(actual, this.binding.signature)) {
      this.mismatch(
        'BODY_SIGNATURE_MISMATCH',
        field,
        'a signature',
        b64(this.binding.signature),
        b64(actual),
      );
    }
  }

  digest(algorithm: string, value: Uint8Array, field: string): void {
    const want = this.binding.artifactDigest;
    if (!want) {
      this.mismatch(
        'BODY_KIND_MISMATCH',
        field,
        'an artifact digest (message-signature entry) for a DSSE envelope',
        'dsse',
        'hashedrekord',
      );
    }
    if (algorithm !== want.algorithm || !equalBytes(value, want.digest)) {
      this.mismatch(
        'BODY_DIGEST_MISMATCH',
        field,
        'an artifact digest',
        `${want.algorithm}:${hex(want.digest)}`,
        `${algorithm}:${hex(value)}`,
      );
    }
  }

  dsse(field: string): NonNullable<EntryBinding['dsse']> {
    const dsse = this.binding.dsse;
    if (!dsse) {
      this.mismatch(
        'BODY_KIND_MISMATCH',
        field,
        'a DSSE envelope for a message signature',
        'hashedrekord',
        'dsse',
      );
    }
    return dsse;
  }

  payloadHash(algorithm: string, value: Uint8Array, field: string): void {
    const dsse = this.dsse(field);
    const want = sha256(dsse.payload);
    if (algorithm !== 'sha256' || !equalBytes(want, value)) {
      this.mismatch(
        'BODY_DIGEST_MISMATCH',
        field,
        'a DSSE payload',
        `sha256:${hex(want)}`,
        `${algorithm}:${hex(value)}`,
      );
    }
  }

  /** Compare a verifier written as PEM (v1 bodies: base64 of a PEM certificate or key). */
  pemVerifier(pemB64: Uint8Array, field: string): void {
    const pem = utf8Decode(pemB64);
    const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
    if (!m) {
      throw new RekorError(
        'BODY_MALFORMED',
        `log entry body: ${field} is not a PEM certificate or key`,
        {
          ...this.detail,
          field,
        },
      );
    }
    const der = fromBase64((m[2] ?? '').replace(/\s+/g, ''));
    if (m[1] === 'CERTIFICATE') this.derVerifier({ certificate: der }, field);
    else if (m[1] === 'PUBLIC KEY') this.derVerifier({ publicKey: der }, field);
    else {
      throw new RekorError('BODY_MALFORMED', `log entry body: ${field} holds a ${m[1]} block`, {
        ...this.detail,
        field,
      });
    }
  }

  /**
   * The body's verifier must be the signer: the same certificate bytes, or the same SPKI
   * (a body naming a key while the signer has a certificate compares the certificate's key).
   */
  derVerifier(body: { certificate: Uint8Array } | { publicKey: Uint8Array }, field: string): void {
    const signer = this.binding.verifier;
    if ('certificate' in body) {
      if ('certificate' in signer && equalBytes(body.certificate, signer.certificate)) return;
      this.mismatch(
        'BODY_VERIFIER_MISMATCH',
        field,
        'a certificate',
        describe(signer),
        `certificate sha256:${hex(sha256(body.certificate))}`,
      );
    }
    const signerSpki =
      'publicKey' in signer ? signer.publicKey : spkiOfCertificate(signer.certificate);
    if (signerSpki && equalBytes(signerSpki, body.publicKey)) return;
    this.mismatch(
      'BODY_VERIFIER_MISMATCH',
      field,
      'a public key',
      describe(signer),
      `key sha256:${hex(sha256(body.publicKey))}`,
    );
  }
}

/** The SubjectPublicKeyInfo DER of a certificate, read by the shared certificate view. */
function spkiOfCertificate(der: Uint8Array): Uint8Array | undefined {
  try {
    return parseCertificate(der).spki;
  } catch {
    return undefined;
  }
}

function describe(signer: EntryBinding['verifier']): string {
  return 'certificate' in signer
    ? `certificate sha256:${hex(sha256(signer.certificate))}`
    : `key sha256:${hex(sha256(signer.publicKey))}`;
}

const V1_DIGESTS: Record<string, DigestAlgorithm> = {
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
};
const V2_DIGESTS: Record<string, DigestAlgorithm> = {
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
};

function v2Verifier(b: Binder, verifier: unknown, field: string): void {
  if (b.get(verifier, 'x509Certificate.rawBytes') !== undefined) {
    b.derVerifier(
      { certificate: b.base64(verifier, 'x509Certificate.rawBytes') },
      `${field}.x509Certificate`,
    );
  } else if (b.get(verifier, 'publicKey.rawBytes') !== undefined) {
    b.derVerifier({ publicKey: b.base64(verifier, 'publicKey.rawBytes') }, `${field}.publicKey`);
  } else {
    throw new RekorError(
      'BODY_MALFORMED',
      `log entry body: ${field} has neither x509Certificate nor publicKey`,
      {
        ...b.detail,
        field,
      },
    );
  }
}

type KindBinder = (b: Binder, spec: unknown) => void;

const KINDS: Record<string, KindBinder> = {
  'hashedrekord/0.0.1': (b, spec) => {
    const algorithm = b.string(spec, 'data.hash.algorithm');
    if (!V1_DIGESTS[algorithm]) {
      throw new RekorError(
        'BODY_MALFORMED',
        'log entry body: spec.data.hash is not a known digest',
        {
          ...b.detail,
          field: 'spec.data.hash',
          expected: Object.keys(V1_DIGESTS),
          actual: algorithm,
        },
      );
    }
    b.digest(algorithm, b.hex(spec, 'data.hash.value', 'spec.data.hash'), 'spec.data.hash');
    b.signature(b.base64(spec, 'signature.content'), 'spec.signature.content');
    b.pemVerifier(
      b.base64(spec, 'signature.publicKey.content'),
      'spec.signature.publicKey.content',
    );
  },
  'dsse/0.0.1': (b, spec) => {
    const algorithm = b.string(spec, 'payloadHash.algorithm');
    b.payloadHash(algorithm, b.hex(spec, 'payloadHash.value'), 'spec.payloadHash');
    const sigs = b.get(spec, 'signatures');
    if (!Array.isArray(sigs) || sigs.length !== 1) {
      throw new RekorError(
        'BODY_MALFORMED',
        'log entry body: spec.signatures must hold exactly one signature',
        {
          ...b.detail,
          field: 'spec.signatures',
          expected: 1,
          actual: Array.isArray(sigs) ? sigs.length : typeof sigs,
        },
      );
    }
    b.signature(b.base64(sigs[0], 'signature'), 'spec.signatures[0].signature');
    b.pemVerifier(b.base64(sigs[0], 'verifier'), 'spec.signatures[0].verifier');
  },
  'intoto/0.0.2': (b, spec) => {
    const dsse = b.dsse('spec.content');
    b.payloadHash(
      b.string(spec, 'content.payloadHash.algorithm'),
      b.hex(spec, 'content.payloadHash.value'),
      'spec.content.payloadHash',
    );
    const type = b.string(spec, 'content.envelope.payloadType');
    if (type !== dsse.payloadType)
      b.mismatch(
        'BODY_DIGEST_MISMATCH',
        'spec.content.envelope.payloadType',
        'a payload type',
        dsse.payloadType,
        type,
      );
    const sigs = b.get(spec, 'content.envelope.signatures');
    if (!Array.isArray(sigs) || sigs.length !== 1) {
      throw new RekorError(
        'BODY_MALFORMED',
        'log entry body: spec.content.envelope.signatures must hold exactly one signature',
        { ...b.detail, field: 'spec.content.envelope.signatures' },
      );
    }
    // intoto 0.0.2 stores the signature base64-encoded twice.
    const inner = utf8Decode(b.base64(sigs[0], 'sig'));
    const innerBytes = fromPaddedBase64(inner);
    if (innerBytes === undefined && !/^[A-Za-z0-9+/]*={0,2}$/.test(inner)) {
      throw new RekorError(
        'BODY_MALFORMED',
        'log entry body: spec.content.envelope.signatures[0].sig is not double base64',
        { ...b.detail, field: 'spec.content.envelope.signatures[0].sig' },
      );
    }
    b.signature(innerBytes ?? fromBase64(inner), 'spec.content.envelope.signatures[0].sig');
    b.pemVerifier(b.base64(sigs[0], 'publicKey'), 'spec.content.envelope.signatures[0].publicKey');
  },
  'intoto/0.0.1': (b, spec) => {
    // 0.0.1 bodies carry no signature: the payload hash and the signer are bound.
    b.payloadHash(
      b.string(spec, 'content.payloadHash.algorithm'),
      b.hex(spec, 'content.payloadHash.value'),
      'spec.content.payloadHash',
    );
    b.pemVerifier(b.base64(spec, 'publicKey'), 'spec.publicKey');
  },
  'hashedrekord/0.0.2': (b, spec) => {
    const algorithm = V2_DIGESTS[b.string(spec, 'hashedRekordV002.data.algorithm')];
    if (!algorithm) {
      throw new RekorError(
        'BODY_MALFORMED',
        'log entry body: spec.hashedRekordV002.data.algorithm is not a known digest',
        { ...b.detail, field: 'spec.hashedRekordV002.data.algorithm' },
      );
    }
    const digest = b.base64(spec, 'hashedRekordV002.data.digest');
    if (b.binding.dsse) {
      // Rekor v2 logs DSSE envelopes as hashedrekord over the digest of the PAE.
      const pae = preAuthEncoding(b.binding.dsse.payloadType, b.binding.dsse.payload);
      const want = platformCrypto.digest(algorithm, pae);
      if (!equalBytes(want, digest)) {
        b.mismatch(
          'BODY_DIGEST_MISMATCH',
          'spec.hashedRekordV002.data.digest',
          'a DSSE pre-authentication encoding',
          `${algorithm}:${hex(want)}`,
          `${algorithm}:${hex(digest)}`,
        );
      }
    } else {
      b.digest(algorithm, digest, 'spec.hashedRekordV002.data.digest');
    }
    b.signature(
      b.base64(spec, 'hashedRekordV002.signature.content'),
      'spec.hashedRekordV002.signature.content',
    );
    v2Verifier(
      b,
      b.get(spec, 'hashedRekordV002.signature.verifier'),
      'spec.hashedRekordV002.signature.verifier',
    );
  },
  'dsse/0.0.2': (b, spec) => {
    const algorithm = V2_DIGESTS[b.string(spec, 'dsseV002.payloadHash.algorithm')];
    b.payloadHash(
      algorithm ?? 'unknown',
      b.base64(spec, 'dsseV002.payloadHash.digest'),
      'spec.dsseV002.payloadHash',
    );
    const sigs = b.get(spec, 'dsseV002.signatures');
    if (!Array.isArray(sigs) || sigs.length !== 1) {
      throw new RekorError(
        'BODY_MALFORMED',
        'log entry body: spec.dsseV002.signatures must hold exactly one signature',
        { ...b.detail, field: 'spec.dsseV002.signatures' },
      );
    }
    b.signature(b.base64(sigs[0], 'content'), 'spec.dsseV002.signatures[0].content');
    v2Verifier(b, b.get(sigs[0], 'verifier'), 'spec.dsseV002.signatures[0].verifier');
  },
};

/** Kinds and versions {@link bindBody} understands. */
export const SUPPORTED_KINDS: readonly string[] = Object.freeze(Object.keys(KINDS));

/**
 * Prove that a canonicalized Rekor entry body is about this signature: same artifact digest
 * (or DSSE payload / PAE digest), same signature, same certificate or key. `kindVersion`,
 * when the entry has one, must equal the body's `kind` and `apiVersion`.
 */
export function bindBody(
  body: Uint8Array,
  kindVersion: { kind: string; version: string } | undefined,
  binding: EntryBinding,
  options: BodyOptions = {},
  detail: RekorErrorDetail = {},
): BoundBody {
  const fn = 'bindBody';
  requireBytes(fn, 'body', body);
  if (kindVersion !== undefined) {
    const kv = requireRecord(fn, 'kindVersion', kindVersion);
    requireString(fn, 'kindVersion.kind', kv.kind);
    requireString(fn, 'kindVersion.version', kv.version);
  }
  requireBinding(fn, 'binding', binding);
  const opts = requireOptional(fn, 'options', options);
  optionalBoolean(fn, 'options.allowDeprecatedDsseV002', opts.allowDeprecatedDsseV002);
  requireOptional(fn, 'detail', detail);
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(body));
  } catch (cause) {
    throw new RekorError('BODY_MALFORMED', 'log entry body is not UTF-8 JSON', detail, { cause });
  }
  const b = new Binder(binding, detail);
  const kind = b.string(json, 'kind');
  const version = b.string(json, 'apiVersion');
  if (kindVersion && (kindVersion.kind !== kind || kindVersion.version !== version)) {
    throw new RekorError(
      'BODY_KIND_MISMATCH',
      `log entry kindVersion ${kindVersion.kind}/${kindVersion.version} does not match its body (${kind}/${version})`,
      {
        ...detail,
        field: 'kindVersion',
        expected: `${kind}/${version}`,
        actual: `${kindVersion.kind}/${kindVersion.version}`,
      },
    );
  }
  const key = `${kind}/${version}`;
  const binder = KINDS[key];
  if (!binder || (key === 'dsse/0.0.2' && !options.allowDeprecatedDsseV002)) {
    throw new RekorError(
      'BODY_UNSUPPORTED_KIND',
      key === 'dsse/0.0.2'
        ? 'log entry kind dsse/0.0.2 is deprecated; pass allowDeprecatedDsseV002 to accept it'
        : `log entry kind ${key} is not supported`,
      { ...detail, expected: SUPPORTED_KINDS, actual: key },
    );
  }
  const spec = b.get(json, 'spec');
  if (typeof spec !== 'object' || spec === null) {
    throw new RekorError('BODY_MALFORMED', 'log entry body has no spec', {
      ...detail,
      field: 'spec',
    });
  }
  binder(b, spec);
  return { kind, version };
}
