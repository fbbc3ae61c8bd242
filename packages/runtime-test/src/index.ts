export {
  type BundleOptions,
  bundleCases,
  bundleModule,
  type RuntimeBundle,
  type RuntimeTarget,
} from './bundle.js';
export type { CaseOutcome, CaseResult, RuntimeCase } from './cases.js';
export { sortedJson } from './cases.js';
export { type ChromiumOptions, ChromiumRunner, type ChromiumRunOptions } from './chromium.js';
export {
  RuntimeTestError,
  type RuntimeTestErrorCode,
  type RuntimeTestErrorDetail,
} from './errors.js';
export { runInNode } from './node.js';
export { differences, parseResults } from './results.js';
export {
  findWorkerd,
  runInWorkerd,
  type WorkerdBinary,
  type WorkerdRunOptions,
} from './workerd.js';
