import type { Instant } from '../formats.js';
import { parseInstant } from '../formats.js';
import { type Claim, componentClaims, withoutTag } from '../identity.js';
import { coarseKeyOf } from '../purl.js';
import type { StatementRef } from '../resolve.js';
import type { VexComponent, VexDocument, VexProduct, VexStatement } from '../types.js';
import { UnionFind } from './union-find.js';

/** Normalize a vulnerability id for lookups: trimmed and upper-cased. */
export function vulnerabilityKey(id: string): string {
  return id.trim().toUpperCase();
}

const TOKEN = /CVE-\d{4}-\d{4,}|GHSA(?:-[0-9A-Z]{4}){3}|GO-\d{4}-\d{4,}/g;

/** The CVE, GHSA and Go ids inside a vulnerability name, for near misses by id. */
export function tokens(text: string): string[] {
  return vulnerabilityKey(text).match(TOKEN) ?? [];
}

/** A statement product that names an OCI image only by tag (see `matchOciTags`). */
export interface TagOnlyProduct {
  readonly ref: StatementRef;
  readonly statement: VexStatement;
  /** The identifier as written. */
  readonly text: string;
  /** The same identifier without its tag: which image repository it is about. */
  readonly repository: readonly Claim[];
}

/** A statement's product, as indexed before its group is filed (see `IndexCore`). */
export interface Seed {
  readonly ref: StatementRef;
  readonly statement: VexStatement;
  readonly doc: VexDocument;
  readonly docTime: Instant | undefined;
  readonly docUpdated: Instant | undefined;
  /** 1-based position of the statement among all statements of all documents. */
  readonly position: number;
  readonly productClaims: readonly Claim[];
  readonly subs: readonly (readonly Claim[])[];
}

/** What the claims of one role (products or subcomponents) of a group's statements can meet. */
export interface ReachSet {
  /** Every claim key (`purl:`, `iri:`, `cpe:`, `hash:`). */
  readonly keys: Set<string>;
  /** The texts of the IRI claims (their keys without `iri:`). */
  readonly texts: Set<string>;
  /** The coarse package keys of the purl claims (see `coarsePackageKey`). */
  readonly coarse: Set<string>;
  /**
   * Coarse package key → the versions (lower-cased) of the purl claims with that key, or
   * `null` when one of them has no version (it takes every version).
   */
  readonly versions: Map<string, Set<string> | null>;
  /** The claim lists already added (the same component's list is shared by statements). */
  readonly added: Set<readonly Claim[]>;
}

/** What the claims of one vulnerability group's statements can meet. */
export interface Reach {
  readonly product: ReachSet;
  readonly sub: ReachSet;
}

/** What {@link buildIndex} reads out of the documents, for `IndexCore` to look up. */
export interface IndexData {
  /** Vulnerability key (see {@link vulnerabilityKey}) → its group. */
  readonly groupOf: Map<string, number>;
  /** Group → its statements' products, in statement order, until the group is filed. */
  readonly seeds: Map<number, Seed[]>;
  /** Group → the claim keys its statements can meet. */
  readonly reach: Map<number, Reach>;
  /** CVE/GHSA/Go id token → the groups whose names contain it. */
  readonly tokenGroups: Map<string, Set<number>>;
  /** The coarse package keys of every purl any statement names. */
  readonly packages: Set<string>;
  /** Identifiers left out of matching because they name an image only by tag. */
  readonly tagOnly: TagOnlyProduct[];
  /** Number of statements indexed. */
  readonly statementCount: number;
}

/**
 * Read the documents into index data, in two passes: {@link groupNames} puts every name of
 * each vulnerability in one group; {@link seedStatements} files each statement's products
 * and subcomponents (as claims) under its group, with what the group can meet.
 */
export function buildIndex(docs: readonly VexDocument[], matchOciTags: boolean): IndexData {
  const { groupOf, statementNames } = groupNames(docs);
  const data: IndexData = {
    groupOf,
    seeds: new Map(),
    reach: new Map(),
    tokenGroups: new Map(),
    packages: new Set(),
    tagOnly: [],
    statementCount: statementNames.length,
  };
  seedStatements(docs, statementNames, matchOciTags, data);
  return data;
}

/** A statement's names: its vulnerability's name, `@id` and aliases, as lookup keys. */
function namesOf(s: VexStatement): string[] {
  const v = s.vulnerability;
  const names: string[] = [];
  addName(names, v.name);
  addName(names, v['@id']);
  const aliases: unknown = v.aliases ?? [];
  if (Array.isArray(aliases)) for (let i = 0; i < aliases.length; i++) addName(names, aliases[i]);
  // A document that was not validated can hold anything: read it as before (spread).
  else for (const a of aliases as Iterable<unknown>) addName(names, a);
  return names;
}

/** Add a name that is a non-blank string, as a lookup key (see {@link namesOf}). */
function addName(names: string[], n: unknown): void {
  if (typeof n === 'string' && n.trim() !== '') names.push(vulnerabilityKey(n));
}

/**
 * Pass 1: every name, alias and `@id` of each statement's vulnerability in one group (names
 * that two statements share join their groups). Returns each name's group and every
 * statement's names, in statement order.
 */
export function groupNames(docs: readonly VexDocument[]): {
  groupOf: Map<string, number>;
  statementNames: string[][];
} {
  const sets = new UnionFind();
  const statementNames: string[][] = [];
  // Indexed loops in this pass and the next: they run once per statement, before the JIT
  // optimizes them, where `for…of` allocates an iterator and a result object per step.
  for (let d = 0; d < docs.length; d++) {
    const statements = (docs[d] as VexDocument).statements;
    for (let i = 0; i < statements.length; i++) {
      const names = namesOf(statements[i] as VexStatement);
      statementNames.push(names);
      const first = names[0];
      if (first === undefined) continue;
      sets.add(first);
      for (let k = 1; k < names.length; k++) sets.union(first, names[k] as string);
    }
  }
  return { groupOf: new Map(sets.sets()), statementNames };
}

/**
 * Pass 2: one seed per (statement, product) under the statement's group, and the group's
 * reach. Documents repeat the same components and names many times over (the vexhub rke2
 * document: 1,666 statements, 29 vulnerabilities, 215 distinct components), so each
 * component named only by an `@id` is turned into claims once, each claim into its reach
 * keys once, and each name into tokens once. Claims are never changed after this.
 */
function seedStatements(
  docs: readonly VexDocument[],
  statementNames: readonly string[][],
  matchOciTags: boolean,
  data: IndexData,
): void {
  const seeder = new Seeder(data, matchOciTags);
  let position = 0;
  for (let documentIndex = 0; documentIndex < docs.length; documentIndex++) {
    const doc = docs[documentIndex] as VexDocument;
    const docTime = parseInstant(doc.timestamp);
    const docUpdated = parseInstant(doc.last_updated);
    const statements = doc.statements;
    for (let statementIndex = 0; statementIndex < statements.length; statementIndex++) {
      const statement = statements[statementIndex] as VexStatement;
      const names = statementNames[position] as string[];
      position++;
      const group = names[0] === undefined ? undefined : data.groupOf.get(names[0]);
      if (group === undefined) continue;
      seeder.tokenize(names, group);
      const ref: StatementRef = { documentId: doc['@id'], documentIndex, statementIndex };
      const reach = reachOf(data, group);
      const listed: unknown = statement.products ?? [];
      // A document that was not validated can hold anything: read it as before (for…of).
      const products = Array.isArray(listed) ? listed : [...(listed as Iterable<VexProduct>)];
      for (let p = 0; p < products.length; p++) {
        const product = products[p] as VexProduct;
        const seed: Seed = {
          ref,
          statement,
          doc,
          docTime,
          docUpdated,
          position,
          productClaims: seeder.usable(seeder.claimsOf(product), ref, statement),
          subs: (product.subcomponents ?? []).map((sc) =>
            seeder.usable(seeder.claimsOf(sc), ref, statement),
          ),
        };
        seeder.reachClaims(reach.product, seed.productClaims);
        for (let k = 0; k < seed.subs.length; k++) {
          seeder.reachClaims(reach.sub, seed.subs[k] as readonly Claim[]);
        }
        const seeds = data.seeds.get(group);
        if (seeds) seeds.push(seed);
        else data.seeds.set(group, [seed]);
      }
    }
  }
}

/** What pass 2 remembers while it reads the documents, so each piece is worked out once. */
class Seeder {
  /** Claims of components named only by an `@id`, by that id. */
  private readonly claimsById = new Map<string, Claim[]>();
  /** Coarse package key of each purl claim. */
  private readonly coarseOfClaim = new Map<Claim, string>();
  /** Names whose tokens are filed. */
  private readonly tokenized = new Set<string>();
  /** Whether a claim list has an identifier that names an image only by tag. */
  private readonly tagOnlyIn = new Map<readonly Claim[], boolean>();

  constructor(
    private readonly data: IndexData,
    private readonly matchOciTags: boolean,
  ) {}

  /** A component's claims, shared by every component with the same plain `@id`. */
  claimsOf(component: VexComponent): Claim[] {
    const id = component['@id'];
    const simple =
      typeof id === 'string' &&
      component.identifiers === undefined &&
      component.hashes === undefined;
    if (!simple) return componentClaims(component);
    let claims = this.claimsById.get(id);
    if (!claims) {
      claims = componentClaims(component);
      this.claimsById.set(id, claims);
    }
    return claims;
  }

  /** File the CVE/GHSA/Go tokens of a statement's names under its group, once per name. */
  tokenize(names: readonly string[], group: number): void {
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      if (this.tokenized.has(name)) continue;
      this.tokenized.add(name);
      for (const t of tokens(name)) {
        const set = this.data.tokenGroups.get(t);
        if (set) set.add(group);
        else this.data.tokenGroups.set(t, new Set([group]));
      }
    }
  }

  /**
   * The claims matching may use: identifiers that name an image only by tag are set aside
   * (see `matchOciTags`) and recorded in `tagOnly`.
   */
  usable(claims: Claim[], ref: StatementRef, statement: VexStatement): Claim[] {
    if (this.matchOciTags || !this.hasTagOnly(claims)) return claims;
    for (const c of claims) {
      if (c.tagOnly && c.purl) {
        this.data.tagOnly.push({
          ref,
          statement,
          text: c.text,
          repository: [{ key: c.key, purl: withoutTag(c.purl), text: c.text }],
        });
      }
    }
    return claims.filter((c) => !c.tagOnly);
  }

  /** Add a component's claims to a reach set, once per set (claim lists are shared). */
  reachClaims(set: ReachSet, claims: readonly Claim[]): void {
    if (set.added.has(claims)) return;
    set.added.add(claims);
    for (let i = 0; i < claims.length; i++) this.reachClaim(set, claims[i] as Claim);
  }

  private reachClaim(set: ReachSet, c: Claim): void {
    set.keys.add(c.key);
    if (c.key.startsWith('iri:')) set.texts.add(c.key.slice(4));
    if (c.purl) {
      let coarse = this.coarseOfClaim.get(c);
      if (coarse === undefined) {
        coarse = coarseKeyOf(c.purl);
        this.coarseOfClaim.set(c, coarse);
        this.data.packages.add(coarse);
      }
      set.coarse.add(coarse);
      const version = c.purl.version;
      const known = set.versions.get(coarse);
      if (version === undefined) set.versions.set(coarse, null);
      else if (known) known.add(version.toLowerCase());
      else if (known === undefined) set.versions.set(coarse, new Set([version.toLowerCase()]));
    }
  }

  private hasTagOnly(claims: readonly Claim[]): boolean {
    let has = this.tagOnlyIn.get(claims);
    if (has === undefined) {
      has = claims.some((c) => c.tagOnly);
      this.tagOnlyIn.set(claims, has);
    }
    return has;
  }
}

function reachSet(): ReachSet {
  return {
    keys: new Set(),
    texts: new Set(),
    coarse: new Set(),
    versions: new Map(),
    added: new Set(),
  };
}

function reachOf(data: IndexData, group: number): Reach {
  let reach = data.reach.get(group);
  if (!reach) {
    reach = { product: reachSet(), sub: reachSet() };
    data.reach.set(group, reach);
  }
  return reach;
}
