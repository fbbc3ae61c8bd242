import { writeFileSync } from 'node:fs';
import type {
  ApplyOptions,
  ApplyResult,
  FindingOutcome,
  MergeOptions,
  ParsedVex,
  ResidualCounts,
  Severity,
  Subject,
  ValidationMode,
  VexDocument,
  VexIssue,
} from '@flareo/vex';
import { type Command, Option } from 'commander';
import { collect, decided, examples, helpText, jsonOption, run } from '../command.js';
import { CliError, EXIT, type ExitCode, inputError, usageError } from '../errors.js';
import { parseJson, readJsonObject, readText } from '../io.js';
import { integerOption, rfc3339Option } from '../options.js';
import type { Colors, Output } from '../output.js';

const mode = (strict: boolean | undefined): ValidationMode => (strict ? 'strict' : 'lenient');

/** One file's validation, as `vex validate --json` reports it. */
export interface FileValidation {
  readonly file: string;
  readonly valid: boolean;
  readonly errors: readonly VexIssue[];
  readonly warnings: readonly VexIssue[];
}

type VexModule = typeof import('@flareo/vex');

function validateFile(
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

function issueLine(kind: 'error' | 'warning', issue: VexIssue, c: Colors): string {
  const label = kind === 'error' ? c.red('error  ') : c.yellow('warning');
  return `${label} ${c.bold(issue.code)} ${c.dim(issue.path || '/')}: ${issue.message}`;
}

/** Parse VEX files for merge/apply: lenient by default; an invalid document is exit 2. */
function parseVexFiles(
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

function registerValidate(group: Command, out: Output): void {
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

function registerMerge(group: Command, out: Output): void {
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

type ReportFormat = 'trivy' | 'grype' | 'sarif';
const FORMATS = ['auto', 'trivy', 'grype', 'sarif'] as const;

/** Recognise a scanner report by its top-level fields. */
export function detectFormat(report: Record<string, unknown>): ReportFormat | undefined {
  if (Array.isArray(report.runs)) return 'sarif';
  if (Array.isArray(report.matches) || 'ignoredMatches' in report) return 'grype';
  if ('SchemaVersion' in report || 'Results' in report || 'ArtifactName' in report) return 'trivy';
  return undefined;
}

/** `--product` values: purls, digests (`sha256:…`), CPEs, anything else as an IRI. */
export function productSubject(values: readonly string[]): Subject | undefined {
  if (!values.length) return undefined;
  const purls: string[] = [];
  const hashes: string[] = [];
  const cpes: string[] = [];
  const ids: string[] = [];
  for (const v of values) {
    if (v.startsWith('pkg:')) purls.push(v);
    else if (/^(sha256|sha384|sha512|sha1):[0-9a-f]+$/i.test(v)) hashes.push(v);
    else if (v.startsWith('cpe:')) cpes.push(v);
    else ids.push(v);
  }
  return {
    ...(purls.length ? { purls } : {}),
    ...(hashes.length ? { hashes } : {}),
    ...(cpes.length ? { cpes } : {}),
    ...(ids.length ? { ids } : {}),
  };
}

const pkgLabel = (f: FindingOutcome): string =>
  f.package.purl ??
  ([f.package.name, f.package.version].filter(Boolean).join('@') || '(no package)');

function statementLabel(f: FindingOutcome): string {
  const s = f.statement;
  if (!s) return '';
  return `${s.ref.documentId ?? `document ${s.ref.documentIndex}`} #${s.ref.statementIndex}`;
}

/** One finding, explained: what decided it, and what almost did. */
export function explainFinding(f: FindingOutcome, c: Colors): string[] {
  const disposition =
    f.disposition === 'suppressed'
      ? c.green('suppressed')
      : f.disposition === 'affected'
        ? c.red('affected')
        : f.disposition === 'under_investigation'
          ? c.yellow('under investigation')
          : c.yellow('unaddressed');
  const lines = [
    `${c.bold(f.vulnerability)} ${pkgLabel(f)} ${c.dim(`(${f.severity})`)}: ${disposition}`,
  ];
  if (f.statement) {
    const why =
      f.justification ?? f.impactStatement ?? f.actionStatement ?? f.statusNotes ?? undefined;
    lines.push(
      `  ${c.dim('by')} ${f.status} ${c.dim(`via ${f.via ?? 'package'}`)} ${statementLabel(f)}${why ? `: ${why}` : ''}`,
    );
  }
  for (const k of f.conflicts) {
    lines.push(
      `  ${c.yellow('conflict')} ${k.status} ${k.ref.documentId ?? `document ${k.ref.documentIndex}`} #${k.ref.statementIndex} at the same time`,
    );
  }
  for (const m of f.nearMisses) lines.push(`  ${c.dim('near miss')} ${m.message}`);
  return lines;
}

function findingJson(f: FindingOutcome, explain: boolean) {
  return {
    location: f.location,
    vulnerability: f.vulnerability,
    package: f.package,
    severity: f.severity,
    disposition: f.disposition,
    status: f.status ?? null,
    justification: f.justification ?? null,
    impactStatement: f.impactStatement ?? null,
    actionStatement: f.actionStatement ?? null,
    via: f.via ?? null,
    statement: f.statement
      ? {
          documentId: f.statement.ref.documentId ?? null,
          documentIndex: f.statement.ref.documentIndex,
          statementIndex: f.statement.ref.statementIndex,
        }
      : null,
    ...(explain
      ? {
          conflicts: f.conflicts.map((k) => ({
            status: k.status,
            documentId: k.ref.documentId ?? null,
            statementIndex: k.ref.statementIndex,
          })),
          nearMisses: f.nearMisses.map((m) => ({
            field: m.field,
            ...(m.qualifier === undefined ? {} : { qualifier: m.qualifier }),
            expected: m.expected,
            actual: m.actual,
            message: m.message,
          })),
        }
      : {}),
  };
}

function residualTable(result: ApplyResult, severities: readonly Severity[], c: Colors): string[] {
  const r = result.residual;
  const head = ['severity', 'open', 'affected', 'investigating', 'unaddressed', 'suppressed'];
  const row = (name: string, n: ResidualCounts) => [
    name,
    String(n.open),
    String(n.affected),
    String(n.under_investigation),
    String(n.unaddressed),
    String(n.suppressed),
  ];
  const rows = [head, ...severities.map((s) => row(s, r.bySeverity[s])), row('total', r.pairs)];
  const widths = head.map((_, i) => Math.max(...rows.map((x) => (x[i] ?? '').length)));
  const lines = [
    `${c.bold(`${result.format} report`)}: ${r.findings.open + r.findings.suppressed} finding(s), ${r.pairs.open + r.pairs.suppressed} (vulnerability, package) pair(s), ${r.vulnerabilities.open + r.vulnerabilities.suppressed} vulnerabilit${r.vulnerabilities.open + r.vulnerabilities.suppressed === 1 ? 'y' : 'ies'}`,
    `${c.bold('residual')}: ${r.pairs.open} open, ${r.pairs.suppressed} suppressed by VEX (counted by pair)`,
    '',
  ];
  for (const [i, cells] of rows.entries()) {
    const text = cells
      .map((cell, j) => (j === 0 ? cell.padEnd(widths[j] ?? 0) : cell.padStart(widths[j] ?? 0)))
      .join('  ');
    lines.push(i === 0 || i === rows.length - 1 ? c.bold(text) : text);
  }
  for (const l of result.limitations) lines.push('', `${c.yellow('limitation:')} ${l}`);
  return lines;
}

interface ApplyFlags {
  readonly vex?: string[];
  readonly format: (typeof FORMATS)[number];
  readonly product?: string[];
  readonly explain?: boolean;
  readonly summary?: boolean;
  readonly strict?: boolean;
  readonly conservative?: boolean;
  readonly scannerAliases?: boolean;
  readonly matchOciTags?: boolean;
  readonly output?: string;
  readonly json?: boolean;
}

function registerApply(group: Command, out: Output): void {
  const command = group
    .command('apply')
    .summary('apply OpenVEX to a Trivy, Grype or SARIF report')
    .description(
      helpText([
        'Apply OpenVEX documents to a scanner report. By default the report is written back in its',
        'own format with suppressed findings recorded the way that scanner records them (Trivy:',
        'moved to ExperimentalModifiedFindings; Grype: moved to ignoredMatches; SARIF: a',
        'suppressions entry), so it drops into existing pipelines. --summary prints the residual',
        'counts instead; --json prints the residual and every finding’s outcome as JSON;',
        '--explain adds why each statement applied or almost applied (on standard error when',
        'the report itself is written).',
      ]),
    )
    .argument('<report>', 'Trivy JSON, Grype JSON or SARIF 2.1.0 report (- for standard input)')
    .requiredOption('--vex <file>', 'an OpenVEX document; repeat for several', collect)
    .addOption(
      new Option('--format <format>', 'the report format').choices(FORMATS).default('auto'),
    )
    .option(
      '--product <id>',
      'another identity of the scanned product (purl, sha256:<hex>, CPE or IRI); repeatable',
      collect,
    )
    .option('--explain', 'explain every finding: deciding statement, conflicts, near misses')
    .option('--summary', 'print the residual counts instead of the report')
    .option('--strict', 'reject VEX documents that are not strictly valid OpenVEX')
    .option('--conservative', 'on a time tie, affected / under_investigation win')
    .option(
      '--match-oci-tags',
      'let statements that name an image only by tag (pkg:oci/app?tag=1.0) apply; off by default, because a tag can move to another image',
    )
    .option(
      '--scanner-aliases',
      'also match by the scanner’s alias ids (VendorIDs, relatedVulnerabilities)',
    )
    .option('-o, --output <file>', 'write the report to this file instead of standard output')
    .addOption(jsonOption());
  examples(command, [
    'flareo vex apply --vex app.openvex.json trivy.json > trivy.vex.json',
    'flareo vex apply --vex a.json --vex b.json --summary grype.json',
    'flareo vex apply --vex app.openvex.json --product pkg:golang/example.com/app --explain --summary trivy.json',
    'flareo vex apply --vex app.openvex.json --json scan.sarif | jq .residual.pairs',
  ]);
  command.action((reportPath: string, flags: ApplyFlags) =>
    run(out, flags.json, async (): Promise<ExitCode> => {
      const vex = await import('@flareo/vex');
      const report = readJsonObject(reportPath, 'report');
      const format = flags.format === 'auto' ? detectFormat(report) : flags.format;
      if (format === undefined) {
        throw usageError(
          `cannot tell the format of ${reportPath}`,
          'pass --format trivy, --format grype or --format sarif',
        );
      }
      const docs = parseVexFiles(vex, flags.vex ?? [], flags.strict, out);
      const product = productSubject(flags.product ?? []);
      const options: ApplyOptions = {
        ...(product === undefined ? {} : { product }),
        ...(flags.conservative ? { conservative: true } : {}),
        ...(flags.scannerAliases ? { scannerAliases: true } : {}),
      };
      let result: ApplyResult;
      try {
        const index = vex.createVexIndex(docs, {
          ...(flags.conservative ? { conservative: true } : {}),
          ...(flags.matchOciTags ? { matchOciTags: true } : {}),
        });
        const apply = { trivy: vex.applyToTrivy, grype: vex.applyToGrype, sarif: vex.applyToSarif }[
          format
        ];
        result = apply(report, index, options);
      } catch (error) {
        throw inputError(error, reportPath);
      }
      const explain = flags.explain === true;
      if (flags.json) {
        out.json({
          format: result.format,
          granularity: result.granularity,
          limitations: result.limitations,
          warnings: result.warnings,
          residual: result.residual,
          findings: result.findings.map((f) => findingJson(f, explain)),
        });
      } else if (flags.summary) {
        for (const line of residualTable(result, vex.SEVERITIES, out.out)) out.line(line);
        if (explain) {
          out.line();
          for (const f of result.findings) for (const l of explainFinding(f, out.out)) out.line(l);
        }
      } else {
        const text = `${JSON.stringify(result.report, null, 2)}\n`;
        if (flags.output !== undefined) writeFileSync(flags.output, text);
        else out.stdout.write(text);
        if (explain) {
          for (const f of result.findings) for (const l of explainFinding(f, out.err)) out.note(l);
        }
        const r = result.residual.findings;
        out.note(
          `${result.format}: ${r.suppressed} of ${r.open + r.suppressed} finding(s) suppressed by VEX, ${r.open} open${flags.output === undefined ? '' : `; report written to ${flags.output}`}`,
        );
        for (const l of result.limitations) out.warn(l);
      }
      if (!flags.json) {
        for (const w of result.warnings) {
          out.warn(w.message);
        }
      }
      return EXIT.ok;
    }),
  );
}

/** `flareo vex validate|merge|apply`. */
export function registerVex(program: Command, out: Output): void {
  const vex = program
    .command('vex')
    .summary('validate, merge and apply OpenVEX documents')
    .description('Validate, merge and apply OpenVEX 0.2.0 documents.');
  registerValidate(vex, out);
  registerMerge(vex, out);
  registerApply(vex, out);
}
