import type { Command } from 'commander';
import { decided, examples, helpText, jsonOption, run } from '../command.js';
import { EXIT } from '../errors.js';
import type { Output } from '../output.js';
import { type FileValidation, issueLine, mode, validateFile } from './vex-files.js';

/** `flareo vex validate`. */
export function registerValidate(group: Command, out: Output): void {
  const command = group
    .command('validate')
    .summary('validate OpenVEX documents (lenient by default, --strict for the spec)')
    .description(
      helpText([
        'Validate OpenVEX 0.2.0 documents. By default lenient: what real documents commonly do',
        '(unversioned @context, missing @id, affected without action) is a warning. With --strict',
        'every deviation from the specification is an error.',
        'Exit status: 0 all valid, 1 some document invalid, 2 a file is unreadable or not JSON.',
      ]),
    )
    .argument('<files...>', 'OpenVEX JSON documents (- for standard input)')
    .option('--strict', 'apply the specification strictly')
    .addOption(jsonOption());
  examples(command, [
    'flareo vex validate app.openvex.json',
    'flareo vex validate --strict --json vex/*.json',
  ]);
  command.action((files: string[], flags: { strict?: boolean; json?: boolean }) =>
    run(out, flags.json, async () => {
      const vex = await import('@flareo/vex');
      const results: FileValidation[] = files.map((f) => {
        const { document: _document, ...r } = validateFile(vex, f, mode(flags.strict));
        return r;
      });
      const valid = results.every((r) => r.valid);
      decided(valid ? EXIT.ok : EXIT.failed);
      if (flags.json) {
        out.json({ valid, mode: mode(flags.strict), files: results });
      } else {
        const c = out.out;
        for (const r of results) {
          const counts = [
            r.errors.length ? `${r.errors.length} error${r.errors.length === 1 ? '' : 's'}` : '',
            r.warnings.length
              ? `${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}`
              : '',
          ]
            .filter(Boolean)
            .join(', ');
          out.line(
            `${r.valid ? c.green('✓') : c.red('✗')} ${r.file}: ${r.valid ? 'valid' : c.red('invalid')} (${mode(flags.strict)}${counts ? `, ${counts}` : ''})`,
          );
          for (const e of r.errors) out.line(`    ${issueLine('error', e, c)}`);
          for (const w of r.warnings) out.line(`    ${issueLine('warning', w, c)}`);
        }
      }
      return valid ? EXIT.ok : EXIT.failed;
    }),
  );
}
