import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { createSecureContext } from 'node:tls';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import { type ListenTls, MAX_CONFIG_BYTES, readBounded } from './config.js';
import { type ConfigProblem, ControllerError } from './errors.js';

/** What a token may do: read (list, get), install, remove. */
export type Scope = 'read' | 'install' | 'remove';
export const SCOPES: readonly Scope[] = Object.freeze(['read', 'install', 'remove']);

/** One token of the tokens file: its name, the SHA-256 of its secret, its scopes. */
export interface TokenEntry {
  readonly name: string;
  readonly scopes: readonly Scope[];
}

/** Who made an API request, as the audit log records it (never a secret). */
export type Principal =
  | { readonly kind: 'token'; readonly name: string; readonly scopes: readonly Scope[] }
  | { readonly kind: 'certificate'; readonly subject: string; readonly fingerprint: string }
  | { readonly kind: 'anonymous'; readonly address: string };

/** Prefix of generated tokens, so that secret scanners can recognise a leaked one. */
export const TOKEN_PREFIX = 'fct_';

/** A new token: the prefix and 32 random bytes (256 bits) in base64url. */
export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The SHA-256 of a token, lowercase hex: what the tokens file stores. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const TOKENS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['tokens'],
  properties: {
    tokens: {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'sha256', 'scopes'],
        properties: {
          name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$' },
          sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
          scopes: {
            type: 'array',
            minItems: 1,
            uniqueItems: true,
            items: { enum: [...SCOPES] },
          },
        },
      },
    },
  },
} as const;

const validateTokens = new Ajv({ allErrors: true, strict: true }).compile(TOKENS_SCHEMA);

function tokensError(
  path: string,
  message: string,
  extra: { problems?: ConfigProblem[]; line?: number; column?: number } = {},
  cause?: unknown,
): ControllerError {
  return new ControllerError(
    'AUTH_TOKENS_INVALID',
    `controller.auth.tokens ${path}: ${message}`,
    { path, ...extra },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The bearer tokens of the tokens file, held as SHA-256 digests. A presented token is hashed
 * and compared with every stored digest by `crypto.timingSafeEqual`, all of them each time,
 * so the time taken says nothing about which bytes matched or which token it was.
 */
export class TokenStore {
  readonly #entries: { readonly entry: TokenEntry; readonly digest: Buffer }[];

  private constructor(entries: { entry: TokenEntry; digest: Buffer }[]) {
    this.#entries = entries;
  }

  /** Number of tokens. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Parse a tokens file's text:
   * `tokens: [{ name, sha256, scopes: [read | install | remove] }]`.
   * @throws ControllerError `AUTH_TOKENS_INVALID`
   */
  static parse(text: string, path: string): TokenStore {
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first) {
      throw tokensError(path, first.message.split('\n')[0] ?? first.message, {}, first);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw tokensError(path, `aliases expand too much: ${(error as Error).message}`, {}, error);
    }
    if (!validateTokens(value)) {
      const problems = (validateTokens.errors ?? []).map((e) => ({
        path: e.instancePath === '' ? '/' : e.instancePath,
        message:
          e.keyword === 'additionalProperties'
            ? `unknown setting "${String((e.params as { additionalProperty?: unknown }).additionalProperty)}"`
            : e.keyword === 'enum'
              ? `must be one of ${SCOPES.join(', ')}`
              : (e.message ?? `fails ${e.keyword}`),
      }));
      throw tokensError(path, problems.map((p) => `${p.path}: ${p.message}`).join('; '), {
        problems,
      });
    }
    const tokens = (value as { tokens: { name: string; sha256: string; scopes: Scope[] }[] })
      .tokens;
    const names = new Set<string>();
    const digests = new Set<string>();
    const entries = tokens.map((t, i) => {
      const digest = t.sha256.toLowerCase();
      if (names.has(t.name)) {
        throw tokensError(path, `/tokens/${i}/name: the name "${t.name}" is used twice`, {
          problems: [{ path: `/tokens/${i}/name`, message: 'a name already used' }],
        });
      }
      if (digests.has(digest)) {
        throw tokensError(
          path,
          `/tokens/${i}/sha256: the same token hash appears twice ("${t.name}")`,
          { problems: [{ path: `/tokens/${i}/sha256`, message: 'a hash already used' }] },
        );
      }
      names.add(t.name);
      digests.add(digest);
      return {
        entry: Object.freeze({ name: t.name, scopes: Object.freeze([...t.scopes]) }),
        digest: Buffer.from(digest, 'hex'),
      };
    });
    return new TokenStore(entries);
  }

  /**
   * Read a tokens file (at most 1 MiB).
   * @throws ControllerError `AUTH_TOKENS_INVALID`
   */
  static load(path: string): TokenStore {
    let bytes: Buffer | undefined;
    try {
      bytes = readBounded(path, MAX_CONFIG_BYTES);
    } catch (error) {
      throw tokensError(path, `cannot be read: ${(error as Error).message}`, {}, error);
    }
    if (bytes === undefined) throw tokensError(path, `is larger than ${MAX_CONFIG_BYTES} bytes`);
    return TokenStore.parse(bytes.toString('utf8'), path);
  }

  /** The token a presented secret is, or `undefined`; every stored digest is compared. */
  authenticate(presented: string): TokenEntry | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: TokenEntry | undefined;
    for (const { entry, digest: stored } of this.#entries) {
      // No early exit: the loop takes the same time whichever token (if any) matched.
      if (timingSafeEqual(digest, stored) && found === undefined) found = entry;
    }
    return found;
  }
}

/** The files of `controller.listen.tls`, read and checked to make a TLS context. */
export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
}

function readTls(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ControllerError(
      'TLS_MATERIAL_INVALID',
      `cannot read the TLS ${what} ${path}: ${(error as Error).message}`,
      { path },
      { cause: error },
    );
  }
}

/**
 * Read the TLS certificate, key and client CA, and prove they make a TLS context (a key that
 * does not belong to the certificate, or PEM that does not parse, stops the start here rather
 * than at the first connection).
 * @throws ControllerError `TLS_MATERIAL_INVALID`
 */
export function loadTls(tls: ListenTls): TlsMaterial {
  const cert = readTls(tls.certificate, 'certificate');
  const key = readTls(tls.key, 'key');
  const ca = tls.clientCa === undefined ? undefined : readTls(tls.clientCa, 'client CA');
  try {
    createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  } catch (error) {
    throw new ControllerError(
      'TLS_MATERIAL_INVALID',
      `controller.listen.tls: the certificate ${tls.certificate}, key ${tls.key}${tls.clientCa ? ` and client CA ${tls.clientCa}` : ''} do not make a TLS context: ${(error as Error).message}`,
      {
        path: tls.certificate,
        actual: (error as NodeJS.ErrnoException).code ?? (error as Error).message,
      },
      { cause: error },
    );
  }
  if (
    tls.clientCa !== undefined &&
    ca !== undefined &&
    !/-----BEGIN CERTIFICATE-----/.test(ca.toString('latin1'))
  ) {
    throw new ControllerError(
      'TLS_MATERIAL_INVALID',
      `controller.listen.tls.clientCa ${tls.clientCa} holds no CERTIFICATE block`,
      { path: tls.clientCa, expected: 'PEM CERTIFICATE blocks' },
    );
  }
  return { cert, key, ca };
}

/** The verified client certificate of a TLS connection, when the client sent one. */
export function clientCertificate(
  socket: unknown,
): { subject: string; fingerprint: string } | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (typeof tls.getPeerCertificate !== 'function' || tls.authorized !== true) return undefined;
  const peer = tls.getPeerCertificate();
  if (!peer?.raw) return undefined;
  const subject = Object.entries(peer.subject ?? {})
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
  return {
    subject,
    fingerprint: createHash('sha256').update(peer.raw).digest('hex'),
  };
}

/** Hosts that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}
