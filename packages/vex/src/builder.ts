import { VexError } from './errors.js';
import type {
  VexComponent,
  VexDocument,
  VexJustification,
  VexProduct,
  VexStatement,
  VexVulnerability,
} from './types.js';
import { OPENVEX_CONTEXT, validateVex } from './validate.js';

/** Options of {@link VexBuilder}. */
export interface VexBuilderOptions {
  /** The document `@id`: an IRI (required). */
  readonly id: string;
  /** The document author (required). */
  readonly author: string;
  /**
   * The author's role.
   * @defaultValue omitted
   */
  readonly role?: string;
  /**
   * When the document is issued (RFC 3339).
   * @defaultValue the time {@link VexBuilder.build} is called
   */
  readonly timestamp?: string;
  /**
   * The document version; bump it whenever content changes.
   * @defaultValue `1`
   */
  readonly version?: number;
  /**
   * What produced the document.
   * @defaultValue omitted
   */
  readonly tooling?: string;
}

/** A product: a purl or other IRI, or a full product object. */
export type ProductInput = string | VexProduct;

/** Fields common to every statement the builder writes. */
export interface StatementInput {
  /** A vulnerability name (e.g. `CVE-2024-1234`) or a full vulnerability object. */
  readonly vulnerability: string | VexVulnerability;
  /** The products the statement is about (at least one). */
  readonly products: readonly ProductInput[];
  /**
   * Packages inside every listed product that the statement is limited to.
   * @defaultValue none: the statement covers the whole product
   */
  readonly subcomponents?: readonly (string | VexComponent)[];
  /**
   * When the statement was known to be true.
   * @defaultValue inherited from the document
   */
  readonly timestamp?: string;
  /**
   * Free text on how the status was determined.
   * @defaultValue omitted
   */
  readonly statusNotes?: string;
}

/** A `not_affected` statement needs a justification, an impact statement, or both. */
export type NotAffectedInput = StatementInput &
  (
    | { readonly justification: VexJustification; readonly impactStatement?: string }
    | { readonly justification?: VexJustification; readonly impactStatement: string }
  );

/** An `affected` statement needs an action statement. */
export type AffectedInput = StatementInput & {
  readonly actionStatement: string;
  /**
   * When the action statement was issued.
   * @defaultValue omitted
   */
  readonly actionStatementTimestamp?: string;
};

function component(c: string | VexComponent): VexComponent {
  return typeof c === 'string' ? { '@id': c } : { ...c };
}

/**
 * Author OpenVEX 0.2.0 documents with the statement rules in the types. `build()` validates
 * the result in strict mode and throws `VexError` (`BUILD_INVALID`) rather than emit an
 * invalid document.
 */
export class VexBuilder {
  private readonly statements: VexStatement[] = [];
  private readonly options: VexBuilderOptions;

  constructor(options: VexBuilderOptions) {
    if (!options || typeof options.id !== 'string' || typeof options.author !== 'string') {
      throw new VexError('ARGUMENT_INVALID', 'VexBuilder needs an id and an author', {
        actual: options,
      });
    }
    this.options = options;
  }

  private add(
    input: StatementInput,
    rest: Partial<VexStatement> & Pick<VexStatement, 'status'>,
  ): this {
    if (!input || !Array.isArray(input.products) || input.products.length === 0) {
      throw new VexError('ARGUMENT_INVALID', 'a statement needs at least one product', {
        path: `/statements/${this.statements.length}/products`,
      });
    }
    const vulnerability: VexVulnerability =
      typeof input.vulnerability === 'string'
        ? { name: input.vulnerability }
        : { ...input.vulnerability };
    const subs = input.subcomponents?.map(component);
    const products = input.products.map((p) => {
      const base: VexProduct = typeof p === 'string' ? { '@id': p } : { ...p };
      if (subs?.length) base.subcomponents = [...(base.subcomponents ?? []), ...subs];
      return base;
    });
    const s: VexStatement = { vulnerability, products, ...rest };
    if (input.timestamp !== undefined) s.timestamp = input.timestamp;
    if (input.statusNotes !== undefined) s.status_notes = input.statusNotes;
    this.statements.push(s);
    return this;
  }

  /** Add a `not_affected` statement. */
  notAffected(input: NotAffectedInput): this {
    const rest: Partial<VexStatement> & Pick<VexStatement, 'status'> = { status: 'not_affected' };
    if (input.justification !== undefined) rest.justification = input.justification;
    if (input.impactStatement !== undefined) rest.impact_statement = input.impactStatement;
    return this.add(input, rest);
  }

  /** Add an `affected` statement. */
  affected(input: AffectedInput): this {
    const rest: Partial<VexStatement> & Pick<VexStatement, 'status'> = {
      status: 'affected',
      action_statement: input.actionStatement,
    };
    if (input.actionStatementTimestamp !== undefined) {
      rest.action_statement_timestamp = input.actionStatementTimestamp;
    }
    return this.add(input, rest);
  }

  /** Add a `fixed` statement. */
  fixed(input: StatementInput): this {
    return this.add(input, { status: 'fixed' });
  }

  /** Add an `under_investigation` statement. */
  underInvestigation(input: StatementInput): this {
    return this.add(input, { status: 'under_investigation' });
  }

  /** Emit the document; it is validated in strict mode first. */
  build(): VexDocument {
    const o = this.options;
    const doc: VexDocument = {
      '@context': OPENVEX_CONTEXT,
      '@id': o.id,
      author: o.author,
      timestamp: o.timestamp ?? new Date().toISOString(),
      version: o.version ?? 1,
      statements: this.statements,
    };
    if (o.role !== undefined) doc.role = o.role;
    if (o.tooling !== undefined) doc.tooling = o.tooling;
    // Validated before it is copied: validation bounds the depth the copy would recurse into.
    const result = validateVex(doc, { mode: 'strict' });
    if (!result.valid) {
      const first = result.errors[0];
      throw new VexError(
        'BUILD_INVALID',
        `the built document is not valid: ${first ? `${first.path || '/'}: ${first.message}` : 'unknown error'}`,
        { path: first?.path, issues: result.errors },
      );
    }
    doc.statements = structuredClone(this.statements);
    return doc;
  }
}
