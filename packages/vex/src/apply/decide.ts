import type { CompiledSubject } from '../identity.js';
import type { FindingOutcome, FindingPackage, Severity } from '../residual.js';
import type { Candidate } from '../resolve.js';
import type {
  FindingGroups,
  FindingQuery,
  FindingResolution,
  IndexCore,
} from '../vex-index/core.js';
import { type Explanations, nearMissesOf } from './explain.js';
import type { Leaves } from './leaves.js';

// Deciding one finding: which statement applies to it, directly or by covering every path of
// the dependency graph.

/** What the resolver needs about one finding. */
export interface FindingInput {
  readonly location: string;
  readonly vulnerability: string;
  readonly aliases: readonly string[];
  readonly package: FindingPackage;
  readonly severity: Severity;
  /** The key of the package identity in the apply's {@link Leaves}; `undefined`: none. */
  readonly leaf: string | undefined;
  /** Dependency-graph node id of the package, when the report carries a graph. */
  readonly node?: string | undefined;
}

/** A dependency graph: node id → identity and parents. */
export interface DependencyGraph {
  readonly subjects: ReadonlyMap<string, CompiledSubject>;
  readonly parents: ReadonlyMap<string, readonly string[]>;
}

const SUPPRESSING = new Set(['not_affected', 'fixed']);

/**
 * The empty list every outcome that has no aliases, conflicts or near misses shares (frozen,
 * as its `readonly` type says): one per finding would be kept with the outcome, and on a
 * report of 100,000 findings the collector copies every one of them.
 */
export const NONE: readonly never[] = Object.freeze([]);

/** What every finding of a report (or SARIF run) is decided against. */
export interface DecideContext {
  readonly core: IndexCore;
  readonly leaves: Leaves;
  /** The compiled identities of the scanned product. */
  readonly products: readonly CompiledSubject[];
  /** Match by the scanner's alias ids too. */
  readonly useAliases: boolean;
  /** Report subcomponent-scoped statements as near misses when there is no package (SARIF). */
  readonly explainScope: boolean;
  /** Where unaddressed findings are recorded, for `ApplyResult.explain`. */
  readonly explanations: Explanations;
  /** What the whole product's queries gave, per package and group (see {@link Resolutions}). */
  readonly resolutions: Resolutions;
}

/**
 * The winners of the whole product's queries, per compiled package (`undefined`: a finding
 * without one, or whose package no statement can name) and vulnerability group. The queries
 * of a finding depend on nothing else (the products are the context's), and the index does
 * not change during an apply, so every finding of the same package and vulnerability gets
 * the same answer: a report repeats a (vulnerability, package) pair per target, and with
 * `product` every finding whose vulnerability a statement names is looked up as a
 * subcomponent. Findings whose ids fall into several groups (scanner aliases) are not kept.
 */
export class Resolutions {
  private readonly byLeaf = new Map<CompiledSubject | undefined, Map<number, FindingResolution>>();

  /**
   * `core.resolveFinding` for the finding's queries: the package as product (when it has
   * one), then every product with the package as subcomponent.
   */
  resolve(
    ctx: DecideContext,
    groups: FindingGroups,
    leaf: CompiledSubject | undefined,
  ): FindingResolution {
    const group = groups.length === 1 ? (groups[0] as number) : undefined;
    let byGroup: Map<number, FindingResolution> | undefined;
    if (group !== undefined) {
      byGroup = this.byLeaf.get(leaf);
      const known = byGroup?.get(group);
      if (known) return known;
    }
    const queries: FindingQuery[] = [];
    if (leaf) queries.push({ product: leaf, sub: undefined });
    for (let i = 0; i < ctx.products.length; i++) {
      queries.push({ product: ctx.products[i] as CompiledSubject, sub: leaf });
    }
    const resolution = ctx.core.resolveFinding(groups, queries, leaf !== undefined);
    if (group !== undefined) {
      if (!byGroup) {
        byGroup = new Map();
        this.byLeaf.set(leaf, byGroup);
      }
      byGroup.set(group, resolution);
    }
    return resolution;
  }

  /** Forget every answer (at the end of an apply, with the memo of packages). */
  clear(): void {
    this.byLeaf.clear();
  }
}

/**
 * Decide one finding. First every statement that speaks for the whole product competes (the
 * package as product; the image or root as product with the package as subcomponent). When
 * none does and the report has a dependency graph, the finding is suppressed only when every
 * path from the package up to a root is cut by a `not_affected`/`fixed` statement for an
 * ancestor with the package as subcomponent.
 *
 * The winner comes from `IndexCore.resolveFinding`, which collects no near misses: they are
 * only reported for findings no statement decides, and are worked out (by `resolveAll`, on
 * the same queries) by {@link Explanations}: during the apply with `explain: true`, else
 * when `ApplyResult.explain` is asked.
 */
export function decide(
  ctx: DecideContext,
  f: FindingInput,
  graph: DependencyGraph | undefined,
): FindingOutcome {
  const ids: string | readonly string[] =
    ctx.useAliases && f.aliases.length > 0 ? [f.vulnerability, ...f.aliases] : f.vulnerability;
  const groups = ctx.core.groups(ids);
  if (groups) {
    // A package that no statement of these vulnerabilities can name is not compiled: its
    // queries would meet nothing, and leaving it out gives the same winner and `via`. With a
    // dependency graph it is still needed, as the subcomponent of its ancestors.
    const withGraph = graph !== undefined && f.node !== undefined;
    const leaf =
      f.leaf === undefined
        ? undefined
        : withGraph
          ? ctx.leaves.get(f.leaf)
          : ctx.leaves.getIfMayMatch(f.leaf, groups, ctx.products.length > 0);
    // Without a package to look up and without a product there is no query to make (the
    // common case of a filesystem scan's findings that no statement can name).
    if (leaf || ctx.products.length > 0) {
      const global = ctx.resolutions.resolve(ctx, groups, leaf);
      const winner = global.winner;
      if (winner) {
        // `package` when the package-as-product query alone matches the winning statement.
        const via =
          leaf && winner.scope !== 'subcomponent' && global.winnerInFirst ? 'package' : 'product';
        return outcome(f, winner, global.conflicts, via);
      }
    }
    if (graph && f.node !== undefined && leaf) {
      const cut = pathsCovered(ctx.core, groups, f.node, leaf, graph);
      if (cut) return outcome(f, cut, [], 'paths');
    }
  }
  return unaddressed(f, ctx, ids);
}

/**
 * Whether every path from `leafNode` up to a root passes a node whose statement (with the
 * leaf as subcomponent) suppresses the finding; the first such statement met, if so. A node
 * is covered when it has parents and each parent either cuts or is itself covered; a cycle
 * leads nowhere new (counts as covered). Walked with an explicit stack, parents in order and
 * stopping at the first uncovered one, so a dependency chain of any length cannot overflow
 * the call stack.
 */
function pathsCovered(
  core: IndexCore,
  groups: FindingGroups,
  leafNode: string,
  leaf: CompiledSubject,
  graph: DependencyGraph,
): Candidate | undefined {
  const memo = new Map<string, boolean>();
  const onStack = new Set<string>();
  let first: Candidate | undefined;
  const cuts = (node: string): boolean => {
    const subject = graph.subjects.get(node);
    if (!subject) return false;
    const { winner } = core.resolveFinding(groups, [{ product: subject, sub: leaf }], false);
    if (winner && SUPPRESSING.has(winner.status)) {
      first ??= winner;
      return true;
    }
    return false;
  };
  interface Frame {
    readonly node: string;
    readonly parents: readonly string[];
    i: number;
  }
  const stack: Frame[] = [];
  /** Start on a node: its known answer, or `undefined` when it was pushed to be worked out. */
  const enter = (node: string): boolean | undefined => {
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (onStack.has(node)) return true;
    const parents = graph.parents.get(node) ?? [];
    if (parents.length === 0) {
      memo.set(node, false);
      return false;
    }
    onStack.add(node);
    stack.push({ node, parents, i: 0 });
    return undefined;
  };
  const leave = (result: boolean): boolean => {
    const top = stack.pop() as Frame;
    onStack.delete(top.node);
    memo.set(top.node, result);
    return result;
  };
  // `last` is the answer of the node just finished (or `undefined`: go on with the top).
  let last = enter(leafNode);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    if (last === false) {
      last = leave(false);
      continue;
    }
    if (top.i >= top.parents.length) {
      last = leave(true);
      continue;
    }
    const parent = top.parents[top.i++] as string;
    last = cuts(parent) ? undefined : enter(parent);
  }
  return last ? first : undefined;
}

/** The outcome of a finding a statement decides (directly, or by cutting every path). */
function outcome(
  f: FindingInput,
  winner: Candidate,
  conflicts: readonly Candidate[],
  via: FindingOutcome['via'],
): FindingOutcome {
  const s = winner.statement;
  const status = winner.status;
  return {
    location: f.location,
    vulnerability: f.vulnerability,
    aliases: f.aliases,
    package: f.package,
    severity: f.severity,
    disposition: status === 'not_affected' || status === 'fixed' ? 'suppressed' : status,
    status,
    justification: s.justification,
    impactStatement: s.impact_statement,
    actionStatement: s.action_statement,
    statusNotes: s.status_notes,
    statement: winner,
    via,
    // A copy: the list may be one that other findings' outcomes got too (see `Resolutions`).
    conflicts: conflicts.length === 0 ? NONE : conflicts.slice(),
    nearMisses: NONE,
  };
}

/**
 * The outcome of a finding no statement decides. Its near misses are worked out now with
 * `explain: true`; else it is recorded for `ApplyResult.explain` (see {@link Explanations}).
 */
function unaddressed(
  f: FindingInput,
  ctx: DecideContext,
  ids: string | readonly string[],
): FindingOutcome {
  const o: FindingOutcome = {
    location: f.location,
    vulnerability: f.vulnerability,
    aliases: f.aliases,
    package: f.package,
    severity: f.severity,
    disposition: 'unaddressed',
    status: undefined,
    justification: undefined,
    impactStatement: undefined,
    actionStatement: undefined,
    statusNotes: undefined,
    statement: undefined,
    via: undefined,
    conflicts: NONE,
    nearMisses: ctx.explanations.eager ? nearMissesOf(ctx, ids, f.leaf) : NONE,
  };
  ctx.explanations.record(o, ctx, ids, f.leaf);
  return o;
}

/** A short reason to record with a suppressed finding: the justification, else the impact. */
export function suppressionReason(f: FindingOutcome): string {
  return f.justification ?? f.impactStatement ?? f.status ?? '';
}
