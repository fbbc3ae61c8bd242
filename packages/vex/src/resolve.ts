import { VexError } from './errors.js';
import type { CompiledSubject, Subject } from './identity.js';
import type { VexDocument, VexStatement, VexStatus } from './types.js';
import type { ParsedVex } from './validate.js';
import { buildIndex } from './vex-index/build.js';
import { IndexCore } from './vex-index/core.js';

/** Where a statement comes from in the documents given to {@link createVexIndex}. */
export interface StatementRef {
  /** The document's `@id`, when it has one. */
  readonly documentId: string | undefined;
  /** Position of the document in the input list. */
  readonly documentIndex: number;
  /** Position of the statement in its document. */
  readonly statementIndex: number;
}

/** A statement that matches a query. */
export interface Candidate {
  readonly ref: StatementRef;
  readonly statement: VexStatement;
  readonly status: VexStatus;
  /** The statement's `timestamp`, else the document's; `undefined` when neither exists. */
  readonly effectiveTimestamp: string | undefined;
  /** `subcomponent` when one of the statement's listed subcomponents matched the package. */
  readonly scope: 'product' | 'subcomponent';
  /** Higher is more specific: subcomponent scope, versioned purls, more qualifiers. */
  readonly specificity: number;
}

/** Which part of a statement kept it from matching. */
export type NearMissField =
  | 'version'
  | 'qualifier'
  | 'repository_url'
  | 'vulnerability'
  | 'subcomponent';

/** A statement that almost matched a finding, and why it did not. */
export interface NearMiss {
  readonly ref: StatementRef;
  readonly status: VexStatus;
  /** The statement's vulnerability name. */
  readonly vulnerability: string;
  readonly field: NearMissField;
  /** For `qualifier` and `repository_url`: the qualifier key. */
  readonly qualifier?: string;
  readonly expected: unknown;
  readonly actual: unknown;
  readonly message: string;
}

/** The outcome of {@link VexIndex.resolve}. */
export interface Resolution {
  /** The statement that decides, when any matches. */
  readonly winner: Candidate | undefined;
  /** Every matching statement, best first (the winner first). */
  readonly candidates: readonly Candidate[];
  /** Matching statements with the winner's effective time but another status. */
  readonly conflicts: readonly Candidate[];
  /** Statements that almost matched (only the same package, or the same vulnerability number). */
  readonly nearMisses: readonly NearMiss[];
}

/** A lookup: which statement applies to this vulnerability in this product (and package)? */
export interface ResolveQuery {
  /** The finding's vulnerability id, or its id and aliases. */
  readonly vulnerability: string | readonly string[];
  /** The product: an image, the root module, or the package itself. */
  readonly product: Subject | CompiledSubject;
  /** The package inside the product, when the statement may scope itself to subcomponents. */
  readonly subcomponent?: Subject | CompiledSubject | undefined;
  /**
   * Report statements scoped to subcomponents as near misses when no subcomponent is given
   * (used for SARIF, which has no package identity).
   * @defaultValue `false`
   */
  readonly explainSubcomponentScope?: boolean;
}

/** Options of {@link createVexIndex}. */
export interface VexIndexOptions {
  /**
   * When statements tie on effective time, let `affected` and `under_investigation` win over
   * `not_affected` and `fixed` before the other tie-breaks apply.
   * @defaultValue `false`
   */
  readonly conservative?: boolean;
  /**
   * Let a product (or subcomponent) that names an OCI image only by a mutable tag
   * (`pkg:oci/app?tag=1.0`, no digest) match. A tag can be moved to another image at any
   * time, so by default such an identifier never matches: a statement written about
   * yesterday's `1.0` would otherwise suppress findings in whatever image is `1.0` today.
   * The `applyTo*` functions then report each such statement that names the scanned image's
   * repository in `warnings` (`OCI_TAG_ONLY`). Images are matched by digest; a version-less
   * OCI purl without a tag (every build of the repository) is not affected.
   * @defaultValue `false`
   */
  readonly matchOciTags?: boolean;
}

/**
 * Statements indexed by vulnerability (name, aliases and `@id`, grouped so that every name of
 * the same vulnerability reaches the same statements) and by product key (purl package,
 * hash, CPE, IRI). A lookup touches only the statements for that vulnerability and product,
 * never the whole document. Build it once with {@link createVexIndex} and pass it to every
 * `applyTo*` call that uses the same documents.
 */
export class VexIndex {
  /** The lookups; this package's apply code reaches it through {@link indexCore}. */
  private readonly core: IndexCore;
  /** Number of statements indexed. */
  readonly statementCount: number;

  constructor(documents: readonly (VexDocument | ParsedVex)[], options: VexIndexOptions = {}) {
    if (!Array.isArray(documents)) {
      throw new VexError('ARGUMENT_INVALID', 'createVexIndex expects an array of documents', {
        actual: typeof documents,
      });
    }
    const docs = documents.map((d, i) => {
      const doc = d && typeof d === 'object' && 'document' in d ? d.document : d;
      if (!doc || typeof doc !== 'object' || !Array.isArray((doc as VexDocument).statements)) {
        throw new VexError('ARGUMENT_INVALID', `document ${i} is not a parsed VEX document`, {
          path: `/${i}`,
        });
      }
      return doc as VexDocument;
    });
    this.core = new IndexCore(
      buildIndex(docs, options.matchOciTags ?? false),
      options.conservative ?? false,
    );
    this.statementCount = this.core.statementCount;
  }

  /**
   * Prepare a subject for many lookups against this index. Purls of packages that no
   * statement mentions are not parsed, which keeps large reports fast.
   */
  compile(subject: Subject): CompiledSubject {
    return this.core.compile(subject);
  }

  /** Choose the statement for a (vulnerability, product[, subcomponent]) query. */
  resolve(query: ResolveQuery): Resolution {
    return this.core.resolveAll([query]);
  }

  /**
   * Resolve several queries for the same finding together (e.g. the package as product, and
   * the image as product with the package as subcomponent): every matching statement of every
   * query competes under the same tie-break order.
   */
  resolveAll(queries: readonly ResolveQuery[]): Resolution {
    return this.core.resolveAll(queries);
  }
}

/**
 * The lookups behind an index, for the `applyTo*` functions. Internal: not exported from the
 * package. `core` is private to the class's users, not to this package; TypeScript lets an
 * element access reach a private member, which is what this one function does. (A
 * `WeakMap` from index to core would hide it at run time too, but made every index cost the
 * garbage collector enough to slow building one by a fifth.)
 */
export function indexCore(index: VexIndex): IndexCore {
  // biome-ignore lint/complexity/useLiteralKeys: element access is how a private member is reached
  return index['core'];
}

/** Index parsed documents once for many lookups. See {@link VexIndex}. */
export function createVexIndex(
  documents: readonly (VexDocument | ParsedVex)[],
  options: VexIndexOptions = {},
): VexIndex {
  return new VexIndex(documents, options);
}
