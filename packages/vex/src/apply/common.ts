import { VexError } from '../errors.js';
import { type CompiledSubject, compileSubject, type Subject } from '../identity.js';
import type {
  FindingOutcome,
  FindingPackage,
  NegligibleAs,
  Residual,
  Severity,
} from '../residual.js';
import {
  type Candidate,
  type Resolution,
  type ResolveQuery,
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
  return new VexIndex(
    vex,
    options.conservative === undefined ? {} : { conservative: options.conservative },
  );
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
  } else {
    value = structuredClone(input);
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

/** Split an image reference into repository, tag and digest. */
export function parseImageReference(
  ref: string,
):
  | { repository: string; name: string; tag: string | undefined; digest: string | undefined }
  | undefined {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  let repo = at >= 0 ? ref.slice(0, at) : ref;
  let tag: string | undefined;
  const colon = repo.lastIndexOf(':');
  if (colon > repo.lastIndexOf('/')) {
    tag = repo.slice(colon + 1);
    repo = repo.slice(0, colon);
  }
  const name = repo.split('/').pop()?.toLowerCase();
  if (!name) return undefined;
  return { repository: repo, name, tag, digest };
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
    const parsed = parseImageReference(ref);
    if (!parsed) continue;
    const q = [`repository_url=${encodeURIComponent(parsed.repository)}`];
    if (arch) q.push(`arch=${encodeURIComponent(arch)}`);
    if (parsed.digest) {
      hashes.push(parsed.digest);
      purls.push(
        `pkg:oci/${encodeURIComponent(parsed.name)}@${encodeURIComponent(parsed.digest)}?${q.join('&')}`,
      );
    }
    if (parsed.tag)
      purls.push(
        `pkg:oci/${encodeURIComponent(parsed.name)}?${[...q, `tag=${encodeURIComponent(parsed.tag)}`].join('&')}`,
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

/** What the resolver needs about one finding. */
export interface FindingInput {
  readonly location: string;
  readonly vulnerability: string;
  readonly aliases: readonly string[];
  readonly package: FindingPackage;
  readonly severity: Severity;
  readonly leaf: CompiledSubject | undefined;
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
 * Decide one finding. First every statement that speaks for the whole product competes (the
 * package as product; the image or root as product with the package as subcomponent). When
 * none does and the report has a dependency graph, the finding is suppressed only when every
 * path from the package up to a root is cut by a `not_affected`/`fixed` statement for an
 * ancestor with the package as subcomponent.
 */
export function decide(
  index: VexIndex,
  f: FindingInput,
  products: readonly CompiledSubject[],
  graph: DependencyGraph | undefined,
  useAliases: boolean,
  explainScope: boolean,
): FindingOutcome {
  const vulnerability = useAliases ? [f.vulnerability, ...f.aliases] : [f.vulnerability];
  const queries: ResolveQuery[] = [];
  if (f.leaf) queries.push({ vulnerability, product: f.leaf });
  for (const product of products) {
    queries.push({
      vulnerability,
      product,
      subcomponent: f.leaf,
      explainSubcomponentScope: explainScope,
    });
  }
  const global = index.resolveAll(queries);
  if (global.winner)
    return outcome(f, global, global.winner, viaOf(global.winner, f.leaf, index, vulnerability));
  if (graph && f.node !== undefined && f.leaf) {
    const cut = pathsCovered(index, vulnerability, f.node, f.leaf, graph);
    if (cut) return outcome(f, global, cut, 'paths');
  }
  return outcome(f, global, undefined, undefined);
}

function viaOf(
  winner: Candidate,
  leaf: CompiledSubject | undefined,
  index: VexIndex,
  vulnerability: readonly string[],
): 'package' | 'product' {
  if (!leaf || winner.scope === 'subcomponent') return 'product';
  const self = index.resolve({ vulnerability, product: leaf });
  return self.candidates.some((c) => c.statement === winner.statement) ? 'package' : 'product';
}

function pathsCovered(
  index: VexIndex,
  vulnerability: readonly string[],
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
    const r = index.resolve({ vulnerability, product: subject, subcomponent: leaf });
    if (r.winner && SUPPRESSING.has(r.winner.status)) {
      first ??= r.winner;
      return true;
    }
    return false;
  };
  const covered = (node: string): boolean => {
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (onStack.has(node)) return true; // a cycle leads nowhere new
    onStack.add(node);
    const parents = graph.parents.get(node) ?? [];
    const result = parents.length > 0 && parents.every((p) => cuts(p) || covered(p));
    onStack.delete(node);
    memo.set(node, result);
    return result;
  };
  return covered(leafNode) ? first : undefined;
}

function outcome(
  f: FindingInput,
  r: Resolution,
  winner: Candidate | undefined,
  via: FindingOutcome['via'],
): FindingOutcome {
  const s = winner?.statement;
  const status = winner?.status;
  const disposition =
    status === undefined
      ? 'unaddressed'
      : status === 'not_affected' || status === 'fixed'
        ? 'suppressed'
        : status;
  return {
    location: f.location,
    vulnerability: f.vulnerability,
    aliases: f.aliases,
    package: f.package,
    severity: f.severity,
    disposition,
    status,
    justification: s?.justification,
    impactStatement: s?.impact_statement,
    actionStatement: s?.action_statement,
    statusNotes: s?.status_notes,
    statement: winner,
    via,
    conflicts: r.conflicts,
    nearMisses: winner ? [] : r.nearMisses,
  };
}

export function compileAll(subjects: readonly Subject[]): CompiledSubject[] {
  return subjects.filter((s) => !isEmptySubject(s)).map((s) => compileSubject(s));
}

/** A short reason to record with a suppressed finding: the justification, else the impact. */
export function suppressionReason(f: FindingOutcome): string {
  return f.justification ?? f.impactStatement ?? f.status ?? '';
}
