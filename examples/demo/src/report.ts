import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  mergeTrustRoots,
  parsePemTrustBundle,
  parseTrustedRoot,
  publicGoodTrustedRootJson,
  publicGoodTrustRoot,
  type TrustRoot,
  TrustRootError,
} from '@flareo/trust-root';

/** One trust input: a name and its bytes. */
export interface TrustInput {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Read files as trust inputs; several paths joined with `+` are concatenated into one bundle. */
export function readInputs(args: readonly string[]): TrustInput[] {
  return args.map((arg) => {
    const paths = arg.split('+');
    return {
      name: paths.map((p) => basename(p)).join(' + '),
      bytes: Buffer.concat(paths.map((p) => readFileSync(p))),
    };
  });
}

/** Parse one input: `.json` as a Sigstore trusted root, anything else as a PEM bundle. */
export function loadTrustInput(input: TrustInput): TrustRoot {
  return input.name.endsWith('.json')
    ? parseTrustedRoot(input.bytes, { name: input.name })
    : parsePemTrustBundle(input.bytes, { name: input.name });
}

/** Render what a trust root holds as indented text. */
export function describe(title: string, root: TrustRoot): string {
  const s = root.summary();
  const lines = [`${title}`];
  const section = (name: string, rows: string[]) => {
    if (rows.length) lines.push(`  ${name} (${rows.length})`, ...rows.map((r) => `    - ${r}`));
  };
  section(
    'public keys',
    s.keys.map((k) => `${k.algorithm}  id ${k.id}  [${k.source}]`),
  );
  section(
    'certificate authorities',
    s.certificateAuthorities.map(
      (ca) =>
        `${ca.anchor}  (${ca.certificates} cert${ca.certificates > 1 ? 's' : ''}, valid ${ca.validFor})`,
    ),
  );
  section(
    'transparency logs',
    s.tlogs.map(
      (l) => `${l.baseUrl ?? '(no URL)'}  ${l.algorithm}  log id ${l.logId}  valid ${l.validFor}`,
    ),
  );
  section(
    'CT logs',
    s.ctlogs.map(
      (l) => `${l.baseUrl ?? '(no URL)'}  ${l.algorithm}  log id ${l.logId}  valid ${l.validFor}`,
    ),
  );
  section(
    'timestamp authorities',
    s.timestampAuthorities.map((t) => `${t.subject}  valid ${t.validFor}`),
  );
  if (s.skipped.length) section('skipped', [...s.skipped]);
  return lines.join('\n');
}

/** The demo: the embedded public-good root, then every input given (and all merged), errors shown by code. */
export function runDemo(inputs: readonly TrustInput[]): { output: string; exitCode: number } {
  const out: string[] = [];
  const started = performance.now();
  const publicGood = publicGoodTrustRoot();
  out.push(
    describe(
      `Sigstore public-good trusted root (embedded from ${publicGoodTrustedRootJson.source}, no network)`,
      publicGood,
    ),
  );
  const loaded: TrustRoot[] = [];
  let exitCode = 0;
  for (const input of inputs) {
    try {
      const root = loadTrustInput(input);
      loaded.push(root);
      out.push('', describe(input.name, root));
    } catch (error) {
      exitCode = 1;
      const code = error instanceof TrustRootError ? ` [${error.code}]` : '';
      out.push('', `${input.name}: rejected${code} ${(error as Error).message}`);
    }
  }
  if (loaded.length > 1) {
    out.push(
      '',
      describe('All given files merged into one trust root', mergeTrustRoots(...loaded)),
    );
  }
  out.push('', `Loaded in ${(performance.now() - started).toFixed(1)} ms.`);
  return { output: out.join('\n'), exitCode };
}
