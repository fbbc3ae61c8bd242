import { VexError } from '../errors.js';
import { compareInstants, type Instant, parseInstant } from '../formats.js';
import {
  type Claim,
  type CompiledSubject,
  compileSubject,
  matchClaims,
  matchSpecificity,
  normalizeHash,
  type Subject,
} from '../identity.js';
import { coarsePackageKey, type PurlMismatch, plainVersion } from '../purl.js';
import type { Candidate, NearMiss, Resolution, ResolveQuery, StatementRef } from '../resolve.js';
import type { VexStatement, VexStatus } from '../types.js';
import {
  type IndexData,
  type ReachSet,
  type Seed,
  type TagOnlyProduct,
  tokens,
  vulnerabilityKey,
} from './build.js';

interface Atom {
  readonly ref: StatementRef;
  readonly statement: VexStatement;
  readonly effective: Instant | undefined;
  readonly effectiveText: string | undefined;
  readonly lastUpdated: Instant | undefined;
  readonly docVersion: number;
  readonly position: number;
  readonly group: number;
  readonly productClaims: readonly Claim[];
  readonly subs: readonly (readonly Claim[])[];
  /** The last `resolveFinding` query that visited this atom (to visit it once per query). */
  stamp: number;
}

/** A vulnerability group's seeds, and the atom of each once made (see `IndexCore.atomOf`). */
interface GroupSeeds {
  readonly group: number;
  readonly seeds: readonly Seed[];
  readonly atoms: (Atom | undefined)[];
}

/** The positions (in their group's seeds) of the seeds filed under one product slot. */
interface SlotSeeds {
  readonly of: GroupSeeds;
  readonly at: number[];
}

/** One lookup of `IndexCore.resolveFinding`: a compiled product, and the package inside it. */
export interface FindingQuery {
  readonly product: CompiledSubject;
  readonly sub: CompiledSubject | undefined;
}

/** What `IndexCore.resolveFinding` returns: what `resolveAll` would, minus the near misses. */
export interface FindingResolution {
  readonly winner: Candidate | undefined;
  /** Matching statements with the winner's effective time but another status, best first. */
  readonly conflicts: Candidate[];
  /** Whether the winner's statement also matched the first query on its own. */
  readonly winnerInFirst: boolean;
}

interface Ranked {
  atom: Atom;
  candidate: Candidate;
  inFirst: boolean;
}

const NO_WINNER: FindingResolution = Object.freeze({
  winner: undefined,
  conflicts: [] as Candidate[],
  winnerInFirst: false,
});

/** The vulnerability groups of a finding's ids, in order; `undefined` when no statement has them. */
export type FindingGroups = readonly number[];

function isCompiled(s: Subject | CompiledSubject): s is CompiledSubject {
  return (s as CompiledSubject).keys instanceof Set;
}

/** How many same-package statements are examined for near misses when nothing matched. */
const NEAR_MISS_SCAN = 4;

function slotOf(c: Claim): string {
  return c.purl?.version === undefined ? c.key : `${c.key}@${c.purl.version}`;
}

/** The distinct slots and keys of one claim list, in claim order. */
interface ClaimSlots {
  readonly slots: readonly string[];
  readonly keys: readonly string[];
}

const NO_SLOTS: readonly string[] = Object.freeze([]);

const OPEN: ReadonlySet<VexStatus> = new Set(['affected', 'under_investigation']);

/**
 * The lookups of a `VexIndex`: what its public methods use, and what the `applyTo*`
 * functions use directly for their hot path (the winner without near misses, the coarse
 * checks that spare parsing packages no statement can name). Internal: not exported from the
 * package; `indexCore` in `resolve.ts` gives the core of an index.
 *
 * Statements are indexed by vulnerability group (see `buildIndex`) and by product key (purl
 * package, hash, CPE, IRI), so a lookup touches only the statements for that vulnerability
 * and product, never the whole document.
 */
export class IndexCore {
  /** group → product slot → the group's seeds filed under it, in filing order. */
  private readonly atoms = new Map<number, Map<string, SlotSeeds>>();
  /**
   * The atoms of one (group, product slot), by subcomponent slot (`''` product-only, `'*'`
   * any), made on the first lookup of that product slot (see {@link bySubOf}).
   */
  private readonly bySub = new Map<SlotSeeds, Map<string, Atom[]>>();
  /**
   * The same with version-less keys, read only for near-miss diagnostics: filed for a group on
   * its first near-miss lookup (see {@link fileNear}), from the group's atoms in filing order.
   */
  private readonly near = new Map<number, Map<string, Map<string, Atom[]>>>();
  /** group → its seeds, until its near-miss slots are filed. */
  private readonly unfiledNear = new Map<number, GroupSeeds>();
  /** group → the list of that group alone (see {@link groups}). */
  private readonly oneGroup = new Map<number, readonly number[]>();
  /** The distinct slots and keys of each claim list filed so far (see {@link slotsOf}). */
  private readonly claimSlots = new Map<readonly Claim[], ClaimSlots>();
  private stamp = 0;

  constructor(
    private readonly data: IndexData,
    private readonly conservative: boolean,
  ) {}

  /** Number of statements indexed. */
  get statementCount(): number {
    return this.data.statementCount;
  }

  /**
   * The statement products (and subcomponents) that name an OCI image only by tag and were
   * left out of matching (empty with `matchOciTags: true`).
   */
  get tagOnly(): readonly TagOnlyProduct[] {
    return this.data.tagOnly;
  }

  /**
   * Whether a subject (or a single purl) can match any statement of the groups, as a product
   * (`asProduct`) or as the subcomponent of another product (`asSub`), decided without
   * parsing its purls. `false` proves that {@link resolveFinding} finds nothing through it: a
   * statement component matches only a subject that has one of its claim keys, and a purl's
   * parsed package key is only equal to another's when their coarse keys are. Compiling
   * (parsing) the subject can then be skipped. A purl without a coarse key is always `true`
   * (only the full parse can tell).
   */
  mayMatch(
    groups: FindingGroups,
    subject: Subject | string,
    asProduct: boolean,
    asSub: boolean,
  ): boolean {
    if (typeof subject === 'string') return this.purlMayMatch(groups, subject, asProduct, asSub);
    for (const raw of subject.purls ?? []) {
      if (this.purlMayMatch(groups, raw, asProduct, asSub)) return true;
    }
    const keys: string[] = [];
    for (const raw of subject.hashes ?? []) {
      if (typeof raw !== 'string') continue;
      const hash = normalizeHash(raw);
      if (hash) keys.push(`hash:${hash}`);
    }
    for (const raw of subject.cpes ?? [])
      if (typeof raw === 'string') keys.push(`cpe:${raw.trim()}`);
    for (const raw of subject.ids ?? [])
      if (typeof raw === 'string') keys.push(`iri:${raw.trim()}`);
    for (const k of keys) {
      for (const g of groups) {
        const reach = this.data.reach.get(g);
        if (!reach) continue;
        if ((asProduct && reach.product.keys.has(k)) || (asSub && reach.sub.keys.has(k))) {
          return true;
        }
      }
    }
    return false;
  }

  private purlMayMatch(
    groups: FindingGroups,
    raw: unknown,
    asProduct: boolean,
    asSub: boolean,
  ): boolean {
    if (typeof raw !== 'string' || raw === '') return false;
    const coarse = coarsePackageKey(raw);
    if (coarse === undefined) return true;
    for (let i = 0; i < groups.length; i++) {
      const reach = this.data.reach.get(groups[i] as number);
      if (!reach) continue;
      if (asProduct && purlMeets(raw, reach.product, coarse)) return true;
      if (asSub && purlMeets(raw, reach.sub, coarse)) return true;
    }
    return false;
  }

  /**
   * The atoms of one vulnerability group, filed on first use: most lookups of a report meet
   * few groups (or, when the package cannot match, none), so statements are only turned into
   * atoms and filed when their group is looked up. Filing a group gives the same atoms in the
   * same order whenever it happens, and changes nothing a caller can see.
   */
  private fileGroup(group: number): void {
    const seeds = this.data.seeds.get(group);
    if (!seeds) return;
    this.data.seeds.delete(group);
    const of: GroupSeeds = { group, seeds, atoms: new Array(seeds.length) };
    let byProduct = this.atoms.get(group);
    if (!byProduct) {
      byProduct = new Map();
      this.atoms.set(group, byProduct);
    }
    // Exact slots: (group, product slot, subcomponent slot), where a versioned purl's slot
    // includes its version; product-only statements use an empty subcomponent slot. A lookup
    // therefore only meets statements that can match. Here the seeds are filed by product
    // slot only; those of a product slot are made atoms and filed by subcomponent slot when a
    // lookup first meets that product slot (`bySubOf`): a document names its product at many
    // versions, and a report's lookups meet few of them. Near-miss slots drop the versions,
    // are read only when nothing matched, and are filed then (`fileNear`). (Each list of
    // slots and keys is made once per claim list, which statements share: see `slotsOf`.)
    // Indexed loops here and in the lookups below: they run per statement and per finding,
    // mostly before the JIT optimizes them, where `for…of` allocates an iterator and a result
    // object per step.
    for (let i = 0; i < seeds.length; i++) {
      const productSlots = this.slotsOf((seeds[i] as Seed).productClaims).slots;
      for (let p = 0; p < productSlots.length; p++) {
        const ps = productSlots[p] as string;
        const filed = byProduct.get(ps);
        if (filed) filed.at.push(i);
        else byProduct.set(ps, { of, at: [i] });
      }
    }
    this.unfiledNear.set(group, of);
  }

  /**
   * The atom of a group's seed, made on first use (once: lookups tell atoms apart by
   * identity). Every atom of a group is the same whenever it is made.
   */
  private atomOf(of: GroupSeeds, i: number): Atom {
    const known = of.atoms[i];
    if (known) return known;
    const seed = of.seeds[i] as Seed;
    const { statement, doc, docTime } = seed;
    const own = parseInstant(statement.timestamp);
    const atom: Atom = {
      ref: seed.ref,
      statement,
      effective: own ?? docTime,
      effectiveText: own ? statement.timestamp : docTime ? doc.timestamp : undefined,
      lastUpdated: parseInstant(statement.last_updated) ?? seed.docUpdated,
      docVersion: typeof doc.version === 'number' ? doc.version : 0,
      position: seed.position,
      group: of.group,
      productClaims: seed.productClaims,
      subs: seed.subs,
      stamp: 0,
    };
    of.atoms[i] = atom;
    return atom;
  }

  /**
   * The atoms of one (group, product slot) by subcomponent slot, made on first use from the
   * product slot's atoms in filing order: each list holds its atoms in the order filing them
   * all at once by (product slot, subcomponent slot) would have given.
   */
  private bySubOf(filed: SlotSeeds): Map<string, Atom[]> {
    let bySub = this.bySub.get(filed);
    if (bySub) return bySub;
    bySub = new Map();
    for (let i = 0; i < filed.at.length; i++) {
      const atom = this.atomOf(filed.of, filed.at[i] as number);
      const subSlots = this.subSlotsOf(atom.subs, 'slots');
      if (subSlots.length === 0) fileIn(bySub, '', atom);
      else {
        fileIn(bySub, '*', atom);
        for (let k = 0; k < subSlots.length; k++) fileIn(bySub, subSlots[k] as string, atom);
      }
    }
    this.bySub.set(filed, bySub);
    return bySub;
  }

  /**
   * File a group's atoms under their near-miss slots, on the group's first near-miss lookup:
   * most applies never ask for near misses, and those that do ask for few groups. The atoms
   * are filed in the order `fileGroup` made them, so each slot lists them as it would have
   * had they been filed with the exact slots.
   */
  private fileNear(group: number): void {
    const of = this.unfiledNear.get(group);
    if (!of) return;
    this.unfiledNear.delete(group);
    for (let i = 0; i < of.seeds.length; i++) {
      const atom = this.atomOf(of, i);
      const productKeys = this.slotsOf(atom.productClaims).keys;
      const subKeys = this.subSlotsOf(atom.subs, 'keys');
      for (let p = 0; p < productKeys.length; p++) {
        const pk = productKeys[p] as string;
        if (subKeys.length === 0) this.file(this.near, group, pk, '', atom);
        for (let k = 0; k < subKeys.length; k++) {
          this.file(this.near, group, pk, subKeys[k] as string, atom);
        }
      }
    }
  }

  /**
   * The distinct slots ({@link slotOf}) and keys of a claim list, in claim order: what
   * `new Set(claims.map(slotOf))` and `new Set(claims.map((c) => c.key))` give, made once per
   * list (the index shares one list among the statements that name the same component, so
   * most of a document's atoms have the lists of a few components).
   */
  private slotsOf(claims: readonly Claim[]): ClaimSlots {
    let known = this.claimSlots.get(claims);
    if (!known) {
      const slots = new Set<string>();
      const keys = new Set<string>();
      for (const c of claims) {
        slots.add(slotOf(c));
        keys.add(c.key);
      }
      known = { slots: [...slots], keys: [...keys] };
      this.claimSlots.set(claims, known);
    }
    return known;
  }

  /** The distinct slots or keys of every subcomponent's claims, in order (see `slotsOf`). */
  private subSlotsOf(
    subs: readonly (readonly Claim[])[],
    which: keyof ClaimSlots,
  ): readonly string[] {
    if (subs.length === 0) return NO_SLOTS;
    if (subs.length === 1) return this.slotsOf(subs[0] as readonly Claim[])[which];
    const out = new Set<string>();
    for (const claims of subs) for (const slot of this.slotsOf(claims)[which]) out.add(slot);
    return [...out];
  }

  private file(
    map: Map<number, Map<string, Map<string, Atom[]>>>,
    group: number,
    productSlot: string,
    subSlot: string,
    atom: Atom,
  ): void {
    let byProduct = map.get(group);
    if (!byProduct) {
      byProduct = new Map();
      map.set(group, byProduct);
    }
    let bySub = byProduct.get(productSlot);
    if (!bySub) {
      bySub = new Map();
      byProduct.set(productSlot, bySub);
    }
    fileIn(bySub, subSlot, atom);
  }

  /** The atoms a query can match: product-only ones, plus those listing the subcomponent. */
  private lookup(
    group: number,
    product: CompiledSubject,
    sub: CompiledSubject | undefined,
    explain: boolean,
  ): Atom[] {
    const out: Atom[] = [];
    this.fileGroup(group);
    const byProduct = this.atoms.get(group);
    if (!byProduct) return out;
    const push = (list: Atom[] | undefined) => {
      if (list) for (const a of list) out.push(a);
    };
    for (const ps of product.slots) {
      const filed = byProduct.get(ps);
      if (!filed) continue;
      const bySub = this.bySubOf(filed);
      push(bySub.get(''));
      if (sub) for (const ss of sub.slots) push(bySub.get(ss));
      else if (explain) push(bySub.get('*'));
    }
    return out;
  }

  /** Statements about the same packages at any version, for near-miss diagnostics only. */
  private nearLookup(
    group: number,
    product: CompiledSubject,
    sub: CompiledSubject | undefined,
  ): Atom[] {
    const out: Atom[] = [];
    this.fileGroup(group);
    this.fileNear(group);
    const byProduct = this.near.get(group);
    if (!byProduct) return out;
    for (const pk of product.keys) {
      const bySub = byProduct.get(pk);
      if (!bySub) continue;
      out.push(...(bySub.get('') ?? []));
      if (sub) for (const sk of sub.keys) out.push(...(bySub.get(sk) ?? []));
    }
    return out;
  }

  /**
   * Prepare a subject for many lookups against this index. Purls of packages that no
   * statement mentions are not parsed, which keeps large reports fast.
   */
  compile(subject: Subject): CompiledSubject {
    return compileSubject(subject, this.data.packages);
  }

  /**
   * Resolve several queries for the same finding together (e.g. the package as product, and
   * the image as product with the package as subcomponent): every matching statement of every
   * query competes under the same tie-break order.
   */
  resolveAll(queries: readonly ResolveQuery[]): Resolution {
    const best = new Map<VexStatement, { atom: Atom; candidate: Candidate }>();
    const nearMisses: NearMiss[] = [];
    const prepared = queries.map((query) => {
      if (!query || typeof query !== 'object' || !query.product) {
        throw new VexError('ARGUMENT_INVALID', 'a query needs a vulnerability and a product', {
          actual: query,
        });
      }
      const raw =
        typeof query.vulnerability === 'string' ? [query.vulnerability] : query.vulnerability;
      if (!Array.isArray(raw) && typeof raw !== 'object') {
        throw new VexError('ARGUMENT_INVALID', 'query.vulnerability must be a string or a list', {
          actual: raw,
        });
      }
      const ids = [...raw].filter((v): v is string => typeof v === 'string').map(vulnerabilityKey);
      const product = isCompiled(query.product) ? query.product : compileSubject(query.product);
      const sub =
        query.subcomponent === undefined
          ? undefined
          : isCompiled(query.subcomponent)
            ? query.subcomponent
            : compileSubject(query.subcomponent);
      const groups = new Set<number>();
      for (const id of ids) {
        const g = this.data.groupOf.get(id);
        if (g !== undefined) groups.add(g);
      }
      return { ids, product, sub, groups, explain: query.explainSubcomponentScope ?? false };
    });
    for (const q of prepared) {
      const seen = new Set<Atom>();
      for (const g of q.groups) {
        for (const atom of this.lookup(g, q.product, q.sub, q.explain)) {
          if (seen.has(atom)) continue;
          seen.add(atom);
          const c = this.evaluate(atom, q.product, q.sub, q.explain, nearMisses);
          if (!c) continue;
          const prev = best.get(atom.statement);
          if (!prev || c.specificity > prev.candidate.specificity) {
            best.set(atom.statement, { atom, candidate: c });
          }
        }
      }
    }
    const ranked = [...best.values()].sort((a, b) =>
      this.compare(a.atom, a.candidate, b.atom, b.candidate),
    );
    const winner = ranked[0];
    if (!winner) {
      for (const q of prepared) {
        let budget = NEAR_MISS_SCAN;
        const seen = new Set<Atom>();
        for (const g of q.groups) {
          for (const atom of this.nearLookup(g, q.product, q.sub)) {
            if (budget <= 0) break;
            if (seen.has(atom)) continue;
            seen.add(atom);
            budget--;
            this.evaluate(atom, q.product, q.sub, false, nearMisses);
          }
        }
        this.vulnerabilityNearMisses(q.ids, q.groups, q.product, q.sub, nearMisses);
      }
      return {
        winner: undefined,
        candidates: [],
        conflicts: [],
        nearMisses: dedupeNearMisses(nearMisses),
      };
    }
    const conflicts = ranked
      .slice(1)
      .filter(
        (r) =>
          compareInstants(r.atom.effective, winner.atom.effective) === 0 &&
          r.candidate.status !== winner.candidate.status,
      )
      .map((r) => r.candidate);
    return {
      winner: winner.candidate,
      candidates: ranked.map((r) => r.candidate),
      conflicts,
      nearMisses: dedupeNearMisses(nearMisses),
    };
  }

  /**
   * The vulnerability groups the finding's id(s) belong to, as `resolveAll` finds them;
   * `undefined` when none: then no statement can match (only near misses can be found).
   */
  groups(ids: string | readonly string[]): FindingGroups | undefined {
    if (typeof ids === 'string') {
      // One id (the common case): one shared list per group, nothing allocated.
      const g = this.data.groupOf.get(vulnerabilityKey(ids));
      if (g === undefined) return undefined;
      let one = this.oneGroup.get(g);
      if (!one) {
        one = [g];
        this.oneGroup.set(g, one);
      }
      return one;
    }
    let groups: number[] | undefined;
    for (const id of ids) {
      const g = this.data.groupOf.get(vulnerabilityKey(id));
      if (g === undefined) continue;
      if (!groups) groups = [g];
      else if (!groups.includes(g)) groups.push(g);
    }
    return groups;
  }

  /**
   * The winner and conflicts that {@link resolveAll} gives for these queries (the same
   * statements, candidates and order), without collecting near misses and without the
   * per-query sets and maps: the hot path of the `applyTo*` functions, which ask for near
   * misses only when a caller asks for them. `groups` come from {@link groups}; with
   * `firstIsSelf`, `winnerInFirst` says whether the winner matched `queries[0]` on its own.
   */
  resolveFinding(
    groups: FindingGroups,
    queries: readonly FindingQuery[],
    firstIsSelf: boolean,
  ): FindingResolution {
    let ranked: Ranked[] | undefined;
    for (let qi = 0; qi < queries.length; qi++) {
      const q = queries[qi] as FindingQuery;
      const stamp = ++this.stamp;
      const inFirst = firstIsSelf && qi === 0;
      const productSlots = q.product.slots;
      const subSlots = q.sub?.slots;
      for (let gi = 0; gi < groups.length; gi++) {
        const g = groups[gi] as number;
        this.fileGroup(g);
        const byProduct = this.atoms.get(g);
        if (!byProduct) continue;
        for (let p = 0; p < productSlots.length; p++) {
          const filed = byProduct.get(productSlots[p] as string);
          if (!filed) continue;
          const bySub = this.bySubOf(filed);
          ranked = this.visit(bySub.get(''), stamp, q, inFirst, ranked);
          // Without a subcomponent, the `'*'` atoms `lookup` adds for `explain` only ever give
          // near misses, so they are not visited here.
          if (subSlots) {
            for (let k = 0; k < subSlots.length; k++) {
              ranked = this.visit(bySub.get(subSlots[k] as string), stamp, q, inFirst, ranked);
            }
          }
        }
      }
    }
    if (!ranked) return NO_WINNER;
    if (ranked.length > 1) {
      ranked.sort((a, b) => this.compare(a.atom, a.candidate, b.atom, b.candidate));
    }
    const winner = ranked[0] as Ranked;
    const conflicts: Candidate[] = [];
    for (let i = 1; i < ranked.length; i++) {
      const r = ranked[i] as Ranked;
      if (
        compareInstants(r.atom.effective, winner.atom.effective) === 0 &&
        r.candidate.status !== winner.candidate.status
      ) {
        conflicts.push(r.candidate);
      }
    }
    return { winner: winner.candidate, conflicts, winnerInFirst: winner.inFirst };
  }

  /** {@link evaluate} without near misses, keeping the most specific candidate per statement. */
  private visit(
    list: readonly Atom[] | undefined,
    stamp: number,
    q: FindingQuery,
    inFirst: boolean,
    ranked: Ranked[] | undefined,
  ): Ranked[] | undefined {
    if (!list) return ranked;
    let out = ranked;
    for (let i = 0; i < list.length; i++) {
      const atom = list[i] as Atom;
      if (atom.stamp === stamp) continue;
      atom.stamp = stamp;
      const pm = matchSpecificity(atom.productClaims, q.product);
      if (pm < 0) continue;
      let scope: Candidate['scope'] = 'product';
      let specificity = pm;
      if (atom.subs.length > 0) {
        if (!q.sub) continue;
        let bestSub = -1;
        for (let k = 0; k < atom.subs.length; k++) {
          const m = matchSpecificity(atom.subs[k] as readonly Claim[], q.sub);
          if (m > bestSub) bestSub = m;
        }
        if (bestSub < 0) continue;
        scope = 'subcomponent';
        specificity = 1000 + pm + bestSub;
      }
      let entry: Ranked | undefined;
      if (out) {
        for (let k = 0; k < out.length; k++) {
          const r = out[k] as Ranked;
          if (r.atom.statement === atom.statement) {
            entry = r;
            break;
          }
        }
      } else out = [];
      if (!entry) {
        out.push({ atom, candidate: candidateOf(atom, scope, specificity), inFirst });
        continue;
      }
      if (specificity > entry.candidate.specificity) {
        entry.atom = atom;
        entry.candidate = candidateOf(atom, scope, specificity);
      }
      if (inFirst) entry.inFirst = true;
    }
    return out;
  }

  private evaluate(
    atom: Atom,
    product: CompiledSubject,
    sub: CompiledSubject | undefined,
    explainScope: boolean,
    nearMisses: NearMiss[],
  ): Candidate | undefined {
    const pm = matchClaims(atom.productClaims, product);
    if (!pm.matched) {
      if (pm.mismatch) nearMisses.push(purlNearMiss(atom, pm.mismatch, 'product'));
      return undefined;
    }
    const base = {
      ref: atom.ref,
      statement: atom.statement,
      status: atom.statement.status,
      effectiveTimestamp: atom.effectiveText,
    };
    if (atom.subs.length === 0) return { ...base, scope: 'product', specificity: pm.specificity };
    if (!sub) {
      if (explainScope) {
        nearMisses.push({
          ref: atom.ref,
          status: atom.statement.status,
          vulnerability: atom.statement.vulnerability.name,
          field: 'subcomponent',
          expected: atom.subs.map((s) => s[0]?.text),
          actual: undefined,
          message:
            'the statement is limited to listed subcomponents, and the finding names no package to compare',
        });
      }
      return undefined;
    }
    let bestSub = -1;
    let mismatch: Parameters<typeof purlNearMiss>[1] | undefined;
    for (const claims of atom.subs) {
      const m = matchClaims(claims, sub);
      if (m.matched) bestSub = Math.max(bestSub, m.specificity);
      else if (m.mismatch && !mismatch) mismatch = m.mismatch;
    }
    if (bestSub >= 0)
      return { ...base, scope: 'subcomponent', specificity: 1000 + pm.specificity + bestSub };
    if (mismatch) nearMisses.push(purlNearMiss(atom, mismatch, 'subcomponent'));
    return undefined;
  }

  private vulnerabilityNearMisses(
    ids: readonly string[],
    groups: ReadonlySet<number>,
    product: CompiledSubject,
    sub: CompiledSubject | undefined,
    out: NearMiss[],
  ): void {
    const others = new Set<number>();
    for (const id of ids) {
      for (const t of tokens(id))
        for (const g of this.data.tokenGroups.get(t) ?? []) if (!groups.has(g)) others.add(g);
    }
    for (const g of others) {
      for (const atom of this.lookup(g, product, sub, false)) {
        if (!this.evaluate(atom, product, sub, false, [])) continue;
        out.push({
          ref: atom.ref,
          status: atom.statement.status,
          vulnerability: atom.statement.vulnerability.name,
          field: 'vulnerability',
          expected: atom.statement.vulnerability.name,
          actual: ids[0],
          message: `the statement names ${atom.statement.vulnerability.name}, the finding ${ids[0] ?? '(none)'}; neither lists the other as an alias`,
        });
      }
    }
  }

  /** Tie-break order, best first: time, [conservative], last_updated, version, specificity, position. */
  private compare(a: Atom, ac: Candidate, b: Atom, bc: Candidate): number {
    const time = compareInstants(b.effective, a.effective);
    if (time !== 0) return time;
    if (this.conservative) {
      const open = Number(OPEN.has(bc.status)) - Number(OPEN.has(ac.status));
      if (open !== 0) return open;
    }
    return (
      compareInstants(b.lastUpdated, a.lastUpdated) ||
      b.docVersion - a.docVersion ||
      bc.specificity - ac.specificity ||
      b.position - a.position
    );
  }
}

/**
 * Whether a purl (as the scanner wrote it), of this coarse key, can meet a claim of the set:
 * by its text (an IRI claim), or as a purl of a package the set names. When every purl claim
 * of that package has a version and the purl's own version is certain up to case
 * ({@link plainVersion}) and equal to none of them, it cannot: a versioned claim only accepts
 * a purl of the same version. This spares parsing the purls of the many findings about a
 * package that statements name at other versions.
 */
function purlMeets(raw: string, set: ReachSet, coarse: string): boolean {
  if (set.texts.has(raw.trim())) return true;
  if (!set.coarse.has(coarse)) return false;
  const versions = set.versions.get(coarse);
  if (!versions) return true;
  const version = plainVersion(raw);
  return version === undefined || versions.has(version.toLowerCase());
}

/** Add an atom to the list of a key. */
function fileIn(map: Map<string, Atom[]>, key: string, atom: Atom): void {
  const list = map.get(key);
  if (list) list.push(atom);
  else map.set(key, [atom]);
}

function candidateOf(atom: Atom, scope: Candidate['scope'], specificity: number): Candidate {
  return {
    ref: atom.ref,
    statement: atom.statement,
    status: atom.statement.status,
    effectiveTimestamp: atom.effectiveText,
    scope,
    specificity,
  };
}

function dedupeNearMisses(list: NearMiss[]): NearMiss[] {
  const seen = new Set<string>();
  return list.filter((n) => {
    const key = `${n.ref.documentIndex}/${n.ref.statementIndex}/${n.field}/${String(n.expected)}/${String(n.actual)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function purlNearMiss(
  atom: Atom,
  m: PurlMismatch & { readonly vex: string; readonly scanner: string },
  where: 'product' | 'subcomponent',
): NearMiss {
  const what =
    m.field === 'version'
      ? 'version'
      : m.field === 'repository_url'
        ? 'repository_url'
        : `qualifier ${m.qualifier}`;
  return {
    ref: atom.ref,
    status: atom.statement.status,
    vulnerability: atom.statement.vulnerability.name,
    field: m.field,
    ...(m.field === 'version' ? {} : { qualifier: m.qualifier }),
    expected: m.expected,
    actual: m.actual,
    message: `${where} ${m.vex} differs from ${m.scanner} in ${what}: expected ${m.expected}, got ${m.actual ?? '(absent)'}`,
  };
}
