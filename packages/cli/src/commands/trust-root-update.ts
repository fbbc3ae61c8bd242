import type { TrustRootError } from '@flareo/trust-root';
import type { TufProvenance, TufUpdateResult } from '@flareo/trust-root/tuf';
import type { Command } from 'commander';
import { examples, helpText, jsonOption, run } from '../command.js';
import { CliError, EXIT, reportOf, usageError } from '../errors.js';
import { readText } from '../io.js';
import type { Output } from '../output.js';
import { tufLocation } from '../trust.js';

/** The stable `--json` shape of `flareo trust-root update`. */
export interface TrustRootUpdateJson {
  readonly mirror: string;
  /** `new`: first update of this cache; `changed`: a different trusted_root.json; `unchanged`. */
  readonly status: 'new' | 'changed' | 'unchanged';
  /** Where trust started: the cached TUF state, or the initial root.json. */
  readonly anchor: 'cache' | 'initial-root';
  readonly provenance: TufProvenance;
  readonly previous: TufProvenance | null;
  /** The cache generation directory now current. */
  readonly directory: string;
  readonly bytesFetched: number;
  /** What the new trusted root holds. */
  readonly contents: {
    readonly certificateAuthorities: number;
    readonly tlogs: number;
    readonly ctlogs: number;
    readonly timestampAuthorities: number;
  };
}

interface UpdateFlags {
  readonly mirror?: string;
  readonly root?: string;
  readonly cacheDir?: string;
  readonly timeout?: string;
  readonly json?: boolean;
}

/**
 * TUF refusals are verification failures (exit 1): the mirror served something that must not
 * be trusted. An unreachable mirror, a cache that cannot be written, or bad flags exit 2.
 */
const REFUSALS = new Set([
  'TUF_ROLLBACK',
  'TUF_EXPIRED',
  'TUF_METADATA_MISMATCH',
  'TUF_UNSIGNED',
  'TUF_METADATA_INVALID',
  'TUF_TOO_LARGE',
  'TUF_TARGET_MISMATCH',
  'TUF_TARGET_MISSING',
]);

const HINTS: Record<string, string> = {
  TUF_ROLLBACK:
    'the mirror serves older metadata than this cache already trusts; try again later or another mirror — the cache is unchanged',
  TUF_EXPIRED:
    'the mirror serves expired metadata (a stale mirror, or a freeze attack); the cache is unchanged',
  TUF_UNSIGNED:
    'metadata is not signed by keys the trusted root delegates to; for a private mirror check --root; the cache is unchanged',
  TUF_FETCH_FAILED:
    'check the network and --mirror; verification commands keep using the cached or embedded root',
  TUF_ROOT_MISSING: 'give the mirror’s initial root.json with --root FILE',
  TUF_CACHE_LOCKED:
    'another flareo trust-root update is running for this cache; wait for it (a lock older than 10 minutes is taken over)',
};

/** Turn a library failure into a CLI error with the right exit code and a hint. */
function updateError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  const report = reportOf(error);
  const code = (error as TrustRootError).code;
  const hint = HINTS[code];
  const url = (error as TrustRootError).detail?.url;
  return new CliError(
    {
      ...report,
      ...(url === undefined ? {} : { field: url }),
      ...(hint === undefined ? {} : { hint }),
    },
    REFUSALS.has(code) || code?.startsWith('TRUSTED_ROOT') ? EXIT.failed : EXIT.usage,
    { cause: error },
  );
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(seconds > 0) || seconds > 3600) {
    throw usageError(`--timeout ${value}: give seconds, more than 0 and at most 3600`);
  }
  return Math.ceil(seconds * 1000);
}

export function updateJson(r: TufUpdateResult): TrustRootUpdateJson {
  const status =
    r.previous === undefined
      ? 'new'
      : r.previous.target.sha256 === r.provenance.target.sha256
        ? 'unchanged'
        : 'changed';
  return {
    mirror: r.provenance.mirror,
    status,
    anchor: r.anchor,
    provenance: r.provenance,
    previous: r.previous ?? null,
    directory: r.directory,
    bytesFetched: r.bytesFetched,
    contents: {
      certificateAuthorities: r.trustRoot.certificateAuthorities.length,
      tlogs: r.trustRoot.tlogs.length,
      ctlogs: r.trustRoot.ctlogs.length,
      timestampAuthorities: r.trustRoot.timestampAuthorities.length,
    },
  };
}

/** `flareo trust-root update`. */
export function registerTrustRootUpdate(group: Command, out: Output): void {
  const update = group
    .command('update')
    .summary('fetch the current trusted_root.json through TUF and cache it')
    .description(
      helpText([
        'Fetch trusted_root.json from a TUF repository with tuf-js, verifying the whole chain:',
        'every root rotation (each signed by a threshold of the previous root), the timestamp,',
        'snapshot and targets metadata (signatures, versions, expiry, hashes), and the file',
        'itself (length and sha256). The result must parse as a trusted root; then it becomes',
        'the cached root that verification commands use when given no trust flag.',
        '',
        'The default mirror is Sigstore’s (https://tuf-repo-cdn.sigstore.dev), starting from',
        'the initial root.json embedded in this build. A private mirror needs its own initial',
        'root.json (--root FILE) for its first update; later updates start from the cached,',
        'verified root and ignore --root.',
        '',
        'The update is atomic: a refused, failed or interrupted update leaves the previous',
        'cache as it was. Cache: --cache-dir, else FLAREO_TUF_CACHE, else',
        '$XDG_CACHE_HOME/flareo/tuf (~/.cache/flareo/tuf), one directory per mirror.',
        '',
        'Exit 0 when updated (or already current); 1 when the mirror’s data is refused',
        '(rollback, freeze, mix-and-match, bad signatures, wrong target, too large); 2 when the',
        'mirror cannot be reached, the cache cannot be written, or the flags are wrong.',
      ]),
    )
    .option('--mirror <url>', 'TUF repository base URL (default: Sigstore’s, or FLAREO_TUF_MIRROR)')
    .option(
      '--root <file>',
      'the mirror’s initial root.json, for the first update of a private mirror',
    )
    .option(
      '--cache-dir <dir>',
      'cache base directory (default: FLAREO_TUF_CACHE, else $XDG_CACHE_HOME/flareo/tuf)',
    )
    .option('--timeout <seconds>', 'time allowed per file (default 30)')
    .addOption(jsonOption());
  examples(update, [
    'flareo trust-root update',
    'flareo trust-root update --mirror https://tuf.example.com --root root.json',
    'flareo trust-root update --json | jq .provenance.target.sha256',
  ]);
  update.action((flags: UpdateFlags) =>
    run(out, flags.json, async () => {
      const timeoutMs = parseTimeout(flags.timeout);
      const location = await tufLocation({ mirror: flags.mirror, cacheDir: flags.cacheDir });
      const initialRoot = flags.root === undefined ? undefined : readText(flags.root, 'trust root');
      const { updateTufTrustedRoot } = await import('@flareo/trust-root/tuf');
      let result: TufUpdateResult;
      try {
        result = await updateTufTrustedRoot({
          ...location,
          ...(initialRoot === undefined ? {} : { initialRoot }),
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
        });
      } catch (error) {
        throw updateError(error);
      }
      const j = updateJson(result);
      if (flags.root !== undefined && result.anchor === 'cache') {
        out.warn(
          `--root ${flags.root} was not needed: this cache already held a verified root (version ${j.previous?.root.version}), and trust moved on from it`,
        );
      }
      if (flags.json) {
        out.json(j);
        return EXIT.ok;
      }
      const c = out.out;
      const p = j.provenance;
      const was = (n: number | undefined, now: number) =>
        n === undefined || n === now ? '' : c.dim(` (was ${n})`);
      const status =
        j.status === 'new'
          ? 'first fetch for this cache'
          : j.status === 'changed'
            ? `changed, was sha256:${j.previous?.target.sha256}`
            : `unchanged since ${j.previous?.fetchedAt}`;
      out.line(`${c.green('✓')} ${c.bold(p.target.name)} from ${p.mirror}, verified through TUF`);
      out.line(
        `  root        version ${p.root.version}${was(j.previous?.root.version, p.root.version)}, expires ${p.root.expires}`,
      );
      out.line(`  timestamp   version ${p.timestamp.version}, expires ${p.timestamp.expires}`);
      out.line(`  snapshot    version ${p.snapshot.version}, expires ${p.snapshot.expires}`);
      out.line(`  targets     version ${p.targets.version}, expires ${p.targets.expires}`);
      out.line(`  target      ${p.target.length} bytes, sha256:${p.target.sha256} (${status})`);
      const n = j.contents;
      const count = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
      out.line(
        `  contents    ${[
          count(n.certificateAuthorities, 'certificate authority', 'certificate authorities'),
          count(n.tlogs, 'transparency log', 'transparency logs'),
          count(n.ctlogs, 'CT log', 'CT logs'),
          count(n.timestampAuthorities, 'timestamp authority', 'timestamp authorities'),
        ].join(', ')}`,
      );
      out.line(`  cached in   ${j.directory}`);
      out.line(`  fetched     ${p.fetchedAt}, ${j.bytesFetched} bytes from the mirror`);
      return EXIT.ok;
    }),
  );
}
