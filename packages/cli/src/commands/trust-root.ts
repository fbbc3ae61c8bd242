import type {
  KeyAlgorithm,
  TransparencyLog,
  TrustedCertificate,
  TrustRoot,
  ValidityWindow,
} from '@flareo/trust-root';
import type { Command } from 'commander';
import { examples, helpText, jsonOption, run } from '../command.js';
import { EXIT, inputError } from '../errors.js';
import { readText } from '../io.js';
import type { Colors, Output } from '../output.js';
import { looksLikeJson } from '../trust.js';

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

/** The stable `--json` shape of `flareo trust-root inspect`. */
export interface TrustRootInspection {
  readonly file: string;
  readonly format: 'pem' | 'trusted-root';
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
): TrustRootInspection {
  return {
    file,
    format,
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
}

/** `flareo trust-root inspect [FILE]`. */
export function registerTrustRoot(program: Command, out: Output): void {
  const group = program
    .command('trust-root')
    .summary('inspect trust material (PEM bundles, trusted_root.json)')
    .description('Inspect trust material: PEM trust bundles and Sigstore trusted_root.json files.');
  const inspect = group
    .command('inspect')
    .summary('show what a PEM bundle or trusted_root.json contains')
    .description(
      helpText([
        'Show what a PEM trust bundle or trusted_root.json contains: each key (type, id), each',
        'certificate (subject, issuer, validity, fingerprint), the transparency logs, CT logs and',
        'authorities with their validity windows. The file is fully validated (exit 2 if it is',
        'not usable). Without FILE, the Sigstore public-good root embedded in this build.',
      ]),
    )
    .argument('[file]', 'PEM bundle or trusted_root.json (- for standard input)')
    .option('--skip-unsupported', 'leave out entries with key types this version cannot verify')
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
        inspection = inspectTrustRoot(
          publicGoodTrustRoot(),
          '(embedded Sigstore public-good root)',
          'trusted-root',
        );
      } else {
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
}
