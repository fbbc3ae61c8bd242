import { canonicalJson, sha256Hex } from './canonical.js';
import { assertShallow, MAX_VEX_DEPTH } from './depth.js';
import { VexError } from './errors.js';
import { compareInstants, parseInstant } from './formats.js';
import type { VexDocument, VexStatement } from './types.js';
import { OPENVEX_CONTEXT, type ParsedVex } from './validate.js';

/** Options of {@link mergeVex}. */
export interface MergeOptions {
  /**
   * The merged document's `@id`, an IRI in your own namespace (e.g. the catalog URL
   * `https://catalog.example/api/v1/modules/<slug>/vex`).
   * @defaultValue `urn:flareo:vex:sha256:<hex>`, the SHA-256 of the merged statements
   */
  readonly id?: string;
  /**
   * The merged document's author.
   * @defaultValue `'Flareo'`
   */
  readonly author?: string;
  /**
   * The merged document's timestamp. Every statement keeps its own effective time, so this
   * only dates the merge.
   * @defaultValue the latest `timestamp`/`last_updated` among the kept inputs (deterministic)
   */
  readonly timestamp?: string;
  /**
   * The merged document's version.
   * @defaultValue `1`
   */
  readonly version?: number;
  /**
   * Keep only documents whose `author` is in this list (exact match after trimming).
   * @defaultValue every author is kept
   */
  readonly trustedAuthors?: readonly string[];
  /**
   * The merged document's `tooling`.
   * @defaultValue `'@flareo/vex'`
   */
  readonly tooling?: string;
  /**
   * What to do when documents share an `@id`, a `version` and a `last_updated`/`timestamp`
   * but differ in content (someone changed a document without bumping its version):
   * `keep` keeps all of them, as if they had different `@id`s, and lists them in
   * {@link MergeResult.conflicts}; no statement is lost and the result does not depend on
   * the order of the inputs. `reject` throws `VexError` `MERGE_CONFLICT` naming them.
   * @defaultValue `'keep'`
   */
  readonly onConflict?: 'keep' | 'reject';
}

/** A document dropped by {@link mergeVex}, and why. */
export interface DroppedDocument {
  readonly documentIndex: number;
  readonly documentId: string | undefined;
  /**
   * `superseded`: another document with the same `@id` has a higher `version`, or the same
   * version and a later `last_updated`/`timestamp`, or is an identical copy of it.
   * `untrusted_author`: the author is not in `trustedAuthors`.
   */
  readonly reason: 'superseded' | 'untrusted_author';
  /** For `superseded`: the index of a document that replaced it (for a copy: the copy kept). */
  readonly by?: number;
}

/**
 * Documents that claim to be the same edition of one document (same `@id`, same `version`,
 * same `last_updated`/`timestamp`) but differ in content. {@link mergeVex} keeps every one of
 * them (see {@link MergeOptions.onConflict}).
 */
export interface MergeConflict {
  readonly documentId: string;
  /** Input positions of the differing documents, in input order (one per distinct content). */
  readonly documentIndexes: readonly number[];
  /** The version they share (`undefined`: none of them has one). */
  readonly version: number | undefined;
  /** The `last_updated`, else `timestamp`, they share (as written in the first of them). */
  readonly time: string | undefined;
}

/** The outcome of {@link mergeVex}. */
export interface MergeResult {
  readonly document: VexDocument;
  /** Documents left out, in input order. */
  readonly dropped: readonly DroppedDocument[];
  /** Editions of one document that differ in content; all of them were kept. */
  readonly conflicts: readonly MergeConflict[];
  /** Statements removed because an identical statement (after pinning times) was kept. */
  readonly duplicatesRemoved: number;
}

function unwrap(d: VexDocument | ParsedVex, i: number): VexDocument {
  const doc = d && typeof d === 'object' && 'document' in d ? d.document : d;
  if (!doc || typeof doc !== 'object' || !Array.isArray((doc as VexDocument).statements)) {
    throw new VexError('ARGUMENT_INVALID', `document ${i} is not a parsed VEX document`, {
      path: `/${i}`,
    });
  }
  assertShallow(doc, MAX_VEX_DEPTH, `document ${i}`, `/${i}`);
  return doc as VexDocument;
}

/** When a document was last changed: `last_updated`, else `timestamp`. */
function editionTime(doc: VexDocument): string | undefined {
  return doc.last_updated ?? doc.timestamp;
}

/** Order two editions of one `@id`: version first, then time. 0: the same edition. */
function compareEditions(a: VexDocument, b: VexDocument): number {
  const av = a.version ?? 0;
  const bv = b.version ?? 0;
  if (av !== bv) return av - bv;
  return compareInstants(parseInstant(editionTime(a)), parseInstant(editionTime(b)));
}

/** Pin a statement's inherited times so it means the same outside its document. */
function pin(s: VexStatement, doc: VexDocument): VexStatement {
  const out: VexStatement = { ...s };
  const timestamp = s.timestamp ?? doc.timestamp;
  const lastUpdated = s.last_updated ?? doc.last_updated;
  if (timestamp !== undefined) out.timestamp = timestamp;
  if (lastUpdated !== undefined) out.last_updated = lastUpdated;
  return out;
}

/** The later of two RFC 3339 times; equal instants written differently: the greater text. */
function later(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const t = compareInstants(parseInstant(a), parseInstant(b));
  if (t !== 0) return t > 0 ? a : b;
  return a >= b ? a : b;
}

/**
 * Merge several documents into one deterministic document.
 *
 * 1. With `trustedAuthors`, documents by other authors are dropped (`untrusted_author`).
 * 2. Documents with the same `@id` are editions of one document: only the newest edition is
 *    kept (the higher `version`; for equal versions, the later `last_updated`, else
 *    `timestamp`); older editions and identical copies are dropped (`superseded`). When
 *    several documents share the newest edition but differ in content, none is preferred:
 *    all of them are kept and listed in `conflicts` (or, with `onConflict: 'reject'`,
 *    `VexError` `MERGE_CONFLICT` is thrown).
 * 3. Each statement's effective `timestamp` and `last_updated` are pinned, identical
 *    statements collapse, and statements are sorted by vulnerability name, time and
 *    content.
 *
 * The merged document depends only on the set of inputs, never on their order: any
 * permutation of `documents` gives the same bytes. Throws `VexError`: `NOTHING_TO_MERGE`
 * when no document or no statement is left (saying which filter dropped what),
 * `MERGE_CONFLICT` (only with `onConflict: 'reject'`), `ARGUMENT_INVALID` for bad
 * arguments or when no kept document has a timestamp and `options.timestamp` is not given,
 * `INPUT_TOO_DEEP` for a document nested more than 64 levels deep.
 */
export function mergeVex(
  documents: readonly (VexDocument | ParsedVex)[],
  options: MergeOptions = {},
): MergeResult {
  if (!Array.isArray(documents)) {
    throw new VexError('ARGUMENT_INVALID', 'mergeVex expects an array of documents', {
      actual: typeof documents,
    });
  }
  const onConflict = options.onConflict ?? 'keep';
  if (onConflict !== 'keep' && onConflict !== 'reject') {
    throw new VexError('ARGUMENT_INVALID', `unknown onConflict "${String(onConflict)}"`, {
      path: '/onConflict',
      expected: ['keep', 'reject'],
      actual: onConflict,
    });
  }
  if (options.trustedAuthors !== undefined && options.trustedAuthors.length === 0) {
    throw new VexError(
      'ARGUMENT_INVALID',
      'trustedAuthors is an empty list, which would drop every document; leave it out to keep every author',
      { path: '/trustedAuthors', expected: 'at least one author', actual: [] },
    );
  }
  if (documents.length === 0) {
    throw new VexError('NOTHING_TO_MERGE', 'nothing to merge: no documents were given', {
      expected: 'at least one document',
      actual: 0,
    });
  }
  const docs = documents.map(unwrap);
  const dropped: DroppedDocument[] = [];
  const trusted = options.trustedAuthors
    ? new Set(options.trustedAuthors.map((a) => a.trim()))
    : undefined;
  const kept: number[] = [];
  const byId = new Map<string, number[]>();
  docs.forEach((doc, i) => {
    if (trusted && !trusted.has((doc.author ?? '').trim())) {
      dropped.push({ documentIndex: i, documentId: doc['@id'], reason: 'untrusted_author' });
      return;
    }
    const id = doc['@id'];
    if (id === undefined) {
      kept.push(i);
      return;
    }
    const editions = byId.get(id);
    if (editions) editions.push(i);
    else byId.set(id, [i]);
  });
  if (trusted && dropped.length === docs.length) {
    const authors = [...new Set(docs.map((d) => d.author ?? '(no author)'))].sort();
    throw new VexError(
      'NOTHING_TO_MERGE',
      `nothing to merge: the trusted-author filter dropped every document (${docs.length} of ${docs.length}); their authors are ${authors.map((a) => JSON.stringify(a)).join(', ')}, the trusted authors ${[...trusted].map((a) => JSON.stringify(a)).join(', ')}`,
      { path: '/trustedAuthors', expected: [...trusted], actual: authors },
    );
  }
  const conflicts: MergeConflict[] = [];
  for (const [id, editions] of byId) {
    let newest: number[] = [];
    for (const i of editions) {
      const c =
        newest.length === 0
          ? 1
          : compareEditions(docs[i] as VexDocument, docs[newest[0] as number] as VexDocument);
      if (c > 0) newest = [i];
      else if (c === 0) newest.push(i);
    }
    // One document per distinct content among the newest editions (the first in input order).
    const byContent = new Map<string, number>();
    for (const i of newest) {
      const key = canonicalJson(docs[i]);
      const copyOf = byContent.get(key);
      if (copyOf === undefined) byContent.set(key, i);
      else dropped.push({ documentIndex: i, documentId: id, reason: 'superseded', by: copyOf });
    }
    const distinct = [...byContent.values()];
    kept.push(...distinct);
    for (const i of editions) {
      if (!newest.includes(i)) {
        dropped.push({
          documentIndex: i,
          documentId: id,
          reason: 'superseded',
          by: distinct[0] as number,
        });
      }
    }
    if (distinct.length > 1) {
      const first = docs[distinct[0] as number] as VexDocument;
      conflicts.push({
        documentId: id,
        documentIndexes: distinct,
        version: first.version,
        time: editionTime(first),
      });
    }
  }
  dropped.sort((a, b) => a.documentIndex - b.documentIndex);
  conflicts.sort((a, b) => (a.documentIndexes[0] as number) - (b.documentIndexes[0] as number));
  if (onConflict === 'reject' && conflicts.length > 0) {
    const c = conflicts[0] as MergeConflict;
    throw new VexError(
      'MERGE_CONFLICT',
      `documents ${c.documentIndexes.join(' and ')} are both version ${c.version ?? '(none)'} of ${c.documentId} at ${c.time ?? '(no time)'}, with different content; bump the version of the newer one${conflicts.length > 1 ? ` (${conflicts.length} such conflicts)` : ''}`,
      {
        path: `/${c.documentIndexes[0]}`,
        expected: 'one content per @id, version and time',
        actual: conflicts,
      },
    );
  }
  kept.sort((a, b) => a - b);
  const byKey = new Map<string, VexStatement>();
  let total = 0;
  let latest: string | undefined;
  for (const i of kept) {
    const doc = docs[i] as VexDocument;
    latest = later(later(latest, doc.timestamp), doc.last_updated);
    for (const s of doc.statements) {
      total++;
      const pinned = pin(s, doc);
      const key = canonicalJson(pinned);
      if (!byKey.has(key)) byKey.set(key, pinned);
    }
  }
  if (byKey.size === 0) {
    throw new VexError(
      'NOTHING_TO_MERGE',
      `nothing to merge: the ${kept.length} kept document(s) hold no statements${dropped.length > 0 ? ` (${dropped.length} other document(s) dropped)` : ''}`,
      { path: '/statements', expected: 'at least one statement', actual: dropped },
    );
  }
  const statements = [...byKey.entries()]
    .sort(([ka, a], [kb, b]) => {
      const name = a.vulnerability.name.localeCompare(b.vulnerability.name, 'en');
      if (name !== 0) return name;
      const t = compareInstants(parseInstant(a.timestamp), parseInstant(b.timestamp));
      if (t !== 0) return t;
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    })
    .map(([, s]) => s);
  const timestamp = options.timestamp ?? latest;
  if (timestamp === undefined) {
    throw new VexError(
      'ARGUMENT_INVALID',
      'no kept input document has a timestamp; pass options.timestamp',
      { path: '/timestamp' },
    );
  }
  const id = options.id ?? `urn:flareo:vex:sha256:${sha256Hex(canonicalJson(statements))}`;
  const document: VexDocument = {
    '@context': OPENVEX_CONTEXT,
    '@id': id,
    author: options.author ?? 'Flareo',
    timestamp,
    version: options.version ?? 1,
    tooling: options.tooling ?? '@flareo/vex',
    statements,
  };
  return { document, dropped, conflicts, duplicatesRemoved: total - statements.length };
}
