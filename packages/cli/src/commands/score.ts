import type { TrustScore, TrustScoreOptions } from '@flareo/trust-score';
import type { Command } from 'commander';
import { decided, examples, helpText, jsonOption, run } from '../command.js';
import { CliError, EXIT, inputError, reportOf } from '../errors.js';
import { readJsonObject } from '../io.js';
import { numberOption } from '../options.js';
import type { Colors, Output } from '../output.js';

interface ScoreFlags {
  readonly graceHours?: number;
  readonly zeroHours?: number;
  readonly passingScore?: number;
  readonly warningScore?: number;
  readonly minScore?: number;
  readonly json?: boolean;
}

export function describeScore(s: TrustScore, c: Colors): string[] {
  const color = s.status === 'passing' ? c.green : s.status === 'warning' ? c.yellow : c.red;
  const lines = [
    `${c.bold(`Trust score ${s.score}/100`)}  ${color(s.status)}  ${c.dim(`(exact ${s.exactScore})`)}`,
    `  ${s.statusReason}`,
    '',
  ];
  const width = Math.max(...s.signals.map((x) => x.signal.length));
  for (const sig of s.signals) {
    const pts = `${sig.points}/${sig.weight}`.padStart(9);
    lines.push(`  ${sig.signal.padEnd(width)} ${pts}  ${c.dim(sig.reason)}`);
  }
  return lines;
}

/** The library's option names, as the flags that set them. */
const FLAGS: Record<string, string> = {
  freshnessGraceHours: '--grace-hours',
  freshnessZeroHours: '--zero-hours',
  passingScore: '--passing-score',
  warningScore: '--warning-score',
};

/** Options that do not fit together (`--zero-hours` not above `--grace-hours`…): bad usage. */
function optionError(error: unknown): CliError {
  const report = reportOf(error);
  const flags = (text: string) =>
    text.replace(
      /\b(freshnessGraceHours|freshnessZeroHours|passingScore|warningScore)\b/g,
      (k) => FLAGS[k] ?? k,
    );
  return new CliError(
    {
      ...report,
      code: 'USAGE',
      message: flags(report.message),
      ...(report.field === undefined ? {} : { field: flags(report.field) }),
      ...(typeof report.expected === 'string' ? { expected: flags(report.expected) } : {}),
    },
    EXIT.usage,
    { cause: error },
  );
}

/** `flareo score SIGNALS.json`. */
export function registerScore(program: Command, out: Output): void {
  const command = program
    .command('score')
    .summary('compute the 0–100 trust score of a module from its signals')
    .description(
      helpText([
        'Compute the trust score from a JSON file of signals:',
        '  { "vulnerabilities": { "critical": 0, "high": 1, "medium": 0, "low": 0, "unknown": 0 },',
        '    "slsaLevel": 2, "hoursSinceSigned": 3, "sbomCompleteness": 0.97 }',
        '(vulnerabilities are counted after VEX; null hours or completeness earns no points).',
        'Exit status: 0 scored (and at least --min-score when given), 1 below --min-score,',
        '2 unreadable or invalid signals.',
      ]),
    )
    .argument('<signals>', 'signals JSON file (- for standard input)')
    .option(
      '--grace-hours <h>',
      'full freshness credit up to this age (default 24)',
      numberOption({ min: 0 }),
    )
    .option(
      '--zero-hours <h>',
      'age at which freshness reaches 0 (default 720)',
      numberOption({ min: 0, exclusiveMin: true }),
    )
    .option(
      '--passing-score <n>',
      'lowest score with status passing (default 85)',
      numberOption({ min: 0, max: 100 }),
    )
    .option(
      '--warning-score <n>',
      'lowest score with status warning (default 60)',
      numberOption({ min: 0, max: 100 }),
    )
    .option(
      '--min-score <n>',
      'exit 1 when the score is below this (0 to 100)',
      numberOption({ min: 0, max: 100 }),
    )
    .addOption(jsonOption());
  examples(command, [
    'flareo score signals.json',
    'flareo score --min-score 70 --json signals.json',
  ]);
  command.action((file: string, flags: ScoreFlags) =>
    run(out, flags.json, async () => {
      const { computeTrustScore } = await import('@flareo/trust-score');
      const signals = readJsonObject(file, 'signals file');
      const options: TrustScoreOptions = {
        ...(flags.graceHours === undefined ? {} : { freshnessGraceHours: flags.graceHours }),
        ...(flags.zeroHours === undefined ? {} : { freshnessZeroHours: flags.zeroHours }),
        ...(flags.passingScore === undefined ? {} : { passingScore: flags.passingScore }),
        ...(flags.warningScore === undefined ? {} : { warningScore: flags.warningScore }),
      };
      let score: TrustScore;
      try {
        score = computeTrustScore(signals as never, options);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ARGUMENT_INVALID') throw optionError(error);
        throw inputError(error, file);
      }
      const below = flags.minScore !== undefined && score.score < flags.minScore;
      decided(below ? EXIT.failed : EXIT.ok);
      if (flags.json) {
        out.json({
          ...score,
          ...(flags.minScore === undefined
            ? {}
            : { minScore: flags.minScore, belowMinScore: below }),
        });
      } else {
        for (const line of describeScore(score, out.out)) out.line(line);
      }
      if (below) {
        out.failure('trust score below minimum', {
          code: 'SCORE_TOO_LOW',
          message: `the trust score is ${score.score}, below --min-score ${flags.minScore}`,
          expected: `>= ${flags.minScore}`,
          actual: score.score,
        });
        return EXIT.failed;
      }
      return EXIT.ok;
    }),
  );
}
