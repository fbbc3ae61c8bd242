import { VexError } from './errors.js';

/**
 * The deepest nesting of arrays and objects accepted in a VEX document: the document
 * object is level 1. A real OpenVEX 0.2.0 document needs 8 levels (document, statements,
 * statement, products, product, subcomponents, component, identifiers); the rest is room
 * for extension keys that lenient mode ignores.
 */
export const MAX_VEX_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects accepted in a Trivy, Grype or SARIF report (the
 * report object is level 1). Real reports stay under 20 levels.
 */
export const MAX_REPORT_DEPTH = 128;

/** How {@link findTooDeep} walks. */
export interface DepthOptions {
  /**
   * `reject`: a value that contains itself is reported as too deep (with `cycle: true`);
   * `ignore`: the back edge is skipped.
   * @defaultValue `'reject'`
   */
  readonly cycles?: 'reject' | 'ignore';
  /**
   * The value is a tree, as `JSON.parse` returns: no object appears twice, so objects are
   * not remembered (faster on large reports).
   * @defaultValue `false`
   */
  readonly tree?: boolean;
}

/** Where a value nests too deeply, as found by {@link findTooDeep}. */
export interface TooDeep {
  /** JSON pointer of the first array or object beyond the limit. */
  readonly path: string;
  /** True when the value contains itself (only reported with `cycles: 'reject'`). */
  readonly cycle: boolean;
}

interface Frame {
  readonly node: object;
  readonly keys: readonly string[] | undefined;
  readonly length: number;
  readonly segment: string;
  i: number;
  height: number;
}

function escapeSegment(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function frameOf(node: object, segment: string): Frame {
  if (Array.isArray(node)) {
    return { node, keys: undefined, length: node.length, segment, i: 0, height: 1 };
  }
  const keys = Object.keys(node);
  return { node, keys, length: keys.length, segment, i: 0, height: 1 };
}

/**
 * Whether `value` nests arrays and objects more than `limit` levels deep (the value itself
 * is level 1), without recursion: this never overflows the stack, however deep the value.
 * Each object is measured once (a shared object costs nothing the second time); the walk
 * stops at the first object beyond the limit. A value that contains itself is infinitely
 * deep (see {@link DepthOptions.cycles}).
 */
export function findTooDeep(
  value: unknown,
  limit: number,
  options: DepthOptions = {},
): TooDeep | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const cycles = options.cycles ?? 'reject';
  // A tree (what JSON.parse returns) shares no object: nothing to remember.
  const heights = options.tree ? undefined : new Map<object, number>();
  const onStack = options.tree ? undefined : new Set<object>([value]);
  const stack: Frame[] = [frameOf(value, '')];
  const pointer = (last: string): string =>
    `${stack
      .slice(1)
      .map((f) => `/${escapeSegment(f.segment)}`)
      .join('')}/${escapeSegment(last)}`;
  if (limit < 1) return { path: '', cycle: false };
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    if (top.i < top.length) {
      const at = top.i++;
      const key = top.keys === undefined ? String(at) : (top.keys[at] as string);
      const child = top.keys === undefined ? (top.node as unknown[])[at] : readKey(top.node, key);
      if (typeof child !== 'object' || child === null) continue;
      if (onStack?.has(child)) {
        if (cycles === 'reject') return { path: pointer(key), cycle: true };
        continue;
      }
      const known = heights?.get(child);
      if (known !== undefined) {
        if (stack.length + known > limit) return { path: pointer(key), cycle: false };
        if (known + 1 > top.height) top.height = known + 1;
        continue;
      }
      if (stack.length + 1 > limit) return { path: pointer(key), cycle: false };
      onStack?.add(child);
      stack.push(frameOf(child, key));
      continue;
    }
    stack.pop();
    onStack?.delete(top.node);
    heights?.set(top.node, top.height);
    const parent = stack[stack.length - 1];
    if (parent && top.height + 1 > parent.height) parent.height = top.height + 1;
  }
  return undefined;
}

/** A property read that treats a throwing getter as an absent value. */
function readKey(node: object, key: string): unknown {
  try {
    return (node as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/**
 * Throw `VexError` (`INPUT_TOO_DEEP`) when `value` nests more than `limit` levels deep (or,
 * unless cycles are ignored, contains itself). `what` names the input in the message; `base`
 * is prefixed to the JSON pointer (e.g. `/2` for the third document of a list).
 */
export function assertShallow(
  value: unknown,
  limit: number,
  what: string,
  base = '',
  options: DepthOptions = {},
): void {
  const deep = findTooDeep(value, limit, options);
  if (deep) throw tooDeepError(deep, limit, what, base);
}

/** The `VexError` for a value {@link findTooDeep} found too deep. */
export function tooDeepError(deep: TooDeep, limit: number, what: string, base = ''): VexError {
  const path = `${base}${deep.path}`;
  return new VexError(
    'INPUT_TOO_DEEP',
    deep.cycle
      ? `${what} contains itself at ${path || '/'}: it is not JSON data`
      : `${what} nests arrays and objects more than ${limit} levels deep (at ${path || '/'})`,
    {
      path,
      expected: `at most ${limit} levels of nesting`,
      actual: deep.cycle ? 'a value that contains itself' : `more than ${limit} levels`,
    },
  );
}
