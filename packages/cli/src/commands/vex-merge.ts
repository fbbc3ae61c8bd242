import { writeFileSync } from 'node:fs';
import type { MergeOptions } from '@flareo/vex';
import type { Command } from 'commander';
import { collect, examples, helpText, jsonOption, run } from '../command.js';
import { EXIT, inputError } from '../errors.js';
import { integerOption, rfc3339Option } from '../options.js';
import type { Output } from '../output.js';
import { parseVexFiles, type VexModule } from './vex-files.js';

interface MergeFlags {
  readonly id?: string;
  readonly author?: string;
  readonly timestamp?: string;
  readonly docVersion?: number;
  readonly trustedAuthor?: string[];
  readonly strict?: boolean;
  readonly output?: string;
  readonly json?: boolean;
}

/** `flareo vex merge`. */
export function registerMerge(group: Command, out: Output): void {
  const command = group
    .command('merge')
    .summary('merge OpenVEX documents into one (deterministic)')
    .description(
      helpText([
        'Merge OpenVEX documents into one: a document superseded by a later version of the same',
        '@id is dropped, identical statements are kept once, and the result is deterministic',
        '(its timestamp is the latest input timestamp, never "now"). The merged document goes to',
        'standard output (or --output); what was dropped is reported on standard error.',
      ]),
    )
    .argument('<files...>', 'OpenVEX JSON documents')
    .option('--id <iri>', 'the merged document’s @id (default: urn:flareo:vex:sha256:<hash>)')
    .option('--author <name>', 'the merged document’s author (default: Flareo)')
    .option(
      '--timestamp <rfc3339>',
      'the merged document’s timestamp (default: latest input)',
      rfc3339Option(),
    )
    .option(
      '--doc-version <n>',
      'the merged document’s version (default: 1)',
      integerOption({ min: 1 }),
    )
    .option('--trusted-author <name>', 'keep only documents by this author; repeatable', collect)
    .option('--strict', 'reject inputs that are not strictly valid')
    .option('-o, --output <file>', 'write the merged document to this file')
    .addOption(jsonOption());
  examples(command, [
    'flareo vex merge vendor.openvex.json catalog.openvex.json > merged.openvex.json',
    'flareo vex merge --id https://catalog.example/vex/app --trusted-author "Catalog review" *.json',
  ]);
  command.action((files: string[], flags: MergeFlags) =>
    run(out, flags.json, async () => {
      const vex = await import('@flareo/vex');
      const docs = parseVexFiles(vex, files, flags.strict, out);
      const options: MergeOptions = {
        ...(flags.id === undefined ? {} : { id: flags.id }),
        ...(flags.author === undefined ? {} : { author: flags.author }),
        ...(flags.timestamp === undefined ? {} : { timestamp: flags.timestamp }),
        ...(flags.docVersion === undefined ? {} : { version: flags.docVersion }),
        ...(flags.trustedAuthor?.length ? { trustedAuthors: flags.trustedAuthor } : {}),
      };
      let merged: ReturnType<VexModule['mergeVex']>;
      try {
        merged = vex.mergeVex(docs, options);
      } catch (error) {
        throw inputError(error, 'merge');
      }
      const text = `${JSON.stringify(merged.document, null, 2)}\n`;
      if (flags.output !== undefined) writeFileSync(flags.output, text);
      if (flags.json) {
        out.json({
          document: merged.document,
          dropped: merged.dropped.map((d) => ({ ...d, file: files[d.documentIndex] })),
          conflicts: merged.conflicts.map((c) => ({
            ...c,
            files: c.documentIndexes.map((i) => files[i]),
          })),
          duplicatesRemoved: merged.duplicatesRemoved,
          ...(flags.output === undefined ? {} : { output: flags.output }),
        });
      } else if (flags.output === undefined) {
        out.stdout.write(text);
      }
      for (const d of merged.dropped) {
        const why =
          d.reason === 'superseded'
            ? `superseded by ${files[d.by ?? -1] ?? `document ${d.by}`}`
            : 'author not trusted';
        out.note(`dropped ${files[d.documentIndex]}: ${why}`);
      }
      for (const c of merged.conflicts) {
        out.warn(
          `${c.documentIndexes.map((i) => files[i]).join(' and ')} are the same version (${c.version ?? 'none'}) of ${c.documentId} with different content: all were kept`,
        );
      }
      out.note(
        `merged ${docs.length - merged.dropped.length} of ${docs.length} document(s): ${merged.document.statements.length} statement(s), ${merged.duplicatesRemoved} duplicate(s) removed${flags.output === undefined ? '' : `, written to ${flags.output}`}`,
      );
      return EXIT.ok;
    }),
  );
}
