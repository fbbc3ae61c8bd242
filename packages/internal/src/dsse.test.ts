import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { preAuthEncoding } from './dsse.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('preAuthEncoding (DSSE v1 PAE)', () => {
  it('encodes the DSSE specification example', () => {
    // The worked example of the DSSE v1 protocol description.
    expect(
      Buffer.from(
        preAuthEncoding('http://example.com/HelloWorld', bytes('hello world')),
      ).toString(),
    ).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('counts lengths in bytes, not characters, and keeps the payload as is', () => {
    const payload = new Uint8Array([0, 255, 32, 10]);
    const pae = preAuthEncoding('tÿpe', payload);
    expect(Buffer.from(pae.subarray(0, 15)).toString()).toBe('DSSEv1 5 tÿpe ');
    expect(Buffer.from(pae.subarray(15, 17)).toString()).toBe('4 ');
    expect([...pae.subarray(17)]).toEqual([...payload]);
    expect(Buffer.from(preAuthEncoding('', new Uint8Array())).toString()).toBe('DSSEv1 0  0 ');
  });

  it('is the concatenation the specification defines, for any type and payload', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.uint8Array({ maxLength: 300 }), (t, p) => {
        const type = Buffer.from(t, 'utf8');
        const expected = Buffer.concat([
          Buffer.from('DSSEv1 '),
          Buffer.from(String(type.length)),
          Buffer.from(' '),
          type,
          Buffer.from(' '),
          Buffer.from(String(p.length)),
          Buffer.from(' '),
          p,
        ]);
        expect(Buffer.from(preAuthEncoding(t, p)).equals(expected)).toBe(true);
      }),
    );
  });
});
