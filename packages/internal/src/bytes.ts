// Byte helpers on plain Uint8Array for the runtime-neutral packages (no `Buffer`): base64,
// hex, UTF-8 and comparison. Hand-written because Node 20 lacks `Uint8Array.fromBase64` and
// the decoder must read exactly what `Buffer.from(s, 'base64')` read before (the parsers
// layered their own strictness checks on that lenient decoder, and their error codes must not
// move): both alphabets, stop at the first `=`, skip any other character.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');
/** Sextet of each octet in either alphabet (lenient decoding), -1 for any other octet. */
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
DECODE['-'.charCodeAt(0)] = 62;
DECODE['_'.charCodeAt(0)] = 63;
/** Sextet of each octet in the standard alphabet only, -1 for any other octet (`=` too). */
const STANDARD = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) STANDARD[ALPHABET.charCodeAt(i)] = i;
/**
 * {@link STANDARD} with each sextet already shifted to its place in a quad's 24 bits (first
 * character << 18, ... last << 0), -1 for any other octet: a quad is four lookups OR-ed
 * together, negative when any of its characters is outside the alphabet.
 */
const AT18 = new Int32Array(256).fill(-1);
const AT12 = new Int32Array(256).fill(-1);
const AT6 = new Int32Array(256).fill(-1);
const AT0 = new Int32Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) {
  const c = ALPHABET.charCodeAt(i);
  AT18[c] = i << 18;
  AT12[c] = i << 12;
  AT6[c] = i << 6;
  AT0[c] = i;
}

/**
 * Scratch octets for {@link fromPaddedBase64}: the text is copied in by the native
 * `TextEncoder.encodeInto`, and a table lookup on octets is about twice as fast as one on
 * `charCodeAt` (no bounds or non-ASCII case per character). Reused across calls (decoding is
 * synchronous, so no call sees another's) and never grown past 64 KiB; longer texts get
 * their own buffer.
 */
let scratch = new Uint8Array(4096);
const SCRATCH_MAX = 64 * 1024;

/**
 * Padded standard base64 to bytes, or `undefined` when the text is anything else. Accepts
 * exactly: characters of the standard alphabet, length a multiple of 4, at most two `=` and
 * only at the end (a subset of what `/^[A-Za-z0-9+/]*={0,2}$/` accepts, and read as
 * {@link fromBase64} and `Buffer` read it: the unused low bits of the last sextet are
 * ignored). Callers with their own strictness rule try this first and fall back to the rule
 * and {@link fromBase64} only when it returns `undefined`: one pass instead of a regular
 * expression and a decode.
 *
 * Hand-written because Node 20 has no `Uint8Array.fromBase64`, and its `atob` is a JavaScript
 * loop that is slower than this one.
 */
export function fromPaddedBase64(text: string): Uint8Array | undefined {
  const len = text.length;
  if ((len & 3) !== 0) return undefined;
  let s = scratch;
  if (s.length < len) {
    s = new Uint8Array(len);
    if (len <= SCRATCH_MAX) scratch = s;
  }
  // A non-ASCII character takes more than one octet: then fewer characters than `len` fit.
  const { read } = encoder.encodeInto(text, s.subarray(0, len));
  if (read !== len) return undefined;
  let end = len;
  if (len > 0 && s[len - 1] === 0x3d) end = s[len - 2] === 0x3d ? len - 2 : len - 1;
  const whole = end & ~3;
  const tail = end - whole; // 0, 2 or 3 characters after the whole quads (1 cannot be)
  if (tail === 1) return undefined;
  const out = new Uint8Array((whole >> 2) * 3 + (tail === 0 ? 0 : tail - 1));
  let o = 0;
  let i = 0;
  let bad = 0;
  for (; i < whole; i += 4) {
    const v =
      (AT18[s[i] as number] as number) |
      (AT12[s[i + 1] as number] as number) |
      (AT6[s[i + 2] as number] as number) |
      (AT0[s[i + 3] as number] as number);
    bad |= v;
    out[o] = v >> 16;
    out[o + 1] = v >> 8;
    out[o + 2] = v;
    o += 3;
  }
  if (tail !== 0) {
    const a = STANDARD[s[i] as number] as number;
    const b = STANDARD[s[i + 1] as number] as number;
    const c = tail === 3 ? (STANDARD[s[i + 2] as number] as number) : 0;
    bad |= a | b | c;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >> 16;
    if (tail === 3) out[o++] = v >> 8;
  }
  return bad < 0 ? undefined : out;
}

/**
 * Base64 (standard or URL-safe alphabet) to bytes, as leniently as Node's `Buffer`: decoding
 * stops at the first `=`, characters outside both alphabets are skipped, a lone trailing
 * sextet is dropped. Callers that need canonical input check it themselves (see
 * {@link fromPaddedBase64}).
 */
export function fromBase64(text: string): Uint8Array {
  const fast = fromPaddedBase64(text);
  if (fast !== undefined) return fast;
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
/**
 * The two characters of each 12-bit group as one little-endian 16-bit word: the encoder
 * stores two characters per write. (Every engine this runs in is little-endian: V8,
 * SpiderMonkey and JavaScriptCore on x86-64 and ARM64.)
 */
const PAIRS = new Uint16Array(4096);
for (let i = 0; i < 4096; i++)
  PAIRS[i] = (CODES[i >> 6] as number) | ((CODES[i & 63] as number) << 8);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Number of characters of the padded standard base64 of `length` bytes. */
export const base64Length = (length: number): number => Math.ceil(length / 3) * 4;

/**
 * Write the padded standard base64 of `bytes` as ASCII octets into `out` from index `at`
 * (which must have {@link base64Length} octets free); returns the index after the last one.
 * Lets a caller build a larger byte string around base64 (the SET payload) without making a
 * string and encoding it again. Writes two characters at a time when `out` is aligned for it.
 */
export function writeBase64(bytes: Uint8Array, out: Uint8Array, at: number): number {
  const whole = bytes.length - (bytes.length % 3);
  let o = at;
  let i = 0;
  if (LITTLE_ENDIAN && (out.byteOffset + at) % 2 === 0) {
    const words = new Uint16Array(out.buffer, out.byteOffset + at, (whole / 3) * 2);
    let w = 0;
    for (; i < whole; i += 3) {
      const v =
        ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
      words[w++] = PAIRS[v >> 12] as number;
      words[w++] = PAIRS[v & 4095] as number;
    }
    o += w * 2;
  } else {
    for (; i < whole; i += 3) {
      const v =
        ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
      out[o++] = CODES[v >> 18] as number;
      out[o++] = CODES[(v >> 12) & 63] as number;
      out[o++] = CODES[(v >> 6) & 63] as number;
      out[o++] = CODES[v & 63] as number;
    }
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const v = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    out[o++] = CODES[v >> 18] as number;
    out[o++] = CODES[(v >> 12) & 63] as number;
    out[o++] = rest === 2 ? (CODES[(v >> 6) & 63] as number) : 0x3d;
    out[o++] = 0x3d;
  }
  return o;
}

/**
 * Bytes to padded standard base64. The characters are written as octets and decoded by the
 * platform's native `TextDecoder` (ASCII is valid UTF-8, its fastest path): string
 * concatenation (or `btoa`, a JavaScript loop on Node 20) costs several times more on the
 * SET hot path.
 */
export function toBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(base64Length(bytes.length));
  writeBase64(bytes, out, 0);
  return decoder.decode(out);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** The two character codes of each octet's lowercase hex, for {@link toHex}. */
const HEX_CODES = new Uint16Array(512);
for (let i = 0; i < 256; i++) {
  HEX_CODES[2 * i] = (HEX[i] as string).charCodeAt(0);
  HEX_CODES[2 * i + 1] = (HEX[i] as string).charCodeAt(1);
}
/** Scratch character codes for {@link toHex}; at most 8192 (4096 octets), reused. */
let hexScratch = new Uint16Array(128);

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n < 16 || n > 4096) {
    let out = '';
    for (let i = 0; i < n; i++) out += HEX[bytes[i] as number];
    return out;
  }
  // Hashes, key ids and names: the character codes into scratch, then one flat string
  // (appending two characters at a time builds a chain of pieces that a Map key or a
  // comparison must flatten again).
  if (hexScratch.length < 2 * n) hexScratch = new Uint16Array(2 * n);
  const codes = hexScratch;
  for (let i = 0; i < n; i++) {
    const b = (bytes[i] as number) * 2;
    codes[2 * i] = HEX_CODES[b] as number;
    codes[2 * i + 1] = HEX_CODES[b + 1] as number;
  }
  return String.fromCharCode.apply(null, codes.subarray(0, 2 * n) as unknown as number[]);
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

/**
 * Big-endian unsigned bytes as a bigint (all of `bytes`, or `[from, to)`): 64 bits at a time,
 * the odd head byte by byte. For the public-value arithmetic of RSA and EC point checks.
 */
export function bigintOf(bytes: Uint8Array, from = 0, to = bytes.length): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let value = 0n;
  let i = from;
  for (const head = from + ((to - from) % 8); i < head; i++) {
    value = (value << 8n) | BigInt(bytes[i] as number);
  }
  for (; i < to; i += 8) value = (value << 64n) | view.getBigUint64(i);
  return value;
}

/** `base ** exponent mod modulus` by square-and-multiply (public values only: not constant time). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}
