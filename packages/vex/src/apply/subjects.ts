import { parseImageReference } from '@flareo/internal/image-reference';
import { type CompiledSubject, compileSubject, type Subject } from '../identity.js';

// The identities a report gives its scanned product: image references as OCI purls and
// digests, merged and compiled for lookups.

/** The identity of a container image: `pkg:oci` purls (with repository and arch) and digests. */
export function imageSubject(
  references: readonly string[],
  arch?: string,
  digests: readonly string[] = [],
): Subject {
  const purls: string[] = [];
  const hashes: string[] = [...digests];
  for (const ref of references) {
    const result = parseImageReference(ref, 'lax');
    if (!result.ok) continue;
    const parsed = result.reference;
    const name = parsed.repository.slice(parsed.repository.lastIndexOf('/') + 1);
    const q = [`repository_url=${encodeURIComponent(`${parsed.registry}/${parsed.repository}`)}`];
    if (arch) q.push(`arch=${encodeURIComponent(arch)}`);
    if (parsed.digest) {
      hashes.push(parsed.digest);
      purls.push(
        `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(parsed.digest)}?${q.join('&')}`,
      );
    }
    if (parsed.tag)
      purls.push(
        `pkg:oci/${encodeURIComponent(name)}?${[...q, `tag=${encodeURIComponent(parsed.tag)}`].join('&')}`,
      );
  }
  return { purls, hashes };
}

/** The identities of several subjects in one. */
export function mergeSubjects(...subjects: (Subject | undefined)[]): Subject {
  const out = {
    purls: [] as string[],
    hashes: [] as string[],
    cpes: [] as string[],
    ids: [] as string[],
  };
  for (const s of subjects) {
    if (!s) continue;
    out.purls.push(...(s.purls ?? []));
    out.hashes.push(...(s.hashes ?? []));
    out.cpes.push(...(s.cpes ?? []));
    out.ids.push(...(s.ids ?? []));
  }
  return out;
}

/** Whether a subject names nothing. */
export function isEmptySubject(s: Subject): boolean {
  return !s.purls?.length && !s.hashes?.length && !s.cpes?.length && !s.ids?.length;
}

/** The subjects that name something, compiled. */
export function compileAll(subjects: readonly Subject[]): CompiledSubject[] {
  return subjects.filter((s) => !isEmptySubject(s)).map((s) => compileSubject(s));
}
