import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  children,
  DerError,
  decodeOid,
  encodeHeader,
  isStringTag,
  readBitString,
  readBoolean,
  readInteger,
  readOid,
  readSmallInteger,
  readString,
  readTime,
  readTlv,
  readWhole,
  TAG,
  type Tlv,
  toHex,
  utcTime,
} from './reader.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const tlvOf = (tag: number, body: Uint8Array) => {
  const out = new Uint8Array([...encodeHeader(tag, body.length), ...body]);
  return out;
};
const latin = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

function derError(fn: () => unknown, message?: RegExp): DerError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DerError);
  const error = caught as DerError;
  expect(error.code).toBe('DER_INVALID');
  if (message) expect(error.message).toMatch(message);
  return error;
}

describe('readTlv', () => {
  it('reads short and long definite lengths', () => {
    expect(readTlv(bytes(0x04, 0x02, 1, 2), 0)).toEqual({
      tag: 4,
      start: 0,
      valueStart: 2,
      end: 4,
    });
    const long = tlvOf(0x04, new Uint8Array(200));
    expect(long.subarray(0, 3)).toEqual(bytes(0x04, 0x81, 200));
    expect(readTlv(long, 0)).toEqual({ tag: 4, start: 0, valueStart: 3, end: 203 });
    const longer = tlvOf(0x04, new Uint8Array(300));
    expect(readTlv(longer, 0).valueStart).toBe(4);
  });

  it.each([
    ['one byte only', bytes(0x30), /truncated TLV/],
    ['an indefinite length', bytes(0x30, 0x80, 0, 0), /indefinite/],
    ['a long form below 128', bytes(0x04, 0x81, 0x05, 1, 2, 3, 4, 5), /below 128/],
    ['a length with a leading zero octet', bytes(0x04, 0x82, 0x00, 0x85), /leading zero/],
    ['five length octets', bytes(0x04, 0x85, 1, 0, 0, 0, 0), /too large/],
    ['a truncated length', bytes(0x04, 0x82, 0x01), /truncated length/],
    ['a value past the end', bytes(0x04, 0x05, 1, 2), /runs past/],
    ['a multi-octet tag', bytes(0x1f, 0x81, 0x01, 0x00), /multi-octet/],
  ])('refuses %s', (_why, der, message) => {
    derError(() => readTlv(der, 0), message);
  });

  it('refuses a child running past its parent and bytes after a whole value', () => {
    // SEQUENCE of 3 bytes holding an OCTET STRING that claims 4.
    const der = bytes(0x30, 0x03, 0x04, 0x04, 1, 2, 3);
    derError(() => children(der, readTlv(der, 0)), /runs past/);
    const error = derError(
      () => readWhole(bytes(0x05, 0x00, 0x00), 'thing'),
      /bytes after the thing/,
    );
    expect(error.offset).toBe(2);
  });

  it('children of a primitive value are refused', () => {
    derError(
      () => children(bytes(0x04, 0x01, 0x30), readTlv(bytes(0x04, 0x01, 0x30), 0)),
      /primitive/,
    );
  });
});

describe('OBJECT IDENTIFIER', () => {
  it.each([
    ['2a8648ce3d040302', '1.2.840.10045.4.3.2'],
    ['2b0601040183bf300101', '1.3.6.1.4.1.57264.1.1'],
    ['550403', '2.5.4.3'],
    ['8837', '2.999'],
    ['00', '0.0'],
  ])('%s is %s', (hex, dotted) => {
    expect(decodeOid(Uint8Array.from(Buffer.from(hex, 'hex')))).toBe(dotted);
  });

  it.each([
    ['empty', ''],
    ['truncated', '2a86'],
    ['an arc with a leading 0x80', '2a8001'],
    ['an arc beyond 2^53', 'ffffffffffffffff7f'],
  ])('refuses %s', (_why, hex) => {
    derError(() => decodeOid(Uint8Array.from(Buffer.from(hex, 'hex'))));
  });

  it('readOid checks the tag', () => {
    derError(
      () => readOid(bytes(0x04, 0x01, 0x00), readTlv(bytes(0x04, 0x01, 0x00), 0)),
      /expected/,
    );
  });
});

describe('INTEGER, BOOLEAN, BIT STRING', () => {
  const int = (...b: number[]) => {
    const der = tlvOf(TAG.INTEGER, Uint8Array.from(b));
    return () => readInteger(der, readTlv(der, 0));
  };
  it('reads minimal integers and refuses redundant sign octets', () => {
    expect(int(0x00, 0x80)()).toEqual(bytes(0x00, 0x80));
    expect(int(0xff, 0x7f)()).toEqual(bytes(0xff, 0x7f));
    derError(int(0x00, 0x01), /minimally/);
    derError(int(0xff, 0x80), /minimally/);
    derError(int(), /empty/);
  });

  it('small integers are non-negative and fit in 32 bits', () => {
    const small = (...b: number[]) => {
      const der = tlvOf(TAG.INTEGER, Uint8Array.from(b));
      return readSmallInteger(der, readTlv(der, 0));
    };
    expect(small(0x00, 0xff, 0xff, 0xff, 0xff)).toBe(0xffffffff);
    expect(small(0x05)).toBe(5);
    derError(() => small(0x80), /negative/);
    derError(() => small(0x01, 0x00, 0x00, 0x00, 0x00), /out of range/);
  });

  it('booleans are one octet, 0x00 or 0xff', () => {
    const bool = (...b: number[]) => {
      const der = tlvOf(TAG.BOOLEAN, Uint8Array.from(b));
      return readBoolean(der, readTlv(der, 0));
    };
    expect(bool(0xff)).toBe(true);
    expect(bool(0x00)).toBe(false);
    derError(() => bool(0x01), /not a DER BOOLEAN/);
    derError(() => bool(0xff, 0xff), /not a DER BOOLEAN/);
  });

  it('bit strings have 0-7 unused bits, zero, and none when empty', () => {
    const bits = (...b: number[]) => {
      const der = tlvOf(TAG.BIT_STRING, Uint8Array.from(b));
      return readBitString(der, readTlv(der, 0));
    };
    expect(bits(0x05, 0xa0)).toEqual({ unusedBits: 5, bytes: bytes(0xa0) });
    expect(bits(0x00)).toEqual({ unusedBits: 0, bytes: bytes() });
    derError(() => bits(), /unused-bits/);
    derError(() => bits(0x08, 0x00), /unused-bits/);
    derError(() => bits(0x01), /unused-bits/);
    derError(() => bits(0x05, 0xa1), /non-zero unused bits/);
  });
});

describe('readTime', () => {
  const decode = (tag: number, text: string) => {
    const der = tlvOf(tag, latin(text));
    return readTime(der, readTlv(der, 0));
  };

  it.each([
    [TAG.UTC_TIME, '240101000000Z', '2024-01-01T00:00:00.000Z'],
    [TAG.UTC_TIME, '491231235959Z', '2049-12-31T23:59:59.000Z'],
    [TAG.UTC_TIME, '500101000000Z', '1950-01-01T00:00:00.000Z'],
    [TAG.UTC_TIME, '240229120000Z', '2024-02-29T12:00:00.000Z'],
    [TAG.GENERALIZED_TIME, '20500101000000Z', '2050-01-01T00:00:00.000Z'],
    [TAG.GENERALIZED_TIME, '20000229000000Z', '2000-02-29T00:00:00.000Z'],
    [TAG.GENERALIZED_TIME, '00500301000000Z', '0050-03-01T00:00:00.000Z'],
    [TAG.GENERALIZED_TIME, '99991231235959Z', '9999-12-31T23:59:59.000Z'],
    [TAG.GENERALIZED_TIME, '20240101000000.5Z', '2024-01-01T00:00:00.500Z'],
    [TAG.GENERALIZED_TIME, '20240101000000.123456Z', '2024-01-01T00:00:00.123Z'],
  ])('reads tag %i %s', (tag, text, iso) => {
    expect(decode(tag, text).toISOString()).toBe(iso);
  });

  it.each([
    [TAG.UTC_TIME, '210231000000Z', 'February 31'],
    [TAG.UTC_TIME, '230431000000Z', 'April 31'],
    [TAG.UTC_TIME, '230229000000Z', 'leap day of 2023'],
    [TAG.UTC_TIME, '231301000000Z', 'month 13'],
    [TAG.UTC_TIME, '230001000000Z', 'month 0'],
    [TAG.UTC_TIME, '230100000000Z', 'day 0'],
    [TAG.UTC_TIME, '230601240000Z', 'hour 24'],
    [TAG.UTC_TIME, '230601236000Z', 'minute 60'],
    [TAG.UTC_TIME, '230601235960Z', 'second 60'],
    [TAG.UTC_TIME, '2306010000Z', 'no seconds'],
    [TAG.UTC_TIME, '230601000000+0100', 'an offset'],
    [TAG.GENERALIZED_TIME, '19000229000000Z', 'leap day of 1900'],
    [TAG.GENERALIZED_TIME, '20230601000000', 'no Z'],
    [TAG.GENERALIZED_TIME, '20230601000000.50Z', 'a fraction with a trailing zero'],
    [TAG.GENERALIZED_TIME, '20230601000000.Z', 'an empty fraction'],
    [TAG.OCTET_STRING, '20230601000000Z', 'not a time type'],
  ])('refuses tag %i %s (%s)', (tag, text, _why) => {
    derError(() => decode(tag, text));
  });

  it('utcTime refuses fields that name no real time', () => {
    expect(utcTime(2024, 2, 29, 23, 59, 59, 999).toISOString()).toBe('2024-02-29T23:59:59.999Z');
    derError(() => utcTime(2021, 2, 31, 0, 0, 0), /not a real calendar time/);
    derError(() => utcTime(2016, 12, 31, 23, 59, 60), /not a real calendar time/);
  });
});

describe('readString', () => {
  const decode = (tag: number, body: Uint8Array) => {
    const der = tlvOf(tag, body);
    return readString(der, readTlv(der, 0));
  };
  it('decodes each string type', () => {
    expect(decode(TAG.UTF8_STRING, new TextEncoder().encode('Tëst ✓'))).toBe('Tëst ✓');
    expect(decode(TAG.PRINTABLE_STRING, latin('Flareo'))).toBe('Flareo');
    expect(decode(TAG.IA5_STRING, latin('a@b.c'))).toBe('a@b.c');
    expect(decode(TAG.TELETEX_STRING, bytes(0xe9))).toBe('é');
    expect(decode(TAG.BMP_STRING, bytes(0x00, 0x41, 0x20, 0xac))).toBe('A€');
    expect(decode(TAG.UNIVERSAL_STRING, bytes(0, 1, 0xf6, 0x00))).toBe('😀');
  });
  it('refuses bad encodings and non-string tags', () => {
    derError(() => decode(TAG.UTF8_STRING, bytes(0xc3)), /UTF-8/);
    derError(() => decode(TAG.BMP_STRING, bytes(0x00)), /odd length/);
    derError(() => decode(TAG.UNIVERSAL_STRING, bytes(0, 0x11, 0, 0)), /no character/);
    derError(() => decode(TAG.OCTET_STRING, bytes(0x41)), /expected/);
  });
});

// --- properties -----------------------------------------------------------------------------

/** Read everything in `buf` the way a caller would: recurse, decode primitives by tag. */
function walk(buf: Uint8Array, tlv: Tlv, depth = 0): void {
  if (depth > 40) return;
  if (tlv.tag & 0x20) {
    for (const child of children(buf, tlv)) walk(buf, child, depth + 1);
    return;
  }
  switch (tlv.tag) {
    case TAG.OID:
      decodeOid(buf.subarray(tlv.valueStart, tlv.end));
      break;
    case TAG.INTEGER:
      readInteger(buf, tlv);
      break;
    case TAG.BOOLEAN:
      readBoolean(buf, tlv);
      break;
    case TAG.BIT_STRING:
      readBitString(buf, tlv);
      break;
    case TAG.UTC_TIME:
    case TAG.GENERALIZED_TIME:
      readTime(buf, tlv);
      break;
    default:
      if (isStringTag(tlv.tag)) readString(buf, tlv);
  }
}

/** A random DER tree: constructed SEQUENCE/SET/[n] nodes over primitive leaves. */
const tree: fc.Arbitrary<Uint8Array> = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc
      .tuple(fc.constantFrom(0x04, 0x0c, 0x13, 0x16, 0x05), fc.uint8Array({ maxLength: 300 }))
      .map(([tag, body]) =>
        tag === 0x0c
          ? tlvOf(tag, new TextEncoder().encode(Buffer.from(body).toString('latin1')))
          : tag === 0x05
            ? tlvOf(tag, bytes())
            : tlvOf(tag, tag === 0x04 ? body : latin(Buffer.from(body).toString('hex'))),
      ),
    fc
      .tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa3), fc.array(tie('node'), { maxLength: 4 }))
      .map(([tag, kids]) => tlvOf(tag, Uint8Array.from(kids.flatMap((k) => [...k])))),
  ),
})).node;

describe('properties', () => {
  it('random bytes never throw anything but DerError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (buf) => {
        try {
          walk(buf, readWhole(buf));
        } catch (error) {
          expect(error).toBeInstanceOf(DerError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a well-formed tree reads back node for node; a mutated one only ever fails with DerError', () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.integer({ min: 0, max: 255 }), (der, at, byte) => {
        const top = readWhole(der);
        walk(der, top);
        expect(top.end).toBe(der.length);
        const mutated = Uint8Array.from(der);
        mutated[at % mutated.length] = byte;
        try {
          walk(mutated, readWhole(mutated));
        } catch (error) {
          expect(error).toBeInstanceOf(DerError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('OIDs round-trip through a base-128 encoding', () => {
    const encodeArc = (n: number): number[] => {
      const out = [n & 0x7f];
      for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128))
        out.unshift(0x80 | (v & 0x7f));
      return out;
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 39 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { maxLength: 8 }),
        (a, b, rest) => {
          const body = [...encodeArc(a * 40 + b), ...rest.flatMap(encodeArc)];
          expect(decodeOid(Uint8Array.from(body))).toBe([a, b, ...rest].join('.'));
        },
      ),
    );
  });

  it('toHex matches Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(toHex(b)).toBe(Buffer.from(b).toString('hex'));
      }),
    );
  });
});
