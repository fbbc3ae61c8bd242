/** Stable error codes of the runtime test harness. */
export type RuntimeTestErrorCode =
  /** esbuild could not bundle the entry for the target (a syntax error, an unresolvable import). */
  | 'BUNDLE_FAILED'
  /** A Node built-in module (`node:…` or a bare built-in name) is imported by the bundled code. */
  | 'NODE_BUILTIN'
  /** A Node-only global (`Buffer`, `process`, `global`, …) or a leftover `require` reaches the bundle. */
  | 'NODE_GLOBAL'
  /** The runtime (Chromium, workerd) is not installed where it was looked for. */
  | 'TOOL_MISSING'
  /** The runtime failed: the page threw, the worker did not start, the process died. */
  | 'RUNTIME_FAILED'
  /** The runtime gave no results within the time allowed. */
  | 'RUNTIME_TIMEOUT'
  /** What came back is not a list of `{ name, ok, detail }`. */
  | 'RESULTS_INVALID';

/** Structured detail of a {@link RuntimeTestError}. */
export interface RuntimeTestErrorDetail {
  /** The target runtime: `browser` (Chromium), `workerd` or `node`. */
  readonly target?: string | undefined;
  /** What the harness saw: esbuild messages, the offending names, the runtime's output. */
  readonly actual?: unknown;
}

/** The one error class of the harness; every failure carries a stable `code`. */
export class RuntimeTestError extends Error {
  override readonly name = 'RuntimeTestError';
  readonly code: RuntimeTestErrorCode;
  readonly detail: RuntimeTestErrorDetail;

  constructor(
    code: RuntimeTestErrorCode,
    message: string,
    detail: RuntimeTestErrorDetail = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.detail = detail;
  }
}
