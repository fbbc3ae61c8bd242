import {
  coarsePackageKey,
  comparePurls,
  type NormalizedPurl,
  type PurlMismatch,
  parsePurlSafe,
  purlAccepts,
} from './purl.js';
import type { VexComponent } from './types.js';

const HEX = /^[0-9a-f]+$/i;
const BY_LENGTH: Record<number, string> = {
  32: 'md5',
  40: 'sha1',
  64: 'sha256',
  96: 'sha384',
  128: 'sha512',
};

/** Canonical algorithm name: `sha-256` and `SHA256` become `sha256`; sha3/blake2 keep theirs. */
function canonicalAlgorithm(name: string): string {
  const n = name.trim().toLowerCase();
  if (/^sha-?(1|224|256|384|512)$/.test(n)) return n.replace('-', '');
  return n;
}

/**
 * Normalize a hash to `algorithm:hex` in lower case. Accepts `sha256:HEX`, `sha-256:HEX` and
 * bare hex (the algorithm comes from `algorithm`, else from the length: 32 md5, 40 sha1,
 * 64 sha256, 96 sha384, 128 sha512). Returns `undefined` for anything else.
 */
export function normalizeHash(value: string, algorithm?: string): string | undefined {
  const v = value.trim();
  const colon = v.indexOf(':');
  let algo: string | undefined;
  let hex: string;
  if (colon >= 0) {
    algo = canonicalAlgorithm(v.slice(0, colon));
    hex = v.slice(colon + 1);
    if (algorithm !== undefined && canonicalAlgorithm(algorithm) !== algo) return undefined;
  } else {
    hex = v;
    algo = algorithm !== undefined ? canonicalAlgorithm(algorithm) : BY_LENGTH[v.length];
  }
  if (!algo || hex === '' || !HEX.test(hex)) return undefined;
  return `${algo}:${hex.toLowerCase()}`;
}

/** One way a VEX component names itself, with the index key it is found under. */
export interface Claim {
  readonly key: string;
  readonly purl?: NormalizedPurl;
  /** The identifier as written in the document. */
  readonly text: string;
  /**
   * The identifier is an OCI purl that names the image only by its mutable `tag` (no
   * digest); see {@link isTagOnlyOci}. Set on the purl claim and on the IRI claim of the
   * same text.
   */
  readonly tagOnly?: true;
}

/**
 * True for an OCI purl that names an image by a `tag` qualifier and no digest: a tag can be
 * moved to another image at any time, so such a purl does not say which image it means.
 */
export function isTagOnlyOci(purl: NormalizedPurl): boolean {
  return purl.type === 'oci' && purl.version === undefined && purl.qualifiers.has('tag');
}

/** The purl without its `tag` qualifier (an OCI digest already says which image it is). */
export function withoutTag(purl: NormalizedPurl): NormalizedPurl {
  if (!purl.qualifiers.has('tag')) return purl;
  const qualifiers = new Map(purl.qualifiers);
  qualifiers.delete('tag');
  return { ...purl, qualifiers };
}

/** The identity of a product or package on the scanner side. */
export interface Subject {
  /** Package URLs (e.g. the package purl, or the image purls). */
  readonly purls?: readonly string[];
  /** Digests or hashes: `sha256:HEX` or bare hex. */
  readonly hashes?: readonly string[];
  /** CPE 2.2 or 2.3 strings, compared exactly. */
  readonly cpes?: readonly string[];
  /** Other IRIs, compared exactly with a VEX `@id`. */
  readonly ids?: readonly string[];
}

/** A {@link Subject} prepared for lookups. */
export interface CompiledSubject {
  readonly keys: ReadonlySet<string>;
  readonly purlsByKey: ReadonlyMap<string, readonly NormalizedPurl[]>;
  /** Index slots: every key, plus `key@version` for each versioned purl. */
  readonly slots: readonly string[];
  /** A short human label, for diagnostics. */
  readonly label: string;
}

function pushClaim(out: Claim[], seen: Set<string>, claim: Claim): void {
  const dedupe = `${claim.key}\u0000${claim.text}`;
  if (seen.has(dedupe)) return;
  seen.add(dedupe);
  out.push(claim);
}

function claimsFromId(id: string, out: Claim[], seen: Set<string>): void {
  const text = id.trim();
  let tagOnly = false;
  if (/^pkg:/i.test(text)) {
    const parsed = parsePurlSafe(text);
    if (parsed) {
      tagOnly = isTagOnlyOci(parsed);
      // With a digest, the image is pinned: a `tag` next to it is only a label.
      const purl =
        parsed.type === 'oci' && parsed.version !== undefined ? withoutTag(parsed) : parsed;
      pushClaim(out, seen, {
        key: `purl:${purl.packageKey}`,
        purl,
        text,
        ...(tagOnly ? { tagOnly: true as const } : {}),
      });
    }
  } else if (/^cpe:/i.test(text)) {
    pushClaim(out, seen, { key: `cpe:${text}`, text });
  } else {
    const hash = /^[a-z0-9-]+:[0-9a-f]+$/i.test(text) ? normalizeHash(text) : undefined;
    if (hash) pushClaim(out, seen, { key: `hash:${hash}`, text });
  }
  pushClaim(out, seen, {
    key: `iri:${text}`,
    text,
    ...(tagOnly ? { tagOnly: true as const } : {}),
  });
}

/** Every identity claim of a VEX component: its `@id`, identifiers and hashes. */
export function componentClaims(component: VexComponent): Claim[] {
  const out: Claim[] = [];
  const seen = new Set<string>();
  if (typeof component['@id'] === 'string') claimsFromId(component['@id'], out, seen);
  const ids = component.identifiers;
  if (ids?.purl !== undefined) claimsFromId(ids.purl, out, seen);
  if (ids?.cpe22 !== undefined)
    pushClaim(out, seen, { key: `cpe:${ids.cpe22.trim()}`, text: ids.cpe22 });
  if (ids?.cpe23 !== undefined)
    pushClaim(out, seen, { key: `cpe:${ids.cpe23.trim()}`, text: ids.cpe23 });
  for (const [algo, value] of Object.entries(component.hashes ?? {})) {
    if (typeof value !== 'string') continue;
    const hash = normalizeHash(value, algo);
    if (hash) pushClaim(out, seen, { key: `hash:${hash}`, text: `${algo}:${value}` });
  }
  return out;
}

/**
 * Prepare a scanner-side identity for matching. With `knownPackages` (coarse package keys of
 * every VEX purl, from the index), purls of packages no statement mentions skip the full parse.
 */
export function compileSubject(
  subject: Subject,
  knownPackages?: ReadonlySet<string>,
): CompiledSubject {
  const keys = new Set<string>();
  const purlsByKey = new Map<string, NormalizedPurl[]>();
  for (const raw of subject.purls ?? []) {
    if (typeof raw !== 'string' || raw === '') continue;
    keys.add(`iri:${raw.trim()}`);
    if (knownPackages) {
      const coarse = coarsePackageKey(raw);
      if (coarse !== undefined && !knownPackages.has(coarse)) continue;
    }
    const purl = parsePurlSafe(raw);
    if (!purl) continue;
    const key = `purl:${purl.packageKey}`;
    keys.add(key);
    const list = purlsByKey.get(key);
    if (list) list.push(purl);
    else purlsByKey.set(key, [purl]);
  }
  for (const raw of subject.hashes ?? []) {
    if (typeof raw !== 'string') continue;
    const hash = normalizeHash(raw);
    if (hash) keys.add(`hash:${hash}`);
  }
  for (const raw of subject.cpes ?? []) if (typeof raw === 'string') keys.add(`cpe:${raw.trim()}`);
  for (const raw of subject.ids ?? []) if (typeof raw === 'string') keys.add(`iri:${raw.trim()}`);
  const slots = [...keys];
  for (const [key, purls] of purlsByKey) {
    for (const p of purls) if (p.version !== undefined) slots.push(`${key}@${p.version}`);
  }
  const label =
    subject.purls?.[0] ??
    subject.hashes?.[0] ??
    subject.cpes?.[0] ??
    subject.ids?.[0] ??
    '(unnamed)';
  return { keys, purlsByKey, slots, label };
}

/** Result of matching one VEX component against one subject. */
export type ComponentMatch =
  | { readonly matched: true; readonly specificity: number }
  | {
      readonly matched: false;
      readonly mismatch:
        | (PurlMismatch & { readonly vex: string; readonly scanner: string })
        | undefined;
    };

/**
 * Match a VEX component (as claims) against a subject. Purls compare by components
 * ({@link comparePurls}); hashes as `algorithm:hex`; CPEs and other IRIs exactly. On a
 * miss, `mismatch` names the purl field that differed when the package itself was the same.
 * Specificity: 1 for a hash, CPE or IRI; for a purl 1, +2 when versioned, +1 per qualifier.
 */
export function matchClaims(claims: readonly Claim[], subject: CompiledSubject): ComponentMatch {
  let best = -1;
  let mismatch: (PurlMismatch & { vex: string; scanner: string }) | undefined;
  for (const claim of claims) {
    if (!subject.keys.has(claim.key)) continue;
    if (!claim.purl) {
      best = Math.max(best, 1);
      continue;
    }
    for (const candidate of subject.purlsByKey.get(claim.key) ?? []) {
      const diff = comparePurls(claim.purl, candidate);
      if (!diff) {
        best = Math.max(best, 1 + (claim.purl.version ? 2 : 0) + claim.purl.qualifiers.size);
      } else if (!mismatch) {
        mismatch = { ...diff, vex: claim.text, scanner: describePurl(candidate) };
      }
    }
  }
  return best >= 0 ? { matched: true, specificity: best } : { matched: false, mismatch };
}

/**
 * The specificity {@link matchClaims} gives on a match, or `-1` when the component does not
 * match; builds no mismatch, for the hot path where near misses are not wanted.
 */
export function matchSpecificity(claims: readonly Claim[], subject: CompiledSubject): number {
  let best = -1;
  // Indexed loops: this runs for every statement a finding meets, mostly before the JIT
  // optimizes it, where `for…of` allocates an iterator and a result object per step.
  for (let i = 0; i < claims.length; i++) {
    const claim = claims[i] as Claim;
    if (!subject.keys.has(claim.key)) continue;
    const vex = claim.purl;
    if (!vex) {
      if (best < 1) best = 1;
      continue;
    }
    const candidates = subject.purlsByKey.get(claim.key);
    if (!candidates) continue;
    for (let k = 0; k < candidates.length; k++) {
      if (!purlAccepts(vex, candidates[k] as NormalizedPurl)) continue;
      const specificity = 1 + (vex.version ? 2 : 0) + vex.qualifiers.size;
      if (specificity > best) best = specificity;
    }
  }
  return best;
}

function describePurl(p: NormalizedPurl): string {
  const q = [...p.qualifiers].map(([k, v]) => `${k}=${v}`).join('&');
  return `pkg:${p.packageKey.replace(/\/\//, '/')}${p.version ? `@${p.version}` : ''}${q ? `?${q}` : ''}`;
}
