import type { CompiledPolicy, PolicyResult } from '@flareo/policy';
import type { Command } from 'commander';
import { decided, examples, helpText, jsonOption, run } from '../command.js';
import { EXIT, inputError } from '../errors.js';
import { readJson, readJsonObject } from '../io.js';
import type { Colors, Output } from '../output.js';

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The config: OPA's data document `{ "flareo": { "config": {…} } }` (as the golden cases
 * and a Rego bundle hold it), or the config object itself.
 */
export function configOf(data: Record<string, unknown>): unknown {
  const flareo = data.flareo;
  if (isRecord(flareo) && 'config' in flareo) return flareo.config;
  return data;
}

/** The input: the input document itself, or an OPA Data API request body `{ "input": … }`. */
export function inputOf(value: unknown): unknown {
  if (isRecord(value) && Object.keys(value).length === 1 && 'input' in value) return value.input;
  return value;
}

export function describeDecision(r: PolicyResult, c: Colors): string[] {
  const verdict =
    r.verdict === 'pass'
      ? c.green('pass')
      : r.verdict === 'warn'
        ? c.yellow('warn')
        : c.red('fail');
  const lines = [`${c.bold('Verdict:')} ${verdict}  ${c.dim(`(allow: ${r.allow})`)}`, ''];
  const width = Math.max(...r.rules.map((x) => x.rule.length));
  for (const rule of r.rules) {
    const mark =
      rule.result === 'pass'
        ? c.green('pass ')
        : rule.result === 'skip'
          ? c.dim('skip ')
          : rule.result === 'warn'
            ? c.yellow('warn ')
            : c.red(rule.result.padEnd(5));
    lines.push(
      `  ${mark} ${rule.rule.padEnd(width)}  ${c.dim(rule.enforcement.padEnd(7))}  ${rule.message}`,
    );
  }
  return lines;
}

interface EvalFlags {
  readonly input: string;
  readonly config?: string;
  readonly json?: boolean;
}

/** `flareo policy eval --input INPUT.json [--config DATA.json]`. */
export function registerPolicy(program: Command, out: Output): void {
  const policy = program
    .command('policy')
    .summary('evaluate the admission policy')
    .description('The admission policy (same contract as the Rego policy served by OPA).');
  const command = policy
    .command('eval')
    .summary('evaluate the admission decision for an input document')
    .description(
      helpText([
        'Evaluate the admission decision for an input document (facts about a module) under a',
        'config (thresholds, enforce or warn per rule). --config takes OPA’s data document',
        '{ "flareo": { "config": … } } or the config object itself; without it, the defaults.',
        '--json prints the OPA Data API body { "result": … }.',
        'Exit status: 0 verdict pass or warn, 1 verdict fail, 2 unreadable input or invalid config.',
      ]),
    )
    .requiredOption('--input <file>', 'input document (or { "input": … }); - for standard input')
    .option('--config <file>', 'config: OPA data document or config object')
    .addOption(jsonOption());
  examples(command, [
    'flareo policy eval --input input.json',
    'flareo policy eval --input input.json --config data.json --json',
  ]);
  command.action((flags: EvalFlags) =>
    run(out, flags.json, async () => {
      const { compilePolicy } = await import('@flareo/policy');
      const input = inputOf(readJson(flags.input, 'input'));
      let compiled: CompiledPolicy;
      if (flags.config === undefined) compiled = compilePolicy({});
      else {
        const data = readJsonObject(flags.config, 'config');
        try {
          compiled = compilePolicy(configOf(data));
        } catch (error) {
          throw inputError(error, flags.config);
        }
      }
      const { result } = compiled.query({ input });
      const code = decided(result.verdict === 'fail' ? EXIT.failed : EXIT.ok);
      if (flags.json) out.json({ result });
      else for (const line of describeDecision(result, out.out)) out.line(line);
      return code;
    }),
  );
}
