import { equalBytes, toBase64, toHex } from '@flareo/internal/bytes';
import {
  type CryptoTask,
  isWithin,
  platformCrypto,
  runCryptoAsync,
  runCryptoSync,
  type TransparencyLog,
  type TrustRoot,
} from '@flareo/trust-root';
import { optionalBoolean, requireBinding, requireOptional, requireTrustRoot } from './arguments.js';
import { type BodyOptions, bindBody, type EntryBinding } from './body.js';
import { type Checkpoint, verifyCheckpointTask } from './checkpoint.js';
import { isParsedEntry, type LogEntry, parseLegacyRekorBundle, parseTlogEntry } from './entry.js';
import { RekorError, type RekorErrorDetail } from './errors.js';
import { checkInclusion, hashLeaf } from './merkle.js';
import { checkSetTask } from './set.js';

/**
 * Which transparency-log evidence a verification needs.
 * - `require-set`: every entry carries a SignedEntryTimestamp that verifies.
 * - `require-inclusion-proof`: every entry carries an inclusion proof with a signed checkpoint.
 * - `require-any`: every entry carries at least one of the two.
 * - `disabled`: entries are not examined (the controller's `DISABLED`).
 * Under every policy but `disabled`, whatever evidence is present is verified too.
 */
export type RekorPolicy = 'require-set' | 'require-inclusion-proof' | 'require-any' | 'disabled';

export const REKOR_POLICIES: readonly RekorPolicy[] = Object.freeze([
  'require-set',
  'require-inclusion-proof',
  'require-any',
  'disabled',
]);

/** Options of {@link verifyLogEntry} and {@link verifyLogEvidence}. */
export interface RekorVerifyOptions extends BodyOptions {
  /** Evidence required. Default `'require-any'`. */
  readonly policy?: RekorPolicy;
  /** Distinct verified entries required (duplicates of one entry count once). Default 1; ignored when `policy` is `'disabled'`. */
  readonly threshold?: number;
  /** The current time, for rejecting integrated times in the future. Default: `new Date()` at the call. */
  readonly now?: Date;
  /** Allowed clock skew when comparing an integrated time with `now`, in seconds. Default 60. */
  readonly clockSkewSeconds?: number;
  /**
   * A trusted time at which the entry existed (for example a verified RFC 3161 timestamp).
   * When given, an entry without a SET must come from a log whose key was valid then.
   * Default: none (Rekor v2 entries carry no log time to check the window with).
   */
  readonly observedTime?: Date;
  /** Most entries accepted in one call; more is treated as hostile input. Default 16. */
  readonly maxEntries?: number;
}

/** What was proven about one log entry. */
export interface VerifiedLogEntry {
  /** Log id (hex) and the trusted log it belongs to. */
  readonly logId: string;
  readonly log: TransparencyLog;
  /** Global log index (the one the SET signs; unauthenticated on Rekor v1 entries without a SET). */
  readonly logIndex: bigint;
  /** RFC 9162 leaf hash of the entry body, hex: what identifies the entry within its log. */
  readonly leafHash: string;
  /** Entry kind and version of the bound body, e.g. `hashedrekord` `0.0.1`. */
  readonly kind: string;
  readonly version: string;
  /** 2 for Rekor v2 entry kinds (`*\/0.0.2` hashedrekord and dsse), else 1. */
  readonly rekorVersion: 1 | 2;
  /** The integrated time, present only when the SET verified: the only log time to trust. */
  readonly integratedTime?: Date;
  /** True when no log time is available (no SET): the caller needs a timestamp authority. */
  readonly noLogTime: boolean;
  /** Which checks ran and passed. `body` is always true for a returned entry. */
  readonly checks: {
    readonly set: boolean;
    readonly inclusionProof: boolean;
    readonly checkpoint: boolean;
    readonly body: true;
  };
  /** The verified checkpoint, when there was an inclusion proof. */
  readonly checkpoint?: {
    readonly origin: string;
    readonly treeSize: bigint;
    readonly rootHash: string;
  };
  readonly format: LogEntry['format'];
}

/** What was proven about the evidence of one signature. */
export interface RekorEvidence {
  readonly policy: RekorPolicy;
  /** Every verified entry, in input order (empty under `disabled`). */
  readonly entries: readonly VerifiedLogEntry[];
  /** Distinct log entries among them (same log and same body count once). */
  readonly distinctEntries: number;
  /** Earliest SET-verified integrated time, if any entry had a SET. */
  readonly integratedTime?: Date;
  /** True when no verified entry gave a log time: the caller must use a timestamp authority. */
  readonly noLogTime: boolean;
}

/** Raw inputs accepted: bundle `tlogEntries[]` items, legacy cosign `rekorBundle`s, or parsed entries. */
export type LogEntryInput = unknown;

function toEntry(input: LogEntryInput): LogEntry {
  if (typeof input === 'object' && input !== null) {
    if ('SignedEntryTimestamp' in input || 'Payload' in input) return parseLegacyRekorBundle(input);
    if (isParsedEntry(input)) return input;
  }
  return parseTlogEntry(input);
}

const isRekorV2Kind = (kind: string, version: string) =>
  version === '0.0.2' && (kind === 'hashedrekord' || kind === 'dsse');

/** The arguments both verify functions share: binding, trust root and options. */
function checkArguments(
  fn: string,
  binding: unknown,
  trustRoot: unknown,
  options: unknown,
): RekorVerifyOptions {
  requireBinding(fn, 'binding', binding);
  requireTrustRoot(fn, 'trustRoot', trustRoot);
  const opts = requireOptional(fn, 'options', options) as RekorVerifyOptions;
  optionalBoolean(fn, 'options.allowDeprecatedDsseV002', opts.allowDeprecatedDsseV002);
  checkPolicy(opts.policy ?? 'require-any');
  checkOptions(opts);
  return opts;
}

function checkOptions(options: RekorVerifyOptions): void {
  const badDate = (d: Date | undefined) =>
    d !== undefined && (!(d instanceof Date) || Number.isNaN(d.getTime()));
  for (const name of ['now', 'observedTime'] as const) {
    if (badDate(options[name])) {
      throw new RekorError('ARGUMENT_INVALID', `${name} must be a valid Date`, {
        expected: 'valid Date',
        actual: String(options[name]),
      });
    }
  }
  const skew = options.clockSkewSeconds;
  if (skew !== undefined && (!Number.isFinite(skew) || skew < 0)) {
    throw new RekorError(
      'ARGUMENT_INVALID',
      `clockSkewSeconds must be a finite number >= 0, got ${skew}`,
      { expected: '>= 0', actual: skew },
    );
  }
  const max = options.maxEntries;
  if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
    throw new RekorError(
      'ARGUMENT_INVALID',
      `maxEntries must be a non-negative integer, got ${max}`,
      { expected: 'integer >= 0', actual: max },
    );
  }
}

function checkPolicy(policy: RekorPolicy): void {
  if (!REKOR_POLICIES.includes(policy)) {
    throw new RekorError('ARGUMENT_INVALID', `unknown Rekor policy ${JSON.stringify(policy)}`, {
      expected: REKOR_POLICIES,
      actual: policy,
    });
  }
}

/**
 * Verify one log entry offline against the trust root's transparency logs: its SET (when
 * present or required), that its body is about `binding`, and its inclusion proof against a
 * signed checkpoint (when present or required). Throws a {@link RekorError} on any failure.
 */
export function verifyLogEntry(
  input: LogEntryInput,
  binding: EntryBinding,
  trustRoot: TrustRoot,
  options: RekorVerifyOptions = {},
): VerifiedLogEntry {
  checkArguments('verifyLogEntry', binding, trustRoot, options);
  return runCryptoSync(
    entryTask('verifyLogEntry', input, binding, trustRoot, options),
    platformCrypto.sync,
  );
}

/**
 * {@link verifyLogEntry} for every runtime, with the same arguments, result and error codes:
 * signatures are checked with WebCrypto outside Node (`node:crypto` on Node).
 */
export async function verifyLogEntryAsync(
  input: LogEntryInput,
  binding: EntryBinding,
  trustRoot: TrustRoot,
  options: RekorVerifyOptions = {},
): Promise<VerifiedLogEntry> {
  checkArguments('verifyLogEntryAsync', binding, trustRoot, options);
  return runCryptoAsync(
    entryTask('verifyLogEntryAsync', input, binding, trustRoot, options),
    platformCrypto.async,
  );
}

/** One entry, as a seam task (arguments already checked). */
function* entryTask(
  fn: string,
  input: LogEntryInput,
  binding: EntryBinding,
  trustRoot: TrustRoot,
  options: RekorVerifyOptions,
): CryptoTask<VerifiedLogEntry> {
  const policy = options.policy ?? 'require-any';
  if (policy === 'disabled') {
    throw new RekorError(
      'ARGUMENT_INVALID',
      `${fn} proves one entry and cannot run with policy 'disabled' (verifyLogEvidence skips entries under it)`,
      { expected: REKOR_POLICIES.filter((p) => p !== 'disabled'), actual: policy },
    );
  }
  const entry = toEntry(input);
  const detail: RekorErrorDetail = { logId: entry.logIdHex, logIndex: entry.logIndex.toString() };
  const logs = trustRoot.tlogsById(entry.logId);
  if (logs.length === 0) {
    throw new RekorError(
      'LOG_UNKNOWN',
      `no transparency log with id ${entry.logIdHex} in the trust root (load the log's key, e.g. rekor.pub with keysAs: 'tlog', or a trusted_root.json)`,
      { ...detail, expected: trustRoot.tlogs.map((l) => l.logId), actual: entry.logIdHex },
    );
  }
  const proof = entry.inclusionProof;
  if (policy === 'require-set' && !entry.set) {
    throw new RekorError(
      'SET_MISSING',
      'the policy requires a SignedEntryTimestamp and the entry has none',
      detail,
    );
  }
  if (policy === 'require-inclusion-proof' && !proof) {
    throw new RekorError(
      'PROOF_MISSING',
      'the policy requires an inclusion proof and the entry has none',
      detail,
    );
  }
  if (policy === 'require-any' && !entry.set && !proof) {
    throw new RekorError(
      'EVIDENCE_INSUFFICIENT',
      'the entry has neither a SignedEntryTimestamp nor an inclusion proof',
      { ...detail, expected: 'SET or inclusion proof', actual: 'neither' },
    );
  }

  let integratedTime: Date | undefined;
  let setLog: TransparencyLog | undefined;
  if (entry.set) {
    const set = entry.set;
    const at = new Date(Number(entry.integratedTime) * 1000);
    const inWindow = logs.filter((l) => isWithin(l.validFor, at));
    if (inWindow.length === 0) {
      throw new RekorError(
        'LOG_KEY_OUTSIDE_VALIDITY',
        `log ${entry.logIdHex} was not trusted at the entry's integrated time ${at.toISOString()}`,
        { ...detail, expected: logs.map((l) => l.validFor), actual: at.toISOString() },
      );
    }
    for (const l of inWindow) {
      if (yield* checkSetTask(entry, l, set)) {
        setLog = l;
        break;
      }
    }
    if (!setLog) {
      throw new RekorError(
        'SET_INVALID',
        'the SignedEntryTimestamp does not verify with the log key',
        {
          ...detail,
          field: 'inclusionPromise.signedEntryTimestamp',
        },
      );
    }
    const now = options.now ?? new Date();
    const skew = (options.clockSkewSeconds ?? 60) * 1000;
    if (at.getTime() > now.getTime() + skew) {
      throw new RekorError(
        'INTEGRATED_TIME_IN_FUTURE',
        `integrated time ${at.toISOString()} is in the future (now ${now.toISOString()})`,
        {
          ...detail,
          expected: `<= ${new Date(now.getTime() + skew).toISOString()}`,
          actual: at.toISOString(),
        },
      );
    }
    integratedTime = at;
  }

  const bound = bindBody(entry.body, entry.kindVersion, binding, options, detail);
  const leafHash = hashLeaf(entry.body);
  const rekorVersion = isRekorV2Kind(bound.kind, bound.version) ? 2 : 1;

  let checkpoint: Checkpoint | undefined;
  let proofLog: TransparencyLog | undefined;
  if (proof) {
    if (!proof.checkpoint) {
      throw new RekorError(
        'CHECKPOINT_MISSING',
        'the inclusion proof has no checkpoint, so its root is not signed',
        detail,
      );
    }
    let candidates = setLog ? [setLog] : [...logs];
    if (!setLog && options.observedTime) {
      const at = options.observedTime;
      candidates = candidates.filter((l) => isWithin(l.validFor, at));
      if (candidates.length === 0) {
        throw new RekorError(
          'LOG_KEY_OUTSIDE_VALIDITY',
          `log ${entry.logIdHex} was not trusted at the observed time ${at.toISOString()}`,
          { ...detail, expected: logs.map((l) => l.validFor), actual: at.toISOString() },
        );
      }
    }
    let firstError: unknown;
    for (const log of candidates) {
      try {
        checkpoint = yield* verifyCheckpointTask(proof.checkpoint, log, detail);
        proofLog = log;
        break;
      } catch (error) {
        firstError ??= error;
      }
    }
    if (!checkpoint) throw firstError;
    if (
      checkpoint.treeSize !== proof.treeSize ||
      !equalBytes(checkpoint.rootHash, proof.rootHash)
    ) {
      throw new RekorError(
        'CHECKPOINT_MISMATCH',
        'the inclusion proof names another tree than its signed checkpoint',
        {
          ...detail,
          expected: {
            treeSize: checkpoint.treeSize.toString(),
            rootHash: toBase64(checkpoint.rootHash),
          },
          actual: {
            treeSize: proof.treeSize.toString(),
            rootHash: toBase64(proof.rootHash),
          },
        },
      );
    }
    if (rekorVersion === 2 && proof.logIndex !== entry.logIndex) {
      throw new RekorError(
        'PROOF_INVALID',
        "a Rekor v2 inclusion proof must use the entry's log index",
        {
          ...detail,
          field: 'inclusionProof.logIndex',
          expected: entry.logIndex.toString(),
          actual: proof.logIndex.toString(),
        },
      );
    }
    const failure = checkInclusion(
      proof.logIndex,
      checkpoint.treeSize,
      leafHash,
      proof.hashes,
      checkpoint.rootHash,
    );
    if (failure) {
      throw new RekorError('PROOF_INVALID', `the inclusion proof does not verify (${failure})`, {
        ...detail,
        field: 'inclusionProof',
        actual: failure,
      });
    }
  }

  const log = (setLog ?? proofLog) as TransparencyLog;
  return Object.freeze({
    logId: entry.logIdHex,
    log,
    logIndex: entry.logIndex,
    leafHash: toHex(leafHash),
    kind: bound.kind,
    version: bound.version,
    rekorVersion,
    ...(integratedTime === undefined ? {} : { integratedTime }),
    noLogTime: integratedTime === undefined,
    checks: Object.freeze({
      set: setLog !== undefined,
      inclusionProof: checkpoint !== undefined,
      checkpoint: checkpoint !== undefined,
      body: true as const,
    }),
    ...(checkpoint === undefined
      ? {}
      : {
          checkpoint: Object.freeze({
            origin: checkpoint.origin,
            treeSize: checkpoint.treeSize,
            rootHash: toHex(checkpoint.rootHash),
          }),
        }),
    format: entry.format,
  });
}

/**
 * Verify all transparency-log evidence of one signature under a policy: every entry must
 * verify (one bad entry fails the whole), and at least `threshold` distinct entries must.
 */
export function verifyLogEvidence(
  inputs: readonly LogEntryInput[],
  binding: EntryBinding,
  trustRoot: TrustRoot,
  options: RekorVerifyOptions = {},
): RekorEvidence {
  checkArguments('verifyLogEvidence', binding, trustRoot, options);
  return runCryptoSync(evidenceTask(inputs, binding, trustRoot, options), platformCrypto.sync);
}

/**
 * {@link verifyLogEvidence} for every runtime: the one asynchronous entry point, with the
 * same name and shape in Node, browsers, Cloudflare Workers, Deno and Bun. Same arguments,
 * same result, same `RekorError` codes; signatures are checked with WebCrypto outside Node
 * (@noble where WebCrypto lacks an operation) and with `node:crypto` on Node.
 */
export async function verifyLogEvidenceAsync(
  inputs: readonly LogEntryInput[],
  binding: EntryBinding,
  trustRoot: TrustRoot,
  options: RekorVerifyOptions = {},
): Promise<RekorEvidence> {
  checkArguments('verifyLogEvidenceAsync', binding, trustRoot, options);
  return runCryptoAsync(evidenceTask(inputs, binding, trustRoot, options), platformCrypto.async);
}

/**
 * {@link verifyLogEvidence} as a crypto-seam task (`CryptoTask<RekorEvidence>`), for
 * verifiers that compose it into their own task and run it with `runCryptoSync` or
 * `runCryptoAsync` (`@flareo/bundle-verify`). Same arguments, checks and errors.
 */
export function* logEvidenceTask(
  inputs: readonly LogEntryInput[],
  binding: EntryBinding,
  trustRoot: TrustRoot,
  options: RekorVerifyOptions = {},
): CryptoTask<RekorEvidence> {
  checkArguments('verifyLogEvidence', binding, trustRoot, options);
  return yield* evidenceTask(inputs, binding, trustRoot, options);
}

/** All entries of one signature, as a seam task (arguments already checked; internal: the differential test drives it with each backend). */
export function* evidenceTask(
  inputs: readonly LogEntryInput[],
  binding: EntryBinding,
  trustRoot: TrustRoot,
  options: RekorVerifyOptions,
): CryptoTask<RekorEvidence> {
  const policy = options.policy ?? 'require-any';
  if (policy === 'disabled') {
    return Object.freeze({
      policy,
      entries: Object.freeze([]),
      distinctEntries: 0,
      noLogTime: true,
    });
  }
  const threshold = options.threshold ?? 1;
  const maxEntries = options.maxEntries ?? 16;
  if (!Number.isInteger(threshold) || threshold < 0) {
    throw new RekorError(
      'ARGUMENT_INVALID',
      `threshold must be a non-negative integer, got ${threshold}`,
      {
        expected: 'integer >= 0',
        actual: threshold,
      },
    );
  }
  if (!Array.isArray(inputs)) {
    throw new RekorError('ENTRY_MALFORMED', 'transparency log entries must be an array', {
      actual: typeof inputs,
    });
  }
  if (inputs.length > maxEntries) {
    throw new RekorError(
      'ENTRY_MALFORMED',
      `${inputs.length} log entries exceed the limit of ${maxEntries}`,
      {
        expected: `<= ${maxEntries}`,
        actual: inputs.length,
      },
    );
  }
  const entries: VerifiedLogEntry[] = [];
  for (const [i, input] of inputs.entries()) {
    try {
      entries.push(yield* entryTask('verifyLogEntry', input, binding, trustRoot, options));
    } catch (error) {
      if (error instanceof RekorError) {
        throw new RekorError(
          error.code,
          `entry ${i}: ${error.message}`,
          { ...error.detail, entry: i },
          { cause: error.cause },
        );
      }
      throw error;
    }
  }
  // One log entry is one body in one log: its index is not signed when there is no SET, so
  // copies relabelled with other indexes must not count twice.
  const distinct = new Set(entries.map((e) => `${e.logId}:${e.leafHash}`)).size;
  if (distinct < threshold) {
    throw new RekorError(
      'EVIDENCE_INSUFFICIENT',
      `${distinct} distinct verified log ${distinct === 1 ? 'entry' : 'entries'}, ${threshold} required`,
      { expected: threshold, actual: distinct },
    );
  }
  const times = entries.flatMap((e) => (e.integratedTime ? [e.integratedTime.getTime()] : []));
  return Object.freeze({
    policy,
    entries: Object.freeze(entries),
    distinctEntries: distinct,
    ...(times.length ? { integratedTime: new Date(Math.min(...times)) } : {}),
    noLogTime: times.length === 0,
  });
}
