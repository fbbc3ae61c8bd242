import { type Command, Option } from 'commander';
import { CliError, EXIT, type ExitCode, reportOf } from './errors.js';
import type { Output } from './output.js';

/** Collect a repeatable option's values. */
export function collect(value: string, previous: readonly string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Help text from lines: consecutive prose lines are joined into one paragraph (commander
 * wraps it to the terminal), an empty line separates paragraphs, and lines starting with two
 * spaces are kept as they are (examples, formats).
 */
export function helpText(lines: readonly string[]): string {
  const out: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) out.push(paragraph.join(' '));
    paragraph = [];
  };
  for (const line of lines) {
    if (line === '') {
      flush();
      out.push('');
    } else if (line.startsWith('  ')) {
      flush();
      out.push(line);
    } else paragraph.push(line);
  }
  flush();
  return out.join('\n');
}

/**
 * Record an outcome as soon as it is known, before it is printed: if the reader of standard
 * output goes away while it is printed (`| head -1`), the process still ends with it.
 * The status only ever gets worse (0 → 1 → 2).
 */
export function decided(code: ExitCode): ExitCode {
  const current = typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  if (code > current) process.exitCode = code;
  return code;
}

/** The `--json` option every command has. */
export function jsonOption(): Option {
  return new Option('--json', 'machine-readable JSON output (documented, stable shape)');
}

/** Examples appended to a command's `--help`. */
export function examples(command: Command, lines: readonly string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

/**
 * Run a command body and set the exit code. A {@link CliError} (bad usage, unreadable
 * input) is reported on stderr — and as `{ "error": … }` on stdout with `--json` — with its
 * own exit code; anything unexpected is reported as `INTERNAL` with exit 2.
 */
export async function run(
  out: Output,
  json: boolean | undefined,
  body: () => ExitCode | Promise<ExitCode>,
): Promise<void> {
  let code: ExitCode;
  try {
    code = await body();
  } catch (error) {
    const report = reportOf(error);
    code = decided(error instanceof CliError ? error.exitCode : EXIT.usage);
    if (json) out.json({ error: report });
    out.failure(code === EXIT.usage ? 'error' : 'failed', report);
    if (!(error instanceof CliError) && process.env.FLAREO_DEBUG && error instanceof Error) {
      out.note(error.stack ?? '');
    }
  }
  process.exitCode = code;
}
