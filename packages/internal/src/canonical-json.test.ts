import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CANONICAL_JSON_MAX_DEPTH, CanonicalJsonError, canonicalJson } from './canonical-json.js';

/** The double with these IEEE 754 bits (big-endian hex). */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CanonicalJsonError) return e.code;
    throw e;
  }
  return undefined;
}

/** The same value with every object's members inserted in reverse order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (typeof v !== 'object' || v === null) return v;
  // Object.fromEntries defines every member as an own property, `__proto__` too (fast-check's
  // JSON values can have one); assigning `out[key]` would set the prototype instead.
  return Object.fromEntries(
    Object.keys(v)
      .reverse()
      .map((key) => [key, reversed((v as Record<string, unknown>)[key])]),
  );
}

describe('canonicalJson: RFC 8785 vectors', () => {
  it('the example of §3.2.2: literals, numbers and string escapes', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts member names by UTF-16 code units (§3.2.3)', () => {
    const input = JSON.parse(
      String.raw`{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}`,
    ) as Record<string, string>;
    const names = Object.keys(JSON.parse(canonicalJson(input)) as object);
    // Object.keys puts the integer-like "1" first whatever the text's order; read the text.
    const text = canonicalJson(input);
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((k) =>
      text.indexOf(JSON.stringify(k)),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(names).toHaveLength(7);
    // Integer-like names too: "10" before "2" (code units), not numerically.
    expect(canonicalJson({ 2: 'b', 10: 'a', a: 'c' })).toBe('{"10":"a","2":"b","a":"c"}');
  });

  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555556', '333333333.3333334'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('number with bits %s is written %s (Appendix B)', (bits, text) => {
    expect(canonicalJson(double(bits))).toBe(text);
  });
});

describe('canonicalJson: properties', () => {
  it('parses back to the same value, and canonicalising that again changes nothing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(canonicalJson(JSON.parse(text))).toBe(text);
      }),
    );
  });

  it('does not depend on the order members were inserted in', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(canonicalJson(reversed(v))).toBe(canonicalJson(v));
      }),
    );
  });

  it('has no whitespace outside strings', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const outside = canonicalJson(v).replace(/"(?:[^"\\]|\\.)*"/g, '""');
        expect(outside).not.toMatch(/\s/);
      }),
    );
  });
});

describe('canonicalJson: what is not JSON', () => {
  it('leaves out undefined, function and symbol members; writes them null elsewhere', () => {
    expect(canonicalJson({ a: undefined, b: () => 1, c: Symbol('x'), d: 1 })).toBe('{"d":1}');
    expect(canonicalJson([undefined, () => 1])).toBe('[null,null]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('reads values as data: toJSON is not called', () => {
    expect(canonicalJson({ when: new Date(0) })).toBe('{"when":{}}');
  });

  it('refuses a bigint by default, or writes its digits with bigint: integer', () => {
    expect(codeOf(() => canonicalJson({ n: 1n }))).toBe('BIGINT');
    expect(canonicalJson({ n: 2n ** 64n }, { bigint: 'integer' })).toBe(
      '{"n":18446744073709551616}',
    );
  });

  it('refuses NaN and the infinities by default, or writes null with nonFinite: null', () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(codeOf(() => canonicalJson([n]))).toBe('NOT_FINITE');
      expect(canonicalJson([n], { nonFinite: 'null' })).toBe('[null]');
    }
  });

  it('refuses values deeper than maxDepth, and values that contain themselves', () => {
    const nest = (n: number): unknown => {
      let v: unknown = 0;
      for (let i = 0; i < n; i++) v = i % 2 ? [v] : { v };
      return v;
    };
    expect(() => canonicalJson(nest(CANONICAL_JSON_MAX_DEPTH))).not.toThrow();
    expect(codeOf(() => canonicalJson(nest(CANONICAL_JSON_MAX_DEPTH + 1)))).toBe('TOO_DEEP');
    expect(codeOf(() => canonicalJson(nest(4), { maxDepth: 3 }))).toBe('TOO_DEEP');
    expect(canonicalJson(nest(3), { maxDepth: 3 })).toBe('{"v":[{"v":0}]}');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(codeOf(() => canonicalJson(cyclic))).toBe('TOO_DEEP');
    // A value seen twice without a cycle is fine.
    const shared = { x: 1 };
    expect(canonicalJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });
});
