import { createHash } from 'node:crypto';
import { type TestKey, testKey } from '../keys.js';
import { type CanonicalJsonValue, canonicalJsonBytes } from './canonical-json.js';
import { type DsseEnvelopeJson, dssePae } from './dsse.js';
import {
  cosignatureV1Signer,
  ecdsaNoteKeyHash,
  ecdsaNoteSigner,
  ed25519NoteKeyHash,
  ed25519NoteSigner,
  type NoteSigner,
  rawEd25519PublicKey,
} from './signed-note.js';
import {
  b64,
  type CheckpointOptions,
  keyDetailsFor,
  type LogEntryRecord,
  seededTree,
  TestTransparencyLog,
  type TlogEntryJson,
  type TransparencyLogInstanceJson,
  unixSeconds,
} from './tlog-base.js';

export type RekorV2HashAlgorithm = 'SHA2_256' | 'SHA2_384' | 'SHA2_512';

const NODE_HASH: Record<RekorV2HashAlgorithm, string> = {
  SHA2_256: 'sha256',
  SHA2_384: 'sha384',
  SHA2_512: 'sha512',
};

/** A witness that cosigns (cosignature/v1) every checkpoint the log writes. */
export interface RekorV2Witness {
  /** Witness key name, e.g. `witness.flareo.test/w1`. */
  name: string;
  /** Ed25519 witness key. */
  key: TestKey;
  /** Cosignature timestamp (Unix seconds). Default: log startTime + tree size. */
  timestamp?: number | bigint;
}

export interface TestRekorV2Options {
  /** Seed of the log key and of the opaque tree prefix. Default `'flareo-rekor-v2'`. */
  seed?: string;
  /** Log key type. Default `'ed25519'` (what log2025-1.rekor.sigstore.dev uses). */
  keyType?: 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521';
  /** Host name = checkpoint origin = key name. Default `log2026-1.rekor.flareo.test`. */
  hostname?: string;
  /** Start of the log's validity (trusted root `validFor.start`). Default 2026-01-01T00:00:00Z. */
  startTime?: Date;
  /** Opaque prefix of this many leaves (0 or a power of two). Default 0. */
  initialTreeSize?: number | bigint;
  /** Witnesses whose cosignature lines are added to every checkpoint. */
  witnesses?: readonly RekorV2Witness[];
}

/** Verifier of a Rekor v2 body: a DER certificate or a DER SPKI, plus its key details. */
export interface RekorV2VerifierInput {
  certificateDer?: Uint8Array;
  publicKeyDer?: Uint8Array;
  /** Sigstore `PublicKeyDetails`, e.g. `PKIX_ECDSA_P256_SHA_256`. */
  keyDetails: string;
}

export interface RekorV2EntryOptions {
  /**
   * Attach the inclusion proof (tree size = index + 1, signed checkpoint). Default `true`
   * (Rekor v2 entries always carry one; `false` mints a bundle that must fail verification).
   */
  inclusionProof?: boolean | CheckpointOptions;
}

export interface HashedRekordV002Input extends RekorV2VerifierInput, RekorV2EntryOptions {
  /** Artifact digest (raw bytes). */
  digest: Uint8Array;
  /** Default `'SHA2_256'`. */
  digestAlgorithm?: RekorV2HashAlgorithm;
  /** Signature over the artifact (or, for DSSE, over the PAE). */
  signature: Uint8Array;
}

export interface DsseAsHashedRekordInput extends RekorV2VerifierInput, RekorV2EntryOptions {
  envelope: DsseEnvelopeJson;
  /** Which envelope signature to log. Default 0. */
  signatureIndex?: number;
  /** Digest of the PAE. Default `'SHA2_256'`. */
  digestAlgorithm?: RekorV2HashAlgorithm;
}

export interface DsseV002Input extends RekorV2EntryOptions {
  envelope: DsseEnvelopeJson;
  /** One verifier per envelope signature. */
  verifiers: readonly RekorV2VerifierInput[];
}

function verifierJson(v: RekorV2VerifierInput): CanonicalJsonValue {
  if ((v.certificateDer === undefined) === (v.publicKeyDer === undefined)) {
    throw new Error('give exactly one of certificateDer or publicKeyDer');
  }
  return v.certificateDer
    ? { keyDetails: v.keyDetails, x509Certificate: { rawBytes: b64(v.certificateDer) } }
    : { keyDetails: v.keyDetails, publicKey: { rawBytes: b64(v.publicKeyDer as Uint8Array) } };
}

/** Builders of Rekor v2 bodies (before canonicalization). */
export const rekorV2Bodies = {
  /** hashedrekord 0.0.2. */
  hashedRekord(input: {
    digest: Uint8Array;
    digestAlgorithm?: RekorV2HashAlgorithm;
    signature: Uint8Array;
    verifier: RekorV2VerifierInput;
  }): CanonicalJsonValue {
    return {
      apiVersion: '0.0.2',
      kind: 'hashedrekord',
      spec: {
        hashedRekordV002: {
          data: { algorithm: input.digestAlgorithm ?? 'SHA2_256', digest: b64(input.digest) },
          signature: { content: b64(input.signature), verifier: verifierJson(input.verifier) },
        },
      },
    };
  },

  /** dsse 0.0.2 (deprecated server side; some clients still verify it). */
  dsse(input: {
    envelope: DsseEnvelopeJson;
    verifiers: readonly RekorV2VerifierInput[];
  }): CanonicalJsonValue {
    const env = input.envelope;
    if (input.verifiers.length !== env.signatures.length) {
      throw new Error('need one verifier per DSSE signature');
    }
    const payload = Buffer.from(env.payload, 'base64');
    return {
      apiVersion: '0.0.2',
      kind: 'dsse',
      spec: {
        dsseV002: {
          payloadHash: {
            algorithm: 'SHA2_256',
            digest: createHash('sha256').update(payload).digest('base64'),
          },
          signatures: env.signatures.map((s, i) => ({
            content: Buffer.from(s.sig, 'base64').toString('base64'),
            verifier: verifierJson(input.verifiers[i] as RekorV2VerifierInput),
          })),
        },
      },
    };
  },
};

/**
 * A deterministic in-memory Rekor v2 (rekor-tiles) log: hashedrekord 0.0.2 bodies, no SET,
 * `integratedTime` "0", and an inclusion proof with an Ed25519-signed checkpoint whose origin
 * and key name are the host name. `logId` is the full 32-byte C2SP key hash.
 */
export class TestRekorV2 extends TestTransparencyLog {
  readonly key: TestKey;
  readonly hostname: string;
  readonly origin: string;
  readonly startTime: Date;
  /** Full C2SP key hash (Ed25519: SHA-256(host ‖ 0x0A ‖ 0x01 ‖ key); ECDSA: SHA-256(SPKI)). */
  readonly logIdBytes: Uint8Array;
  readonly witnesses: readonly RekorV2Witness[];
  protected readonly defaultTimestampLine = false;

  constructor(options: TestRekorV2Options = {}) {
    const seed = options.seed ?? 'flareo-rekor-v2';
    super(seededTree(seed, 'rekor-v2-tree-prefix', options.initialTreeSize));
    this.key = testKey(options.keyType ?? 'ed25519', seed);
    this.hostname = options.hostname ?? 'log2026-1.rekor.flareo.test';
    this.origin = this.hostname;
    this.startTime = options.startTime ?? new Date('2026-01-01T00:00:00Z');
    this.logIdBytes =
      this.key.type === 'ed25519'
        ? ed25519NoteKeyHash(this.hostname, rawEd25519PublicKey(this.key))
        : ecdsaNoteKeyHash(this.key.spki);
    this.witnesses = options.witnesses ?? [];
  }

  /** Log ID as base64 (`logId.keyId`, trusted root `logId` / `checkpointKeyId`). */
  get logId(): string {
    return b64(this.logIdBytes);
  }

  /** The log's checkpoint signer (key ID = logId[:4]). */
  noteSigner(): NoteSigner {
    return this.key.type === 'ed25519'
      ? ed25519NoteSigner(this.hostname, this.key)
      : ecdsaNoteSigner(this.hostname, this.key, 'sha256');
  }

  protected logNoteSigners(): NoteSigner[] {
    return [this.noteSigner()];
  }

  protected fallbackTime(): bigint {
    return unixSeconds(this.startTime);
  }

  override checkpoint(options: CheckpointOptions = {}): string {
    const treeSize = options.treeSize === undefined ? this.size : BigInt(options.treeSize);
    const cosigners = this.witnesses.map((w) =>
      cosignatureV1Signer(w.name, w.key, w.timestamp ?? this.fallbackTime() + treeSize),
    );
    return super.checkpoint({
      ...options,
      treeSize,
      extraSigners: [...cosigners, ...(options.extraSigners ?? [])],
    });
  }

  /**
   * Trusted-root `tlogs[]` entry. `checkpointKeyId: true` adds the trustedroot v0.2 field
   * (equal to logId for Rekor v2).
   */
  transparencyLogInstance(
    options: { start?: Date; end?: Date; checkpointKeyId?: boolean } = {},
  ): TransparencyLogInstanceJson {
    const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
    return {
      baseUrl: `https://${this.hostname}`,
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: b64(this.key.spki),
        keyDetails: keyDetailsFor(this.key.type),
        validFor: {
          start: iso(options.start ?? this.startTime),
          ...(options.end ? { end: iso(options.end) } : {}),
        },
      },
      logId: { keyId: this.logId },
      ...(options.checkpointKeyId ? { checkpointKeyId: { keyId: this.logId } } : {}),
    };
  }

  /** Append a hashedrekord 0.0.2 entry. */
  addHashedRekordV002(input: HashedRekordV002Input): TlogEntryJson {
    const body = rekorV2Bodies.hashedRekord({
      digest: input.digest,
      signature: input.signature,
      verifier: input,
      ...(input.digestAlgorithm ? { digestAlgorithm: input.digestAlgorithm } : {}),
    });
    return this.append('hashedrekord', canonicalJsonBytes(body), input.inclusionProof);
  }

  /**
   * Log a DSSE envelope the Rekor v2 way: a hashedrekord 0.0.2 whose digest is the hash of
   * the PAE and whose signature is the envelope signature.
   */
  addDsseAsHashedRekord(input: DsseAsHashedRekordInput): TlogEntryJson {
    const alg = input.digestAlgorithm ?? 'SHA2_256';
    const env = input.envelope;
    const pae = dssePae(env.payloadType, Buffer.from(env.payload, 'base64'));
    const sig = env.signatures[input.signatureIndex ?? 0];
    if (!sig) throw new Error('envelope has no such signature');
    return this.addHashedRekordV002({
      digest: new Uint8Array(createHash(NODE_HASH[alg]).update(pae).digest()),
      digestAlgorithm: alg,
      signature: new Uint8Array(Buffer.from(sig.sig, 'base64')),
      keyDetails: input.keyDetails,
      ...(input.certificateDer ? { certificateDer: input.certificateDer } : {}),
      ...(input.publicKeyDer ? { publicKeyDer: input.publicKeyDer } : {}),
      ...(input.inclusionProof === undefined ? {} : { inclusionProof: input.inclusionProof }),
    });
  }

  /** Append a (deprecated) dsse 0.0.2 entry. */
  addDsseV002(input: DsseV002Input): TlogEntryJson {
    const body = rekorV2Bodies.dsse({ envelope: input.envelope, verifiers: input.verifiers });
    return this.append('dsse', canonicalJsonBytes(body), input.inclusionProof);
  }

  /** Append arbitrary body bytes as `<kind>/0.0.2` (for malformed-body tests). */
  addRawEntry(
    kind: string,
    body: Uint8Array,
    options: RekorV2EntryOptions & { version?: string } = {},
  ): TlogEntryJson {
    return this.append(kind, body, options.inclusionProof, options.version ?? '0.0.2');
  }

  private append(
    kind: string,
    body: Uint8Array,
    inclusionProof: boolean | CheckpointOptions | undefined,
    version = '0.0.2',
  ): TlogEntryJson {
    const treeIndex = this.tree.append(body);
    const entry: TlogEntryJson = {
      logIndex: treeIndex.toString(),
      logId: { keyId: this.logId },
      kindVersion: { kind, version },
      integratedTime: '0',
      canonicalizedBody: b64(body),
    };
    const rec: LogEntryRecord = {
      treeIndex,
      logIndex: treeIndex,
      body,
      kind,
      version,
      integratedTime: 0n,
      entry,
    };
    this.store(rec);
    const proof = inclusionProof ?? true;
    if (proof === false) return entry;
    const opts = proof === true ? {} : proof;
    rec.entry = this.withInclusionProof(entry, { treeSize: treeIndex + 1n, ...opts });
    return rec.entry;
  }
}
