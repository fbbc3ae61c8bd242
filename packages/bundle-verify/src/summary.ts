import { argumentError, requireRecord } from './arguments.js';
import type { VerificationResult } from './verifier.js';

/** A JSON-safe description of a {@link VerificationResult} (for logs, APIs and worker threads). */
export interface VerificationSummary {
  readonly format: VerificationResult['format'];
  readonly content: VerificationResult['content'];
  readonly signer:
    | { readonly kind: 'key'; readonly keyId: string }
    | {
        readonly kind: 'certificate';
        readonly subjectAlternativeNames: readonly string[];
        readonly issuer?: string;
        readonly extensions: Readonly<Record<string, string>>;
        readonly certificateFingerprint: string;
        readonly notBefore: string;
        readonly notAfter: string;
        readonly trustedBy:
          | { readonly kind: 'certificate-authority'; readonly anchor: string }
          | { readonly kind: 'pinned-key'; readonly keyId: string };
      };
  readonly times: readonly { readonly source: string; readonly time: string }[];
  readonly tlog: {
    readonly policy: string;
    readonly entries: readonly {
      readonly logId: string;
      readonly logIndex: string;
      readonly kind: string;
      readonly version: string;
      readonly integratedTime?: string;
      readonly checks: {
        readonly set: boolean;
        readonly inclusionProof: boolean;
        readonly checkpoint: boolean;
        readonly body: boolean;
      };
    }[];
  };
  readonly statement?: { readonly predicateType: string; readonly matchedSubject?: string };
  readonly scts: number;
}

/** Turn a verification result into plain JSON-safe data. */
export function summarizeResult(result: VerificationResult): VerificationSummary {
  const r = requireRecord('summarizeResult', 'result', result);
  const signer = requireRecord('summarizeResult', 'result.signer', r.signer);
  const tlog = requireRecord('summarizeResult', 'result.tlog', r.tlog);
  if (
    typeof r.format !== 'string' ||
    typeof r.content !== 'string' ||
    !Array.isArray(r.times) ||
    !Array.isArray(tlog.entries) ||
    typeof r.scts !== 'number' ||
    (signer.kind !== 'key' && signer.kind !== 'certificate')
  ) {
    throw argumentError('summarizeResult', 'result', 'a VerificationResult', result);
  }
  const s = result.signer;
  return {
    format: result.format,
    content: result.content,
    signer:
      s.kind === 'key'
        ? { kind: 'key', keyId: s.key.id }
        : {
            kind: 'certificate',
            subjectAlternativeNames: s.identity.subjectAlternativeNames,
            ...(s.identity.issuer === undefined ? {} : { issuer: s.identity.issuer }),
            extensions: s.identity.extensions,
            certificateFingerprint: s.certificate.fingerprint,
            notBefore: s.certificate.notBefore.toISOString(),
            notAfter: s.certificate.notAfter.toISOString(),
            trustedBy:
              s.trustedBy.kind === 'pinned-key'
                ? { kind: 'pinned-key', keyId: s.trustedBy.key.id }
                : { kind: 'certificate-authority', anchor: s.trustedBy.anchor },
          },
    times: result.times.map((t) => ({ source: t.source, time: t.time.toISOString() })),
    tlog: {
      policy: result.tlog.policy,
      entries: result.tlog.entries.map((e) => ({
        logId: e.logId,
        logIndex: e.logIndex.toString(),
        kind: e.kind,
        version: e.version,
        ...(e.integratedTime ? { integratedTime: e.integratedTime.toISOString() } : {}),
        checks: { ...e.checks },
      })),
    },
    ...(result.statement
      ? {
          statement: {
            predicateType: result.statement.predicateType,
            ...(result.statement.matchedSubject
              ? { matchedSubject: result.statement.matchedSubject.name }
              : {}),
          },
        }
      : {}),
    scts: result.scts,
  };
}
