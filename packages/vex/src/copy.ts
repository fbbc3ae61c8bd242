/** What {@link copyPlainJson} returns for a value that is not plain JSON data. */
export const NOT_PLAIN: unique symbol = Symbol('not plain JSON data');

/** Thrown inside {@link copy} to give up. */
const GIVE_UP: unique symbol = Symbol('give up');

/**
 * A deep copy of plain JSON data (plain objects, arrays, strings, numbers, booleans, null),
 * several times faster than `structuredClone`, or {@link NOT_PLAIN} for anything else: a
 * Date, a Map, a class instance, a sparse array, a function, a symbol, or a value nested
 * `maxDepth` levels deep (which includes every value that contains itself). The copy is a
 * tree: an object met twice is copied twice. An own `__proto__` key stays a data property.
 * A getter that throws makes this throw too.
 */
export function copyPlainJson(value: unknown, maxDepth: number): unknown {
  try {
    return copy(value, 0, maxDepth);
  } catch (e) {
    if (e === GIVE_UP) return NOT_PLAIN;
    throw e;
  }
}

function copy(value: unknown, depth: number, maxDepth: number): unknown {
  if (typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') throw GIVE_UP;
    return value;
  }
  if (value === null) return value;
  if (depth >= maxDepth) throw GIVE_UP;
  const proto = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    const n = array.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) throw GIVE_UP; // a hole
      out[i] = copy(item, depth + 1, maxDepth);
    }
    return out;
  }
  if (proto !== Object.prototype && proto !== null) throw GIVE_UP;
  const object = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    const item = copy(object[key], depth + 1, maxDepth);
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: item,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else out[key] = item;
  }
  return out;
}

/**
 * Whether {@link copyPlainJson} would copy `value` (plain JSON data nested less than
 * `maxDepth` levels), found by the same walk without copying anything: for a value used as
 * it is, whose depth must still be bounded. `false` for anything it would give up on.
 */
export function isPlainJson(value: unknown, maxDepth: number): boolean {
  return plain(value, 0, maxDepth);
}

function plain(value: unknown, depth: number, maxDepth: number): boolean {
  if (typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (value === null) return true;
  if (depth >= maxDepth) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const array = value as unknown[];
    const n = array.length;
    for (let i = 0; i < n; i++) {
      const item = array[i];
      if (item === undefined && !(i in array)) return false; // a hole
      if (typeof item === 'object' && !plain(item, depth + 1, maxDepth)) return false;
      if (typeof item === 'function' || typeof item === 'symbol') return false;
    }
    return true;
  }
  if (proto !== Object.prototype && proto !== null) return false;
  const object = value as Record<string, unknown>;
  // `for…in` with `hasOwn` visits exactly the keys of `Object.keys` (own, enumerable, string),
  // in the same order, without making an array of them for every object of the report.
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const item = object[key];
    if (typeof item === 'object' && !plain(item, depth + 1, maxDepth)) return false;
    if (typeof item === 'function' || typeof item === 'symbol') return false;
  }
  return true;
}
