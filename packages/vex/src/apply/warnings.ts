import type { CompiledSubject } from '../identity.js';
import { matchSpecificity } from '../identity.js';
import type { StatementRef } from '../resolve.js';
import type { IndexCore } from '../vex-index/core.js';
import type { ApplyWarning } from './options.js';

/**
 * One `OCI_TAG_ONLY` warning per statement identifier that names one of the scanned images'
 * repositories only by tag (and so was left out of matching). `into` collects warnings over
 * several calls (SARIF runs) without repeating one.
 */
export function tagOnlyWarnings(
  core: IndexCore,
  products: readonly CompiledSubject[],
  into: ApplyWarning[] = [],
): ApplyWarning[] {
  const entries = core.tagOnly;
  if (entries.length === 0 || products.length === 0) return into;
  const seen = new Set(into.map((w) => warningKey(w.statement, w.product)));
  for (const e of entries) {
    const key = warningKey(e.ref, e.text);
    if (seen.has(key)) continue;
    if (!products.some((p) => matchSpecificity(e.repository, p) >= 0)) continue;
    seen.add(key);
    const where = `statement ${e.ref.statementIndex} of ${e.ref.documentId ?? `document ${e.ref.documentIndex}`}`;
    into.push({
      code: 'OCI_TAG_ONLY',
      statement: e.ref,
      vulnerability: e.statement.vulnerability.name,
      product: e.text,
      message: `${where} (${e.statement.vulnerability.name}, ${e.statement.status}) names the image only by the tag in ${e.text}; it was not applied, because a tag can point to another image than the one the statement was written about. Name the image by digest (pkg:oci/<name>@sha256:…), or pass matchOciTags: true to trust tags.`,
    });
  }
  return into;
}

function warningKey(ref: StatementRef, text: string): string {
  return `${ref.documentIndex}/${ref.statementIndex}/${text}`;
}
