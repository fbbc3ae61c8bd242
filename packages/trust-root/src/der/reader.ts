// A strict DER reader: tag/length/value, OBJECT IDENTIFIER, INTEGER, BOOLEAN, BIT STRING,
// UTCTime/GeneralizedTime and the string types X.509 names use.
//
// Hand-written rather than a schema library on purpose: parsing a whole certificate with
// `@peculiar/asn1-x509` costs ~290 µs and a few hundred KB of code, walking the TLVs costs a
// few µs, and a bundle verification's floor is ~1 ms. It is also pure JavaScript (no
// `Buffer`, no `node:` import), so the same code runs in browsers and edge workers.
//
// Everything malformed throws a `DerError` (code `DER_INVALID`) carrying the byte offset;
// callers turn it into their own typed error.

import { toHex as hexOf } from '@flareo/internal/bytes';
import { type CalendarTime, calendarTimeToEpochMs, fractionToMs } from '@flareo/internal/calendar';

/** Stable error code of {@link DerError}. */
export type DerErrorCode = 'DER_INVALID';

/** Malformed DER, or a structure that is not what the reader was asked for. */
export class DerError extends Error {
  override readonly name = 'DerError';
  /** Always `DER_INVALID`. */
  readonly code: DerErrorCode = 'DER_INVALID';
  /** Byte offset in the input where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(message: string, offset?: number, options?: { cause?: unknown }) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`, options);
    this.offset = offset;
  }
}

/** One TLV: its tag byte, where the whole TLV starts, where its value starts and ends. */
export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number 0-30). */
  readonly tag: number;
  /** Offset of the identifier octet. */
  readonly start: number;
  /** Offset of the first value octet. */
  readonly valueStart: number;
  /** Offset just past the last value octet. */
  readonly end: number;
}

/** Universal tags the readers below check for. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  TELETEX_STRING: 0x14,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE_STRING: 0x1a,
  UNIVERSAL_STRING: 0x1c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * Read the TLV at `offset`, which must end at or before `limit`. Strict DER: one-octet tags
 * only (tag numbers up to 30), definite lengths in the shortest form (no `0x80`, no leading
 * zero octets, long form only from 128), at most 4 length octets.
 */
export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated TLV', offset);
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-octet tags are not supported', offset);
  let length = buf[offset + 1] as number;
  let valueStart = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not DER', offset);
    if (n > 4) throw new DerError('length too large', offset);
    if (valueStart + n > limit) throw new DerError('truncated length', offset);
    if (buf[valueStart] === 0) throw new DerError('length with a leading zero octet', offset);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (buf[valueStart + i] as number);
    if (length < 0x80) throw new DerError('long-form length below 128', offset);
    valueStart += n;
  }
  const end = valueStart + length;
  if (end > limit) throw new DerError('value runs past its container', offset);
  return { tag, start: offset, valueStart, end };
}

/** The single TLV that spans all of `buf` (no trailing bytes). */
export function readWhole(buf: Uint8Array, what = 'value'): Tlv {
  const tlv = readTlv(buf, 0);
  if (tlv.end !== buf.length) throw new DerError(`bytes after the ${what}`, tlv.end);
  return tlv;
}

/** The TLVs directly inside a constructed TLV, which they must fill exactly. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  if ((parent.tag & 0x20) === 0) {
    throw new DerError('a primitive value has no children', parent.start);
  }
  const out: Tlv[] = [];
  let pos = parent.valueStart;
  while (pos < parent.end) {
    const child = readTlv(buf, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** `tlv` when it is present and has tag `tag`; otherwise a DerError naming `what`. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv || tlv.tag !== tag) {
    throw new DerError(`expected ${what}`, tlv?.start);
  }
  return tlv;
}

/** The value octets of a TLV. */
export const contentOf = (buf: Uint8Array, tlv: Tlv): Uint8Array =>
  buf.subarray(tlv.valueStart, tlv.end);

/** The whole encoding of a TLV (identifier, length and value). */
export const encodingOf = (buf: Uint8Array, tlv: Tlv): Uint8Array =>
  buf.subarray(tlv.start, tlv.end);

/** Dotted-decimal form of OBJECT IDENTIFIER value octets (minimal base-128 arcs). */
export function decodeOid(bytes: Uint8Array): string {
  return decodeOidAt(bytes, 0, bytes.length);
}

/** {@link decodeOid} of `buf[start..end)`, read in place (no view made per OID). */
function decodeOidAt(buf: Uint8Array, start: number, end: number): string {
  if (end === start) throw new DerError('empty OBJECT IDENTIFIER');
  if (((buf[end - 1] as number) & 0x80) !== 0) {
    throw new DerError('truncated OBJECT IDENTIFIER');
  }
  let out = '';
  let acc = 0;
  let arcStart = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    if (arcStart && byte === 0x80) throw new DerError('OBJECT IDENTIFIER arc with a leading zero');
    acc = acc * 128 + (byte & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER) throw new DerError('OBJECT IDENTIFIER arc too large');
    arcStart = (byte & 0x80) === 0;
    if (arcStart) {
      if (out === '') {
        const first = acc < 80 ? Math.floor(acc / 40) : 2;
        out = `${first}.${acc - first * 40}`;
      } else out += `.${acc}`;
      acc = 0;
    }
  }
  return out;
}

/** The OBJECT IDENTIFIER at `tlv`, dotted. */
export function readOid(buf: Uint8Array, tlv: Tlv | undefined, what = 'OBJECT IDENTIFIER'): string {
  const t = expectTag(tlv, TAG.OID, what);
  return decodeOidAt(buf, t.valueStart, t.end);
}

/**
 * The value octets of a DER INTEGER (two's complement, big-endian, as encoded): present and
 * minimal (no redundant leading 0x00 or 0xff octet).
 */
export function readInteger(buf: Uint8Array, tlv: Tlv | undefined, what = 'INTEGER'): Uint8Array {
  const bytes = contentOf(buf, expectTag(tlv, TAG.INTEGER, what));
  if (bytes.length === 0) throw new DerError(`empty ${what}`, tlv?.start);
  if (bytes.length > 1) {
    const [a, b] = bytes as unknown as [number, number];
    if ((a === 0 && b < 0x80) || (a === 0xff && b >= 0x80)) {
      throw new DerError(`${what} is not minimally encoded`, tlv?.start);
    }
  }
  return bytes;
}

/** A non-negative INTEGER that fits in 32 bits, as a number. */
export function readSmallInteger(buf: Uint8Array, tlv: Tlv | undefined, what = 'INTEGER'): number {
  const bytes = readInteger(buf, tlv, what);
  if (((bytes[0] as number) & 0x80) !== 0) throw new DerError(`negative ${what}`, tlv?.start);
  if (bytes.length > 5 || (bytes.length === 5 && bytes[0] !== 0)) {
    throw new DerError(`${what} out of range`, tlv?.start);
  }
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

/** A DER BOOLEAN: one octet, 0x00 or 0xff. */
export function readBoolean(buf: Uint8Array, tlv: Tlv | undefined, what = 'BOOLEAN'): boolean {
  const t = expectTag(tlv, TAG.BOOLEAN, what);
  const octet = buf[t.valueStart];
  if (t.end - t.valueStart !== 1 || (octet !== 0 && octet !== 0xff)) {
    throw new DerError(`${what} is not a DER BOOLEAN`, tlv?.start);
  }
  return octet === 0xff;
}

/** A BIT STRING's bits and how many trailing bits of the last octet are unused. */
export interface BitString {
  readonly unusedBits: number;
  readonly bytes: Uint8Array;
}

/** A DER BIT STRING: 0-7 unused bits, none when empty, unused bits zero. */
export function readBitString(
  buf: Uint8Array,
  tlv: Tlv | undefined,
  what = 'BIT STRING',
): BitString {
  const t = expectTag(tlv, TAG.BIT_STRING, what);
  const length = t.end - t.valueStart;
  const unusedBits = length === 0 ? undefined : (buf[t.valueStart] as number);
  if (unusedBits === undefined || unusedBits > 7 || (length === 1 && unusedBits !== 0)) {
    throw new DerError(`${what} has a bad unused-bits octet`, tlv?.start);
  }
  const bytes = buf.subarray(t.valueStart + 1, t.end);
  const last = bytes[bytes.length - 1];
  if (last !== undefined && (last & ((1 << unusedBits) - 1)) !== 0) {
    throw new DerError(`${what} has non-zero unused bits`, tlv?.start);
  }
  return { unusedBits, bytes };
}

/**
 * The instant of a UTC calendar time, or a DerError when the fields name no real time:
 * month 1-12, day within its month, hour 0-23, minute and second 0-59 (no leap seconds:
 * `Date` has none), milliseconds 0-999. `Date.UTC` alone would roll `Feb 31` over to March.
 */
export function utcTime(...time: CalendarTime): Date {
  const ms = calendarTimeToEpochMs(...time);
  if (ms === undefined) {
    const [year, month, day, hour, minute, second] = time;
    throw new DerError(
      `time ${year}-${month}-${day} ${hour}:${minute}:${second} is not a real calendar time`,
    );
  }
  return new Date(ms);
}

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
// DER GeneralizedTime: seconds always present, `Z`, a fraction only without trailing zeros.
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{0,8}[1-9]))?Z$/;

/**
 * UTCTime (`YYMMDDHHMMSSZ`, years 50-99 are 19xx as RFC 5280 says) or GeneralizedTime
 * (`YYYYMMDDHHMMSS[.f]Z`; fractions, which RFC 3161 tokens may carry, are kept to the
 * millisecond).
 */
export function readTime(buf: Uint8Array, tlv: Tlv | undefined, what = 'time'): Date {
  if (!tlv || (tlv.tag !== TAG.UTC_TIME && tlv.tag !== TAG.GENERALIZED_TIME)) {
    throw new DerError(`expected ${what} (UTCTime or GeneralizedTime)`, tlv?.start);
  }
  // Every certificate's validity is a UTCTime `YYMMDDHHMMSSZ`: its twelve digits are read
  // straight from the octets (no text, no pattern). Anything else, and every error, takes
  // the general path below, which reads the same fields from the same octets.
  if (tlv.tag === TAG.UTC_TIME && tlv.end - tlv.valueStart === 13 && buf[tlv.end - 1] === 0x5a) {
    const p = tlv.valueStart;
    const d0 = digitPair(buf, p);
    const d1 = digitPair(buf, p + 2);
    const d2 = digitPair(buf, p + 4);
    const d3 = digitPair(buf, p + 6);
    const d4 = digitPair(buf, p + 8);
    const d5 = digitPair(buf, p + 10);
    if ((d0 | d1 | d2 | d3 | d4 | d5) >= 0) {
      const ms = calendarTimeToEpochMs(d0 + (d0 >= 50 ? 1900 : 2000), d1, d2, d3, d4, d5, 0);
      if (ms !== undefined) return new Date(ms);
    }
  }
  const text = latin1(contentOf(buf, tlv));
  const m = (tlv.tag === TAG.UTC_TIME ? UTC_TIME : GENERALIZED_TIME).exec(text);
  if (!m) throw new DerError(`bad ${what} ${JSON.stringify(text)}`, tlv.start);
  let year = Number(m[1]);
  if (tlv.tag === TAG.UTC_TIME) year += year >= 50 ? 1900 : 2000;
  const field = (i: number) => Number(m[i]);
  try {
    return utcTime(year, field(2), field(3), field(4), field(5), field(6), fractionToMs(m[7]));
  } catch (cause) {
    throw new DerError(`${what} ${JSON.stringify(text)} is not a valid time`, tlv.start, {
      cause,
    });
  }
}

/** The two ASCII digits at `at` as a number 0-99, or -1 when either is not a digit. */
function digitPair(buf: Uint8Array, at: number): number {
  const a = (buf[at] as number) - 0x30;
  const b = (buf[at + 1] as number) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Bytes as latin-1 text (one character per octet). */
export function latin1(bytes: Uint8Array): string {
  // `apply` takes the typed array as it is; spreading it into arguments walks its iterator,
  // which cost four times as much for the short values of names and times.
  if (bytes.length <= 4096) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return out;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as UTF-8 text; a DerError when they are not UTF-8. */
export function utf8(bytes: Uint8Array, offset?: number): string {
  try {
    return utf8Decoder.decode(bytes);
  } catch (cause) {
    throw new DerError('invalid UTF-8', offset, { cause });
  }
}

function utf16be(bytes: Uint8Array, offset: number): string {
  if (bytes.length % 2 !== 0) throw new DerError('BMPString of odd length', offset);
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) {
    out += String.fromCharCode(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
  }
  return out;
}

function utf32be(bytes: Uint8Array, offset: number): string {
  if (bytes.length % 4 !== 0)
    throw new DerError('UniversalString length not a multiple of 4', offset);
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const cp =
      (bytes[i] as number) * 0x1000000 +
      (((bytes[i + 1] as number) << 16) |
        ((bytes[i + 2] as number) << 8) |
        (bytes[i + 3] as number));
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      throw new DerError('UniversalString holds no character', offset);
    }
    out += String.fromCodePoint(cp);
  }
  return out;
}

/** Is `tag` a character string type {@link readString} decodes? */
export const isStringTag = (tag: number): boolean =>
  tag === TAG.UTF8_STRING ||
  tag === TAG.PRINTABLE_STRING ||
  tag === TAG.TELETEX_STRING ||
  tag === TAG.IA5_STRING ||
  tag === TAG.VISIBLE_STRING ||
  tag === TAG.UNIVERSAL_STRING ||
  tag === TAG.BMP_STRING;

/**
 * A character string as text: UTF8String (must be UTF-8), BMPString (UTF-16BE),
 * UniversalString (UTF-32BE); PrintableString, IA5String, VisibleString and TeletexString
 * one character per octet.
 */
export function readString(buf: Uint8Array, tlv: Tlv | undefined, what = 'string'): string {
  if (!tlv || !isStringTag(tlv.tag)) throw new DerError(`expected ${what}`, tlv?.start);
  const bytes = contentOf(buf, tlv);
  switch (tlv.tag) {
    case TAG.UTF8_STRING:
      return utf8(bytes, tlv.start);
    case TAG.BMP_STRING:
      return utf16be(bytes, tlv.start);
    case TAG.UNIVERSAL_STRING:
      return utf32be(bytes, tlv.start);
    default:
      return latin1(bytes);
  }
}

/** Lowercase hex of bytes (the one implementation of `@flareo/internal/bytes`). */
export function toHex(bytes: Uint8Array): string {
  return hexOf(bytes);
}

/** Same length and same octets. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The identifier and length octets of a TLV with `length` value octets (DER). */
export function encodeHeader(tag: number, length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(tag, length);
  let count = 0;
  for (let n = length; n > 0; n = Math.floor(n / 256)) count++;
  const out = new Uint8Array(2 + count);
  out[0] = tag;
  out[1] = 0x80 | count;
  // Big-endian length octets, written from the last one back.
  for (let n = length, i = 1 + count; n > 0; n = Math.floor(n / 256), i--) out[i] = n & 0xff;
  return out;
}
