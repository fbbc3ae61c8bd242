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
}

/** A document dropped by {@link mergeVex}, and why. */
export interface DroppedDocument {
  readonly documentIndex: number;
  readonly documentId: string | undefined;
  readonly reason: 'superseded' | 'untrusted_author';
  /** For `superseded`: the index of the document that replaced it. */
  readonly by?: number;
}

/** The outcome of {@link mergeVex}. */
export interface MergeResult {
  readonly document: VexDocument;
  readonly dropped: readonly DroppedDocument[];
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

function newer(a: VexDocument, ai: number, b: VexDocument, bi: number): boolean {
  const av = a.version ?? 0;
  const bv = b.version ?? 0;
  if (av !== bv) return av > bv;
  const t = compareInstants(
    parseInstant(a.last_updated ?? a.timestamp),
    parseInstant(b.last_updated ?? b.timestamp),
  );
  return t !== 0 ? t > 0 : ai > bi;
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

/**
 * Merge several documents into one deterministic document: a newer `version` of the same
 * document `@id` supersedes the older (equal versions: the later `last_updated`/`timestamp`,
 * then the later input); optionally only trusted authors are kept; each statement's
 * effective `timestamp` and `last_updated` are pinned; identical statements collapse; and
 * statements are sorted by vulnerability name, time and content, so the same inputs give
 * the same bytes in any order.
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
  const docs = documents.map(unwrap);
  const dropped: DroppedDocument[] = [];
  const trusted = options.trustedAuthors
    ? new Set(options.trustedAuthors.map((a) => a.trim()))
    : undefined;
  const latestById = new Map<string, number>();
  const kept: number[] = [];
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
    const prev = latestById.get(id);
    if (prev === undefined) latestById.set(id, i);
    else if (newer(doc, i, docs[prev] as VexDocument, prev)) {
      dropped.push({ documentIndex: prev, documentId: id, reason: 'superseded', by: i });
      latestById.set(id, i);
    } else dropped.push({ documentIndex: i, documentId: id, reason: 'superseded', by: prev });
  });
  kept.push(...latestById.values());
  kept.sort((a, b) => a - b);
  const byKey = new Map<string, VexStatement>();
  let total = 0;
  let latest: string | undefined;
  for (const i of kept) {
    const doc = docs[i] as VexDocument;
    for (const candidate of [doc.timestamp, doc.last_updated]) {
      if (candidate && compareInstants(parseInstant(candidate), parseInstant(latest)) > 0)
        latest = candidate;
    }
    for (const s of doc.statements) {
      total++;
      const pinned = pin(s, doc);
      const key = canonicalJson(pinned);
      if (!byKey.has(key)) byKey.set(key, pinned);
    }
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
      'no input document has a timestamp; pass options.timestamp',
      {
        path: '/timestamp',
      },
    );
  }
  if (statements.length === 0) {
    throw new VexError(
      'ARGUMENT_INVALID',
      'nothing to merge: no statements are left after filtering',
      {
        actual: dropped,
      },
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
  return { document, dropped, duplicatesRemoved: total - statements.length };
}
