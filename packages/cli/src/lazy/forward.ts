import { createRequire } from 'node:module';

// The command ships as bundled files, CommonJS and ESM (see tsup.config.ts). re2js (RE2 regular
// expressions, imported statically by @flareo/bundle-verify) is a quarter of the code that
// `flareo verify` would load, and V8 reads all of a loaded module, while only the identity
// regexp flags (`--certificate-identity-regexp`…) use it. The build bundles it into
// `dist/vendor/re2js.cjs` and points the `re2js` import at the stand-in of this folder, which
// loads the real module on first use, synchronously, with `require` (CommonJS, so Node 20
// loads it synchronously without require(esm)). Same library, same code, loaded later.
// undici, the HTTP client of `flareo verify-image`'s registry sources, is vendored the same way
// (undici.ts).
// (@noble/curves was tried the same way and left in the bundle: the embedded root's EC keys
// are checked on the curve with it at load, so `verify` loads it anyway.)

/** A loader of one vendored CommonJS bundle next to this file's bundle or chunk in `dist/`. */
export function vendored<T>(file: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= createRequire(import.meta.url)(`./vendor/${file}`) as T;
    return loaded;
  };
}

const isClass = (value: unknown): boolean =>
  typeof value === 'function' && Function.prototype.toString.call(value).startsWith('class');

/**
 * A stand-in for an exported value (object, function or class) that resolves it on first use:
 * property reads, calls and `new` go to the real value; methods read from it are bound to it.
 * Hand-written: a few lines of `Proxy`, for a packaging concern no library covers.
 */
export function forward<T extends object>(resolve: () => T): T {
  // A plain (strict-mode) function target, so the stand-in can be called and constructed.
  const target = function standIn() {} as unknown as T;
  return new Proxy(target, {
    get(_target, property) {
      const real = resolve();
      const value = Reflect.get(real, property, real);
      return typeof value === 'function' && !isClass(value) ? value.bind(real) : value;
    },
    has: (_target, property) => Reflect.has(resolve(), property),
    apply: (_target, self, args) =>
      Reflect.apply(resolve() as unknown as (...a: unknown[]) => unknown, self, args),
    construct: (_target, args) =>
      Reflect.construct(resolve() as unknown as new (...a: unknown[]) => object, args),
  });
}
