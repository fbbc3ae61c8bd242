// Byte helpers on plain Uint8Array for the runtime-neutral packages (no `Buffer`): base64,
// hex, UTF-8 and comparison. Hand-written because Node 20 lacks `Uint8Array.fromBase64` and
// the decoder must read exactly what `Buffer.from(s, 'base64')` read before (the parsers
// layered their own strictness checks on that lenient decoder, and their error codes must not
// move): both alphabets, stop at the first `=`, skip any other character.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const encoder = new TextEncoder();
const STANDARD = /^[A-Za-z0-9+/]*={0,2}$/;
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
DECODE['-'.charCodeAt(0)] = 62;
DECODE['_'.charCodeAt(0)] = 63;

/**
 * Base64 (standard or URL-safe alphabet) to bytes, as leniently as Node's `Buffer`: decoding
 * stops at the first `=`, characters outside both alphabets are skipped, a lone trailing
 * sextet is dropped. Callers that need canonical input check it themselves (see
 * {@link toBase64}).
 */
export function fromBase64(text: string): Uint8Array {
  // Fast path, the common case: standard alphabet with correct padding goes through the
  // runtime's native `atob` (browsers, workers, Deno, Bun, Node), which reads it exactly as
  // the lenient loop below would.
  if (text.length % 4 === 0 && STANDARD.test(text)) {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let k = 0; k < binary.length; k++) out[k] = binary.charCodeAt(k);
    return out;
  }
  const input = encoder.encode(text);
  const out = new Uint8Array(Math.floor((input.length * 3) / 4) + 3);
  let n = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as number;
    if (c === 0x3d) break;
    const v = DECODE[c] as number;
    if (v < 0) continue;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.slice(0, n);
}

const CODES = new Uint8Array(64);
for (let i = 0; i < 64; i++) CODES[i] = ALPHABET.charCodeAt(i);
const ascii = new TextDecoder('latin1');

/**
 * Bytes to padded standard base64. The characters are written as octets and decoded by the
 * platform's native `TextDecoder`: string concatenation (or `btoa`, a JavaScript loop on
 * Node 20) costs several times more on the SET hot path.
 */
export function toBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const v =
      ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out[o++] = CODES[v >> 18] as number;
    out[o++] = CODES[(v >> 12) & 63] as number;
    out[o++] = CODES[(v >> 6) & 63] as number;
    out[o++] = CODES[v & 63] as number;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const v = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    out[o++] = CODES[v >> 18] as number;
    out[o++] = CODES[(v >> 12) & 63] as number;
    out[o++] = rest === 2 ? (CODES[(v >> 6) & 63] as number) : 0x3d;
    out[o++] = 0x3d;
  }
  return ascii.decode(out);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX[b];
  return out;
}

/**
 * Hex to bytes, as `Buffer.from(s, 'hex')` reads it: pairs of hex digits (either case) up to
 * the first pair that is not one; an odd last digit is dropped.
 */
export function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length >> 1);
  let n = 0;
  for (; n < out.length; n++) {
    const hi = HEX_VALUE[text.charCodeAt(2 * n)] ?? -1;
    const lo = HEX_VALUE[text.charCodeAt(2 * n + 1)] ?? -1;
    if (hi < 0 || lo < 0) break;
    out[n] = (hi << 4) | lo;
  }
  return out.slice(0, n);
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

const decoder = new TextDecoder('utf-8');

/** UTF-8 encoding of a string. */
export const utf8Encode = (text: string): Uint8Array => encoder.encode(text);

/** UTF-8 decoding, with U+FFFD for malformed sequences (as `Buffer#toString('utf8')`). */
export const utf8Decode = (bytes: Uint8Array): string => decoder.decode(bytes);

/** Same length and same octets. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The parts, one after the other, in a new array. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
