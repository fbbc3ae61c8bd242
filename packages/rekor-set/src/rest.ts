import { fromBase64, fromHex, toBase64, toHex } from '@flareo/internal/bytes';
import type { TlogEntryJson } from './entry.js';
import { RekorError } from './errors.js';
import { hashLeaf } from './merkle.js';

/**
 * One `LogEntry` value of the Rekor v1 REST API (`GET /api/v1/log/entries/{uuid}`,
 * `POST /api/v1/log/entries/retrieve`): hex where a bundle has base64, numbers where a bundle
 * has decimal strings, the checkpoint as plain text.
 */
export interface RekorApiLogEntry {
  /** Base64 of the canonicalized entry body. */
  body: string;
  integratedTime: number;
  /** Lowercase hex of the 32-byte log id. */
  logID: string;
  /** Global (virtual) log index, signed in the SET. */
  logIndex: number;
  verification?: {
    /** Base64 of the SignedEntryTimestamp. */
    signedEntryTimestamp?: string;
    inclusionProof?: {
      /** Shard-local index of the leaf. */
      logIndex: number;
      /** Hex. */
      rootHash: string;
      treeSize: number;
      /** Hex, leaf to root. */
      hashes: string[];
      /** The signed checkpoint (a C2SP signed note). */
      checkpoint?: string;
    };
  };
}

/** Options of {@link tlogEntriesFromRekorApi}. */
export interface RekorApiOptions {
  /** Most entries accepted in one answer; more is refused as `ENTRY_MALFORMED`. Default 64. */
  readonly maxEntries?: number;
}

/** A log entry taken from a Rekor API answer, under the UUID the server filed it under. */
export interface RekorApiEntry {
  /** The entry UUID (64 hex digits, or 80 with the tree id in front), lowercase. */
  readonly uuid: string;
  /** The same entry as a bundle `tlogEntries[]` item, for {@link verifyLogEvidence}. */
  readonly entry: TlogEntryJson;
}

const HEX = /^[0-9a-fA-F]*$/;
const UUID = /^(?:[0-9a-fA-F]{16})?[0-9a-fA-F]{64}$/;

function malformed(field: string, message: string, actual?: unknown): never {
  throw new RekorError('ENTRY_MALFORMED', `Rekor API entry: ${field} ${message}`, {
    field,
    ...(actual === undefined ? {} : { actual }),
  });
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    malformed(field, 'must be an object', value === null ? 'null' : typeof value);
  }
  return value as Record<string, unknown>;
}

/** Hex to base64; the length and byte checks stay with `parseTlogEntry`. */
function hexToBase64(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length % 2 !== 0 || !HEX.test(value)) {
    malformed(field, 'must be an even number of hex digits', typeof value);
  }
  return toBase64(fromHex(value));
}

/** A JSON number or decimal string, passed on as a decimal string for `parseTlogEntry`. */
function decimal(value: unknown, field: string): string {
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  malformed(field, 'must be a number', typeof value);
}

/**
 * Convert one Rekor API `LogEntry` into the bundle's `TransparencyLogEntry` JSON, the form
 * every verify function of this package reads. The UUID the server filed the entry under must
 * be the RFC 6962 leaf hash of its body (as cosign checks), so that an answer cannot pass one
 * entry off as another. Only the form is checked here: the SET, the proof, the checkpoint and
 * the binding to a signature are for {@link verifyLogEvidence}, exactly as for a bundle.
 */
export function tlogEntryFromRekorApi(uuid: string, value: unknown): TlogEntryJson {
  if (typeof uuid !== 'string' || !UUID.test(uuid)) {
    malformed('uuid', 'must be 64 hex digits (or 80 with the tree id)', uuid);
  }
  const e = record(value, 'entry');
  if (typeof e.body !== 'string') malformed('body', 'must be a base64 string', typeof e.body);
  const body = fromBase64(e.body);
  const leaf = toHex(hashLeaf(body));
  if (leaf !== uuid.slice(-64).toLowerCase()) {
    malformed('uuid', 'is not the leaf hash of the entry body', { uuid, leafHash: leaf });
  }
  const verification =
    e.verification === undefined || e.verification === null
      ? {}
      : record(e.verification, 'verification');
  const out: TlogEntryJson = {
    logIndex: decimal(e.logIndex, 'logIndex'),
    logId: { keyId: hexToBase64(e.logID, 'logID') },
    integratedTime: decimal(e.integratedTime, 'integratedTime'),
    canonicalizedBody: e.body,
  };
  const set = verification.signedEntryTimestamp;
  if (set !== undefined && set !== null) {
    if (typeof set !== 'string') {
      malformed('verification.signedEntryTimestamp', 'must be a base64 string', typeof set);
    }
    out.inclusionPromise = { signedEntryTimestamp: set };
  }
  const proofValue = verification.inclusionProof;
  if (proofValue !== undefined && proofValue !== null) {
    const p = record(proofValue, 'verification.inclusionProof');
    if (!Array.isArray(p.hashes))
      malformed('verification.inclusionProof.hashes', 'must be an array');
    if (p.checkpoint !== undefined && p.checkpoint !== null && typeof p.checkpoint !== 'string') {
      malformed('verification.inclusionProof.checkpoint', 'must be a string', typeof p.checkpoint);
    }
    out.inclusionProof = {
      logIndex: decimal(p.logIndex, 'verification.inclusionProof.logIndex'),
      rootHash: hexToBase64(p.rootHash, 'verification.inclusionProof.rootHash'),
      treeSize: decimal(p.treeSize, 'verification.inclusionProof.treeSize'),
      hashes: p.hashes.map((h, i) => hexToBase64(h, `verification.inclusionProof.hashes[${i}]`)),
      ...(typeof p.checkpoint === 'string' ? { checkpoint: { envelope: p.checkpoint } } : {}),
    };
  }
  return out;
}

/**
 * Every entry of a Rekor API answer: `GET /api/v1/log/entries/{uuid}` answers one
 * `{ "<uuid>": LogEntry }` object, `POST /api/v1/log/entries/retrieve` an array of them.
 * Each is converted by {@link tlogEntryFromRekorApi}; the first malformed one throws.
 */
export function tlogEntriesFromRekorApi(
  answer: unknown,
  options: RekorApiOptions = {},
): RekorApiEntry[] {
  const proto = typeof options === 'object' && options !== null && Object.getPrototypeOf(options);
  if (proto !== Object.prototype && proto !== null) {
    throw new RekorError('ARGUMENT_INVALID', 'options must be a plain object', {
      field: 'options',
      actual: options === null ? 'null' : typeof options,
    });
  }
  const max = options.maxEntries ?? 64;
  if (!Number.isSafeInteger(max) || max < 1) {
    throw new RekorError('ARGUMENT_INVALID', 'maxEntries must be a positive integer', {
      field: 'maxEntries',
      actual: max,
    });
  }
  const maps = Array.isArray(answer) ? answer : [answer];
  const out: RekorApiEntry[] = [];
  for (const [i, map] of maps.entries()) {
    const m = record(map, `answer[${i}]`);
    for (const [uuid, value] of Object.entries(m)) {
      if (out.length === max) malformed('answer', `holds more than ${max} entries`);
      out.push({ uuid: uuid.toLowerCase(), entry: tlogEntryFromRekorApi(uuid, value) });
    }
  }
  return out;
}
