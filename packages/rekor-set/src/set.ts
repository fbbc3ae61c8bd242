import { verify } from 'node:crypto';
import type { TransparencyLog } from '@flareo/trust-root';
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
): Buffer {
  requireSetFields('setPayload', 'entry', entry);
  return payloadOf(entry);
}

function payloadOf(
  entry: Pick<LogEntry, 'body' | 'integratedTime' | 'logIdHex' | 'logIndex'>,
): Buffer {
  const body = Buffer.from(entry.body).toString('base64');
  return Buffer.from(
    `{"body":"${body}","integratedTime":${entry.integratedTime},"logID":"${entry.logIdHex}","logIndex":${entry.logIndex}}`,
    'utf8',
  );
}

/** Does `signature` (the SET) verify over the entry's canonical payload with the log's key? */
export function checkSet(entry: LogEntry, log: TransparencyLog, signature: Uint8Array): boolean {
  requireSetFields('checkSet', 'entry', entry);
  requireLog('checkSet', 'log', log);
  requireBytes('checkSet', 'signature', signature);
  const payload = payloadOf(entry);
  const key = log.key;
  try {
    if (key.algorithm.kind === 'ed25519') return verify(null, payload, key.keyObject, signature);
    return verify(key.hash ?? 'sha256', payload, key.keyObject, signature);
  } catch {
    return false;
  }
}
