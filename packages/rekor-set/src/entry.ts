import { fromBase64, fromHex, fromPaddedBase64, toHex } from '@flareo/internal/bytes';
import { RekorError } from './errors.js';

/**
 * A transparency-log entry as it travels in a Sigstore bundle (`verificationMaterial.
 * tlogEntries[]`, protobuf JSON: int64 as decimal strings, bytes as base64).
 */
export interface TlogEntryJson {
  logIndex: string | number;
  logId: { keyId: string };
  kindVersion?: { kind: string; version: string };
  integratedTime?: string | number;
  inclusionPromise?: { signedEntryTimestamp: string } | null;
  inclusionProof?: {
    logIndex: string | number;
    rootHash: string;
    treeSize: string | number;
    hashes: string[];
    checkpoint?: { envelope: string };
  } | null;
  canonicalizedBody: string;
}

/** cosign's legacy `rekorBundle` (in `sign-blob --bundle` output). */
export interface LegacyRekorBundleJson {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

/** A log entry with every field decoded and checked for form. */
export interface LogEntry {
  /** Global (virtual) log index: signed in the SET. */
  readonly logIndex: bigint;
  /** Log id bytes (32 for Rekor v1 and v2). */
  readonly logId: Uint8Array;
  readonly logIdHex: string;
  /** Declared kind and version, when the source carries them (legacy bundles do not). */
  readonly kindVersion?: { readonly kind: string; readonly version: string };
  /** Integrated time in Unix seconds as given (0 when absent); trusted only after the SET verifies. */
  readonly integratedTime: bigint;
  /** SignedEntryTimestamp bytes, when present. */
  readonly set?: Uint8Array;
  /** The canonicalized entry body (the Merkle leaf). */
  readonly body: Uint8Array;
  readonly inclusionProof?: {
    /** Index used in the Merkle proof (shard-local on Rekor v1). */
    readonly logIndex: bigint;
    readonly rootHash: Uint8Array;
    readonly treeSize: bigint;
    readonly hashes: readonly Uint8Array[];
    readonly checkpoint?: string;
  };
  /** Where the entry came from. */
  readonly format: 'bundle' | 'legacy-cosign';
}

const MAX_INT64 = (1n << 63n) - 1n;
/** Latest time a JavaScript Date can hold, in Unix seconds: later integrated times are refused. */
const MAX_UNIX_SECONDS = 8_640_000_000_000n;

/** Parsed entries are branded so that hostile JSON cannot pose as one. */
const parsed = new WeakSet<object>();

/** True when `value` came out of {@link parseTlogEntry} or {@link parseLegacyRekorBundle}. */
export function isParsedEntry(value: unknown): value is LogEntry {
  return typeof value === 'object' && value !== null && parsed.has(value);
}

function brand(entry: LogEntry): LogEntry {
  parsed.add(entry);
  return entry;
}

function seconds(value: unknown, field: string, optional = false): bigint {
  const n = uint64(value, field, optional);
  if (n > MAX_UNIX_SECONDS) malformed(field, 'is beyond any representable date', String(value));
  return n;
}
/** Upper bound on proof length: a tree of 2^63 leaves needs at most 63 hashes. */
const MAX_PROOF_HASHES = 64;
/** Bodies beyond this size are refused before decoding (Rekor itself caps entries far lower). */
export const MAX_BODY_BYTES = 1 << 20;

function malformed(field: string, message: string, actual?: unknown): never {
  throw new RekorError('ENTRY_MALFORMED', `log entry: ${field} ${message}`, {
    field,
    ...(actual === undefined ? {} : { actual }),
  });
}

function uint64(value: unknown, field: string, optional = false): bigint {
  if (value === undefined || value === null) {
    if (optional) return 0n;
    malformed(field, 'is missing');
  }
  const text =
    typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : '') : value;
  if (typeof text !== 'string' || !/^(0|[1-9]\d{0,18})$/.test(text)) {
    malformed(field, 'must be a non-negative decimal integer', value);
  }
  const n = BigInt(text);
  if (n > MAX_INT64) malformed(field, 'exceeds int64', value);
  return n;
}

const B64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function bytes(
  value: unknown,
  field: string,
  opts: { min?: number; max?: number } = {},
): Uint8Array {
  if (typeof value !== 'string') malformed(field, 'must be base64', typeof value);
  const tooLong = opts.max !== undefined && value.length > Math.ceil((opts.max * 4) / 3) + 4;
  // Padded standard base64 (what bundles hold) is checked and decoded in one pass; anything
  // else goes through the pattern and the lenient decoder, with the same outcome as before.
  let out = tooLong ? undefined : fromPaddedBase64(value);
  if (out === undefined) {
    if (!B64.test(value)) malformed(field, 'must be base64', typeof value);
    if (tooLong) malformed(field, `is larger than ${opts.max} bytes`);
    out = fromBase64(value);
  }
  if (opts.max !== undefined && out.length > opts.max) {
    malformed(field, `is larger than ${opts.max} bytes`, out.length);
  }
  if (opts.min !== undefined && out.length < opts.min) {
    malformed(field, `must hold at least ${opts.min} bytes`, out.length);
  }
  return out;
}

function hash32(value: unknown, field: string): Uint8Array {
  const out = bytes(value, field);
  if (out.length !== 32) malformed(field, 'must be a 32-byte hash', out.length);
  return out;
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    malformed(field, 'must be an object', value === null ? 'null' : typeof value);
  }
  return value as Record<string, unknown>;
}

/** Decode a bundle `tlogEntries[]` item (protobuf JSON), checking the form of every field. */
export function parseTlogEntry(input: unknown): LogEntry {
  const e = object(input, 'entry');
  const logId = object(e.logId, 'logId');
  const logIdBytes = bytes(logId.keyId, 'logId.keyId', { min: 1, max: 64 });
  let kindVersion: LogEntry['kindVersion'];
  if (e.kindVersion !== undefined) {
    const kv = object(e.kindVersion, 'kindVersion');
    if (typeof kv.kind !== 'string' || typeof kv.version !== 'string') {
      malformed('kindVersion', 'must have string kind and version');
    }
    kindVersion = Object.freeze({ kind: kv.kind, version: kv.version });
  }
  let set: Uint8Array | undefined;
  if (e.inclusionPromise !== undefined && e.inclusionPromise !== null) {
    const promise = object(e.inclusionPromise, 'inclusionPromise');
    set = bytes(promise.signedEntryTimestamp, 'inclusionPromise.signedEntryTimestamp', {
      min: 1,
      max: 1024,
    });
  }
  let inclusionProof: LogEntry['inclusionProof'];
  if (e.inclusionProof !== undefined && e.inclusionProof !== null) {
    const p = object(e.inclusionProof, 'inclusionProof');
    if (!Array.isArray(p.hashes)) malformed('inclusionProof.hashes', 'must be an array');
    if (p.hashes.length > MAX_PROOF_HASHES) {
      malformed(
        'inclusionProof.hashes',
        `holds more than ${MAX_PROOF_HASHES} hashes`,
        p.hashes.length,
      );
    }
    let checkpoint: string | undefined;
    if (p.checkpoint !== undefined && p.checkpoint !== null) {
      const cp = object(p.checkpoint, 'inclusionProof.checkpoint');
      if (typeof cp.envelope !== 'string')
        malformed('inclusionProof.checkpoint.envelope', 'must be a string');
      checkpoint = cp.envelope;
    }
    inclusionProof = Object.freeze({
      logIndex: uint64(p.logIndex, 'inclusionProof.logIndex'),
      rootHash: hash32(p.rootHash, 'inclusionProof.rootHash'),
      treeSize: uint64(p.treeSize, 'inclusionProof.treeSize'),
      hashes: Object.freeze(p.hashes.map((h, i) => hash32(h, `inclusionProof.hashes[${i}]`))),
      ...(checkpoint === undefined ? {} : { checkpoint }),
    });
  }
  return brand(
    Object.freeze({
      logIndex: uint64(e.logIndex, 'logIndex'),
      logId: logIdBytes,
      logIdHex: toHex(logIdBytes),
      ...(kindVersion === undefined ? {} : { kindVersion }),
      integratedTime: seconds(e.integratedTime, 'integratedTime', true),
      ...(set === undefined ? {} : { set }),
      body: bytes(e.canonicalizedBody, 'canonicalizedBody', { min: 2, max: MAX_BODY_BYTES }),
      ...(inclusionProof === undefined ? {} : { inclusionProof }),
      format: 'bundle' as const,
    }),
  );
}

/** Decode cosign's legacy `rekorBundle` ({ SignedEntryTimestamp, Payload }). */
export function parseLegacyRekorBundle(input: unknown): LogEntry {
  const b = object(input, 'rekorBundle');
  const payload = object(b.Payload, 'rekorBundle.Payload');
  if (typeof payload.logID !== 'string' || !/^[0-9a-fA-F]{64}$/.test(payload.logID)) {
    malformed('rekorBundle.Payload.logID', 'must be 64 hex characters', payload.logID);
  }
  const logId = fromHex(payload.logID);
  return brand(
    Object.freeze({
      logIndex: uint64(payload.logIndex, 'rekorBundle.Payload.logIndex'),
      logId,
      logIdHex: payload.logID.toLowerCase(),
      integratedTime: seconds(payload.integratedTime, 'rekorBundle.Payload.integratedTime'),
      set: bytes(b.SignedEntryTimestamp, 'rekorBundle.SignedEntryTimestamp', { min: 1, max: 1024 }),
      body: bytes(payload.body, 'rekorBundle.Payload.body', { min: 2, max: MAX_BODY_BYTES }),
      format: 'legacy-cosign' as const,
    }),
  );
}
