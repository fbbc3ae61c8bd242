import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What a token allows: `publish` modules (`POST /api/v1/modules`), or `admin` operations
 * (`POST /api/v1/modules/{slug}/verify`). Scopes are independent: give a token both to allow both.
 */
export type TokenScope = 'publish' | 'admin';

/** One entry of `catalog.json` `tokens`. */
export interface TokenEntry {
  /** Who or what holds the token (shown in logs). */
  readonly name: string;
  /** SHA-256 of the token, lowercase hex. The token itself is never stored. */
  readonly sha256: string;
  /** What the token allows. */
  readonly scopes: readonly TokenScope[];
}

/** Prefix of the tokens {@link makeToken} makes (so that a leaked one is recognisable). */
export const TOKEN_PREFIX = 'flareo_';

/** A new random token (256 bits) and its `catalog.json` entry. */
export function makeToken(
  name: string,
  scopes: readonly TokenScope[],
): { token: string; entry: TokenEntry } {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, entry: { name, sha256: hashToken(token), scopes } };
}

/** SHA-256 hex of a token. */
export const hashToken = (token: string) =>
  createHash('sha256').update(token, 'utf8').digest('hex');

/** The outcome of {@link authorize}: who, or why not (`401` no or unknown token, `403` scope). */
export type Authorization =
  | { readonly ok: true; readonly name: string }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      readonly reason: 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'SCOPE_MISSING';
    };

/**
 * Check an `Authorization` header against the configured tokens for `scope`. The token's
 * hash is compared with every entry in constant time.
 */
export function authorize(
  header: string | undefined,
  tokens: readonly TokenEntry[],
  scope: TokenScope,
): Authorization {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
  if (!match) return { ok: false, status: 401, reason: 'TOKEN_MISSING' };
  const presented = Buffer.from(hashToken(match[1] as string), 'hex');
  let found: TokenEntry | undefined;
  for (const entry of tokens) {
    if (timingSafeEqual(presented, Buffer.from(entry.sha256, 'hex'))) found = entry;
  }
  if (!found) return { ok: false, status: 401, reason: 'TOKEN_INVALID' };
  if (!found.scopes.includes(scope)) {
    return { ok: false, status: 403, reason: 'SCOPE_MISSING' };
  }
  return { ok: true, name: found.name };
}
