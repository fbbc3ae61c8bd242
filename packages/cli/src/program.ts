import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerPolicy } from './commands/policy.js';
import { registerScore } from './commands/score.js';
import { registerTrustRoot } from './commands/trust-root.js';
import { registerVerify, registerVerifyBundle } from './commands/verify.js';
import { registerVerifyBatch } from './commands/verify-batch.js';
import { registerVerifyImage } from './commands/verify-image.js';
import { registerVex } from './commands/vex.js';
import { commanderErrorLine } from './options.js';
import { Output } from './output.js';

/** This package's version, read from its package.json (next to `dist/` and `src/`). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

/**
 * The `flareo` program. Usage errors are not handled here: the caller turns commander's
 * errors into exit code 2 (`exitOverride`). Option values are parsed by the shared parsers
 * of `options.ts`, so a bad value is one line naming the option, the value and what was
 * expected.
 */
export function createProgram(out: Output = new Output()): Command {
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
  registerVerify(program, out);
  registerVerifyBundle(program, out);
  registerVerifyBatch(program, out);
  registerVerifyImage(program, out);
  registerVex(program, out);
  registerScore(program, out);
  registerPolicy(program, out);
  registerTrustRoot(program, out);
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
