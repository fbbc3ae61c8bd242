import type {
  KeyAlgorithm,
  TransparencyLog,
  TrustedCertificate,
  TrustRoot,
  ValidityWindow,
} from '@flareo/trust-root';
import type { Command } from 'commander';
import { examples, helpText, jsonOption, run } from '../command.js';
import { EXIT, inputError, usageError } from '../errors.js';
import { readText } from '../io.js';
import type { Colors, Output } from '../output.js';
import { defaultRoot, looksLikeJson, tufLocation } from '../trust.js';
import { registerTrustRootUpdate } from './trust-root-update.js';

/** `{ start, end }` as ISO strings; `null` for an open end. */
export interface WindowJson {
  readonly start: string | null;
  readonly end: string | null;
}

export interface CertificateJson {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly notBefore: string;
  readonly notAfter: string;
  /** sha256 of the DER, lowercase hex. */
  readonly fingerprint: string;
  readonly keyType: string;
  readonly isCA: boolean;
  readonly selfSigned: boolean;
}

export interface LogJson {
  readonly baseUrl: string | null;
  readonly logId: string;
  readonly checkpointKeyId?: string;
  readonly keyType: string;
  readonly validFor: WindowJson;
  readonly operator?: string;
}

export interface AuthorityJson {
  readonly subject: string | null;
  readonly uri: string | null;
  readonly validFor: WindowJson;
  readonly certificates: readonly CertificateJson[];
}

/** Where an inspected root came from (`origin` of {@link TrustRootInspection}). */
export type OriginJson =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'embedded';
      /** What the build embedded it from. */
      readonly source: string;
      /** The newest validity start of any entry: how recent the embedded snapshot is. */
      readonly newestValidFrom: string | null;
    }
  | {
      readonly kind: 'tuf';
      readonly mirror: string;
      readonly rootVersion: number;
      readonly rootExpires: string;
      readonly timestampVersion: number;
      readonly timestampExpires: string;
      readonly targetsVersion: number;
      readonly targetsExpires: string;
      readonly fetchedAt: string;
      readonly target: { readonly name: string; readonly length: number; readonly sha256: string };
      /** The cache generation directory. */
      readonly directory: string;
      /** True when the cached timestamp metadata has expired (run `flareo trust-root update`). */
      readonly expired: boolean;
    };

/** The stable `--json` shape of `flareo trust-root inspect`. */
export interface TrustRootInspection {
  readonly file: string;
  readonly format: 'pem' | 'trusted-root';
  /** Where the root came from: a file, the build, or a TUF mirror (cached). */
  readonly origin: OriginJson;
  readonly keys: readonly {
    readonly id: string;
    readonly keyType: string;
    readonly validFor: WindowJson;
    readonly source: string;
  }[];
  readonly certificateAuthorities: readonly AuthorityJson[];
  readonly tlogs: readonly LogJson[];
  readonly ctlogs: readonly LogJson[];
  readonly timestampAuthorities: readonly AuthorityJson[];
  readonly skipped: readonly string[];
}

export function keyType(a: KeyAlgorithm): string {
  switch (a.kind) {
    case 'ecdsa':
      return `ECDSA ${a.curve}`;
    case 'ed25519':
      return 'Ed25519';
    case 'rsa':
      return `RSA ${a.bits} (${a.schemes.join(', ')})`;
  }
}

const windowJson = (w: ValidityWindow): WindowJson => ({
  start: w.start?.toISOString() ?? null,
  end: w.end?.toISOString() ?? null,
});

/** node prints distinguished names one attribute a line; keep them on one line. */
const certificateJson = (c: TrustedCertificate): CertificateJson => ({
  subject: c.subject,
  issuer: c.issuer,
  serialNumber: c.serialNumber,
  notBefore: c.notBefore.toISOString(),
  notAfter: c.notAfter.toISOString(),
  fingerprint: c.fingerprint,
  keyType: keyType(c.keyAlgorithm),
  isCA: c.isCA,
  selfSigned: c.selfSigned,
});

const logJson = (l: TransparencyLog): LogJson => ({
  baseUrl: l.baseUrl ?? null,
  logId: l.logId,
  ...(l.checkpointKeyId === undefined ? {} : { checkpointKeyId: l.checkpointKeyId }),
  keyType: keyType(l.key.algorithm),
  validFor: windowJson(l.validFor),
  ...(l.operator === undefined ? {} : { operator: l.operator }),
});

const subjectOf = (s: { organization?: string; commonName?: string } | undefined) =>
  s && (s.organization || s.commonName)
    ? [s.organization, s.commonName].filter(Boolean).join(' / ')
    : null;

/** Describe a trust root as plain data. */
export function inspectTrustRoot(
  root: TrustRoot,
  file: string,
  format: 'pem' | 'trusted-root',
  origin: OriginJson = { kind: 'file', path: file },
): TrustRootInspection {
  return {
    file,
    format,
    origin,
    keys: root.keys.map((k) => ({
      id: k.id,
      keyType: keyType(k.algorithm),
      validFor: windowJson(k.validFor),
      source: `${k.source.name ?? ''}${k.source.name ? ' ' : ''}${k.source.location}`,
    })),
    certificateAuthorities: root.certificateAuthorities.map((ca) => ({
      subject: subjectOf(ca.subject),
      uri: ca.uri ?? null,
      validFor: windowJson(ca.validFor),
      certificates: ca.certificates.map(certificateJson),
    })),
    tlogs: root.tlogs.map(logJson),
    ctlogs: root.ctlogs.map(logJson),
    timestampAuthorities: root.timestampAuthorities.map((ta) => ({
      subject: subjectOf(ta.subject),
      uri: ta.uri ?? null,
      validFor: windowJson(ta.validFor),
      certificates: ta.certificates.map(certificateJson),
    })),
    skipped: [...root.skipped],
  };
}

const showWindow = (w: WindowJson): string => `${w.start ?? '(always)'} .. ${w.end ?? '(open)'}`;

function certificateLines(c: CertificateJson, colors: Colors): string[] {
  return [
    `${colors.bold('certificate')}  ${c.subject}${c.isCA ? '' : colors.dim(' (not a CA)')}`,
    `  ${colors.dim('issuer     ')}  ${c.selfSigned ? 'self-signed' : c.issuer}`,
    `  ${colors.dim('validity   ')}  ${c.notBefore} .. ${c.notAfter}`,
    `  ${colors.dim('fingerprint')}  sha256:${c.fingerprint}`,
    `  ${colors.dim('key        ')}  ${c.keyType}`,
  ];
}

/** The human rendering of an inspection. */
/** The newest validity start among a root's entries (ISO), or `null`. */
export function newestValidFrom(root: TrustRoot): string | null {
  const starts = [
    ...root.keys.map((k) => k.validFor),
    ...root.certificateAuthorities.map((a) => a.validFor),
    ...root.tlogs.map((l) => l.validFor),
    ...root.ctlogs.map((l) => l.validFor),
    ...root.timestampAuthorities.map((a) => a.validFor),
  ].flatMap((w) => (w.start ? [w.start.getTime()] : []));
  return starts.length ? new Date(Math.max(...starts)).toISOString() : null;
}

/** One or two lines saying where a root came from. */
export function describeOrigin(o: OriginJson, c: Colors): string[] {
  switch (o.kind) {
    case 'file':
      return [];
    case 'embedded':
      return [
        `${c.dim('origin')}  embedded in this build from ${o.source}; newest entry valid from ${o.newestValidFrom ?? '(none)'}`,
        `${c.dim('      ')}  used when no TUF update is cached; flareo trust-root update fetches the current one`,
      ];
    case 'tuf':
      return [
        `${c.dim('origin')}  TUF ${o.mirror}: root version ${o.rootVersion} (expires ${o.rootExpires}), timestamp version ${o.timestampVersion} (expires ${o.timestampExpires}${o.expired ? `, ${c.yellow('expired: run flareo trust-root update')}` : ''})`,
        `${c.dim('      ')}  fetched ${o.fetchedAt}; ${o.target.name} ${o.target.length} bytes, sha256:${o.target.sha256}; cached in ${o.directory}`,
      ];
  }
}

export function describeInspection(i: TrustRootInspection, c: Colors): string[] {
  const lines: string[] = [];
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  lines.push(
    `${c.bold(i.file)} (${i.format === 'pem' ? 'PEM bundle' : 'trusted_root.json'}): ${[
      count(i.keys.length, 'key'),
      count(i.certificateAuthorities.length, 'certificate authority').replace('ys', 'ies'),
      count(i.tlogs.length, 'transparency log'),
      count(i.ctlogs.length, 'CT log'),
      count(i.timestampAuthorities.length, 'timestamp authority').replace('ys', 'ies'),
    ].join(', ')}`,
  );
  lines.push(...describeOrigin(i.origin, c));
  if (i.keys.length) {
    lines.push('', c.bold('Keys'));
    for (const k of i.keys) {
      lines.push(`  ${k.keyType}  id ${k.id}`);
      lines.push(`    ${c.dim('valid for')}  ${showWindow(k.validFor)}   ${c.dim(k.source)}`);
    }
  }
  const authorities = (title: string, list: readonly AuthorityJson[]) => {
    if (!list.length) return;
    lines.push('', c.bold(title));
    for (const a of list) {
      lines.push(
        `  ${a.subject ?? (a.certificates[a.certificates.length - 1]?.subject || '(unnamed)')}${a.uri ? `  ${c.dim(a.uri)}` : ''}`,
      );
      lines.push(`    ${c.dim('valid for')}  ${showWindow(a.validFor)}`);
      for (const cert of a.certificates) {
        for (const l of certificateLines(cert, c)) lines.push(`    ${l}`);
      }
    }
  };
  const logs = (title: string, list: readonly LogJson[]) => {
    if (!list.length) return;
    lines.push('', c.bold(title));
    for (const l of list) {
      lines.push(`  ${l.baseUrl ?? '(no URL)'}  ${l.keyType}`);
      lines.push(`    ${c.dim('log id   ')}  ${l.logId}`);
      if (l.checkpointKeyId) lines.push(`    ${c.dim('checkpoint key id')}  ${l.checkpointKeyId}`);
      lines.push(`    ${c.dim('valid for')}  ${showWindow(l.validFor)}`);
    }
  };
  authorities('Certificate authorities', i.certificateAuthorities);
  logs('Transparency logs', i.tlogs);
  logs('CT logs', i.ctlogs);
  authorities('Timestamp authorities', i.timestampAuthorities);
  if (i.skipped.length) {
    lines.push('', c.bold('Skipped (unsupported)'));
    for (const s of i.skipped) lines.push(`  ${s}`);
  }
  return lines;
}

interface InspectFlags {
  readonly json?: boolean;
  readonly skipUnsupported?: boolean;
  readonly mirror?: string;
  readonly cacheDir?: string;
  readonly embedded?: boolean;
}

/** `flareo trust-root inspect [FILE]`. */
export function registerTrustRoot(program: Command, out: Output): void {
  const group = program
    .command('trust-root')
    .summary('inspect trust material; update the Sigstore trusted root through TUF')
    .description(
      'Inspect trust material (PEM trust bundles, Sigstore trusted_root.json files), and keep the Sigstore trusted root current through TUF.',
    );
  const inspect = group
    .command('inspect')
    .summary('show what a PEM bundle or trusted_root.json contains')
    .description(
      helpText([
        'Show what a PEM trust bundle or trusted_root.json contains: each key (type, id), each',
        'certificate (subject, issuer, validity, fingerprint), the transparency logs, CT logs and',
        'authorities with their validity windows. The file is fully validated (exit 2 if it is',
        'not usable).',
        '',
        'Without FILE, the root verification commands use when given no trust flag, and where it',
        'came from: the trusted_root.json that `flareo trust-root update` last cached (TUF mirror,',
        'root version, expiry, fetch time, digest), else the public-good root embedded in this',
        'build (its source and the newest validity start in it).',
      ]),
    )
    .argument('[file]', 'PEM bundle or trusted_root.json (- for standard input)')
    .option('--skip-unsupported', 'leave out entries with key types this version cannot verify')
    .option(
      '--mirror <url>',
      'without FILE: the TUF mirror whose cache to show (default: Sigstore’s, or FLAREO_TUF_MIRROR)',
    )
    .option(
      '--cache-dir <dir>',
      'without FILE: the TUF cache directory (default: FLAREO_TUF_CACHE, else $XDG_CACHE_HOME/flareo/tuf)',
    )
    .option('--embedded', 'without FILE: show the embedded root even when a TUF update is cached')
    .addOption(jsonOption());
  examples(inspect, [
    'flareo trust-root inspect trusted_root.json',
    'cat fulcio.crt.pem rekor.pub | flareo trust-root inspect -',
    'flareo trust-root inspect --json | jq ".tlogs[].baseUrl"',
  ]);
  inspect.action((file: string | undefined, flags: InspectFlags) =>
    run(out, flags.json, async () => {
      const { parsePemTrustBundle, parseTrustedRoot, publicGoodTrustRoot } = await import(
        '@flareo/trust-root'
      );
      let inspection: TrustRootInspection;
      if (file === undefined) {
        inspection = await inspectDefault(flags, { parseTrustedRoot, publicGoodTrustRoot });
      } else {
        if (flags.mirror !== undefined || flags.cacheDir !== undefined || flags.embedded) {
          throw usageError('--mirror, --cache-dir and --embedded apply only without FILE');
        }
        const text = readText(file, 'trust root');
        const json = looksLikeJson(text);
        let root: TrustRoot;
        try {
          root = json
            ? parseTrustedRoot(text, {
                name: file,
                ...(flags.skipUnsupported ? { onUnsupported: 'skip' as const } : {}),
              })
            : parsePemTrustBundle(text, { name: file });
        } catch (error) {
          throw inputError(error, file);
        }
        inspection = inspectTrustRoot(root, file, json ? 'trusted-root' : 'pem');
      }
      if (flags.json) out.json(inspection);
      else for (const line of describeInspection(inspection, out.out)) out.line(line);
      return EXIT.ok;
    }),
  );
  registerTrustRootUpdate(group, out);
}

/** `inspect` without FILE: the default root (cached TUF root, else embedded) and its origin. */
async function inspectDefault(
  flags: InspectFlags,
  lib: Pick<typeof import('@flareo/trust-root'), 'parseTrustedRoot' | 'publicGoodTrustRoot'>,
): Promise<TrustRootInspection> {
  const embedded = async (): Promise<TrustRootInspection> => {
    const { publicGoodTrustedRootJson } = await import('@flareo/trust-root');
    const root = lib.publicGoodTrustRoot();
    return inspectTrustRoot(root, '(embedded Sigstore public-good root)', 'trusted-root', {
      kind: 'embedded',
      source: publicGoodTrustedRootJson.source,
      newestValidFrom: newestValidFrom(root),
    });
  };
  if (flags.embedded) {
    if (flags.mirror !== undefined || flags.cacheDir !== undefined) {
      throw usageError('--embedded shows the built-in root; it takes no --mirror or --cache-dir');
    }
    return embedded();
  }
  const found = await defaultRoot(
    await tufLocation({ mirror: flags.mirror, cacheDir: flags.cacheDir }),
  );
  if (found.origin.kind === 'embedded') return embedded();
  const p = found.origin.provenance;
  let root: TrustRoot;
  try {
    root = lib.parseTrustedRoot(found.json, {
      name: found.description,
      ...(flags.skipUnsupported ? { onUnsupported: 'skip' as const } : {}),
    });
  } catch (error) {
    throw inputError(error, found.origin.directory);
  }
  return inspectTrustRoot(root, `(cached from TUF ${p.mirror})`, 'trusted-root', {
    kind: 'tuf',
    mirror: p.mirror,
    rootVersion: p.root.version,
    rootExpires: p.root.expires,
    timestampVersion: p.timestamp.version,
    timestampExpires: p.timestamp.expires,
    targetsVersion: p.targets.version,
    targetsExpires: p.targets.expires,
    fetchedAt: p.fetchedAt,
    target: p.target,
    directory: found.origin.directory,
    expired: Date.parse(p.timestamp.expires) <= Date.now(),
  });
}
