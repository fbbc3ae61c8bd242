import { VexError } from '../errors.js';
import type { FindingOutcome } from '../residual.js';
import type { NearMiss, ResolveQuery } from '../resolve.js';
import type { DecideContext } from './decide.js';
import type { ApplyResult } from './options.js';

// "Why not applied": the near misses of findings no statement decided, worked out during the
// apply (`explain: true`) or on request (`ApplyResult.explain`).

const NONE: readonly NearMiss[] = Object.freeze([]);

/**
 * The near misses of one apply's findings. With `eager` (the `explain` option) they are
 * worked out as each unaddressed finding is decided and stored in its `nearMisses`; otherwise
 * each unaddressed finding is recorded with what {@link nearMissesOf} needs (the apply's
 * context, its ids and package key), and {@link Explanations.explain} works its list out
 * when asked. Decided findings have none.
 */
export class Explanations {
  // The unaddressed findings, each with what working out its near misses needs, in parallel
  // lists: an apply records one per such finding, so recording is a few array pushes (no
  // object or map entry per finding); the map to positions is made on the first `explain`.
  private readonly outcomes: FindingOutcome[] = [];
  private readonly contexts: DecideContext[] = [];
  private readonly ids: (string | readonly string[])[] = [];
  private readonly leaves: (string | undefined)[] = [];
  /** Finding → its position in the lists above, made on the first `explain`. */
  private positions: Map<unknown, number> | undefined;
  /** Every finding of the apply, made on the first `explain` of a decided finding. */
  private members: Set<unknown> | undefined;

  /** `eager`: work near misses out during the apply (see `ApplyOptions.explain`). */
  constructor(readonly eager: boolean) {}

  /** Record an unaddressed finding (without `eager`; with it, the outcome has its list). */
  record(
    outcome: FindingOutcome,
    ctx: DecideContext,
    ids: string | readonly string[],
    leaf: string | undefined,
  ): void {
    if (this.eager) return;
    this.outcomes.push(outcome);
    this.contexts.push(ctx);
    this.ids.push(ids);
    this.leaves.push(leaf);
  }

  /**
   * `ApplyResult.explain`: the near misses of one of the apply's findings. `findings` are
   * the apply's, to tell a decided finding (none) from a value that is not one of them.
   */
  explain(findings: readonly FindingOutcome[], finding: FindingOutcome): readonly NearMiss[] {
    this.positions ??= new Map(this.outcomes.map((o, i) => [o, i]));
    const i = this.positions.get(finding);
    if (i !== undefined) {
      return nearMissesOf(
        this.contexts[i] as DecideContext,
        this.ids[i] as string | readonly string[],
        this.leaves[i],
      );
    }
    this.members ??= new Set(findings);
    if (this.members.has(finding)) return this.eager ? finding.nearMisses : NONE;
    throw new VexError(
      'ARGUMENT_INVALID',
      'explain: the finding is not one of this result’s findings (pass the object from result.findings, not a copy)',
      { expected: 'an element of result.findings', actual: typeof finding },
    );
  }
}

/** The near misses of an unaddressed finding: `resolveAll` on the queries `decide` made. */
export function nearMissesOf(
  ctx: DecideContext,
  ids: string | readonly string[],
  leafKey: string | undefined,
): readonly NearMiss[] {
  const vulnerability = typeof ids === 'string' ? [ids] : ids;
  const leaf = leafKey === undefined ? undefined : ctx.leaves.compile(leafKey);
  const all: ResolveQuery[] = [];
  if (leaf) all.push({ vulnerability, product: leaf });
  for (const product of ctx.products) {
    all.push({
      vulnerability,
      product,
      subcomponent: leaf,
      explainSubcomponentScope: ctx.explainScope,
    });
  }
  return ctx.core.resolveAll(all).nearMisses;
}

/**
 * The result of an apply with its `explain` method: a non-enumerable property, so that
 * serializing, spreading or cloning the result leaves it out.
 */
export function withExplain<R>(
  result: Omit<ApplyResult<R>, 'explain'>,
  explanations: Explanations,
): ApplyResult<R> {
  const findings = result.findings;
  Object.defineProperty(result, 'explain', {
    value: (finding: FindingOutcome) => explanations.explain(findings, finding),
    enumerable: false,
    writable: false,
    configurable: false,
  });
  return result as ApplyResult<R>;
}
