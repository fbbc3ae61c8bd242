import type { PolicyInput, ResidualCounts } from '../src/index.js';

export const none: ResidualCounts = { unaddressed: 0, under_investigation: 0, affected: 0 };

/** A module that passes every default rule. */
export function cleanInput(): PolicyInput {
  return {
    module: {
      name: 'vaultwarden',
      digest: `sha256:${'3f'.repeat(32)}`,
      version: '1.32.0',
    },
    signature: {
      present: true,
      verified: true,
      identity:
        'https://github.com/flareo/flareo-canary/.github/workflows/canary-rebuild.yml@refs/heads/main',
      issuer: 'https://token.actions.githubusercontent.com',
    },
    rekor: { entry_present: true, log_index: 123456789 },
    sbom: { present: true, completeness: 0.97 },
    slsa: { level: 2 },
    vulnerabilities: {
      critical: { ...none },
      high: { ...none },
      medium: { ...none },
      low: { ...none },
    },
    trust_score: 93,
  };
}

/** Deep copy with a change applied at a dotted path (`undefined` deletes the key). */
export function withChange(input: unknown, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(input) as Record<string, unknown>;
  const keys = path.split('.');
  let holder = copy;
  for (const key of keys.slice(0, -1)) holder = holder[key] as Record<string, unknown>;
  const last = keys.at(-1)!;
  if (value === undefined) delete holder[last];
  else holder[last] = value;
  return copy;
}
