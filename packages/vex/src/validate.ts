import type { ErrorObject } from 'ajv/dist/2020.js';
import { canonicalJson } from './canonical.js';
import { copyPlainJson, isPlainJson, NOT_PLAIN } from './copy.js';
import { findTooDeep, MAX_VEX_DEPTH } from './depth.js';
import { VexError } from './errors.js';
import { isIri } from './formats.js';
import { parsePurlSafe } from './purl.js';
import { findDuplicates, JUSTIFICATIONS, schemaValidators } from './schema.js';
import type { VexDocument, VexIssue, VexIssueCode } from './types.js';

/** How strictly {@link validateVex} and {@link parseVex} read a document. */
export type ValidationMode = 'strict' | 'lenient';

/** Options of {@link validateVex} and {@link parseVex}. */
export interface ValidateOptions {
  /**
   * `strict`: the OpenVEX 0.2.0 schema plus the semantic rules; every deviation is an error.
   * `lenient`: accept what go-vex and Trivy accept, and report each deviation as a typed
   * warning (missing `@id`, vulnerability with only `@id`, unversioned or trailing-slash
   * `@context`, `affected` without action, extra keys, legacy v0.0.1 shape, …).
   * @defaultValue `'strict'`
   */
  readonly mode?: ValidationMode;
}

/** Outcome of {@link validateVex}. */
export interface ValidationResult {
  /** True when there are no errors (warnings do not count). */
  readonly valid: boolean;
  readonly mode: ValidationMode;
  readonly errors: readonly VexIssue[];
  readonly warnings: readonly VexIssue[];
  /** The parsed (and in lenient mode, normalized) document, present when `valid`. */
  readonly document?: VexDocument;
}

/** A document accepted by {@link parseVex}, with the warnings it raised. */
export interface ParsedVex {
  readonly document: VexDocument;
  readonly warnings: readonly VexIssue[];
  readonly mode: ValidationMode;
}

/** The OpenVEX 0.2.0 JSON-LD context. */
export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';
const CONTEXT_BASE = 'https://openvex.dev/ns';

const DOCUMENT_KEYS = new Set([
  '@context',
  '@id',
  'author',
  'role',
  'timestamp',
  'last_updated',
  'version',
  'tooling',
  'statements',
]);
const STATEMENT_KEYS = new Set([
  '@id',
  'version',
  'vulnerability',
  'timestamp',
  'last_updated',
  'products',
  'status',
  'supplier',
  'status_notes',
  'justification',
  'impact_statement',
  'action_statement',
  'action_statement_timestamp',
]);
const VULNERABILITY_KEYS = new Set(['@id', 'name', 'description', 'aliases']);
const PRODUCT_KEYS = new Set(['@id', 'identifiers', 'hashes', 'subcomponents']);
const COMPONENT_KEYS = new Set(['@id', 'identifiers', 'hashes']);

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Escape one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function atPointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObject(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

/** The input as a value, and whether it came from JSON text (then it is a tree). */
function decodeInput(input: unknown): { value: unknown; parsed: boolean } {
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    try {
      return { value: JSON.parse(text), parsed: true };
    } catch (cause) {
      throw new VexError('JSON_INVALID', 'the VEX input is not valid JSON', {}, { cause });
    }
  }
  return { value: input, parsed: false };
}

class Collector {
  readonly errors: VexIssue[] = [];
  readonly warnings: VexIssue[] = [];
  private readonly seen = new Set<string>();
  constructor(private readonly mode: ValidationMode) {}

  /** Record an issue that is an error in strict mode and a warning in lenient mode. */
  soft(code: VexIssueCode, path: string, message: string, extra: Partial<VexIssue> = {}): void {
    this.add(this.mode === 'strict' ? this.errors : this.warnings, code, path, message, extra);
  }
  error(code: VexIssueCode, path: string, message: string, extra: Partial<VexIssue> = {}): void {
    this.add(this.errors, code, path, message, extra);
  }
  warn(code: VexIssueCode, path: string, message: string, extra: Partial<VexIssue> = {}): void {
    this.add(this.warnings, code, path, message, extra);
  }
  private add(
    list: VexIssue[],
    code: VexIssueCode,
    path: string,
    message: string,
    extra: Partial<VexIssue>,
  ): void {
    const key = `${code}\u0000${path}\u0000${extra.keyword ?? ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    list.push({ ...extra, code, path, message });
  }
}

type ContextKind = 'current' | 'trailing-slash' | 'unversioned' | 'v0.0.1' | 'missing' | 'unknown';

function classifyContext(ctx: unknown): ContextKind {
  if (ctx === undefined) return 'missing';
  if (typeof ctx !== 'string') return 'unknown';
  if (ctx === OPENVEX_CONTEXT) return 'current';
  if (ctx === `${OPENVEX_CONTEXT}/`) return 'trailing-slash';
  if (ctx === CONTEXT_BASE || ctx === `${CONTEXT_BASE}/`) return 'unversioned';
  if (ctx === `${CONTEXT_BASE}/v0.0.1` || ctx === `${CONTEXT_BASE}/v0.0.1/`) return 'v0.0.1';
  return 'unknown';
}

function hasLegacyShape(doc: Json): boolean {
  const statements = doc.statements;
  if (!Array.isArray(statements)) return false;
  return statements.some(
    (s) =>
      isObject(s) &&
      (typeof s.vulnerability === 'string' ||
        'subcomponents' in s ||
        (Array.isArray(s.products) && s.products.some((p) => typeof p === 'string'))),
  );
}

/** Turn the legacy v0.0.1 statement shape into 0.2.0 (go-vex's compat rules). */
function transcodeLegacy(doc: Json): void {
  if (typeof doc.version === 'string' && /^\d+$/.test(doc.version))
    doc.version = Number(doc.version);
  if (!Array.isArray(doc.statements)) return;
  for (const s of doc.statements) {
    if (!isObject(s)) continue;
    if (typeof s.vulnerability === 'string') {
      const v: Json = { name: s.vulnerability };
      const description = s.vulnerability_description ?? s.vuln_description;
      if (typeof description === 'string') v.description = description;
      s.vulnerability = v;
    }
    delete s.vulnerability_description;
    delete s.vuln_description;
    const subs = Array.isArray(s.subcomponents)
      ? s.subcomponents.map((x) => (typeof x === 'string' ? { '@id': x } : x))
      : undefined;
    delete s.subcomponents;
    if (Array.isArray(s.products)) {
      s.products = s.products.map((p) => {
        const product: unknown = typeof p === 'string' ? { '@id': p } : p;
        if (subs?.length && isObject(product) && product.subcomponents === undefined) {
          return { ...product, subcomponents: subs };
        }
        return product;
      });
    }
  }
}

/**
 * The JSON pointer of a place in a document: the document itself (`statement` < 0), a
 * statement (`product` < 0), one of its products (`sub` < 0) or one of that product's
 * subcomponents, with `tail` after it. Built only for what is reported.
 */
function pointerAt(statement: number, product = -1, sub = -1, tail = ''): string {
  if (statement < 0) return tail;
  if (product < 0) return `/statements/${statement}${tail}`;
  return componentPointer(statement, product, sub, tail);
}

/**
 * Remove the keys `allowed` does not hold, with one warning each. The object is at
 * `pointerAt(statement, product, sub, tail)`, worked out only when there is something to
 * report. (Its keys are read with `for…in` and `hasOwn`: the keys of `Object.keys`, in the
 * same order, without an array per object; deleting the key being visited is allowed.)
 */
function stripExtraKeys(
  obj: Json,
  allowed: Set<string>,
  c: Collector,
  statement = -1,
  product = -1,
  sub = -1,
  tail = '',
): void {
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    if (!allowed.has(key)) {
      c.warn(
        'EXTRA_KEY',
        `${pointerAt(statement, product, sub, tail)}/${pointerSegment(key)}`,
        `"${key}" is not an OpenVEX 0.2.0 field; ignored`,
        {
          actual: key,
        },
      );
      delete obj[key];
    }
  }
}

function integerFromString(obj: Json, key: string, path: string, c: Collector): void {
  const v = obj[key];
  if (typeof v === 'string' && /^[1-9]\d*$/.test(v)) {
    c.warn('VERSION_NOT_INTEGER', `${path}/${key}`, `"${key}" is the string "${v}"; read as ${v}`, {
      expected: 'integer',
      actual: v,
    });
    obj[key] = Number(v);
  }
}

/** Lenient-mode normalization: repair what real documents get wrong, with one warning each. */
function normalizeLenient(doc: Json, c: Collector): void {
  stripExtraKeys(doc, DOCUMENT_KEYS, c);
  if (doc['@id'] === undefined) c.warn('DOCUMENT_ID_MISSING', '', 'the document has no @id');
  else if (typeof doc['@id'] === 'string' && !isIri(doc['@id'])) {
    c.warn('DOCUMENT_ID_NOT_IRI', '/@id', 'the document @id is not an IRI (it has no scheme)', {
      actual: doc['@id'],
    });
  }
  if (doc.author === undefined) c.warn('AUTHOR_MISSING', '', 'the document has no author');
  if (doc.timestamp === undefined) {
    c.warn(
      'TIMESTAMP_MISSING',
      '',
      'the document has no timestamp; statements without one have no time',
    );
  }
  if (doc.version === undefined) c.warn('VERSION_MISSING', '', 'the document has no version');
  integerFromString(doc, 'version', '', c);
  if (!Array.isArray(doc.statements)) return;
  const statements = doc.statements;
  for (let i = 0; i < statements.length; i++) {
    const s: unknown = statements[i];
    if (!isObject(s)) continue;
    // Pointers are built only for what is reported: most statements report nothing. (No
    // closure per statement or component for them: this runs once, before the JIT optimizes
    // it, where each closure is an allocation.)
    stripExtraKeys(s, STATEMENT_KEYS, c, i);
    if (typeof s.version === 'string') integerFromString(s, 'version', pointerAt(i), c);
    const v = s.vulnerability;
    if (isObject(v)) {
      stripExtraKeys(v, VULNERABILITY_KEYS, c, i, -1, -1, '/vulnerability');
      if (v.name === undefined && typeof v['@id'] === 'string') {
        c.warn(
          'VULNERABILITY_NAME_MISSING',
          pointerAt(i, -1, -1, '/vulnerability'),
          'the vulnerability has only an @id; the @id is used as its name',
          { actual: v['@id'] },
        );
        v.name = v['@id'];
      }
    }
    if (s.status === 'affected' && s.action_statement === undefined) {
      c.warn(
        'AFFECTED_WITHOUT_ACTION',
        pointerAt(i),
        'an affected statement has no action_statement',
      );
    }
    const products = s.products;
    if (!Array.isArray(products)) continue;
    for (let j = 0; j < products.length; j++) {
      const p: unknown = products[j];
      if (!isObject(p)) continue;
      stripExtraKeys(p, PRODUCT_KEYS, c, i, j);
      const subs = p.subcomponents;
      if (!Array.isArray(subs)) continue;
      for (let k = 0; k < subs.length; k++) {
        const sc: unknown = subs[k];
        if (isObject(sc)) stripExtraKeys(sc, COMPONENT_KEYS, c, i, j, k);
      }
    }
  }
}

function mapSchemaError(e: ErrorObject, doc: unknown, c: Collector): void {
  const path = e.instancePath;
  const sp = e.schemaPath;
  if (e.keyword === 'if') return; // its `then` errors are reported instead
  const atStatement = /^\/statements\/\d+$/.test(path);
  if (atStatement && sp.startsWith('#/allOf/0/')) {
    c.error(
      'NOT_AFFECTED_WITHOUT_JUSTIFICATION',
      path,
      'a not_affected statement needs a justification or an impact_statement',
    );
    return;
  }
  if (atStatement && sp.startsWith('#/allOf/1/')) {
    c.error('AFFECTED_WITHOUT_ACTION', path, 'an affected statement needs an action_statement');
    return;
  }
  if (/\/products\/\d+(\/subcomponents\/\d+)?$/.test(path) && sp.startsWith('#/anyOf')) {
    const target = atPointer(doc, path);
    if (isObject(target) && target.hashes !== undefined) {
      c.error(
        'COMPONENT_HASHES_ONLY',
        path,
        'a component named only by hashes needs an @id or identifiers',
      );
    } else {
      c.error('SCHEMA_VIOLATION', path, `${path || '/'} needs an @id or identifiers`, {
        keyword: 'anyOf',
      });
    }
    return;
  }
  if (path.endsWith('/identifiers') && sp.startsWith('#/anyOf')) {
    c.error('SCHEMA_VIOLATION', path, `${path} needs a purl, cpe22 or cpe23`, { keyword: 'anyOf' });
    return;
  }
  if (e.keyword === 'additionalProperties') {
    const key = String((e.params as { additionalProperty?: unknown }).additionalProperty);
    c.error(
      'EXTRA_KEY',
      `${path}/${pointerSegment(key)}`,
      `"${key}" is not an OpenVEX 0.2.0 field`,
      {
        actual: key,
      },
    );
    return;
  }
  if (e.keyword === 'enum' && path.endsWith('/justification')) {
    c.error('JUSTIFICATION_UNKNOWN', path, 'the justification is not one of the five labels', {
      expected: [...JUSTIFICATIONS],
      actual: atPointer(doc, path),
    });
    return;
  }
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty?: unknown }).missingProperty);
    const codes: Record<string, VexIssueCode> = {
      '@id': 'DOCUMENT_ID_MISSING',
      author: 'AUTHOR_MISSING',
      timestamp: 'TIMESTAMP_MISSING',
      version: 'VERSION_MISSING',
      '@context': 'CONTEXT_MISSING',
    };
    const code = path === '' ? codes[missing] : undefined;
    if (code) {
      c.error(code, path, `the document has no ${missing}`);
      return;
    }
    if (missing === 'name' && path.endsWith('/vulnerability')) {
      c.error('VULNERABILITY_NAME_MISSING', path, 'the vulnerability has no name');
      return;
    }
  }
  if (e.keyword === 'format' && path === '/@id') {
    c.error('DOCUMENT_ID_NOT_IRI', path, 'the document @id is not an IRI', {
      actual: atPointer(doc, path),
    });
    return;
  }
  c.error('SCHEMA_VIOLATION', path, `${path || '/'} ${e.message ?? 'is invalid'}`, {
    keyword: e.keyword,
    expected: e.params,
    actual: atPointer(doc, path),
  });
}

const NOT_FOR: Record<string, readonly string[]> = {
  justification: ['affected', 'fixed', 'under_investigation'],
  impact_statement: ['affected', 'fixed', 'under_investigation'],
  action_statement: ['not_affected', 'fixed', 'under_investigation'],
};
const NOT_FOR_FIELDS = Object.keys(NOT_FOR);
const NOT_FOR_STATUSES = Object.values(NOT_FOR);

/**
 * The JSON pointer of a statement's product (`sub` < 0) or of one of its subcomponents, with
 * `tail` after it: built only for what is reported (most components report nothing).
 */
function componentPointer(statement: number, product: number, sub: number, tail = ''): string {
  const at = `/statements/${statement}/products/${product}`;
  return `${sub < 0 ? at : `${at}/subcomponents/${sub}`}${tail}`;
}

/**
 * Lint a component's purl: the component at (`statement`, `product`, `sub`; see
 * {@link componentPointer}), its field at `tail`.
 */
function checkComponentId(
  id: unknown,
  c: Collector,
  statement: number,
  product: number,
  sub: number,
  tail: string,
): void {
  if (typeof id !== 'string' || !id.startsWith('pkg:')) return;
  const parsed = parsePurlSafe(id);
  if (!parsed) {
    c.warn(
      'PURL_INVALID',
      componentPointer(statement, product, sub, tail),
      `"${id}" does not parse as a purl; it can never match`,
      {
        actual: id,
      },
    );
    return;
  }
  if (parsed.type === 'oci' && parsed.version && /^sha256:sha256:/i.test(parsed.version)) {
    c.warn(
      'DIGEST_DOUBLED',
      componentPointer(statement, product, sub, tail),
      `the digest repeats "sha256:"; scanners never emit this`,
      {
        actual: parsed.version,
      },
    );
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v);
const size = (v: unknown): number => (Array.isArray(v) ? v.length : -1);

/**
 * A short key that deep-equal statements always share (it is made of values at fixed places
 * in them): the duplicate check only compares statements with the same key in full.
 */
function statementBucket(s: unknown): string {
  if (!isObject(s)) return '';
  const v = s.vulnerability;
  const products = s.products;
  const p = Array.isArray(products) && isObject(products[0]) ? products[0] : undefined;
  const subs = p?.subcomponents;
  const sc = Array.isArray(subs) && isObject(subs[0]) ? subs[0] : undefined;
  return [
    text(isObject(v) ? v.name : v),
    text(s.status),
    size(products),
    text(p?.['@id']),
    size(subs),
    text(sc?.['@id']),
  ].join('\u0000');
}

/**
 * Rules beyond the schema: go-vex's status/field rules, duplicates and matching lints.
 * `conforms`: the document passed the schema, so every value in it is JSON data (a string,
 * number, boolean, null, array or object: the schema types every field), and the duplicate
 * check can skip what cannot repeat (lists of one, statements that differ in a cheap key)
 * without skipping an error `canonicalJson` would throw. Otherwise every item is compared in
 * full, as the check always did.
 */
function semanticChecks(doc: Json, c: Collector, lenient: boolean, conforms: boolean): void {
  if (!Array.isArray(doc.statements)) return;
  const duplicates = (items: readonly unknown[], bucket?: (item: unknown) => string) =>
    conforms
      ? items.length < 2
        ? []
        : findDuplicates(items, canonicalJson, bucket)
      : findDuplicates(items, canonicalJson);
  for (const d of duplicates(doc.statements, statementBucket)) {
    c.soft('DUPLICATE_STATEMENT', `/statements/${d.index}`, `repeats statement ${d.firstIndex}`, {
      expected: 'unique statements',
      actual: `/statements/${d.firstIndex}`,
    });
  }
  const statements = doc.statements;
  for (let i = 0; i < statements.length; i++) {
    const s: unknown = statements[i];
    if (!isObject(s)) continue;
    // Pointers are built only for what is reported: most statements report nothing. (Indexed
    // loops and no closures per component: this runs once, before the JIT optimizes it,
    // where each `for…of` step and each closure is an allocation.)
    for (let f = 0; f < NOT_FOR_FIELDS.length; f++) {
      const field = NOT_FOR_FIELDS[f] as string;
      const statuses = NOT_FOR_STATUSES[f] as readonly string[];
      if (s[field] !== undefined && typeof s.status === 'string' && statuses.includes(s.status)) {
        c.soft(
          'FIELD_NOT_ALLOWED_FOR_STATUS',
          `/statements/${i}/${field}`,
          `${field} is not allowed when status is ${s.status}`,
          {
            actual: s.status,
          },
        );
      }
    }
    const products = s.products;
    if (!Array.isArray(products) || products.length === 0) {
      c.warn(
        'STATEMENT_WITHOUT_PRODUCTS',
        `/statements/${i}`,
        'the statement lists no products and matches nothing',
      );
      continue;
    }
    if (products.length > 1 || !conforms) {
      for (const d of duplicates(products)) {
        c.soft(
          'DUPLICATE_PRODUCT',
          `/statements/${i}/products/${d.index}`,
          `repeats product ${d.firstIndex}`,
        );
      }
    }
    for (let j = 0; j < products.length; j++) {
      const p: unknown = products[j];
      if (!isObject(p)) continue;
      checkComponentId(p['@id'], c, i, j, -1, '/@id');
      if (isObject(p.identifiers))
        checkComponentId(p.identifiers.purl, c, i, j, -1, '/identifiers/purl');
      if (lenient && p['@id'] === undefined && p.identifiers === undefined && p.hashes) {
        c.warn(
          'COMPONENT_HASHES_ONLY',
          componentPointer(i, j, -1),
          'a component named only by hashes (accepted in lenient mode)',
        );
      }
      const subs = p.subcomponents;
      if (!Array.isArray(subs)) continue;
      for (let k = 0; k < subs.length; k++) {
        const sc: unknown = subs[k];
        if (!isObject(sc)) continue;
        checkComponentId(sc['@id'], c, i, j, k, '/@id');
        if (isObject(sc.identifiers))
          checkComponentId(sc.identifiers.purl, c, i, j, k, '/identifiers/purl');
        if (lenient && sc['@id'] === undefined && sc.identifiers === undefined && sc.hashes) {
          c.warn(
            'COMPONENT_HASHES_ONLY',
            componentPointer(i, j, k),
            'a component named only by hashes (accepted in lenient mode)',
          );
        }
      }
    }
  }
}

/**
 * Validate an OpenVEX document given as JSON text, bytes or an already-parsed value. Never
 * throws for an invalid document (only for text that is not JSON: `JSON_INVALID`). A
 * document that nests arrays and objects more than {@link MAX_VEX_DEPTH} (64) levels deep,
 * or a value that contains itself, is invalid with the single error `INPUT_TOO_DEEP`.
 */
export function validateVex(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const mode = options.mode ?? 'strict';
  if (mode !== 'strict' && mode !== 'lenient') {
    throw new VexError('ARGUMENT_INVALID', `unknown validation mode "${String(mode)}"`, {
      expected: ['strict', 'lenient'],
      actual: mode,
    });
  }
  const { value: raw, parsed } = decodeInput(input);
  const c = new Collector(mode);
  // Lenient mode normalizes a copy. Plain JSON data is copied directly (a bounded recursion
  // that gives up on anything else, cycles included); the copy is a tree as deep as the
  // input, so its depth is checked without remembering objects.
  let copy: unknown = NOT_PLAIN;
  if (mode === 'lenient' && !parsed) {
    try {
      copy = copyPlainJson(raw, MAX_VEX_DEPTH + 2);
    } catch {
      copy = NOT_PLAIN; // a getter threw: the checks below treat the value as before
    }
  }
  // Every later step (the schema, the duplicate check, the lenient copy) may walk the whole
  // value; bound its depth first, without recursion, so nothing can overflow the stack.
  // Where the copy is too deep, the input is measured again for the same path as always
  // (an object shared at several places is reported where it is first met).
  // Parsed text is plain JSON data: a walk that remembers nothing (bounded recursion) tells
  // it is within the depth, and only a document too deep is walked again for the path.
  const deep =
    copy === NOT_PLAIN
      ? parsed && isPlainJson(raw, MAX_VEX_DEPTH)
        ? undefined
        : findTooDeep(raw, MAX_VEX_DEPTH, { tree: parsed })
      : findTooDeep(copy, MAX_VEX_DEPTH, { tree: true }) &&
        findTooDeep(raw, MAX_VEX_DEPTH, { tree: parsed });
  if (deep) {
    c.error(
      'INPUT_TOO_DEEP',
      deep.path,
      deep.cycle
        ? 'the document contains itself: it is not JSON data'
        : `the document nests arrays and objects more than ${MAX_VEX_DEPTH} levels deep`,
      {
        expected: `at most ${MAX_VEX_DEPTH} levels of nesting`,
        actual: deep.cycle ? 'a value that contains itself' : `more than ${MAX_VEX_DEPTH} levels`,
      },
    );
    return { valid: false, mode, errors: c.errors, warnings: c.warnings };
  }
  if (!isObject(raw)) {
    c.error('SCHEMA_VIOLATION', '', 'a VEX document must be a JSON object', {
      keyword: 'type',
      actual: raw,
    });
    return { valid: false, mode, errors: c.errors, warnings: c.warnings };
  }
  // Text was parsed here: its value is not the caller's, and is normalized in place.
  const doc: Json =
    mode === 'strict' || parsed ? raw : copy === NOT_PLAIN ? structuredClone(raw) : (copy as Json);
  const context = classifyContext(doc['@context']);
  switch (context) {
    case 'missing':
      c.error('CONTEXT_MISSING', '', 'the document has no @context');
      break;
    case 'unknown':
      c.error('CONTEXT_UNKNOWN', '/@context', 'the @context is not an OpenVEX context', {
        expected: OPENVEX_CONTEXT,
        actual: doc['@context'],
      });
      break;
    case 'trailing-slash':
      c.soft('CONTEXT_TRAILING_SLASH', '/@context', 'the @context has a trailing slash', {
        expected: OPENVEX_CONTEXT,
        actual: doc['@context'],
      });
      break;
    case 'unversioned':
    case 'v0.0.1':
      if (hasLegacyShape(doc)) {
        c.soft('LEGACY_V001', '', 'the document has the legacy v0.0.1 shape', {
          expected: OPENVEX_CONTEXT,
          actual: doc['@context'],
        });
        if (mode === 'lenient') transcodeLegacy(doc);
      } else {
        c.soft(
          context === 'unversioned' ? 'CONTEXT_UNVERSIONED' : 'CONTEXT_UNKNOWN',
          '/@context',
          'the @context has no version, which the specification reads as v0.0.1',
          { expected: OPENVEX_CONTEXT, actual: doc['@context'] },
        );
      }
      break;
    default:
      break;
  }
  if (mode === 'lenient') {
    normalizeLenient(doc, c);
    if (context !== 'missing' && context !== 'unknown') doc['@context'] = OPENVEX_CONTEXT;
  }
  const validators = schemaValidators();
  const validator = mode === 'strict' ? validators.strict : validators.lenient;
  const conforms = validator(doc) as boolean;
  if (!conforms) {
    for (const e of validator.errors ?? []) mapSchemaError(e, doc, c);
  }
  semanticChecks(doc, c, mode === 'lenient', conforms);
  const valid = c.errors.length === 0;
  return valid
    ? {
        valid,
        mode,
        errors: c.errors,
        warnings: c.warnings,
        document: doc as unknown as VexDocument,
      }
    : { valid, mode, errors: c.errors, warnings: c.warnings };
}

/**
 * Parse and validate an OpenVEX document. Throws `VexError` (`DOCUMENT_INVALID`, with every
 * error in `detail.issues`) when it does not validate in the chosen mode.
 */
export function parseVex(input: unknown, options: ValidateOptions = {}): ParsedVex {
  const result = validateVex(input, options);
  if (!result.valid || !result.document) {
    const first = result.errors[0];
    throw new VexError(
      'DOCUMENT_INVALID',
      `the VEX document is not valid in ${result.mode} mode: ${result.errors.length} error(s)${first ? `, first at ${first.path || '/'}: ${first.message}` : ''}`,
      { path: first?.path, issues: result.errors },
    );
  }
  return { document: result.document, warnings: result.warnings, mode: result.mode };
}

/**
 * True when the value conforms to the OpenVEX 0.2.0 JSON Schema alone (this package's schema
 * plus the one-pass duplicate check that replaces `uniqueItems`), without the extra semantic
 * rules of strict mode. This is the layer tested against the official schema. A value nested
 * more than {@link MAX_VEX_DEPTH} levels deep is `false`.
 */
export function conformsToOpenVexSchema(value: unknown): boolean {
  if (findTooDeep(value, MAX_VEX_DEPTH)) return false;
  if (!schemaValidators().strict(value)) return false;
  const doc = value as Json;
  if (!Array.isArray(doc.statements)) return true;
  // The schema passed: everything is JSON data, so the cheap duplicate checks are exact.
  if (findDuplicates(doc.statements, canonicalJson, statementBucket).length > 0) return false;
  return doc.statements.every(
    (s) =>
      !isObject(s) ||
      !Array.isArray(s.products) ||
      s.products.length < 2 ||
      findDuplicates(s.products, canonicalJson).length === 0,
  );
}
