import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64Length,
  bigintOf,
  concatBytes,
  equalBytes,
  fromBase64,
  fromHex,
  fromPaddedBase64,
  modPow,
  toBase64,
  toHex,
  utf8Decode,
  utf8Encode,
  writeBase64,
} from './bytes.js';

// The helpers replace `Buffer` in the runtime-neutral packages: each is checked against
// `Buffer` itself on arbitrary input, lenient decoding included.
describe('bytes helpers agree with Buffer', () => {
  it('base64 both ways, on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(toBase64(bytes)).toBe(text);
        expect(fromBase64(text)).toEqual(new Uint8Array(bytes));
        expect(fromBase64(Buffer.from(bytes).toString('base64url'))).toEqual(new Uint8Array(bytes));
      }),
    );
  });

  it('base64 decoding of arbitrary text reads what Buffer reads', () => {
    const chars = fc.constantFrom(...'AZaz09+/-_= \n.*é'.split(''), 'Q', 'w', 'A', 'b', '8');
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 40 }).map((a) => a.join('')),
        (text) => {
          expect(fromBase64(text)).toEqual(new Uint8Array(Buffer.from(text, 'base64')));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('padded base64 decodes exactly the padded standard texts, as Buffer reads them', () => {
    const PADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const chars = fc.constantFrom(
      ...'AZaz09+/-_= \n.*é\u0100\u{1F600}'.split(''),
      'Q',
      'w',
      'A',
      'b',
    );
    const texts = fc.oneof(
      fc.array(chars, { maxLength: 24 }).map((a) => a.join('')),
      // Valid texts with one character replaced: the strict rejections next to the fast path.
      fc
        .tuple(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.nat(), chars)
        .map(([bytes, at, c]) => {
          const t = Buffer.from(bytes).toString('base64');
          const i = at % t.length;
          return t.slice(0, i) + c + t.slice(i + 1);
        }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        const out = fromPaddedBase64(text);
        if (PADDED.test(text)) {
          expect(out).toEqual(new Uint8Array(Buffer.from(text, 'base64')));
        } else {
          expect(out).toBeUndefined();
        }
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(fromPaddedBase64(Buffer.from(bytes).toString('base64'))).toEqual(
          new Uint8Array(bytes),
        );
      }),
    );
    // Non-canonical trailing bits are read (and ignored) as Buffer reads them.
    expect(fromPaddedBase64('AB==')).toEqual(new Uint8Array(Buffer.from('AB==', 'base64')));
    expect(fromPaddedBase64('')).toEqual(new Uint8Array());
    for (const bad of ['A===', '====', 'AAAA=', 'AA=A', 'AAA', 'AA-_', 'AA\u0100A', '=AAA']) {
      expect(fromPaddedBase64(bad), bad).toBeUndefined();
    }
  });

  it('padded base64 of a text longer than the reused scratch buffer', () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) & 255);
    const text = Buffer.from(bytes).toString('base64');
    expect(fromPaddedBase64(text)).toEqual(bytes);
    expect(fromBase64(text.slice(0, 8))).toEqual(bytes.subarray(0, 6));
  });

  it('writeBase64 writes into any offset of any view, as Buffer encodes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(5), fc.nat(5), (bytes, pad, at) => {
        const text = Buffer.from(bytes).toString('base64');
        const whole = new Uint8Array(pad + at + base64Length(bytes.length) + 3).fill(0xee);
        const view = whole.subarray(pad);
        const end = writeBase64(bytes, view, at);
        expect(end).toBe(at + text.length);
        expect(Buffer.from(view.subarray(at, end)).toString('latin1')).toBe(text);
        expect([...whole.subarray(0, pad + at)].every((b) => b === 0xee)).toBe(true);
        expect([...whole.subarray(pad + end)].every((b) => b === 0xee)).toBe(true);
      }),
    );
  });

  it('hex of every length class (short, scratch-sized, past the scratch, past 4096)', () => {
    for (const n of [0, 1, 15, 16, 17, 64, 65, 100, 1000, 4096, 4097, 6000, 20]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n) & 0xff);
      expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
      expect(toHex(bytes.subarray(1))).toBe(Buffer.from(bytes.subarray(1)).toString('hex'));
    }
  });

  it('hex both ways, and lenient hex like Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(toHex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
        expect(fromHex(toHex(bytes).toUpperCase())).toEqual(new Uint8Array(bytes));
      }),
    );
    for (const text of ['abc', 'zz00', '00zz', '0a0G', '', 'ABCDEF0']) {
      expect(fromHex(text)).toEqual(new Uint8Array(Buffer.from(text, 'hex')));
    }
  });

  it('utf8, equality and concatenation', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(utf8Encode(text)).toEqual(new Uint8Array(Buffer.from(text, 'utf8')));
        expect(utf8Decode(utf8Encode(text))).toBe(text);
      }),
    );
    const bad = Uint8Array.of(0xff, 0x41, 0xc3);
    expect(utf8Decode(bad)).toBe(Buffer.from(bad).toString('utf8'));
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 3))).toBe(false);
    expect(concatBytes(Uint8Array.of(1), Uint8Array.of(), Uint8Array.of(2, 3))).toEqual(
      Uint8Array.of(1, 2, 3),
    );
  });
});

describe('bigintOf and modPow', () => {
  const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  it('reads any slice big-endian, as BigInt of its hex does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const from = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const to = from + (bytes.length === 0 ? 0 : b % (bytes.length - from + 1));
        const hex = hexOf(bytes.subarray(from, to));
        expect(bigintOf(bytes, from, to)).toBe(hex === '' ? 0n : BigInt(`0x${hex}`));
      }),
    );
    const offset = new Uint8Array([9, 1, 2, 3, 4, 5, 6, 7, 8, 9]).subarray(1);
    expect(bigintOf(offset)).toBe(0x010203040506070809n);
  });
  it('raises to a power modulo, as repeated multiplication does', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 1n << 80n }),
        fc.integer({ min: 0, max: 40 }),
        fc.bigInt({ min: 2n, max: 1n << 70n }),
        (base, e, m) => {
          let naive = 1n;
          for (let i = 0; i < e; i++) naive = (naive * base) % m;
          expect(modPow(base, BigInt(e), m)).toBe(naive % m);
        },
      ),
    );
  });
});
