import { describeValue, TrustScoreError } from './errors.js';

/** in-toto Statement types accepted by {@link slsaLevelFromProvenance}. */
export const IN_TOTO_STATEMENT_TYPES: readonly string[] = Object.freeze([
  'https://in-toto.io/Statement/v0.1',
  'https://in-toto.io/Statement/v1',
]);

/** SLSA provenance predicate types accepted by {@link slsaLevelFromProvenance}. */
export const SLSA_PROVENANCE_TYPES: readonly string[] = Object.freeze([
  'https://slsa.dev/provenance/v0.2',
  'https://slsa.dev/provenance/v1',
]);

/** A SLSA build level. */
export type SlsaLevel = 0 | 1 | 2 | 3;

/**
 * One row of the caller's trusted-builder table: a builder id, matched exactly or by a
 * regular expression that must match the **whole** id, and the highest SLSA build level
 * provenance from that builder can prove.
 */
export type TrustedBuilder =
  | {
      /** The builder id, compared exactly. */
      readonly id: string;
      /** Level granted to provenance from this builder. */
      readonly level: 1 | 2 | 3;
    }
  | {
      /** A pattern for builder ids; it is anchored at both ends before matching. */
      readonly idPattern: RegExp;
      /** Level granted to provenance from matching builders. */
      readonly level: 1 | 2 | 3;
    };

/** Options of {@link slsaLevelFromProvenance}. */
export interface SlsaLevelOptions {
  /** The trusted-builder table; the first row that matches the builder id wins. Required. */
  readonly trustedBuilders: readonly TrustedBuilder[];
  /**
   * Digest of the artifact the provenance must be about, as `algorithm:hex` (for example
   * `sha256:9f86…`). When given, some `subject[].digest` must carry it. Defaults to no check
   * (the caller has already bound the statement to the artifact).
   */
  readonly subjectDigest?: string | undefined;
  /**
   * Level of verified provenance from a builder missing from the table: `1` (provenance
   * exists) or `0` (treated as no provenance). Defaults to `1`.
   */
  readonly unknownBuilderLevel?: 0 | 1 | undefined;
}

/** What {@link slsaLevelFromProvenance} found. */
export interface SlsaAssessment {
  /** The SLSA build level for the trust score and the policy input. */
  readonly level: SlsaLevel;
  /** `builder.id` (v0.2) or `runDetails.builder.id` (v1); `null` without provenance. */
  readonly builderId: string | null;
  /** The predicate type; `null` without provenance. */
  readonly predicateType: string | null;
  /** The build type; `null` without provenance. */
  readonly buildType: string | null;
  /** The table row that matched: its id or its pattern's source; `null` when none did. */
  readonly matchedBuilder: string | null;
  /** One sentence explaining the level. */
  readonly reason: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';

function provenanceError(
  code: 'PROVENANCE_INVALID' | 'PROVENANCE_UNSUPPORTED' | 'PROVENANCE_SUBJECT_MISMATCH',
  field: string,
  expected: string,
  actual: unknown,
): TrustScoreError {
  return new TrustScoreError(
    code,
    `provenance ${field}: expected ${expected}, got ${describeValue(actual)}`,
    { field, expected, actual },
  );
}

function optionError(field: string, expected: string, actual: unknown): TrustScoreError {
  return new TrustScoreError(
    'ARGUMENT_INVALID',
    `option ${field}: expected ${expected}, got ${describeValue(actual)}`,
    { field, expected, actual },
  );
}

/** The payload type of a DSSE envelope that carries an in-toto statement. */
const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/**
 * An in-toto statement that came out of a signature verification: the `verifiedStatement`
 * of a `@flareo/bundle-verify` `VerificationResult` (`verifier.verifyBundle(...)`), which
 * holds the statement parsed from the very payload bytes whose signature was checked,
 * deep-frozen, with the envelope's payload type. Nothing else is accepted: not a DSSE
 * envelope, not a statement parsed by the caller, not JSON text or bytes.
 */
export interface VerifiedProvenance {
  /** The envelope's payload type; must be `application/vnd.in-toto+json`. */
  readonly payloadType: string;
  /** The statement, deep-frozen by the verifier. */
  readonly statement: { readonly [field: string]: unknown };
}

function unverified(actual: unknown, why: string): TrustScoreError {
  return new TrustScoreError(
    'PROVENANCE_UNVERIFIED',
    `provenance: expected the verifiedStatement of a @flareo/bundle-verify VerificationResult, got ${why}`,
    { field: 'provenance', expected: 'VerificationResult.verifiedStatement', actual },
  );
}

/**
 * Take the statement out of a verifier's `verifiedStatement`, refusing everything that can
 * only have come from elsewhere. bundle-verify freezes the object and the statement in it
 * (deeply); a DSSE envelope (`payload`, `signatures`), a bare statement (`_type`), JSON text
 * or bytes, or an object the caller built (not frozen) are refused. The check cannot stop a
 * caller who forges a frozen look-alike on purpose; it stops unverified data reaching the
 * score by mistake, which is what the type alone cannot do across a JSON boundary.
 */
function toStatement(provenance: unknown): Json {
  if (typeof provenance === 'string') throw unverified('text', 'JSON text');
  if (provenance instanceof Uint8Array) throw unverified('bytes', 'bytes');
  if (!isObject(provenance)) throw unverified(provenance, describeValue(provenance));
  if ('payload' in provenance || 'signatures' in provenance) {
    throw unverified('a DSSE envelope', 'a DSSE envelope (its signature is not checked here)');
  }
  if ('_type' in provenance) {
    throw unverified('an in-toto statement', 'a bare in-toto statement (not from a verifier)');
  }
  const statement = provenance.statement;
  if (
    typeof provenance.payloadType !== 'string' ||
    !isObject(statement) ||
    !Object.isFrozen(provenance) ||
    !Object.isFrozen(statement)
  ) {
    throw unverified(provenance, 'an object the verifier did not return');
  }
  if (provenance.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw provenanceError(
      'PROVENANCE_UNSUPPORTED',
      'payloadType',
      `"${IN_TOTO_PAYLOAD_TYPE}"`,
      provenance.payloadType,
    );
  }
  return statement;
}

function checkBuilders(table: unknown): readonly TrustedBuilder[] {
  if (!Array.isArray(table)) throw optionError('trustedBuilders', 'an array', table);
  table.forEach((row: unknown, i) => {
    const field = `trustedBuilders[${i}]`;
    if (!isObject(row)) throw optionError(field, 'an object', row);
    const hasId = nonEmpty(row.id);
    const hasPattern = row.idPattern instanceof RegExp;
    if (hasId === hasPattern) {
      throw optionError(field, 'exactly one of a non-empty id or an idPattern RegExp', row);
    }
    if (row.level !== 1 && row.level !== 2 && row.level !== 3) {
      throw optionError(`${field}.level`, '1, 2 or 3', row.level);
    }
  });
  return table as readonly TrustedBuilder[];
}

function matches(row: TrustedBuilder, builderId: string): boolean {
  if ('id' in row) return row.id === builderId;
  const flags = row.idPattern.flags.replace(/[gy]/g, '');
  return new RegExp(`^(?:${row.idPattern.source})$`, flags).test(builderId);
}

/**
 * Derive the SLSA build level from **verified** provenance: the `verifiedStatement` of a
 * `@flareo/bundle-verify` verification result (a DSSE bundle whose in-toto statement, v0.1
 * or v1, carries a SLSA provenance v0.2 or v1 predicate). DSSE envelopes, statements parsed
 * by the caller and JSON text are refused: verify the bundle first, then pass
 * `result.verifiedStatement`. The level comes from the caller's trusted-builder table,
 * looked up by builder id; nothing the document says about its own level is read.
 * `undefined` or `null` means no verified provenance: level 0.
 *
 * @throws {TrustScoreError} `PROVENANCE_UNVERIFIED` (anything but a verifier's
 *   `verifiedStatement`), `PROVENANCE_INVALID` (malformed statement, no builder id or
 *   build type), `PROVENANCE_UNSUPPORTED` (another payload, statement or predicate type),
 *   `PROVENANCE_SUBJECT_MISMATCH` (`subjectDigest` not among the subjects),
 *   `ARGUMENT_INVALID` (bad table or options).
 * @example
 * const result = verifier.verifyBundle(provenanceBundle, { digest }, identity);
 * slsaLevelFromProvenance(result.verifiedStatement, {
 *   trustedBuilders: [{ id: 'https://github.com/flareo/builder@v1', level: 2 }],
 * }).level; // 2
 */
export function slsaLevelFromProvenance(
  provenance: VerifiedProvenance | null | undefined,
  options: SlsaLevelOptions,
): SlsaAssessment {
  if (!isObject(options)) throw optionError('options', 'an object', options);
  const table = checkBuilders(options.trustedBuilders);
  const unknownLevel = options.unknownBuilderLevel ?? 1;
  if (unknownLevel !== 0 && unknownLevel !== 1) {
    throw optionError('unknownBuilderLevel', '0 or 1', unknownLevel);
  }
  let wanted: { alg: string; hex: string } | undefined;
  if (options.subjectDigest !== undefined) {
    const m = /^([a-z0-9-]+):([0-9a-fA-F]+)$/.exec(String(options.subjectDigest));
    if (!m) throw optionError('subjectDigest', '"algorithm:hex"', options.subjectDigest);
    wanted = { alg: m[1]!, hex: m[2]!.toLowerCase() };
  }

  if (provenance === undefined || provenance === null) {
    return {
      level: 0,
      builderId: null,
      predicateType: null,
      buildType: null,
      matchedBuilder: null,
      reason: 'No verified SLSA provenance: level 0.',
    };
  }

  const statement = toStatement(provenance);
  const type = statement._type;
  if (!nonEmpty(type)) {
    throw provenanceError('PROVENANCE_INVALID', '_type', 'an in-toto Statement type', type);
  }
  if (!IN_TOTO_STATEMENT_TYPES.includes(type)) {
    throw provenanceError(
      'PROVENANCE_UNSUPPORTED',
      '_type',
      IN_TOTO_STATEMENT_TYPES.join(' or '),
      type,
    );
  }
  const subjects = statement.subject;
  if (!Array.isArray(subjects) || subjects.length === 0) {
    throw provenanceError('PROVENANCE_INVALID', 'subject', 'a non-empty array', subjects);
  }
  subjects.forEach((subject: unknown, i) => {
    if (!isObject(subject) || !isObject(subject.digest)) {
      throw provenanceError('PROVENANCE_INVALID', `subject[${i}].digest`, 'an object', subject);
    }
  });
  const predicateType = statement.predicateType;
  if (!nonEmpty(predicateType) || !SLSA_PROVENANCE_TYPES.includes(predicateType)) {
    throw provenanceError(
      'PROVENANCE_UNSUPPORTED',
      'predicateType',
      SLSA_PROVENANCE_TYPES.join(' or '),
      predicateType,
    );
  }
  const predicate = statement.predicate;
  if (!isObject(predicate)) {
    throw provenanceError('PROVENANCE_INVALID', 'predicate', 'an object', predicate);
  }

  const v1 = predicateType.endsWith('/v1');
  const builderHolder = v1
    ? isObject(predicate.runDetails)
      ? predicate.runDetails.builder
      : undefined
    : predicate.builder;
  const builderField = v1 ? 'predicate.runDetails.builder.id' : 'predicate.builder.id';
  const builderId = isObject(builderHolder) ? builderHolder.id : undefined;
  if (!nonEmpty(builderId)) {
    throw provenanceError('PROVENANCE_INVALID', builderField, 'a builder id', builderId);
  }
  const buildType = v1
    ? isObject(predicate.buildDefinition)
      ? predicate.buildDefinition.buildType
      : undefined
    : predicate.buildType;
  if (!nonEmpty(buildType)) {
    const field = v1 ? 'predicate.buildDefinition.buildType' : 'predicate.buildType';
    throw provenanceError('PROVENANCE_INVALID', field, 'a build type', buildType);
  }

  if (wanted) {
    const { alg, hex } = wanted;
    const found = subjects.some((s: Json) => {
      const value = (s.digest as Json)[alg];
      return typeof value === 'string' && value.toLowerCase() === hex;
    });
    if (!found) {
      throw provenanceError(
        'PROVENANCE_SUBJECT_MISMATCH',
        'subject',
        `a subject with digest ${alg}:${hex}`,
        subjects.map((s: Json) => s.name ?? null),
      );
    }
  }

  const row = table.find((r) => matches(r, builderId));
  if (row) {
    return {
      level: row.level,
      builderId,
      predicateType,
      buildType,
      matchedBuilder: 'id' in row ? row.id : row.idPattern.source,
      reason: `Builder ${builderId} is trusted for SLSA build level ${row.level}.`,
    };
  }
  return {
    level: unknownLevel,
    builderId,
    predicateType,
    buildType,
    matchedBuilder: null,
    reason: `Builder ${builderId} is not in the trusted-builder table: level ${unknownLevel}.`,
  };
}
