/** Exit codes of every `flareo` command. */
export const EXIT = Object.freeze({
  /** Verified, passed, or the command did what was asked. */
  ok: 0,
  /** Verification failed, or the policy verdict is `fail`. */
  failed: 1,
  /** Bad usage, or an input that cannot be read or parsed. */
  usage: 2,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** What every failure reports, on the terminal and in `--json` output. */
export interface FailureReport {
  readonly code: string;
  readonly message: string;
  readonly step?: string;
  readonly field?: string;
  readonly expected?: unknown;
  readonly actual?: unknown;
  readonly missing?: string;
  /** The `@flareo/rekor-set` code behind a transparency-log failure. */
  readonly rekorCode?: string;
  readonly hint?: string;
}

/**
 * An error the CLI layer raises itself: bad usage, unreadable files, inputs that are not
 * what a command needs. Library errors are translated into one of these (or reported as
 * verification failures) before they reach the user.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;
  readonly report: FailureReport;

  constructor(
    report: Omit<FailureReport, 'message'> & { message: string },
    exitCode: ExitCode = EXIT.usage,
    options?: { cause?: unknown },
  ) {
    super(report.message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.report = report;
    this.exitCode = exitCode;
  }
}

/** A usage error: the arguments do not make sense together. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError({ code: 'USAGE', message, ...(hint === undefined ? {} : { hint }) });
}

interface CodedError {
  readonly code: string;
  readonly message: string;
  readonly detail?: Record<string, unknown>;
}

function isCoded(error: unknown): error is CodedError {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^[A-Z][A-Z0-9_]*$/.test((error as unknown as { code: string }).code)
  );
}

/**
 * Turn a library error with a `code` and a `detail` (`TrustRootError`, `VexError`,
 * `PolicyError`, `TrustScoreError`) into a report; anything else becomes `INTERNAL`.
 */
export function reportOf(error: unknown, context?: string): FailureReport {
  if (error instanceof CliError) return error.report;
  const message = error instanceof Error ? error.message : String(error);
  const prefix = context && !message.includes(context) ? `${context}: ` : '';
  if (isCoded(error)) {
    const d = error.detail ?? {};
    const pick = (k: string): Record<string, unknown> =>
      d[k] === undefined || d[k] === null ? {} : { [k]: d[k] };
    const where =
      typeof d.path === 'string' && d.path !== ''
        ? { field: d.path }
        : typeof d.line === 'number'
          ? { field: `line ${d.line}` }
          : typeof d.field === 'string'
            ? { field: d.field }
            : {};
    return {
      code: error.code,
      message: `${prefix}${message}`,
      ...where,
      ...pick('expected'),
      ...pick('actual'),
    } as FailureReport;
  }
  return { code: 'INTERNAL', message: `${prefix}${message}` };
}

/** Wrap a library parse error as an input error (exit 2), naming the file it came from. */
export function inputError(error: unknown, file: string): CliError {
  if (error instanceof CliError) return error;
  return new CliError(reportOf(error, file), EXIT.usage, { cause: error });
}
