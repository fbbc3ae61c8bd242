import { fromBase64, toHex, utf8Encode } from '@flareo/internal/bytes';
import {
  type CryptoTask,
  noteKeyId,
  platformCrypto,
  runCryptoSync,
  type TransparencyLog,
} from '@flareo/trust-root';
import { requireLog, requireOptional, requireString, typeOf } from './arguments.js';
import { RekorError, type RekorErrorDetail } from './errors.js';
import { logScheme } from './set.js';

/** A parsed C2SP checkpoint (tlog-checkpoint) with its signature lines. */
export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: bigint;
  readonly rootHash: Uint8Array;
  /** Extension lines, opaque (Rekor v1 writes `Timestamp: <nanos>`, which is not a trusted time). */
  readonly extensions: readonly string[];
  /** The signed text: every line of the note up to and including the one before the blank line. */
  readonly body: string;
  readonly signatures: readonly { name: string; keyId: string; signature: Uint8Array }[];
}

/** Verifiers must accept at least 16 signature lines; past this many the note is refused. */
export const MAX_NOTE_SIGNATURES = 100;
/** The first control character other than newline (one native scan of the note). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARACTER = /[\x00-\x09\x0b-\x1f\x7f]/;
const SIGNATURE_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/;

function bad(message: string, detail: RekorErrorDetail = {}): never {
  throw new RekorError('CHECKPOINT_MALFORMED', `checkpoint: ${message}`, detail);
}

/**
 * Parse a C2SP signed note holding a checkpoint. Hand-written: the format is three lines
 * and a signature block, and no npm library implements the C2SP rules we must enforce.
 */
export function parseCheckpoint(note: string): Checkpoint {
  if (typeof note !== 'string') {
    throw new RekorError(
      'CHECKPOINT_MALFORMED',
      `checkpoint: must be a string, got ${typeOf(note)}`,
      {
        expected: 'string',
        actual: typeOf(note),
      },
    );
  }
  // No control characters but newline; valid UTF-8 is guaranteed by the JS string.
  const control = CONTROL_CHARACTER.exec(note);
  if (control) bad(`contains control character 0x${control[0].charCodeAt(0).toString(16)}`);
  const split = note.lastIndexOf('\n\n');
  if (split === -1) bad('has no blank line before its signatures');
  const body = note.slice(0, split + 1);
  const sigBlock = note.slice(split + 2);
  if (!sigBlock.endsWith('\n')) bad('signature block does not end with a newline');
  const sigLines = sigBlock.slice(0, -1).split('\n');
  if (sigLines.length > MAX_NOTE_SIGNATURES) {
    bad(`has ${sigLines.length} signature lines (limit ${MAX_NOTE_SIGNATURES})`);
  }
  const signatures = sigLines.map((line) => {
    const m = SIGNATURE_LINE.exec(line);
    if (!m) bad(`malformed signature line ${JSON.stringify(line.slice(0, 60))}`);
    const name = m[1] as string;
    if (name.includes('+')) bad(`key name ${JSON.stringify(name)} contains "+"`);
    const raw = fromBase64(m[2] as string);
    if (raw.length < 5) bad(`signature for ${name} is shorter than 5 bytes`);
    return {
      name,
      keyId: toHex(raw.subarray(0, 4)),
      signature: raw.slice(4),
    };
  });
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) bad('needs origin, tree size and root hash lines');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) bad('origin line is empty');
  if (!/^(0|[1-9]\d{0,19})$/.test(size))
    bad(`tree size ${JSON.stringify(size)} is not a decimal without leading zeros`);
  const treeSize = BigInt(size);
  if (treeSize >= 1n << 64n) bad('tree size exceeds uint64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(root)) bad('root hash is not a base64 32-byte hash');
  for (const ext of extensions) if (ext.length === 0) bad('empty extension line');
  return Object.freeze({
    origin,
    treeSize,
    rootHash: fromBase64(root),
    extensions: Object.freeze(extensions),
    body,
    signatures: Object.freeze(signatures),
  });
}

/** Is `origin` this log's? Rekor v2: the host itself; Rekor v1: `<host> - <tree id>`. */
export function originMatches(origin: string, host: string): boolean {
  requireString('originMatches', 'origin', origin);
  requireString('originMatches', 'host', host);
  if (origin === host) return true;
  const prefix = `${host} - `;
  return origin.startsWith(prefix) && /^\d+$/.test(origin.slice(prefix.length));
}

/** A signed-note signature line by the log's key (RSA notes are always sha256). */
function* verifyNoteSignature(
  log: TransparencyLog,
  message: Uint8Array,
  signature: Uint8Array,
): CryptoTask<boolean> {
  const key = log.key;
  return yield { key, scheme: logScheme(key, 'sha256'), data: message, signature };
}

/**
 * Verify a checkpoint against one trusted log: the log's signature line is found by key
 * name (the log's host) and key ID, never by position; lines of other keys (witnesses,
 * grease) are ignored; a line of the log's key that fails to verify rejects the note; the
 * origin must be the log's.
 */
export function verifyCheckpoint(
  note: string,
  log: TransparencyLog,
  detail: RekorErrorDetail = {},
): Checkpoint {
  requireLog('verifyCheckpoint', 'log', log);
  requireOptional('verifyCheckpoint', 'detail', detail);
  return runCryptoSync(verifyCheckpointTask(note, log, detail), platformCrypto.sync);
}

/** {@link verifyCheckpoint} as a seam task (no argument checks). */
export function* verifyCheckpointTask(
  note: string,
  log: TransparencyLog,
  detail: RekorErrorDetail,
): CryptoTask<Checkpoint> {
  const checkpoint = parseCheckpoint(note);
  const host = log.host;
  if (host === undefined) {
    throw new RekorError(
      'CHECKPOINT_UNSIGNED',
      `checkpoint: log ${log.logId} has no base URL in the trust root, so its checkpoint key name is unknown`,
      { ...detail, expected: 'a log with baseUrl' },
    );
  }
  const keyIds = new Set([noteKeyId(log.key, host)]);
  if (log.checkpointKeyId) keyIds.add(log.checkpointKeyId.slice(0, 8));
  const mine = checkpoint.signatures.filter((s) => s.name === host && keyIds.has(s.keyId));
  if (mine.length === 0) {
    throw new RekorError(
      'CHECKPOINT_UNSIGNED',
      `checkpoint has no signature by ${host} with key ID ${[...keyIds].join(' or ')}`,
      {
        ...detail,
        expected: { name: host, keyId: [...keyIds] },
        actual: checkpoint.signatures.map((s) => ({ name: s.name, keyId: s.keyId })),
      },
    );
  }
  const message = utf8Encode(checkpoint.body);
  for (const line of mine) {
    if (!(yield* verifyNoteSignature(log, message, line.signature))) {
      throw new RekorError(
        'CHECKPOINT_INVALID',
        `checkpoint signature by ${host} (key ID ${line.keyId}) does not verify`,
        { ...detail, field: 'checkpoint signature' },
      );
    }
  }
  if (!originMatches(checkpoint.origin, host)) {
    throw new RekorError(
      'CHECKPOINT_ORIGIN_MISMATCH',
      `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not log ${host}`,
      { ...detail, expected: `${host} or "${host} - <tree id>"`, actual: checkpoint.origin },
    );
  }
  return checkpoint;
}
