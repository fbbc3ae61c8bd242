// A minimal DER reader for the few certificate fields the verification hot path needs.
// Parsing a whole certificate with a schema library costs ~290 µs (see design.md); walking
// the TLVs to the extensions costs a few µs, and a bundle verification's floor is ~1 ms.
// Anything malformed throws DerError; callers turn it into their typed error.

import { type CalendarTime, calendarTimeToEpochMs } from '@flareo/internal/calendar';

export class DerError extends Error {
  override readonly name = 'DerError';
}

/** One TLV: its tag byte, where its value starts and ends, and where the whole TLV starts. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly valueStart: number;
  readonly end: number;
}

export function readTlv(buf: Uint8Array, offset: number, limit = buf.length): Tlv {
  if (offset + 2 > limit) throw new DerError('truncated TLV');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used in certificates');
  let len = buf[offset + 1] as number;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('unsupported length encoding');
    if (pos + n > limit) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + i] as number);
    pos += n;
  }
  const end = pos + len;
  if (end > limit) throw new DerError('value runs past its container');
  return { tag, start: offset, valueStart: pos, end };
}

/** The TLVs directly inside a constructed TLV. */
export function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.valueStart;
  while (pos < parent.end) {
    const child = readTlv(buf, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export const value = (buf: Uint8Array, tlv: Tlv): Uint8Array =>
  buf.subarray(tlv.valueStart, tlv.end);

/** Dotted-decimal form of an OBJECT IDENTIFIER value. */
export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError('empty OID');
  const arcs: number[] = [];
  let acc = 0;
  for (const byte of bytes) {
    acc = acc * 128 + (byte & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER) throw new DerError('OID arc too large');
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = acc < 80 ? Math.floor(acc / 40) : 2;
        arcs.push(first, acc - first * 40);
      } else arcs.push(acc);
      acc = 0;
    }
  }
  if (bytes[bytes.length - 1] !== undefined && ((bytes[bytes.length - 1] as number) & 0x80) !== 0) {
    throw new DerError('truncated OID');
  }
  return arcs.join('.');
}

/**
 * The instant of a UTC calendar time, or a {@link DerError} when the fields name no real
 * time: month 1-12, day within its month (Gregorian leap years), hour 0-23, minute and
 * second 0-59, milliseconds 0-999. `Date.UTC` alone would roll `Feb 31` or `24:00` over to
 * another instant, and reads years 0-99 as 1900-1999. Leap seconds (`60`) are refused: `Date`
 * has none, and neither X.509 validity nor RFC 3161 tokens need them. The calendar is
 * `@flareo/internal`'s, shared with the RFC 3339 parsers of the other packages.
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

/** UTCTime or GeneralizedTime (seconds precision, `Z` only, as RFC 5280 requires). */
export function decodeTime(buf: Uint8Array, tlv: Tlv): Date {
  const text = Buffer.from(value(buf, tlv)).toString('latin1');
  const utc = tlv.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text) : null;
  const gen =
    tlv.tag === 0x18 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text) : null;
  const m = utc ?? gen;
  if (!m) throw new DerError(`bad time ${JSON.stringify(text)}`);
  let year = Number(m[1]);
  if (utc) year = year >= 50 ? 1900 + year : 2000 + year; // RFC 5280 UTCTime window
  try {
    return utcTime(year, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  } catch (cause) {
    throw new DerError(`time ${JSON.stringify(text)} is not a valid time`, { cause });
  }
}

/** Decode a DER string value (UTF8String, PrintableString, IA5String, ...) as text. */
export function decodeString(buf: Uint8Array, tlv: Tlv): string {
  return Buffer.from(value(buf, tlv)).toString(tlv.tag === 0x0c ? 'utf8' : 'latin1');
}
