/** What the `flareo vex` subcommands share: reading and validating VEX files. */
import type { ParsedVex, ValidationMode, VexDocument, VexIssue } from '@flareo/vex';
import { CliError, inputError } from '../errors.js';
import { parseJson, readText } from '../io.js';
import type { Colors, Output } from '../output.js';

export const mode = (strict: boolean | undefined): ValidationMode =>
  strict ? 'strict' : 'lenient';

/** One file's validation, as `vex validate --json` reports it. */
export interface FileValidation {
  readonly file: string;
  readonly valid: boolean;
  readonly errors: readonly VexIssue[];
  readonly warnings: readonly VexIssue[];
}

export type VexModule = typeof import('@flareo/vex');

export function validateFile(
  vex: VexModule,
  file: string,
  validationMode: ValidationMode,
): FileValidation & { readonly document?: VexDocument } {
  // The text goes to the library, which parses it itself: a value it parsed is its own, so
  // lenient mode normalizes it in place instead of copying it. Text that is not JSON is
  // parsed here once more, for this command's own error (line and column, exit 2).
  const text = readText(file, 'VEX document');
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    const r = vex.validateVex(body, { mode: validationMode });
    return {
      file,
      valid: r.valid,
      errors: r.errors,
      warnings: r.warnings,
      ...(r.document === undefined ? {} : { document: r.document }),
    };
  } catch (error) {
    if (error instanceof vex.VexError && error.code === 'JSON_INVALID') {
      parseJson(text, file, 'VEX document');
    }
    throw inputError(error, file);
  }
}

export function issueLine(kind: 'error' | 'warning', issue: VexIssue, c: Colors): string {
  const label = kind === 'error' ? c.red('error  ') : c.yellow('warning');
  return `${label} ${c.bold(issue.code)} ${c.dim(issue.path || '/')}: ${issue.message}`;
}

/** Parse VEX files for merge/apply: lenient by default; an invalid document is exit 2. */
export function parseVexFiles(
  vex: VexModule,
  files: readonly string[],
  strict: boolean | undefined,
  out: Output,
) {
  const parsed: ParsedVex[] = [];
  for (const file of files) {
    const v = validateFile(vex, file, mode(strict));
    if (!v.valid) {
      const first = v.errors[0];
      throw new CliError({
        code: 'DOCUMENT_INVALID',
        message: `VEX document ${file} is not valid OpenVEX (${v.errors.length} error${v.errors.length === 1 ? '' : 's'}${strict ? ', strict' : ''})`,
        ...(first
          ? {
              field: first.path || '/',
              expected: first.expected ?? first.message,
              ...(first.actual === undefined ? {} : { actual: first.actual }),
            }
          : {}),
        hint: `run \`flareo vex validate ${strict ? '--strict ' : ''}${file}\` for every issue`,
      });
    }
    for (const w of v.warnings) out.note(`${file}: ${issueLine('warning', w, out.err)}`);
    if (v.document) parsed.push({ document: v.document, warnings: v.warnings, mode: mode(strict) });
  }
  return parsed;
}
