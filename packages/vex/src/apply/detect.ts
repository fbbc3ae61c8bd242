/** A scanner report format this package applies VEX to. */
export type ReportFormat = 'trivy' | 'grype' | 'sarif';

/**
 * Recognise a scanner report by its top-level fields: SARIF has a `runs` array, Grype a
 * `matches` array (or `ignoredMatches`), Trivy `SchemaVersion`, `Results` or `ArtifactName`.
 * Only the top level is read, so this is cheap on reports of any size; it tells formats
 * apart, it does not validate (the `applyTo*` function of the format does that).
 *
 * Returns `undefined` for anything else, including a value that is not a JSON object.
 */
export function detectFormat(report: unknown): ReportFormat | undefined {
  if (typeof report !== 'object' || report === null || Array.isArray(report)) return undefined;
  const r = report as Record<string, unknown>;
  if (Array.isArray(r.runs)) return 'sarif';
  if (Array.isArray(r.matches) || 'ignoredMatches' in r) return 'grype';
  if ('SchemaVersion' in r || 'Results' in r || 'ArtifactName' in r) return 'trivy';
  return undefined;
}
