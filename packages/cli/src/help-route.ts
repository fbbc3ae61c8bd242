/**
 * Whether `flareo` with these arguments (`process.argv` without Node and the script) only
 * prints help or a usage error, so that the help bundle (`dist/help-command.cjs`, see cli.ts)
 * can answer it: no arguments, `--help`, `-h` or `help` alone, `help <command>`, and
 * `<command> --help` or `<command> -h`. Commander answers each of these before any command's
 * action could run (`-h` is the help option of every command); longer command lines go to the
 * build that can run them. `verify`, `verify-bundle`, `verify-image`, `vex` and
 * `verify-batch` never get here: cli.ts sends them, help included, to their own bundles first.
 */
export function isHelpOnly(args: readonly string[]): boolean {
  const isHelpFlag = (arg: string | undefined) => arg === '--help' || arg === '-h';
  if (args.length === 0) return true;
  const first = args[0] as string;
  if (args.length === 1) return isHelpFlag(first) || first === 'help';
  if (args.length === 2) {
    return first === 'help' || (!first.startsWith('-') && isHelpFlag(args[1]));
  }
  return false;
}
