import { describe, expect, it } from 'vitest';
import { detectFormat } from '../src/index.js';

describe('detectFormat', () => {
  it.each([
    [{ version: '2.1.0', runs: [] }, 'sarif'],
    [{ matches: [], source: {} }, 'grype'],
    [{ ignoredMatches: [] }, 'grype'],
    [{ SchemaVersion: 2, Results: [] }, 'trivy'],
    [{ Results: [] }, 'trivy'],
    [{ ArtifactName: 'alpine:3.19' }, 'trivy'],
  ] as const)('%j is %s', (report, format) => {
    expect(detectFormat(report)).toBe(format);
  });

  it('prefers SARIF, then Grype, when a report has the fields of several', () => {
    expect(detectFormat({ runs: [], matches: [], Results: [] })).toBe('sarif');
    expect(detectFormat({ matches: [], Results: [] })).toBe('grype');
  });

  it('returns undefined for anything it does not recognise', () => {
    for (const value of [{}, { runs: {} }, { matches: 'x' }, [], null, 'trivy', 42, undefined]) {
      expect(detectFormat(value)).toBeUndefined();
    }
  });
});
