import { describe, expect, it } from 'vitest';
import { resolveSigningRequirement } from '../src/profile.js';

describe('resolveSigningRequirement: the spec profile table, cell by cell', () => {
  // [profile, required, allowUnsignedDevelopment, enforced, warn]
  const cells = [
    // development row
    ['development', undefined, undefined, false, false],
    ['development', false, undefined, false, false],
    ['development', true, undefined, false, false], // allowUnsignedDevelopment defaults to true
    // production row
    ['production', undefined, undefined, true, false],
    ['production', false, undefined, false, true],
    ['production', true, undefined, true, false],
  ] as const;
  it.each(cells)(
    '%s, required=%s → enforced=%s, warn=%s',
    (profile, required, allow, enforced, warn) => {
      const r = resolveSigningRequirement(profile, required, allow);
      expect({ enforced: r.enforced, warn: r.warn }).toEqual({ enforced, warn });
      expect(r.because).toMatch(profile);
    },
  );
});

describe('allowUnsignedDevelopment', () => {
  it('false makes development + required=true fail-closed', () => {
    expect(resolveSigningRequirement('development', true, false)).toMatchObject({
      enforced: true,
      warn: false,
    });
  });
  it('explicit true is the default in development + required=true', () => {
    expect(resolveSigningRequirement('development', true, true)).toEqual(
      resolveSigningRequirement('development', true),
    );
  });
  it.each([undefined, false] as const)(
    'has no effect in development with required=%s',
    (required) => {
      expect(resolveSigningRequirement('development', required, false).enforced).toBe(false);
    },
  );
  it.each([
    [undefined, true],
    [false, false],
    [true, true],
  ] as const)('has no effect in production (required=%s → enforced=%s)', (required, enforced) => {
    for (const allow of [true, false]) {
      expect(resolveSigningRequirement('production', required, allow).enforced).toBe(enforced);
    }
  });
});
