import { createHash } from 'node:crypto';
import type { TestKey } from '../keys.js';

/**
 * C2SP signed-note and tlog-checkpoint writer (https://c2sp.org/signed-note,
 * https://c2sp.org/tlog-checkpoint, https://c2sp.org/tlog-cosignature).
 *
 * A note is `<body>` (lines ending in `\n`), one blank line, then one or more signature lines
 * `— <key name> <base64(4-byte key ID ‖ signature)>\n` (EM DASH U+2014). Every signature covers
 * the body including its final newline.
 */

/** EM DASH (U+2014) that starts every signature line. */
export const NOTE_SIGNATURE_PREFIX = '\u2014 ';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');

/** Signature types of the C2SP key-hash construction. */
export const NOTE_SIG_TYPE = {
  ed25519: 0x01,
  /** transparency-dev/witness ECDSA (hash is SHA-256 of the SPKI, no name or type byte). */
  ecdsa: 0x02,
  cosignatureV1: 0x04,
  /** Sigstore's RSA note keys. */
  rsa: 0xff,
} as const;

export interface CheckpointFields {
  /** Log origin (first line), e.g. `rekor.flareo.test - 2605736670972794746`. */
  origin: string;
  /** Tree size (decimal, no leading zeros). */
  size: number | bigint | string;
  /** Root hash; written as standard base64. */
  rootHash: Uint8Array;
  /** Extra lines, each written followed by `\n` (no newline inside). */
  extensions?: readonly string[];
}

/** Checkpoint note body: `origin\nsize\nbase64(root)\n[ext\n...]`. */
export function checkpointBody(fields: CheckpointFields): string {
  const size = BigInt(fields.size);
  if (size < 0n) throw new RangeError('checkpoint size must be non-negative');
  const lines = [
    fields.origin,
    size.toString(),
    b64(fields.rootHash),
    ...(fields.extensions ?? []),
  ];
  for (const line of lines) {
    if (line.length === 0 || line.includes('\n')) {
      throw new Error(
        `checkpoint lines must be non-empty and single-line: ${JSON.stringify(line)}`,
      );
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** A key that can sign notes. */
export interface NoteSigner {
  /** Key name (no spaces, no `+`). */
  name: string;
  /** 4-byte key ID written in front of the signature. */
  keyIdBytes: Uint8Array;
  /** Sign the note body bytes (UTF-8 of the body, including its final `\n`). */
  sign(message: Uint8Array): Uint8Array;
}

/** One signature line, `— name base64(keyId ‖ sig)\n`. */
export function noteSignatureLine(name: string, keyIdBytes: Uint8Array, signature: Uint8Array) {
  if (keyIdBytes.length !== 4) throw new RangeError('note key IDs are 4 bytes');
  if (name.length === 0 || /[\s+]/.test(name)) {
    throw new Error(`invalid note key name ${JSON.stringify(name)}`);
  }
  return `${NOTE_SIGNATURE_PREFIX}${name} ${b64(concat(keyIdBytes, signature))}\n`;
}

/**
 * Sign a note body with every signer, in order. `extraLines` are appended verbatim after the
 * signature lines (for grease / unknown-key lines; each must end with `\n`).
 */
export function signNote(
  body: string,
  signers: readonly NoteSigner[],
  extraLines: readonly string[] = [],
): string {
  if (!body.endsWith('\n')) throw new Error('note body must end with a newline');
  const message = utf8(body);
  const lines = signers.map((s) => noteSignatureLine(s.name, s.keyIdBytes, s.sign(message)));
  return `${body}\n${lines.join('')}${extraLines.join('')}`;
}

/** Append more signature lines to an already signed note. */
export function addNoteSignatures(note: string, signers: readonly NoteSigner[]): string {
  const { body } = parseSignedNote(note);
  const message = utf8(body);
  return (
    note + signers.map((s) => noteSignatureLine(s.name, s.keyIdBytes, s.sign(message))).join('')
  );
}

export interface ParsedNoteSignature {
  name: string;
  keyId: Uint8Array;
  signature: Uint8Array;
}

/** Split a signed note at the last blank line (test helper; no signature checks). */
export function parseSignedNote(note: string): { body: string; signatures: ParsedNoteSignature[] } {
  const at = note.lastIndexOf('\n\n');
  if (at < 0) throw new Error('not a signed note: no blank line');
  const body = note.slice(0, at + 1);
  const sigText = note.slice(at + 2);
  const signatures: ParsedNoteSignature[] = [];
  for (const line of sigText.split('\n')) {
    if (line === '') continue;
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error(`malformed signature line ${JSON.stringify(line)}`);
    const raw = new Uint8Array(Buffer.from(m[2] as string, 'base64'));
    signatures.push({ name: m[1] as string, keyId: raw.slice(0, 4), signature: raw.slice(4) });
  }
  return { body, signatures };
}

// ---------------------------------------------------------------------------------------------
// Key hashes
// ---------------------------------------------------------------------------------------------

/** `SHA-256(name ‖ 0x0A ‖ type ‖ key)`, the full 32-byte C2SP key hash (key ID = first 4). */
export function noteKeyHash(name: string, type: number, key: Uint8Array): Uint8Array {
  return sha256(utf8(name), Uint8Array.of(0x0a, type), key);
}

/** Ed25519 note key hash `SHA-256(name ‖ 0x0A ‖ 0x01 ‖ raw32)` (32 bytes; Rekor v2 log ID). */
export function ed25519NoteKeyHash(name: string, rawPublicKey: Uint8Array): Uint8Array {
  if (rawPublicKey.length !== 32) throw new RangeError('Ed25519 public keys are 32 bytes');
  return noteKeyHash(name, NOTE_SIG_TYPE.ed25519, rawPublicKey);
}

/** ECDSA note key hash `SHA-256(DER SPKI)` (32 bytes; equals the Rekor v1 log ID). */
export function ecdsaNoteKeyHash(spkiDer: Uint8Array): Uint8Array {
  return sha256(spkiDer);
}

/** Witness cosignature/v1 key hash `SHA-256(name ‖ 0x0A ‖ 0x04 ‖ raw32)`. */
export function cosignatureV1KeyHash(name: string, rawPublicKey: Uint8Array): Uint8Array {
  if (rawPublicKey.length !== 32) throw new RangeError('Ed25519 public keys are 32 bytes');
  return noteKeyHash(name, NOTE_SIG_TYPE.cosignatureV1, rawPublicKey);
}

/** Raw 32-byte Ed25519 public key of a test key (last 32 bytes of its SPKI). */
export function rawEd25519PublicKey(key: TestKey): Uint8Array {
  if (key.type !== 'ed25519') throw new Error(`expected an ed25519 key, got ${key.type}`);
  return key.spki.slice(key.spki.length - 32);
}

/** Verifier key string `name+hex(keyId)+base64(type ‖ key)` (C2SP vkey), for Ed25519 keys. */
export function ed25519VerifierKey(name: string, key: TestKey): string {
  const raw = rawEd25519PublicKey(key);
  const id = ed25519NoteKeyHash(name, raw).subarray(0, 4);
  return `${name}+${Buffer.from(id).toString('hex')}+${b64(concat(Uint8Array.of(0x01), raw))}`;
}

// ---------------------------------------------------------------------------------------------
// Signers
// ---------------------------------------------------------------------------------------------

/** Ed25519 note signer (type 0x01): pure Ed25519 over the body. */
export function ed25519NoteSigner(name: string, key: TestKey): NoteSigner {
  const id = ed25519NoteKeyHash(name, rawEd25519PublicKey(key)).slice(0, 4);
  return { name, keyIdBytes: id, sign: (m) => key.sign(m) };
}

/**
 * ECDSA note signer as used by Rekor v1 and rekor-tiles: key ID = SHA-256(SPKI)[:4],
 * signature = DER ECDSA over SHA-256 of the body (the key's default hash unless given).
 */
export function ecdsaNoteSigner(
  name: string,
  key: TestKey,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): NoteSigner {
  if (!key.type.startsWith('ecdsa')) throw new Error(`expected an ECDSA key, got ${key.type}`);
  const id = ecdsaNoteKeyHash(key.spki).slice(0, 4);
  return { name, keyIdBytes: id, sign: (m) => key.sign(m, { hash }) };
}

/**
 * Signer whose key ID is SHA-256(SPKI)[:4] whatever the key type (what Rekor v1 does for every
 * log key type, see rekor#2062). ECDSA/RSA sign with `hash`, Ed25519 signs purely.
 */
export function spkiHashNoteSigner(
  name: string,
  key: TestKey,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): NoteSigner {
  const id = ecdsaNoteKeyHash(key.spki).slice(0, 4);
  return { name, keyIdBytes: id, sign: (m) => key.sign(m, { hash }) };
}

/** The message a cosignature/v1 covers: `cosignature/v1\ntime <ts>\n` followed by the body. */
export function cosignatureV1Message(body: string, timestamp: number | bigint): Uint8Array {
  const ts = BigInt(timestamp);
  if (ts < 0n || ts > 2n ** 63n - 1n) throw new RangeError('cosignature timestamp out of range');
  return utf8(`cosignature/v1\ntime ${ts}\n${body}`);
}

/**
 * Witness cosignature/v1 signer (type 0x04): the signature bytes are the 8-byte big-endian
 * `timestamp` (POSIX seconds) followed by the Ed25519 signature of {@link cosignatureV1Message}.
 */
export function cosignatureV1Signer(
  name: string,
  key: TestKey,
  timestamp: number | bigint,
): NoteSigner {
  const id = cosignatureV1KeyHash(name, rawEd25519PublicKey(key)).slice(0, 4);
  const ts = BigInt(timestamp);
  return {
    name,
    keyIdBytes: id,
    sign: (m) => {
      const body = new TextDecoder().decode(m);
      const tsBytes = new Uint8Array(8);
      new DataView(tsBytes.buffer).setBigUint64(0, ts);
      return concat(tsBytes, key.sign(cosignatureV1Message(body, ts)));
    },
  };
}

/** A well-formed line for a key nobody knows (seeded bytes); verifiers must ignore it. */
export function greaseSignatureLine(name: string, keyIdBytes: Uint8Array, length = 64): string {
  const sig = sha256(utf8(`grease ${name} ${length}`));
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = sig[i % sig.length] as number;
  return noteSignatureLine(name, keyIdBytes, bytes);
}
