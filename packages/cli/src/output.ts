import pc from 'picocolors';
import type { FailureReport } from './errors.js';

/** The colour functions the CLI uses (picocolors' shape). */
export type Colors = ReturnType<typeof pc.createColors>;

interface Stream {
  write(chunk: string): boolean;
  readonly isTTY?: boolean;
}

/**
 * Colour only on a terminal: `NO_COLOR` (any non-empty value) turns it off, `FORCE_COLOR`
 * (other than `0`) turns it on, `TERM=dumb` turns it off.
 */
export function colorEnabled(stream: Stream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') {
    return true;
  }
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Where a command writes: results to stdout, diagnostics to stderr. */
export class Output {
  readonly out: Colors;
  readonly err: Colors;

  constructor(
    readonly stdout: Stream = process.stdout,
    readonly stderr: Stream = process.stderr,
  ) {
    this.out = pc.createColors(colorEnabled(stdout));
    this.err = pc.createColors(colorEnabled(stderr));
  }

  /** A line on stdout. */
  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A line on stderr. */
  note(text = ''): void {
    this.stderr.write(`${text}\n`);
  }

  /** Pretty JSON on stdout (two-space indent, like the scanners write). */
  json(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
  }

  /** One compact JSON value on one line of stdout (JSON Lines). */
  jsonLine(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, jsonReplacer)}\n`);
  }

  /** A failure on stderr: the code, what was expected and found, and a hint. */
  failure(title: string, report: FailureReport): void {
    const c = this.err;
    this.note(`${c.red(c.bold('✗'))} ${c.bold(title)}: ${c.red(report.code)}`);
    for (const line of describeFailure(report)) this.note(`  ${line}`);
    if (report.hint) this.note(`  ${c.yellow('hint:')}     ${report.hint}`);
  }

  /** A warning on stderr. */
  warn(text: string): void {
    this.note(`${this.err.yellow('warning:')} ${text}`);
  }
}

/** BigInts (log indexes) and Dates as strings; everything else as is. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Render any detail value compactly on one line. */
export function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  const text = JSON.stringify(value, jsonReplacer);
  if (text === undefined) return String(value);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** The lines under a failure title (without the hint). */
export function describeFailure(report: FailureReport): string[] {
  const lines = [report.message];
  if (report.step !== undefined) lines.push(`step:     ${report.step}`);
  if (report.field !== undefined) lines.push(`field:    ${report.field}`);
  if (report.expected !== undefined) lines.push(`expected: ${show(report.expected)}`);
  if (report.actual !== undefined) lines.push(`found:    ${show(report.actual)}`);
  if (report.missing !== undefined) lines.push(`missing:  ${report.missing}`);
  return lines;
}
