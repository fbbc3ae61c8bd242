import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  equalBytes,
  fromBase64,
  fromHex,
  toBase64,
  toHex,
  utf8Decode,
  utf8Encode,
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
