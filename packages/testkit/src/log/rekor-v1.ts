import { createHash } from 'node:crypto';
import { type TestKey, type TestKeyType, testKey } from '../keys.js';
import { type CanonicalJsonValue, canonicalJson, canonicalJsonBytes } from './canonical-json.js';
import type { DsseEnvelopeJson } from './dsse.js';
import { type NoteSigner, spkiHashNoteSigner } from './signed-note.js';
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
  utf8,
} from './tlog-base.js';

const sha256 = (data: Uint8Array): Uint8Array =>
  new Uint8Array(createHash('sha256').update(data).digest());
const hex = (u: Uint8Array): string => Buffer.from(u).toString('hex');
const b64Utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export interface TestRekorV1Options {
  /** Seed of the log key and of the opaque tree prefix. Default `'flareo-rekor-v1'`. */
  seed?: string;
  /** Log key type. Default `'ecdsa-p256'` (what rekor.sigstore.dev uses). */
  keyType?: TestKeyType;
  /** Log host name: checkpoint key name and first half of the origin. Default `rekor.flareo.test`. */
  hostname?: string;
  /** Trillian tree ID in the origin `<hostname> - <treeId>`. Default `2605736670972794746`. */
  treeId?: string | bigint;
  /** First default integrated time; entry n (0-based) defaults to startTime + n seconds. */
  startTime?: Date;
  /**
   * Rekor sharding: `logIndex` (global, SET-signed) = shardOffset + tree index, while
   * `inclusionProof.logIndex` is the shard-local tree index. Default 0.
   */
  shardOffset?: number | bigint;
  /**
   * Start the Merkle tree with an opaque prefix of this many leaves (0 or a power of two), so
   * tree indexes and sizes can exceed 2^53 while proofs stay real. Default 0.
   */
  initialTreeSize?: number | bigint;
}

/** Options shared by every `add*` method. */
export interface AddEntryOptions {
  /** Integrated time (Unix seconds or Date). Default: startTime + number of entries so far. */
  integratedTime?: Date | number | bigint;
  /**
   * Attach an `inclusionProof` computed right after appending (tree size = this entry's index
   * + 1). `true` uses default checkpoint options. Default `false` (SET only, bundle v0.1 style).
   */
  inclusionProof?: boolean | CheckpointOptions;
}

export interface HashedRekordV1Input extends AddEntryOptions {
  /** Digest of the artifact (raw bytes). */
  artifactDigest: Uint8Array;
  /** Digest algorithm written in the body. Default `'sha256'`. */
  digestAlgorithm?: 'sha256' | 'sha384' | 'sha512';
  /** Signature over the artifact. */
  signature: Uint8Array;
  /** Signing certificate PEM (Fulcio flow). Exactly one of certificatePem / publicKeyPem. */
  certificatePem?: string;
  /** Signer public key PEM (key flow). */
  publicKeyPem?: string;
}

export interface DsseV1Input extends AddEntryOptions {
  /** The DSSE envelope, as an object or as the exact JSON text that was submitted. */
  envelope: DsseEnvelopeJson | string;
  /** PEM (certificate or public key) per envelope signature; one string for a single signature. */
  verifierPem: string | readonly string[];
}

export interface RawEntryInput extends AddEntryOptions {
  kind: string;
  version: string;
  /** Body bytes used verbatim (e.g. non-canonical JSON), or a value to canonicalize. */
  body: Uint8Array | CanonicalJsonValue;
}

/** Cosign's legacy `rekorBundle` annotation shape. */
export interface LegacyRekorBundleJson {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

/** The SET's signed payload fields. */
export interface RekorSetPayloadFields {
  /** Canonicalized entry body bytes. */
  body: Uint8Array;
  integratedTime: number | bigint | string;
  /** Log ID as lowercase hex. */
  logIdHex: string;
  /** Global (virtual) log index. */
  logIndex: number | bigint | string;
}

/**
 * Canonical SET payload:
 * `{"body":"<b64>","integratedTime":<n>,"logID":"<hex>","logIndex":<n>}` (JCS, bigint exact).
 */
export function rekorSetPayload(fields: RekorSetPayloadFields): string {
  return canonicalJson({
    body: b64(fields.body),
    integratedTime: BigInt(fields.integratedTime),
    logID: fields.logIdHex,
    logIndex: BigInt(fields.logIndex),
  });
}

function parseEnvelope(envelope: DsseEnvelopeJson | string): {
  json: string;
  env: DsseEnvelopeJson;
} {
  if (typeof envelope === 'string') {
    return { json: envelope, env: JSON.parse(envelope) as DsseEnvelopeJson };
  }
  return { json: JSON.stringify(envelope), env: envelope };
}

function verifierList(env: DsseEnvelopeJson, pem: string | readonly string[]): readonly string[] {
  const list = typeof pem === 'string' ? [pem] : pem;
  if (list.length !== env.signatures.length) {
    throw new Error(
      `need one verifier per DSSE signature (${env.signatures.length}), got ${list.length}`,
    );
  }
  return list;
}

/** Builders of Rekor v1 canonical bodies (exported for tests that need a body without a log). */
export const rekorV1Bodies = {
  /** hashedrekord 0.0.1. */
  hashedRekord(input: {
    artifactDigest: Uint8Array;
    digestAlgorithm?: 'sha256' | 'sha384' | 'sha512';
    signature: Uint8Array;
    verifierPem: string;
  }): CanonicalJsonValue {
    return {
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: {
          hash: { algorithm: input.digestAlgorithm ?? 'sha256', value: hex(input.artifactDigest) },
        },
        signature: {
          content: b64(input.signature),
          publicKey: { content: b64Utf8(input.verifierPem) },
        },
      },
    };
  },

  /** dsse 0.0.1: envelopeHash = sha256(envelope JSON text), payloadHash = sha256(payload). */
  dsse(input: {
    envelope: DsseEnvelopeJson | string;
    verifierPem: string | readonly string[];
  }): CanonicalJsonValue {
    const { json, env } = parseEnvelope(input.envelope);
    const verifiers = verifierList(env, input.verifierPem);
    const payload = new Uint8Array(Buffer.from(env.payload, 'base64'));
    return {
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: hex(sha256(utf8(json))) },
        payloadHash: { algorithm: 'sha256', value: hex(sha256(payload)) },
        signatures: env.signatures.map((s, i) => ({
          signature: s.sig,
          verifier: b64Utf8(verifiers[i] as string),
        })),
      },
    };
  },

  /**
   * intoto 0.0.2: the envelope without its payload; each `sig` is base64 of the envelope's
   * base64 signature string (double base64), `publicKey` is base64(PEM);
   * hash = sha256(envelope JSON text), payloadHash = sha256(payload).
   */
  intoto(input: {
    envelope: DsseEnvelopeJson | string;
    verifierPem: string | readonly string[];
  }): CanonicalJsonValue {
    const { json, env } = parseEnvelope(input.envelope);
    const verifiers = verifierList(env, input.verifierPem);
    const payload = new Uint8Array(Buffer.from(env.payload, 'base64'));
    return {
      apiVersion: '0.0.2',
      kind: 'intoto',
      spec: {
        content: {
          envelope: {
            payloadType: env.payloadType,
            signatures: env.signatures.map((s, i) => ({
              ...(s.keyid ? { keyid: s.keyid } : {}),
              publicKey: b64Utf8(verifiers[i] as string),
              sig: b64Utf8(s.sig),
            })),
          },
          hash: { algorithm: 'sha256', value: hex(sha256(utf8(json))) },
          payloadHash: { algorithm: 'sha256', value: hex(sha256(payload)) },
        },
      },
    };
  },
};

/**
 * A deterministic in-memory Rekor v1 log: canonical entry bodies, SETs signed with the log
 * key, RFC 9162 inclusion proofs and signed checkpoints in the exact rekor.sigstore.dev
 * formats (origin `<hostname> - <treeId>`, key name `<hostname>`, key ID SHA-256(SPKI)[:4]).
 */
export class TestRekorV1 extends TestTransparencyLog {
  readonly key: TestKey;
  readonly hostname: string;
  readonly treeId: string;
  readonly origin: string;
  readonly startTime: Date;
  readonly shardOffset: bigint;
  /** sha256(DER SPKI) of the log key. */
  readonly logIdBytes: Uint8Array;
  /** {@link logIdBytes} as lowercase hex (the SET payload's `logID`). */
  readonly logId: string;
  protected readonly defaultTimestampLine = true;

  constructor(options: TestRekorV1Options = {}) {
    const seed = options.seed ?? 'flareo-rekor-v1';
    super(seededTree(seed, 'rekor-v1-tree-prefix', options.initialTreeSize));
    this.key = testKey(options.keyType ?? 'ecdsa-p256', seed);
    this.hostname = options.hostname ?? 'rekor.flareo.test';
    this.treeId = String(options.treeId ?? '2605736670972794746');
    if (!/^\d+$/.test(this.treeId)) throw new Error(`treeId must be decimal: ${this.treeId}`);
    this.origin = `${this.hostname} - ${this.treeId}`;
    this.startTime = options.startTime ?? new Date('2024-01-01T00:00:00Z');
    this.shardOffset = BigInt(options.shardOffset ?? 0);
    this.logIdBytes = sha256(this.key.spki);
    this.logId = hex(this.logIdBytes);
  }

  /** PEM of the log public key (like rekor.pub). */
  get publicKeyPem(): string {
    return this.key.publicKeyPem;
  }

  /** The checkpoint signer Rekor v1 uses: name = hostname, key ID = SHA-256(SPKI)[:4]. */
  noteSigner(): NoteSigner {
    return spkiHashNoteSigner(this.hostname, this.key, 'sha256');
  }

  protected logNoteSigners(): NoteSigner[] {
    return [this.noteSigner()];
  }

  protected fallbackTime(): bigint {
    return unixSeconds(this.startTime);
  }

  /** Trusted-root `tlogs[]` entry for this log (validFor.start = startTime unless given). */
  transparencyLogInstance(validFor?: { start: Date; end?: Date }): TransparencyLogInstanceJson {
    const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
    const start = validFor?.start ?? this.startTime;
    return {
      baseUrl: `https://${this.hostname}`,
      hashAlgorithm: 'SHA2_256',
      publicKey: {
        rawBytes: b64(this.key.spki),
        keyDetails: keyDetailsFor(this.key.type),
        validFor: { start: iso(start), ...(validFor?.end ? { end: iso(validFor.end) } : {}) },
      },
      logId: { keyId: b64(this.logIdBytes) },
    };
  }

  /** Append a hashedrekord 0.0.1 entry. */
  addHashedRekord(input: HashedRekordV1Input): TlogEntryJson {
    const body = rekorV1Bodies.hashedRekord({
      artifactDigest: input.artifactDigest,
      signature: input.signature,
      verifierPem: onePem(input.certificatePem, input.publicKeyPem),
      ...(input.digestAlgorithm ? { digestAlgorithm: input.digestAlgorithm } : {}),
    });
    return this.addEntry({ ...pickOptions(input), kind: 'hashedrekord', version: '0.0.1', body });
  }

  /** Append a dsse 0.0.1 entry. */
  addDsse(input: DsseV1Input): TlogEntryJson {
    const body = rekorV1Bodies.dsse({ envelope: input.envelope, verifierPem: input.verifierPem });
    return this.addEntry({ ...pickOptions(input), kind: 'dsse', version: '0.0.1', body });
  }

  /** Append an intoto 0.0.2 entry. */
  addIntoto(input: DsseV1Input): TlogEntryJson {
    const body = rekorV1Bodies.intoto({ envelope: input.envelope, verifierPem: input.verifierPem });
    return this.addEntry({ ...pickOptions(input), kind: 'intoto', version: '0.0.2', body });
  }

  /** Append any body (bytes verbatim, or a value that gets canonicalized) with a real SET. */
  addEntry(input: RawEntryInput): TlogEntryJson {
    const body = input.body instanceof Uint8Array ? input.body : canonicalJsonBytes(input.body);
    const integratedTime =
      input.integratedTime === undefined
        ? unixSeconds(this.startTime) + BigInt(this.records.length)
        : unixSeconds(input.integratedTime);
    const treeIndex = this.tree.append(body);
    const logIndex = this.shardOffset + treeIndex;
    const set = this.key.sign(
      utf8(rekorSetPayload({ body, integratedTime, logIdHex: this.logId, logIndex })),
      { hash: 'sha256' },
    );
    const entry: TlogEntryJson = {
      logIndex: logIndex.toString(),
      logId: { keyId: b64(this.logIdBytes) },
      kindVersion: { kind: input.kind, version: input.version },
      integratedTime: integratedTime.toString(),
      inclusionPromise: { signedEntryTimestamp: b64(set) },
      canonicalizedBody: b64(body),
    };
    const rec: LogEntryRecord = {
      treeIndex,
      logIndex,
      body,
      kind: input.kind,
      version: input.version,
      integratedTime,
      entry,
    };
    this.store(rec);
    if (input.inclusionProof) {
      const opts = input.inclusionProof === true ? {} : input.inclusionProof;
      const withProof = this.withInclusionProof(entry, { treeSize: treeIndex + 1n, ...opts });
      rec.entry = withProof;
      return withProof;
    }
    return entry;
  }

  /** The exact bytes the SET of `entry` signs (as a string). */
  setPayload(entry: TlogEntryJson): string {
    return rekorSetPayload({
      body: new Uint8Array(Buffer.from(entry.canonicalizedBody, 'base64')),
      integratedTime: entry.integratedTime,
      logIdHex: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
      logIndex: entry.logIndex,
    });
  }

  /** Cosign's legacy `{SignedEntryTimestamp, Payload}` rekor bundle for `entry`. */
  legacyRekorBundle(entry: TlogEntryJson): LegacyRekorBundleJson {
    return legacyRekorBundle(entry);
  }
}

/** Cosign's legacy `{SignedEntryTimestamp, Payload}` rekor bundle for a bundle tlog entry. */
export function legacyRekorBundle(entry: TlogEntryJson): LegacyRekorBundleJson {
  if (!entry.inclusionPromise) throw new Error('entry has no inclusionPromise (SET)');
  const num = (s: string, what: string): number => {
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw new RangeError(`${what} ${s} does not fit a JSON number`);
    return n;
  };
  return {
    SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
    Payload: {
      body: entry.canonicalizedBody,
      integratedTime: num(entry.integratedTime, 'integratedTime'),
      logIndex: num(entry.logIndex, 'logIndex'),
      logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
    },
  };
}

function onePem(certificatePem: string | undefined, publicKeyPem: string | undefined): string {
  if ((certificatePem === undefined) === (publicKeyPem === undefined)) {
    throw new Error('give exactly one of certificatePem or publicKeyPem');
  }
  return (certificatePem ?? publicKeyPem) as string;
}

function pickOptions(input: AddEntryOptions): AddEntryOptions {
  return {
    ...(input.integratedTime === undefined ? {} : { integratedTime: input.integratedTime }),
    ...(input.inclusionProof === undefined ? {} : { inclusionProof: input.inclusionProof }),
  };
}
