// Every verification any test of this package makes through `createVerifier` runs twice:
// the synchronous method the test called, and its `…Async` twin with the same arguments
// (started at once, so it sees the arguments as the test passed them). After each test file
// the two outcomes must agree: the same result, or the same error (class, code, step,
// detail, message up to the method's name), and the same `onStep` events. So every existing
// success and rejection case of the suite is also a case of the asynchronous API.
// (Loaded as a setup file by this package's vitest.config.ts.)

import { afterAll, beforeEach, expect, vi } from 'vitest';
import type {
  BundleVerifier,
  VerificationProgress,
  VerifyCallOptions,
} from '../../src/verifier.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

interface Pair {
  readonly method: string;
  readonly sync: Outcome;
  readonly syncEvents: VerificationProgress[];
  readonly async: Promise<Outcome>;
  readonly asyncEvents: VerificationProgress[];
}

const pairs: Pair[] = [];
let compared = 0;

/** How many sync/async pairs this test file compared so far (for the twin's own test). */
export const twinCount = (): number => compared + pairs.length;

const SYNC = ['verifyBundle', 'verifySignature', 'verifyNormalized'] as const;
type SyncMethod = (typeof SYNC)[number];
const OPTIONS_INDEX: Record<SyncMethod, number> = {
  verifyBundle: 3,
  verifySignature: 2,
  verifyNormalized: 3,
};

function withRecorder(
  args: unknown[],
  index: number,
  events: VerificationProgress[],
  forward: boolean,
) {
  const copy = [...args];
  const given = copy[index] as VerifyCallOptions | undefined;
  // Only well-formed options are instrumented: malformed ones must be refused alike.
  if (given !== undefined && (typeof given !== 'object' || given === null)) return copy;
  if (given?.onStep !== undefined && typeof given.onStep !== 'function') return copy;
  while (copy.length < index) copy.push(undefined);
  copy[index] = {
    ...given,
    onStep: (event: VerificationProgress) => {
      events.push(event);
      if (forward) given?.onStep?.(event);
    },
  };
  return copy;
}

function copyOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

function twin(verifier: BundleVerifier): BundleVerifier {
  const wrapped: Record<string, unknown> = { ...verifier };
  for (const method of SYNC) {
    const asyncMethod = `${method}Async` as const;
    wrapped[method] = (...args: unknown[]) => {
      const syncEvents: VerificationProgress[] = [];
      const asyncEvents: VerificationProgress[] = [];
      const index = OPTIONS_INDEX[method];
      // The async run goes on after this call returns: it gets its own copy of the input
      // and the artifact, as a test may change them afterwards (to prove the result does
      // not follow such changes).
      const asyncArgs = withRecorder(
        args.map((a, i) => (i < 2 ? copyOf(a) : a)),
        index,
        asyncEvents,
        false,
      );
      let sync: Outcome;
      try {
        sync = {
          ok: true,
          value: (verifier[method] as (...a: unknown[]) => unknown)(
            ...withRecorder(args, index, syncEvents, true),
          ),
        };
      } catch (error) {
        sync = { ok: false, error };
      }
      const started = (verifier[asyncMethod] as (...a: unknown[]) => Promise<unknown>)(
        ...asyncArgs,
      );
      const async = (
        started instanceof Promise ? started : Promise.reject(new Error('not a promise'))
      ).then(
        (value): Outcome => ({ ok: true, value }),
        (error): Outcome => ({ ok: false, error }),
      );
      pairs.push({ method, sync, syncEvents, async, asyncEvents });
      if (sync.ok) return sync.value;
      throw sync.error;
    };
  }
  return Object.freeze(wrapped) as unknown as BundleVerifier;
}

// A verifier without its own clock reads the time once per test: the two runs of a call
// happen microseconds apart, and "now" must be the same instant for both.
let testStart = new Date();
beforeEach(() => {
  testStart = new Date();
});

vi.mock(import('../../src/verifier.js'), async (importOriginal) => {
  const original = await importOriginal();
  return {
    ...original,
    createVerifier: (...args: Parameters<typeof original.createVerifier>) => {
      const [root, options] = args;
      const plain =
        typeof options === 'object' &&
        options !== null &&
        Object.getPrototypeOf(options) === Object.prototype;
      const pinned =
        options === undefined || (plain && !('now' in options))
          ? { ...options, now: () => new Date(testStart) }
          : options;
      const verifier = original.createVerifier(root, pinned);
      // The parse-once test counts certificate parses per call: a twin would double them.
      return expect.getState().testPath?.endsWith('parse-once.test.ts') ? verifier : twin(verifier);
    },
  };
});

/**
 * Structural equality without recursion, for results too deep for `toEqual` (a predicate
 * nested deeper than the call stack): same own keys, same primitives, Dates and bytes.
 */
function sameShape(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  const seen = new Set<unknown>();
  while (stack.length) {
    const [x, y] = stack.pop() as [unknown, unknown];
    if (Object.is(x, y)) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (seen.has(x)) continue;
    seen.add(x);
    if (x instanceof Date || y instanceof Date) {
      if (!(x instanceof Date && y instanceof Date) || x.getTime() !== y.getTime()) return false;
      continue;
    }
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    if (kx.length !== ky.length || Array.isArray(x) !== Array.isArray(y)) return false;
    for (const k of kx) {
      if (!(k in y)) return false;
      stack.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
}

const describeError = (e: unknown) => {
  const err = e as { name?: string; code?: unknown; detail?: unknown; message?: string };
  return {
    class: (e as object)?.constructor?.name,
    code: err.code,
    detail: err.detail,
    message: String(err.message).replaceAll('Async', ''),
  };
};

afterAll(async () => {
  const all = pairs.splice(0);
  for (const pair of all) {
    const async = await pair.async;
    const what = `${pair.method}: async twin`;
    if (pair.sync.ok) {
      expect(async.ok, `${what} rejected where the sync call succeeded`).toBe(true);
      const value = (async as { value: unknown }).value;
      try {
        expect(value, what).toEqual(pair.sync.value);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        expect(sameShape(value, pair.sync.value), `${what}: results differ`).toBe(true);
      }
    } else {
      expect(async.ok, `${what} succeeded where the sync call threw`).toBe(false);
      expect(describeError((async as { error: unknown }).error), what).toEqual(
        describeError(pair.sync.error),
      );
    }
    expect(pair.asyncEvents, `${what}: onStep events`).toEqual(pair.syncEvents);
  }
  compared += all.length;
});
