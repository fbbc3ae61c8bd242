import type { TestKey, TestKeyType } from '../keys.js';
import { seededBytes } from '../seed.js';
import { MerkleTree } from './merkle.js';
import { checkpointBody, type NoteSigner, signNote } from './signed-note.js';

/** `inclusionProof` of a Sigstore bundle `tlogEntries[]` item (protobuf JSON). */
export interface InclusionProofJson {
  logIndex: string;
  rootHash: string;
  treeSize: string;
  hashes: string[];
  checkpoint: { envelope: string };
}

/** One Sigstore bundle `verificationMaterial.tlogEntries[]` item (protobuf JSON). */
export interface TlogEntryJson {
  logIndex: string;
  logId: { keyId: string };
  kindVersion: { kind: string; version: string };
  integratedTime: string;
  inclusionPromise?: { signedEntryTimestamp: string };
  inclusionProof?: InclusionProofJson;
  canonicalizedBody: string;
}

/** `tlogs[]` item of a Sigstore trusted root (protobuf JSON). */
export interface TransparencyLogInstanceJson {
  baseUrl: string;
  hashAlgorithm: 'SHA2_256';
  publicKey: { rawBytes: string; keyDetails: string; validFor: { start: string; end?: string } };
  logId: { keyId: string };
  checkpointKeyId?: { keyId: string };
}

export interface CheckpointOptions {
  /** Tree size to commit to (default: current size). */
  treeSize?: number | bigint;
  /**
   * `Timestamp: <unix nanos>` extension line. A Date or nanoseconds bigint sets it, `false`
   * omits it. Default: Rekor v1 writes the latest integrated time in the tree, Rekor v2 omits it.
   */
  timestamp?: Date | bigint | false;
  /** Extra extension lines after the timestamp line. */
  extensions?: readonly string[];
  /** Replace the log's own signer(s) (for forged or mis-keyed checkpoints). */
  signers?: readonly NoteSigner[];
  /** Signers added after the log's line (e.g. witness cosigners). */
  extraSigners?: readonly NoteSigner[];
  /** Verbatim lines appended after all signature lines (grease). */
  extraLines?: readonly string[];
}

/** Sigstore `PublicKeyDetails` name of a test key type. */
export function keyDetailsFor(type: TestKeyType): string {
  switch (type) {
    case 'ecdsa-p256':
      return 'PKIX_ECDSA_P256_SHA_256';
    case 'ecdsa-p384':
      return 'PKIX_ECDSA_P384_SHA_384';
    case 'ecdsa-p521':
      return 'PKIX_ECDSA_P521_SHA_512';
    case 'ed25519':
      return 'PKIX_ED25519';
    case 'rsa-2048':
      return 'PKIX_RSA_PKCS1V15_2048_SHA256';
    case 'rsa-3072':
      return 'PKIX_RSA_PKCS1V15_3072_SHA256';
    case 'rsa-4096':
      return 'PKIX_RSA_PKCS1V15_4096_SHA256';
  }
}

export const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');
export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Unix seconds of a Date, number or bigint. */
export function unixSeconds(t: Date | number | bigint): bigint {
  if (t instanceof Date) return BigInt(Math.floor(t.getTime() / 1000));
  if (typeof t === 'number' && !Number.isSafeInteger(t)) {
    throw new RangeError(`time must be an integer, got ${t}`);
  }
  return BigInt(t);
}

/** What a test log keeps about every entry it appended. */
export interface LogEntryRecord {
  /** Index in the Merkle tree (Rekor v1: shard-local). */
  treeIndex: bigint;
  /** Index written in `logIndex` (Rekor v1: global/virtual index). */
  logIndex: bigint;
  body: Uint8Array;
  kind: string;
  version: string;
  integratedTime: bigint;
  entry: TlogEntryJson;
}

/** Shared machinery of the Rekor v1 and v2 test logs. */
/**
 * The tree a test log starts with: empty, or (for indexes beyond 2^53 and shard tests) an
 * opaque prefix of `initialTreeSize` leaves whose root is drawn from the seed.
 */
export function seededTree(
  seed: string,
  label: string,
  initialTreeSize: number | bigint = 0,
): MerkleTree {
  const initial = BigInt(initialTreeSize);
  return new MerkleTree(
    initial > 0n ? { prefix: { size: initial, hash: seededBytes(seed, label, 32) } } : {},
  );
}

export abstract class TestTransparencyLog {
  abstract readonly key: TestKey;
  /** Checkpoint origin line. */
  abstract readonly origin: string;
  /** Log ID bytes as they appear (base64) in `logId.keyId`. */
  abstract readonly logIdBytes: Uint8Array;
  readonly tree: MerkleTree;
  protected readonly records: LogEntryRecord[] = [];
  protected readonly byLogIndex = new Map<string, LogEntryRecord>();
  protected abstract readonly defaultTimestampLine: boolean;

  protected constructor(tree: MerkleTree) {
    this.tree = tree;
  }

  /** The signer(s) of the log's own checkpoint line. */
  protected abstract logNoteSigners(): NoteSigner[];

  /** Current tree size. */
  get size(): bigint {
    return this.tree.size;
  }

  /** Entries appended so far (oldest first). */
  get entries(): readonly LogEntryRecord[] {
    return this.records;
  }

  /** Root hash at `treeSize` (default: current). */
  rootHash(treeSize?: number | bigint): Uint8Array {
    return this.tree.root(treeSize);
  }

  /** Record of an entry, by bundle entry or by its `logIndex`. */
  record(entryOrLogIndex: TlogEntryJson | number | bigint | string): LogEntryRecord {
    const key =
      typeof entryOrLogIndex === 'object'
        ? entryOrLogIndex.logIndex
        : BigInt(entryOrLogIndex).toString();
    const rec = this.byLogIndex.get(key);
    if (!rec) throw new Error(`no entry with logIndex ${key} in this log`);
    return rec;
  }

  /** Signed checkpoint (C2SP signed note) for the tree at `options.treeSize` (default current). */
  checkpoint(options: CheckpointOptions = {}): string {
    const treeSize = options.treeSize === undefined ? this.size : BigInt(options.treeSize);
    const extensions: string[] = [];
    const ts =
      options.timestamp ?? (this.defaultTimestampLine ? this.defaultTimestamp(treeSize) : false);
    if (ts !== false) {
      const nanos = ts instanceof Date ? BigInt(ts.getTime()) * 1_000_000n : ts;
      extensions.push(`Timestamp: ${nanos}`);
    }
    extensions.push(...(options.extensions ?? []));
    const body = checkpointBody({
      origin: this.origin,
      size: treeSize,
      rootHash: this.tree.root(treeSize),
      extensions,
    });
    const signers = [
      ...(options.signers ?? this.logNoteSigners()),
      ...(options.extraSigners ?? []),
    ];
    return signNote(body, signers, options.extraLines ?? []);
  }

  /**
   * `inclusionProof` for an entry against the tree at `options.treeSize` (default: the
   * CURRENT tree), with a signed checkpoint for that size.
   */
  inclusionProof(
    entryOrLogIndex: TlogEntryJson | number | bigint | string,
    options: CheckpointOptions = {},
  ): InclusionProofJson {
    const rec = this.record(entryOrLogIndex);
    const treeSize = options.treeSize === undefined ? this.size : BigInt(options.treeSize);
    return {
      logIndex: rec.treeIndex.toString(),
      rootHash: b64(this.tree.root(treeSize)),
      treeSize: treeSize.toString(),
      hashes: this.tree.inclusionProof(rec.treeIndex, treeSize).map(b64),
      checkpoint: { envelope: this.checkpoint({ ...options, treeSize }) },
    };
  }

  /** A copy of `entry` carrying a fresh {@link inclusionProof} (default: current tree). */
  withInclusionProof(entry: TlogEntryJson, options: CheckpointOptions = {}): TlogEntryJson {
    const proof = this.inclusionProof(entry, options);
    return {
      logIndex: entry.logIndex,
      logId: { ...entry.logId },
      kindVersion: { ...entry.kindVersion },
      integratedTime: entry.integratedTime,
      ...(entry.inclusionPromise ? { inclusionPromise: { ...entry.inclusionPromise } } : {}),
      inclusionProof: proof,
      canonicalizedBody: entry.canonicalizedBody,
    };
  }

  /** Default `Timestamp:` value: latest integrated time in the tree (nanoseconds). */
  protected defaultTimestamp(treeSize: bigint): bigint {
    let latest = this.fallbackTime();
    for (const r of this.records) {
      if (r.treeIndex < treeSize && r.integratedTime > latest) latest = r.integratedTime;
    }
    return latest * 1_000_000_000n;
  }

  protected abstract fallbackTime(): bigint;

  protected store(rec: LogEntryRecord): void {
    this.records.push(rec);
    this.byLogIndex.set(rec.logIndex.toString(), rec);
  }
}
