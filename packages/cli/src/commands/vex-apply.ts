import { writeFileSync } from 'node:fs';
import type {
  ApplyOptions,
  ApplyResult,
  FindingOutcome,
  ResidualCounts,
  Severity,
  Subject,
} from '@flareo/vex';
import { type Command, Option } from 'commander';
import { collect, examples, helpText, jsonOption, run } from '../command.js';
import { EXIT, type ExitCode, inputError, usageError } from '../errors.js';
import { readJsonObject } from '../io.js';
import type { Colors, Output } from '../output.js';
import { parseVexFiles } from './vex-files.js';

const FORMATS = ['auto', 'trivy', 'grype', 'sarif'] as const;

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

/** `flareo vex apply`. */
export function registerApply(group: Command, out: Output): void {
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
      const format = flags.format === 'auto' ? vex.detectFormat(report) : flags.format;
      if (format === undefined) {
        throw usageError(
          `cannot tell the format of ${reportPath}`,
          'pass --format trivy, --format grype or --format sarif',
        );
      }
      const docs = parseVexFiles(vex, flags.vex ?? [], flags.strict, out);
      const product = productSubject(flags.product ?? []);
      const options: ApplyOptions = {
        // The report was parsed here for this apply only: it is applied to, not copied.
        inPlace: true,
        ...(product === undefined ? {} : { product }),
        ...(flags.explain ? { explain: true } : {}),
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
