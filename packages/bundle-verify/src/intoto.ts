import { equalBytes, toHex } from '@flareo/internal/bytes';
import type { Artifact } from './artifact.js';
import { BundleVerifyError } from './errors.js';
import type { DigestAlgorithm } from './input.js';
import { sha256, utf8Text } from './keys.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_TYPES = ['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1'];

/** What a DSSE bundle's in-toto statement says, and which subject matched the artifact. */
export interface InTotoStatementSummary {
  readonly type: string;
  readonly predicateType: string;
  readonly subjects: readonly {
    readonly name: string;
    readonly digest: Readonly<Record<string, string>>;
  }[];
  /** The subject whose digest equals the artifact's, when an artifact was given. */
  readonly matchedSubject?: { readonly name: string; readonly algorithm: DigestAlgorithm };
}

/**
 * An in-toto statement exactly as the DSSE payload encodes it (`JSON.parse` of the signed
 * bytes), deep-frozen. Only the fields the verifier checked are typed; everything else,
 * `predicate` included, is as signed.
 */
export interface InTotoStatement {
  readonly _type: string;
  readonly predicateType: string;
  readonly subject: readonly {
    readonly name?: unknown;
    readonly digest: Readonly<Record<string, unknown>>;
    readonly [field: string]: unknown;
  }[];
  readonly predicate?: unknown;
  readonly [field: string]: unknown;
}

/** The payload of a DSSE bundle whose signature verified, parsed. */
export interface VerifiedStatement {
  /** The envelope's `payloadType` (covered by the signature): `application/vnd.in-toto+json`. */
  readonly payloadType: string;
  /** The statement the payload encodes, deep-frozen. */
  readonly statement: InTotoStatement;
}

/** What {@link checkSubjects} read from an in-toto payload. */
export interface CheckedStatement {
  readonly summary: InTotoStatementSummary;
  readonly verified: VerifiedStatement;
}

function bad(message: string, field?: string): never {
  throw new BundleVerifyError('BUNDLE_MALFORMED', `in-toto statement: ${message}`, {
    step: 'parse',
    ...(field ? { field } : {}),
  });
}

/**
 * For an in-toto DSSE payload, read the statement and (when an artifact is given) require a
 * subject whose SHA-256 or SHA-512 (or SHA-384) digest equals the artifact's. Other payload
 * types carry no subjects: an artifact given with them must be the payload itself.
 * Returns the statement's summary and the statement itself; callers must return the latter
 * only once the payload's signature has verified.
 */
export function checkSubjects(
  payloadType: string,
  payload: Uint8Array,
  artifact: Artifact | undefined,
): CheckedStatement | undefined {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    if (artifact) {
      const want = artifact.digest('sha256');
      const got = sha256(payload);
      if (!want || !equalBytes(got, want)) {
        throw new BundleVerifyError(
          'DIGEST_MISMATCH',
          `the artifact is not the DSSE payload (payload type ${payloadType})`,
          {
            step: 'signature',
            field: 'dsseEnvelope.payload',
            expected: want ? `sha256:${toHex(want)}` : 'a sha256 digest',
            actual: `sha256:${toHex(got)}`,
          },
        );
      }
    }
    return undefined;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(utf8Text(payload));
  } catch {
    bad('payload is not JSON');
  }
  const s = doc as { _type?: unknown; predicateType?: unknown; subject?: unknown };
  if (typeof s !== 'object' || s === null) bad('payload is not an object');
  if (typeof s._type !== 'string' || !STATEMENT_TYPES.includes(s._type))
    bad(`unknown _type ${JSON.stringify(s._type)}`, '_type');
  if (typeof s.predicateType !== 'string') bad('predicateType must be a string', 'predicateType');
  if (!Array.isArray(s.subject) || s.subject.length === 0)
    bad('subject must be a non-empty array', 'subject');
  if (s.subject.length > 10_000) bad('too many subjects', 'subject');
  const subjects = s.subject.map((sub: unknown, i: number) => {
    const o = sub as { name?: unknown; digest?: unknown };
    if (typeof o !== 'object' || o === null || typeof o.digest !== 'object' || o.digest === null)
      bad(`subject[${i}] has no digest`, `subject[${i}]`);
    const digest: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.digest as Record<string, unknown>))
      if (typeof v === 'string') digest[k] = v.toLowerCase();
    return { name: typeof o.name === 'string' ? o.name : '', digest };
  });
  let matchedSubject: InTotoStatementSummary['matchedSubject'];
  if (artifact) {
    const algs: DigestAlgorithm[] = ['sha256', 'sha512', 'sha384'];
    outer: for (const sub of subjects) {
      for (const alg of algs) {
        const claimed = sub.digest[alg];
        const actual = claimed ? artifact.digest(alg) : undefined;
        if (claimed && actual && toHex(actual) === claimed) {
          matchedSubject = { name: sub.name, algorithm: alg };
          break outer;
        }
      }
    }
    if (!matchedSubject) {
      throw new BundleVerifyError(
        'DIGEST_MISMATCH',
        'the artifact matches no subject of the in-toto statement',
        {
          step: 'signature',
          field: 'subject',
          expected: artifact
            .algorithms()
            .map((a) => `${a}:${toHex(artifact.digest(a) ?? new Uint8Array())}`),
          actual: subjects.map((x) => x.digest),
        },
      );
    }
  }
  const summary: InTotoStatementSummary = Object.freeze({
    type: s._type,
    predicateType: s.predicateType,
    subjects: Object.freeze(subjects),
    ...(matchedSubject ? { matchedSubject } : {}),
  });
  const statement = deepFreeze(doc) as InTotoStatement;
  return { summary, verified: Object.freeze({ payloadType, statement }) };
}

/**
 * Freeze a parsed JSON value and everything in it. Iterative: a payload nested deeper than
 * the call stack (JSON.parse accepts it) must not end in a RangeError.
 */
function deepFreeze(value: unknown): unknown {
  const pending: unknown[] = [value];
  while (pending.length) {
    const v = pending.pop();
    if (typeof v !== 'object' || v === null || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) pending.push(child);
    }
  }
  return value;
}
