import { closeSync, openSync, readSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { IdentityPolicy } from '@flareo/bundle-verify';
import { Ajv, type ErrorObject } from 'ajv';
import { type Document, isAlias, LineCounter, parseDocument, visit } from 'yaml';
import { type ConfigProblem, ControllerError } from './errors.js';

/** `runtime.profile`. */
export type Profile = 'development' | 'production';
/** `modules.signing.mode`. */
export type SigningMode = 'KEYED' | 'COSIGN_BUNDLE';
/** `modules.signing.rekor.policy`. */
export type RekorPolicyName = 'DISABLED' | 'REQUIRE_SET' | 'REQUIRE_INCLUSION_PROOF';

/** The controller's configuration after validation, defaults applied, paths made absolute. */
export interface ControllerConfig {
  /** Absolute path of the file it was read from, when read from a file. */
  readonly source?: string;
  readonly runtime: {
    /** `runtime.profile`. Default `production` (the fail-closed profile). */
    readonly profile: Profile;
  };
  readonly controller: {
    /** `controller.listen.host`. Default `127.0.0.1`. */
    readonly host: string;
    /** `controller.listen.port`. Default {@link DEFAULT_PORT}; `0` picks a free port. */
    readonly port: number;
    /**
     * `controller.listen.tls`: serve HTTPS with this certificate (chain) and key, absolute
     * paths; `clientCa` set → clients must present a certificate issued by it (mTLS).
     * `undefined`: plain HTTP.
     */
    readonly tls: ListenTls | undefined;
    readonly auth: {
      /** `controller.auth.tokens`: the bearer tokens file, absolute; `undefined` when not set. */
      readonly tokensFile: string | undefined;
    };
    /** `controller.modulesDir`: where installed modules live. Default `./modules`. */
    readonly modulesDir: string;
    /** `controller.auditLog`: the append-only JSON-lines audit log. Default `./audit.log`. */
    readonly auditLog: string;
    readonly limits: {
      /** `controller.limits.moduleBytes`. Default 64 MiB, at most {@link MAX_MODULE_BYTES}. */
      readonly moduleBytes: number;
      /**
       * `controller.limits.signatureBytes` (`.cosign.bundle` or `.sig`). Default 1 MiB, at most
       * {@link MAX_SIGNATURE_BYTES}.
       */
      readonly signatureBytes: number;
    };
  };
  readonly signing: {
    /** `modules.signing.required`; `undefined` when not set (the profile decides). */
    readonly required: boolean | undefined;
    /** `modules.signing.mode`. Default `COSIGN_BUNDLE`. */
    readonly mode: SigningMode;
    /** `modules.signing.trustRoot` as an absolute path; `undefined` when not set or empty. */
    readonly trustRoot: string | undefined;
    /** `modules.signing.allowUnsignedDevelopment`; `undefined` when not set (means `true`). */
    readonly allowUnsignedDevelopment: boolean | undefined;
    /**
     * `modules.signing.allowCurrentTime`. Default `false`: a certificate signer is checked at
     * the integrated time of each verified SET only. `true` also checks it at the controller's
     * current time, which long-lived private-CA certificates without a log entry need.
     */
    readonly allowCurrentTime: boolean;
    /** `modules.signing.identity`: SAN / issuer a certificate signer must have. Default: any the trust root vouches for. */
    readonly identity: IdentityPolicy;
    readonly rekor: {
      /** `modules.signing.rekor.policy`. Default `DISABLED`. */
      readonly policy: RekorPolicyName;
      /** `modules.signing.rekor.publicKey` as an absolute path; `undefined` when not set or empty. */
      readonly publicKey: string | undefined;
      /** `modules.signing.rekor.url`: the log's base URL (checkpoint origin). Default `https://rekor.sigstore.dev`. */
      readonly url: string;
    };
  };
}

/** `controller.listen.tls` with absolute paths. */
export interface ListenTls {
  /** PEM certificate (and intermediates) the controller presents. */
  readonly certificate: string;
  /** PEM private key of that certificate. */
  readonly key: string;
  /** PEM CA certificate(s) client certificates must chain to; set → mTLS is required. */
  readonly clientCa: string | undefined;
}

/** Default `controller.listen.port`: not the catalog's 8080, so both run on one machine. */
export const DEFAULT_PORT = 8181;

/**
 * Largest `limits.moduleBytes`: 1 GiB. A module is held in memory while it is verified, so the
 * limit is also the memory one install may take; Node's largest Buffer is not far above.
 */
export const MAX_MODULE_BYTES = 1024 * 1024 * 1024;
/** Largest `limits.signatureBytes`: 16 MiB (real bundles are a few kilobytes). */
export const MAX_SIGNATURE_BYTES = 16 * 1024 * 1024;
/** Largest configuration file read: 1 MiB. Reading stops there (devices and pipes too). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Most alias expansions a configuration may make (a billion-laughs file makes millions). */
export const MAX_ALIAS_COUNT = 100;

const matcher = {
  oneOf: [
    { type: 'string', minLength: 1 },
    {
      type: 'object',
      additionalProperties: false,
      required: ['regexp'],
      properties: { regexp: { type: 'string', minLength: 1 } },
    },
  ],
};

/** JSON Schema of `controller.yml` (draft-07; every object closed). */
export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  properties: {
    runtime: {
      type: 'object',
      additionalProperties: false,
      properties: { profile: { enum: ['development', 'production'] } },
    },
    controller: {
      type: 'object',
      additionalProperties: false,
      properties: {
        listen: {
          type: 'object',
          additionalProperties: false,
          properties: {
            host: { type: 'string', minLength: 1 },
            port: { type: 'integer', minimum: 0, maximum: 65535 },
            tls: {
              type: 'object',
              additionalProperties: false,
              required: ['certificate', 'key'],
              properties: {
                certificate: { type: 'string', minLength: 1 },
                key: { type: 'string', minLength: 1 },
                clientCa: { type: 'string', minLength: 1 },
              },
            },
          },
        },
        auth: {
          type: 'object',
          additionalProperties: false,
          properties: { tokens: { type: 'string', minLength: 1 } },
        },
        modulesDir: { type: 'string', minLength: 1 },
        auditLog: { type: 'string', minLength: 1 },
        limits: {
          type: 'object',
          additionalProperties: false,
          properties: {
            moduleBytes: { type: 'integer', minimum: 1, maximum: MAX_MODULE_BYTES },
            signatureBytes: { type: 'integer', minimum: 1, maximum: MAX_SIGNATURE_BYTES },
          },
        },
      },
    },
    modules: {
      type: 'object',
      additionalProperties: false,
      properties: {
        signing: {
          type: 'object',
          additionalProperties: false,
          properties: {
            required: { type: 'boolean' },
            mode: { enum: ['KEYED', 'COSIGN_BUNDLE'] },
            trustRoot: { type: 'string' },
            allowUnsignedDevelopment: { type: 'boolean' },
            allowCurrentTime: { type: 'boolean' },
            identity: {
              type: 'object',
              additionalProperties: false,
              properties: { subjectAlternativeName: matcher, issuer: matcher },
            },
            rekor: {
              type: 'object',
              additionalProperties: false,
              properties: {
                policy: { enum: ['DISABLED', 'REQUIRE_SET', 'REQUIRE_INCLUSION_PROOF'] },
                publicKey: { type: 'string' },
                url: { type: 'string', pattern: '^https?://[^/\\s]+' },
              },
            },
          },
        },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
const validateSchema = ajv.compile(CONFIG_SCHEMA);

function describe(error: ErrorObject): ConfigProblem {
  const base = error.instancePath === '' ? '/' : error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return {
        path: `${error.instancePath}/${name}`,
        message: `unknown setting "${name}"`,
      };
    }
    case 'enum':
      return {
        path: base,
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'type':
      return {
        path: base,
        message: `must be ${params.type === 'object' ? 'a mapping' : `of type ${String(params.type)}`}`,
      };
    default:
      return { path: base, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** Schema problems of a parsed configuration document, each with its JSON path (none when valid). */
export function schemaProblems(document: unknown): ConfigProblem[] {
  if (validateSchema(document)) return [];
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  // A value that fails `oneOf` reports every branch; keep the summary and drop the branches.
  const errors = validateSchema.errors ?? [];
  const oneOfPaths = new Set(
    errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath),
  );
  for (const error of errors) {
    if (error.keyword !== 'oneOf' && oneOfPaths.has(error.instancePath)) continue;
    const problem =
      error.keyword === 'oneOf'
        ? { path: error.instancePath, message: 'must be a string or a mapping with "regexp"' }
        : describe(error);
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

type Raw = {
  runtime?: { profile?: Profile };
  controller?: {
    listen?: {
      host?: string;
      port?: number;
      tls?: { certificate: string; key: string; clientCa?: string };
    };
    auth?: { tokens?: string };
    modulesDir?: string;
    auditLog?: string;
    limits?: { moduleBytes?: number; signatureBytes?: number };
  };
  modules?: {
    signing?: {
      required?: boolean;
      mode?: SigningMode;
      trustRoot?: string;
      allowUnsignedDevelopment?: boolean;
      allowCurrentTime?: boolean;
      identity?: IdentityPolicy;
      rekor?: { policy?: RekorPolicyName; publicKey?: string; url?: string };
    };
  };
};

const optionalPath = (baseDir: string, value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : resolve(baseDir, value);

/**
 * Validate a parsed configuration document and apply defaults. Relative paths resolve
 * against `baseDir` (the configuration file's directory).
 * @throws ControllerError `CONFIG_SCHEMA_INVALID`
 */
export function configFromDocument(
  document: unknown,
  baseDir: string,
  source?: string,
): ControllerConfig {
  const problems = schemaProblems(document);
  if (problems.length) {
    throw new ControllerError(
      'CONFIG_SCHEMA_INVALID',
      `${source ?? 'configuration'}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { ...(source === undefined ? {} : { path: source }), problems },
    );
  }
  const raw = document as Raw;
  const signing = raw.modules?.signing ?? {};
  const listen = raw.controller?.listen ?? {};
  return {
    ...(source === undefined ? {} : { source }),
    runtime: { profile: raw.runtime?.profile ?? 'production' },
    controller: {
      host: listen.host ?? '127.0.0.1',
      port: listen.port ?? DEFAULT_PORT,
      tls:
        listen.tls === undefined
          ? undefined
          : {
              certificate: resolve(baseDir, listen.tls.certificate),
              key: resolve(baseDir, listen.tls.key),
              clientCa: optionalPath(baseDir, listen.tls.clientCa),
            },
      auth: { tokensFile: optionalPath(baseDir, raw.controller?.auth?.tokens) },
      modulesDir: resolve(baseDir, raw.controller?.modulesDir ?? 'modules'),
      auditLog: resolve(baseDir, raw.controller?.auditLog ?? 'audit.log'),
      limits: {
        moduleBytes: raw.controller?.limits?.moduleBytes ?? 64 * 1024 * 1024,
        signatureBytes: raw.controller?.limits?.signatureBytes ?? 1024 * 1024,
      },
    },
    signing: {
      required: signing.required,
      mode: signing.mode ?? 'COSIGN_BUNDLE',
      trustRoot: optionalPath(baseDir, signing.trustRoot),
      allowUnsignedDevelopment: signing.allowUnsignedDevelopment,
      allowCurrentTime: signing.allowCurrentTime ?? false,
      identity: signing.identity ?? {},
      rekor: {
        policy: signing.rekor?.policy ?? 'DISABLED',
        publicKey: optionalPath(baseDir, signing.rekor?.publicKey),
        url: signing.rekor?.url ?? 'https://rekor.sigstore.dev',
      },
    },
  };
}

function yamlError(
  message: string,
  source: string | undefined,
  pos: { line: number; col: number } | undefined,
  cause: unknown,
  extra: { expected?: unknown; actual?: unknown } = {},
): ControllerError {
  const where = pos ? `, line ${pos.line}, column ${pos.col}` : '';
  return new ControllerError(
    'CONFIG_YAML_INVALID',
    `${source ?? 'configuration'}${where}: ${message}`,
    {
      ...(source === undefined ? {} : { path: source }),
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      ...extra,
    },
    { cause },
  );
}

/** Position of the first alias (`*name`) of a document, for an alias-limit error. */
function firstAlias(
  doc: Document,
  lineCounter: LineCounter,
): { line: number; col: number } | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && node.range) {
        offset = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset === undefined ? undefined : lineCounter.linePos(offset);
}

/**
 * Parse `controller.yml` text. Aliases may expand at most {@link MAX_ALIAS_COUNT} times (a
 * "billion laughs" file is refused, not expanded).
 * @throws ControllerError `CONFIG_YAML_INVALID` (with line and column) or `CONFIG_SCHEMA_INVALID`
 */
export function parseConfig(text: string, baseDir: string, source?: string): ControllerConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const first = doc.errors[0];
  if (first) {
    throw yamlError(
      first.message.split('\n')[0] ?? first.message,
      source,
      lineCounter.linePos(first.pos[0]),
      first,
    );
  }
  // An empty file is an empty mapping: every setting takes its default.
  let value: unknown = {};
  if (doc.contents !== null) {
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      // yaml throws a ReferenceError for too many alias expansions (and for an alias to an
      // anchor that does not exist, which the parser reports first); never let it escape raw.
      throw yamlError(
        `aliases expand too much (more than ${MAX_ALIAS_COUNT} expansions): ${(error as Error).message}`,
        source,
        firstAlias(doc, lineCounter),
        error,
        { expected: `at most ${MAX_ALIAS_COUNT} alias expansions` },
      );
    }
  }
  return configFromDocument(value, baseDir, source);
}

/**
 * Read at most `limit` bytes of a file, device or pipe, in chunks: a larger input (or an
 * endless one such as `/dev/zero`) stops the read at the limit instead of filling memory.
 * @returns the bytes, or `undefined` when the input holds more than `limit` bytes
 */
export function readBounded(path: string, limit: number): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.alloc(64 * 1024);
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (error) {
        // A non-blocking pipe with no data yet: wait a little and try again.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      if (n === 0) return Buffer.concat(chunks, total);
      total += n;
      if (total > limit) return undefined;
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Read and parse a configuration file (at most {@link MAX_CONFIG_BYTES}).
 * @throws ControllerError `CONFIG_UNREADABLE`, `CONFIG_TOO_LARGE`, `CONFIG_YAML_INVALID`,
 *   `CONFIG_SCHEMA_INVALID`
 */
export function loadConfig(path: string): ControllerConfig {
  const absolute = resolve(path);
  let bytes: Buffer | undefined;
  try {
    bytes = readBounded(absolute, MAX_CONFIG_BYTES);
  } catch (error) {
    throw new ControllerError(
      'CONFIG_UNREADABLE',
      `cannot read ${absolute}: ${(error as Error).message}`,
      { path: absolute },
      { cause: error },
    );
  }
  if (bytes === undefined) {
    throw new ControllerError(
      'CONFIG_TOO_LARGE',
      `${absolute} holds more than ${MAX_CONFIG_BYTES} bytes; reading stopped there`,
      {
        path: absolute,
        expected: `at most ${MAX_CONFIG_BYTES} bytes`,
        actual: `more than ${MAX_CONFIG_BYTES} bytes`,
      },
    );
  }
  return parseConfig(bytes.toString('utf8'), dirname(absolute), absolute);
}
