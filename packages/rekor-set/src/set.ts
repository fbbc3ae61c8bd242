import { toBase64, utf8Encode } from '@flareo/internal/bytes';
import {
  type CryptoTask,
  platformCrypto,
  runCryptoSync,
  type SignatureScheme,
  type TransparencyLog,
  type TrustedKey,
} from '@flareo/trust-root';
import { requireBytes, requireLog, requireSetFields } from './arguments.js';
import type { LogEntry } from './entry.js';

/**
 * The canonical (RFC 8785) JSON the log signed for a SignedEntryTimestamp. The four keys
 * are written in JCS order by hand: every value is an integer or an ASCII string, for which
 * this is byte-identical to full JCS, and a general canonicalizer would cost time on the
 * hot path for nothing.
 */
export function setPayload(
  entry: Pick<LogEntry, 'body' | 'integratedTime' | 'logIdHex' | 'logIndex'>,
): Uint8Array {
  requireSetFields('setPayload', 'entry', entry);
  return payloadOf(entry);
}

function payloadOf(
  entry: Pick<LogEntry, 'body' | 'integratedTime' | 'logIdHex' | 'logIndex'>,
): Uint8Array {
  const body = toBase64(entry.body);
  return utf8Encode(
    `{"body":"${body}","integratedTime":${entry.integratedTime},"logID":"${entry.logIdHex}","logIndex":${entry.logIndex}}`,
  );
}

/**
 * How a log key signs SETs (and, with `sha256` fixed for RSA, checkpoints): Ed25519 pure;
 * ECDSA and RSA PKCS#1 v1.5 with the key's stated digest, sha256 when the root does not say.
 */
export function logScheme(key: TrustedKey, rsaHash?: 'sha256'): SignatureScheme {
  switch (key.algorithm.kind) {
    case 'ed25519':
      return { kind: 'ed25519' };
    case 'ecdsa':
      return { kind: 'ecdsa', hash: key.hash ?? 'sha256' };
    case 'rsa':
      return { kind: 'rsa-pkcs1v15', hash: rsaHash ?? key.hash ?? 'sha256' };
  }
}

/** {@link checkSet} as a seam task (no argument checks). */
export function* checkSetTask(
  entry: Pick<LogEntry, 'body' | 'integratedTime' | 'logIdHex' | 'logIndex'>,
  log: TransparencyLog,
  signature: Uint8Array,
): CryptoTask<boolean> {
  const key = log.key;
  return yield { key, scheme: logScheme(key), data: payloadOf(entry), signature };
}

/** Does `signature` (the SET) verify over the entry's canonical payload with the log's key? */
export function checkSet(entry: LogEntry, log: TransparencyLog, signature: Uint8Array): boolean {
  requireSetFields('checkSet', 'entry', entry);
  requireLog('checkSet', 'log', log);
  requireBytes('checkSet', 'signature', signature);
  return runCryptoSync(checkSetTask(entry, log, signature), platformCrypto.sync);
}
