import { base64Length, toBase64, utf8Encode, writeBase64 } from '@flareo/internal/bytes';
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
  // Written as octets around the body's base64, which goes straight into the payload: no
  // base64 string and no UTF-8 encoding of one (the body is most of the payload). The other
  // parts are ASCII (integers, a hex log id), so their UTF-16 units are their octets. One
  // spare octet in front lets the base64 start at an even offset for the two-at-a-time writer.
  const head = '{"body":"';
  const tail = `","integratedTime":${entry.integratedTime},"logID":"${entry.logIdHex}","logIndex":${entry.logIndex}}`;
  const length = head.length + base64Length(entry.body.length) + tail.length;
  const out = new Uint8Array(length + 1).subarray(1);
  ascii(head, out, 0);
  if (ascii(tail, out, writeBase64(entry.body, out, head.length))) return out;
  // Not reached from parsed entries; a hand-made one with a non-ASCII field is encoded as
  // UTF-8, as JSON would be (and then fails the signature check like any other wrong field).
  return utf8Encode(`${head}${toBase64(entry.body)}${tail}`);
}

/** Copy ASCII text into `out` as octets; false if a character is not ASCII. */
function ascii(text: string, out: Uint8Array, at: number): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return false;
    out[at + i] = c;
  }
  return true;
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
