import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { commanderErrorLine } from './options.js';
import { Output } from './output.js';

/** Adds one top-level command (with its subcommands) to the program. */
export type Register = (program: Command, out: Output) => void;

/** This package's version, read from its package.json (next to `dist/` and `src/`). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/**
 * The `flareo` program with the given commands (`commands.ts` chooses them). Usage errors are not handled here: the caller turns commander's
 * errors into exit code 2 (`exitOverride`). Option values are parsed by the shared parsers
 * of `options.ts`, so a bad value is one line naming the option, the value and what was
 * expected.
 */
export function buildProgram(registers: readonly Register[], out: Output = new Output()): Command {
  const program = new Command('flareo')
    .description(
      'Offline Sigstore/cosign verification, OpenVEX, trust score and admission policy.\n' +
        'Exit status: 0 verified/passed, 1 verification failed or policy fail, 2 bad usage or unreadable input.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .configureOutput({
      writeOut: (s) => out.stdout.write(s),
      writeErr: (s) => out.stderr.write(s),
      // One line, whatever the value given was (a newline in it is shown escaped).
      outputError: (s, write) => write(`${out.err.red(commanderErrorLine(s))} (see --help)\n`),
    })
    .exitOverride();
  for (const register of registers) register(program, out);
  program.addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  flareo verify --bundle app.sigstore.json --certificate-identity ID --certificate-oidc-issuer URL app.tgz',
      "  flareo verify-image --certificate-identity-regexp '^https://github\\.com/flareo/.+$' --certificate-oidc-issuer URL ghcr.io/flareo/demo@sha256:…",
      '  flareo vex apply --vex app.openvex.json trivy-report.json > trivy-report.vex.json',
      '  flareo policy eval --input input.json --config data.json',
      '  flareo trust-root inspect trusted_root.json',
      '',
      'Run `flareo <command> --help` for the options and examples of each command.',
    ].join('\n'),
  );
  return program;
}
