import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withoutNulls } from './protojson.js';

describe('withoutNulls (ProtoJSON: null is unset)', () => {
  it('drops null members at any depth, keeps nulls inside arrays, never changes the input', () => {
    const input = {
      a: null,
      b: { c: null, d: 1, e: [null, { f: null, g: 'x' }] },
      h: [1, 2],
    };
    const before = JSON.stringify(input);
    expect(withoutNulls(input)).toEqual({ b: { d: 1, e: [null, { g: 'x' }] }, h: [1, 2] });
    expect(JSON.stringify(input)).toBe(before);
  });

  it('shares what holds no null', () => {
    const clean = { a: { b: [1, { c: 'x' }] } };
    expect(withoutNulls(clean)).toBe(clean);
    const mixed = { keep: { x: 1 }, drop: null };
    expect((withoutNulls(mixed) as { keep: unknown }).keep).toBe(mixed.keep);
  });

  it('leaves values below its depth bound as they are', () => {
    let deep: Record<string, unknown> = { last: null };
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const out = withoutNulls(deep) as Record<string, unknown>;
    let node = out;
    for (let i = 0; i < 40; i++) node = node.next as Record<string, unknown>;
    expect('last' in node).toBe(true);
  });

  it('property: the result holds no null member and equals JSON with nulls removed', () => {
    const drop = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(drop)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([, x]) => x !== null)
                .map(([k, x]) => [k, drop(x)]),
            )
          : v;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(withoutNulls(value)).toEqual(drop(value));
      }),
    );
  });

  it('reads own members only, in their order, and leaves array holes alone', () => {
    const proto = { inherited: null, kept: 1 };
    const value = Object.assign(Object.create(proto) as Record<string, unknown>, {
      b: null,
      a: { x: null, y: 2 },
    });
    const out = withoutNulls(value) as Record<string, unknown>;
    expect(Object.keys(out)).toEqual(['a']);
    expect(out.a).toEqual({ y: 2 });
    // biome-ignore lint/suspicious/noSparseArray: the hole is the case under test
    const holes = [1, , { z: null }];
    const cleaned = withoutNulls(holes) as unknown[];
    expect(1 in cleaned).toBe(false);
    expect(cleaned[2]).toEqual({});
  });
});
