import { parseImageReference } from '@flareo/internal/image-reference';
import { copyPlainJson, NOT_PLAIN } from '../copy.js';
import { assertShallow, MAX_REPORT_DEPTH } from '../depth.js';
import { VexError } from '../errors.js';
import {
  type CompiledSubject,
  compileSubject,
  matchSpecificity,
  type Subject,
} from '../identity.js';
import type {
  FindingOutcome,
  FindingPackage,
  NegligibleAs,
  Residual,
  Severity,
} from '../residual.js';
import {
  type Candidate,
  type FindingGroups,
  type FindingQuery,
  findingGroups,
  type NearMiss,
  type ResolveQuery,
  resolveFinding,
  type StatementRef,
  subjectMayMatch,
  tagOnlyProducts,
  VexIndex,
  type VexIndexOptions,
} from '../resolve.js';
import type { VexDocument } from '../types.js';
import type { ParsedVex } from '../validate.js';

/** The VEX to apply: an index built once, or documents to index now. */
export type VexInput = VexIndex | readonly (VexDocument | ParsedVex)[];

/** Options shared by {@link applyToTrivy}, {@link applyToGrype} and {@link applyToSarif}. */
export interface ApplyOptions extends VexIndexOptions {
  /**
   * Extra identities of the scanned product (e.g. the root module purl of a Go binary, or an
   * image purl or digest), added to what the report itself says.
   * @defaultValue none: the product is taken from the report only
   */
  readonly product?: Subject;
  /**
   * Also match statements by the scanner's own alias ids (Trivy `VendorIDs`, Grype
   * `relatedVulnerabilities`).
   * @defaultValue `false`
   */
  readonly scannerAliases?: boolean;
  /**
   * Where Grype's `Negligible` severity is counted.
   * @defaultValue `'negligible'`
   */
  readonly negligibleAs?: NegligibleAs;
}

/** A statement about the scanned image that was not applied, and why. */
export interface ApplyWarning {
  /**
   * `OCI_TAG_ONLY`: the statement names the image only by a mutable tag (no digest), which
   * may now point to another image than the one the statement was written about, so it is
   * not applied (see `matchOciTags`).
   */
  readonly code: 'OCI_TAG_ONLY';
  /** The statement. */
  readonly statement: StatementRef;
  /** The statement's vulnerability name. */
  readonly vulnerability: string;
  /** The identifier as written in the statement, e.g. `pkg:oci/app?tag=1.0`. */
  readonly product: string;
  readonly message: string;
}

/** The outcome of applying VEX to a report. */
export interface ApplyResult<R = unknown> {
  readonly format: 'trivy' | 'grype' | 'sarif';
  /**
   * `package`: findings are matched by package identity. `image`: SARIF carries no package
   * identity, so only vulnerability- and image-level statements can apply.
   */
  readonly granularity: 'package' | 'image';
  /** What this format could not support, in words. Empty for Trivy and Grype. */
  readonly limitations: readonly string[];
  /** Statements that were not applied although they name the scanned image, and why. */
  readonly warnings: readonly ApplyWarning[];
  /** One outcome per finding, in report order. */
  readonly findings: readonly FindingOutcome[];
  readonly residual: Residual;
  /**
   * A copy of the report with VEX applied in the format's own way (Trivy:
   * `ExperimentalModifiedFindings`; Grype: `ignoredMatches` with a `vex` rule; SARIF:
   * `suppressions`). The input is never modified.
   */
  readonly report: R;
}

export function toIndex(vex: VexInput, options: ApplyOptions): VexIndex {
  if (vex instanceof VexIndex) return vex;
  if (!Array.isArray(vex)) {
    throw new VexError('ARGUMENT_INVALID', 'vex must be a VexIndex or an array of documents', {
      actual: typeof vex,
    });
  }
  return new VexIndex(vex, {
    ...(options.conservative === undefined ? {} : { conservative: options.conservative }),
    ...(options.matchOciTags === undefined ? {} : { matchOciTags: options.matchOciTags }),
  });
}

/**
 * One `OCI_TAG_ONLY` warning per statement identifier that names one of the scanned images'
 * repositories only by tag (and so was left out of matching). `into` collects warnings over
 * several calls (SARIF runs) without repeating one.
 */
export function tagOnlyWarnings(
  index: VexIndex,
  products: readonly CompiledSubject[],
  into: ApplyWarning[] = [],
): ApplyWarning[] {
  const entries = tagOnlyProducts(index);
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

/**
 * A deep copy of a report given as a value. Reports are JSON data (plain objects, arrays,
 * strings, numbers, booleans, null), which {@link copyPlainJson} copies several times faster
 * than `structuredClone`; anything else (a Date, a Map, a class instance, a sparse array, a
 * function, a cycle, …) makes it give up, and `structuredClone` copies (or rejects) the
 * value exactly as before.
 */
function copyReport(input: unknown, format: string): unknown {
  const copy = copyPlainJson(input, MAX_REPORT_DEPTH);
  if (copy !== NOT_PLAIN) return copy;
  // A cycle is not depth: `structuredClone` copies it, and nothing here walks the report
  // generically. Real depth is refused before `structuredClone` can overflow the stack.
  assertShallow(input, MAX_REPORT_DEPTH, `the ${format} report`, '', { cycles: 'ignore' });
  try {
    return structuredClone(input);
  } catch (cause) {
    throw new VexError(
      'REPORT_INVALID',
      `the ${format} report is not JSON data and cannot be copied`,
      {
        path: '',
        expected: 'JSON data',
        actual: cause instanceof Error ? cause.name : typeof cause,
      },
      { cause },
    );
  }
}

export function readReport(input: unknown, format: string): Record<string, unknown> {
  let value = input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw new VexError('JSON_INVALID', `the ${format} report is not valid JSON`, {}, { cause });
    }
    assertShallow(value, MAX_REPORT_DEPTH, `the ${format} report`, '', { tree: true });
  } else {
    value = copyReport(input, format);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VexError('REPORT_INVALID', `a ${format} report must be a JSON object`, {
      path: '',
      expected: 'object',
      actual: Array.isArray(value) ? 'array' : typeof value,
    });
  }
  return value as Record<string, unknown>;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

export function arrayAt(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  format: string,
): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    throw new VexError('REPORT_INVALID', `${format} report: ${path}/${key} must be an array`, {
      path: `${path}/${key}`,
      expected: 'array',
      actual: typeof v,
    });
  }
  return v;
}

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

export function isEmptySubject(s: Subject): boolean {
  return !s.purls?.length && !s.hashes?.length && !s.cpes?.length && !s.ids?.length;
}

/**
 * The package identities of one report, compiled against the index on first use and once per
 * distinct identity: many findings share a package, and findings whose vulnerability no
 * statement names never need theirs (unless their near misses are read).
 */
export class Leaves {
  private readonly memo = new Map<string, CompiledSubject>();

  /**
   * `subjectOf(key)` is the identity a finding's `leaf` key stands for; `keyIsPurl`: every
   * key is a purl, and `subjectOf(key)` is `{ purls: [key] }`.
   */
  constructor(
    private readonly index: VexIndex,
    private readonly subjectOf: (key: string) => Subject,
    private readonly keyIsPurl = false,
  ) {}

  get(key: string): CompiledSubject {
    let leaf = this.memo.get(key);
    if (!leaf) {
      leaf = this.compile(key);
      this.memo.set(key, leaf);
    }
    return leaf;
  }

  /**
   * Forget the memo at the end of an apply: outcomes whose near misses are not read yet keep
   * this object, and should not keep every compiled package with it.
   */
  release(): void {
    this.memo.clear();
  }

  /**
   * The compiled package when it can match a statement of these vulnerability groups, as
   * the product itself or (with `asSub`) as a subcomponent of the scanned product, decided
   * without parsing it (see `subjectMayMatch`); `undefined` when it cannot, and then it is
   * not compiled. A package compiled already is returned as it is (its queries then find
   * what they find, nothing when it cannot match).
   */
  getIfMayMatch(key: string, groups: FindingGroups, asSub: boolean): CompiledSubject | undefined {
    let leaf = this.memo.get(key);
    if (leaf) return leaf;
    if (this.keyIsPurl) {
      if (!subjectMayMatch(this.index, groups, key, true, asSub)) return undefined;
      // The one purl passed the coarse check against these groups, so the index's own check
      // (its coarse key among all statements' packages) would pass too: parse it directly.
      leaf = compileSubject({ purls: [key] });
    } else {
      const subject = this.subjectOf(key);
      if (!subjectMayMatch(this.index, groups, subject, true, asSub)) return undefined;
      leaf = this.index.compile(subject);
    }
    this.memo.set(key, leaf);
    return leaf;
  }

  /** Compile without the memo (for near misses read later, after {@link release}). */
  compile(key: string): CompiledSubject {
    return this.index.compile(this.subjectOf(key));
  }
}

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

/** What every finding of a report (or SARIF run) is decided against. */
export interface DecideContext {
  readonly index: VexIndex;
  readonly leaves: Leaves;
  /** The compiled identities of the scanned product. */
  readonly products: readonly CompiledSubject[];
  /** Match by the scanner's alias ids too. */
  readonly useAliases: boolean;
  /** Report subcomponent-scoped statements as near misses when there is no package (SARIF). */
  readonly explainScope: boolean;
}

/**
 * Decide one finding. First every statement that speaks for the whole product competes (the
 * package as product; the image or root as product with the package as subcomponent). When
 * none does and the report has a dependency graph, the finding is suppressed only when every
 * path from the package up to a root is cut by a `not_affected`/`fixed` statement for an
 * ancestor with the package as subcomponent.
 *
 * The winner comes from {@link resolveFinding}, which collects no near misses: they are only
 * reported for findings no statement decides, and are worked out (by `resolveAll`, on the
 * same queries) when the outcome's `nearMisses` is first read.
 */
export function decide(
  ctx: DecideContext,
  f: FindingInput,
  graph: DependencyGraph | undefined,
): FindingOutcome {
  const ids: string | readonly string[] =
    ctx.useAliases && f.aliases.length > 0 ? [f.vulnerability, ...f.aliases] : f.vulnerability;
  const groups = findingGroups(ctx.index, ids);
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
    const queries: FindingQuery[] = [];
    if (leaf) queries.push({ product: leaf, sub: undefined });
    for (const product of ctx.products) queries.push({ product, sub: leaf });
    const global = resolveFinding(ctx.index, groups, queries, leaf !== undefined);
    const winner = global.winner;
    if (winner) {
      // `package` when the package-as-product query alone matches the winning statement.
      const via =
        leaf && winner.scope !== 'subcomponent' && global.winnerInFirst ? 'package' : 'product';
      return outcome(f, winner, global.conflicts, via);
    }
    if (graph && f.node !== undefined && leaf) {
      const cut = pathsCovered(ctx.index, groups, f.node, leaf, graph);
      if (cut) return outcome(f, cut, [], 'paths');
    }
  }
  return unaddressed(f, ctx, ids);
}

/** The near misses of an unaddressed finding: `resolveAll` on the queries `decide` made. */
function nearMissesOf(
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
  return ctx.index.resolveAll(all).nearMisses;
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
  index: VexIndex,
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
    const { winner } = resolveFinding(index, groups, [{ product: subject, sub: leaf }], false);
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
    conflicts,
    nearMisses: [],
  };
}

/**
 * The outcome of a finding no statement decides. Its near misses are worked out when
 * `nearMisses` is first read (see {@link LazyNearMisses}).
 */
function unaddressed(
  f: FindingInput,
  ctx: DecideContext,
  ids: string | readonly string[],
): FindingOutcome {
  const o = {
    location: f.location,
    vulnerability: f.vulnerability,
    aliases: f.aliases,
    package: f.package,
    severity: f.severity,
    disposition: 'unaddressed' as const,
    status: undefined,
    justification: undefined,
    impactStatement: undefined,
    actionStatement: undefined,
    statusNotes: undefined,
    statement: undefined,
    via: undefined,
    conflicts: [],
  };
  LazyNearMisses.attach(o, ctx, ids, f.leaf);
  return o as typeof o & { readonly nearMisses: readonly NearMiss[] };
}

/** Returns the object it is given, so that a subclass adds its private fields to that object. */
class Carrier {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: gives a plain object private fields
    return target;
  }
}

/**
 * A lazy `nearMisses` property. It is an own, enumerable property of the (plain) outcome
 * object, in the same place as before, so `JSON.stringify`, spreading, `structuredClone` and
 * deep equality see it as a plain property; it is computed on first read and kept, and
 * assigning to it replaces it. What it needs (the apply's context, the finding's ids and
 * package key, none of them reachable by the caller) lives in private fields of the outcome
 * object, and its accessors are shared: outcome objects stay fast to create and to read
 * (object literals with their own getters are not), and no closure is kept per finding.
 */
class LazyNearMisses extends Carrier {
  #ctx: DecideContext | undefined;
  #ids: string | readonly string[];
  #leaf: string | undefined;
  #value: readonly NearMiss[] | undefined;

  private constructor(
    target: object,
    ctx: DecideContext,
    ids: string | readonly string[],
    leaf: string | undefined,
  ) {
    super(target);
    this.#ctx = ctx;
    this.#ids = ids;
    this.#leaf = leaf;
    this.#value = undefined;
  }

  static attach(
    target: object,
    ctx: DecideContext,
    ids: string | readonly string[],
    leaf: string | undefined,
  ): void {
    new LazyNearMisses(target, ctx, ids, leaf);
    Object.defineProperty(target, 'nearMisses', NEAR_MISSES);
  }

  /** The object that holds the state: the receiver, or an object it inherits from. */
  static holder(receiver: unknown): LazyNearMisses | undefined {
    let o = receiver;
    while (typeof o === 'object' && o !== null) {
      if (#ctx in o) return o as LazyNearMisses;
      o = Object.getPrototypeOf(o);
    }
    return undefined;
  }

  static read(receiver: unknown): readonly NearMiss[] | undefined {
    const h = LazyNearMisses.holder(receiver);
    if (!h) return undefined;
    const ctx = h.#ctx;
    if (ctx) {
      h.#value = nearMissesOf(ctx, h.#ids, h.#leaf);
      h.#ctx = undefined;
      h.#ids = '';
      h.#leaf = undefined;
    }
    return h.#value;
  }

  static write(receiver: unknown, value: readonly NearMiss[]): void {
    const h = LazyNearMisses.holder(receiver);
    if (!h) return;
    if (h !== receiver) {
      // As with an inherited data property: the assignment gives the receiver its own.
      Object.defineProperty(receiver, 'nearMisses', {
        value,
        writable: true,
        enumerable: true,
        configurable: true,
      });
      return;
    }
    h.#ctx = undefined;
    h.#ids = '';
    h.#leaf = undefined;
    h.#value = value;
  }
}

const NEAR_MISSES: PropertyDescriptor = {
  get(this: unknown) {
    return LazyNearMisses.read(this);
  },
  set(this: unknown, value: readonly NearMiss[]) {
    LazyNearMisses.write(this, value);
  },
  enumerable: true,
  configurable: true,
};

export function compileAll(subjects: readonly Subject[]): CompiledSubject[] {
  return subjects.filter((s) => !isEmptySubject(s)).map((s) => compileSubject(s));
}

/** A short reason to record with a suppressed finding: the justification, else the impact. */
export function suppressionReason(f: FindingOutcome): string {
  return f.justification ?? f.impactStatement ?? f.status ?? '';
}
