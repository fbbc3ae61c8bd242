import { packageConfig } from '../../tsup.base';

// Three entry points: the main one, `./input` (the parsing step on its own) and the worker of
// the verifier pool (the pool starts it by URL). Splitting keeps one copy of the shared code,
// so `BundleVerifyError` is the same class whichever entry threw it.
export default packageConfig({
  entry: { index: 'src/index.ts', input: 'src/input-entry.ts', worker: 'src/worker.ts' },
  shims: true,
  splitting: true,
});
