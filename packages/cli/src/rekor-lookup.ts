import { createHash } from 'node:crypto';
import type { RekorApiEntry, RekorError } from '@flareo/rekor-set';
import { CliError, EXIT } from './errors.js';
import { shown } from './text.js';

/** cosign's default `--rekor-url`: the Rekor server it asks when the input has no log entry. */
export const DEFAULT_REKOR_URL = 'https://rekor.sigstore.dev';
/** Default `--timeout` of the whole Rekor lookup, in seconds. */
export const DEFAULT_LOOKUP_TIMEOUT_SECONDS = 30;
/** Largest Rekor answer read, in bytes: a log entry with its proof is about 10 KiB. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** Most entries read from one answer, and most UUIDs fetched after an index search. */
export const MAX_CANDIDATES = 16;

/** Stable codes of a Rekor lookup that could not be completed (exit 2). */
export type LookupErrorCode =
  /** The server could not be reached (DNS, connection refused or reset, TLS). */
  | 'REKOR_UNREACHABLE'
  /** The lookup took longer than `--timeout`. */
  | 'REKOR_TIMEOUT'
  /** The server answered with an HTTP error status. */
  | 'REKOR_HTTP_ERROR'
  /** The server answered with a redirect; redirects are never followed. */
  | 'REKOR_REDIRECT_REFUSED'
  /** The answer is larger than {@link MAX_ANSWER_BYTES}. */
  | 'REKOR_ANSWER_TOO_LARGE'
  /** The answer is not JSON, or not the shape the Rekor API documents. */
  | 'REKOR_ANSWER_INVALID'
  /** `--rekor-url` uses plain HTTP to a host that is not loopback. */
  | 'REKOR_URL_INSECURE';

/** Where and how to look a log entry up. */
export interface LookupOptions {
  /** Base URL of the Rekor server (`--rekor-url`). */
  readonly url: string;
  /**
   * Time allowed for the whole lookup in milliseconds (`--timeout` × 1000): every request,
   * headers and bodies, shares it, so a server that answers slowly cannot stretch it.
   */
  readonly timeoutMs: number;
  /** Largest answer read. Default {@link MAX_ANSWER_BYTES}. */
  readonly maxBytes?: number;
}

/** What the entry must be about: the artifact's SHA-256, the signature, the signer's PEMs. */
export interface LogQuery {
  readonly artifactSha256: Uint8Array;
  readonly signature: Uint8Array;
  /** PEM of the signing certificate, or of each candidate public key. */
  readonly verifierPems: readonly string[];
}

/** What the server answered: entries in bundle form, and the ones refused for their form. */
export interface LookupAnswer {
  readonly entries: readonly RekorApiEntry[];
  readonly refused: readonly { readonly uuid: string; readonly error: RekorError }[];
  /** How many HTTP requests were made. */
  readonly requests: number;
}

function lookupError(
  code: LookupErrorCode,
  message: string,
  extra: { field?: string; expected?: unknown; actual?: unknown; cause?: unknown } = {},
): CliError {
  const { cause, ...rest } = extra;
  return new CliError(
    {
      code,
      message,
      ...rest,
      hint: 'pass --offline to verify without the lookup (it then fails naming the missing log entry), or --rekor-url URL for another Rekor server',
    },
    EXIT.usage,
    cause === undefined ? undefined : { cause },
  );
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** Refuse plain HTTP to anything but a loopback host (exit 2); an HTTPS URL is taken as is. */
export function checkRekorUrl(url: string): URL {
  const parsed = new URL(url);
  if (parsed.protocol === 'http:' && !LOOPBACK.test(parsed.hostname)) {
    throw lookupError(
      'REKOR_URL_INSECURE',
      `--rekor-url ${url}: plain HTTP is allowed only to a loopback host`,
      { expected: 'https://… (or http://localhost, 127.0.0.0/8, [::1])', actual: url },
    );
  }
  return parsed;
}

/** Read a response body, refusing more than `max` bytes, whatever Content-Length says. */
async function boundedText(response: Response, max: number, where: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const tooLarge = () =>
    lookupError('REKOR_ANSWER_TOO_LARGE', `${where}: the answer is larger than ${max} bytes`, {
      expected: `<= ${max} bytes`,
    });
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * One request to the Rekor API with Node's built-in fetch: aborted at the lookup's deadline
 * (headers and body alike), no redirect followed, the answer read with a size cap and
 * parsed as JSON. 404 gives `undefined` (nothing filed there); any other failure is a coded
 * {@link CliError} (exit 2).
 */
async function call(
  options: LookupOptions,
  deadline: number,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<unknown> {
  const url = new URL(path, options.url.endsWith('/') ? options.url : `${options.url}/`);
  const where = `Rekor ${method} ${url.href}`;
  const max = options.maxBytes ?? MAX_ANSWER_BYTES;
  try {
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw lookupError(
        'REKOR_REDIRECT_REFUSED',
        `${where}: redirected (${response.status}); flareo does not follow redirects from a Rekor server`,
        { actual: shown(response.headers.get('location') ?? '(no location)') },
      );
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return undefined;
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw lookupError('REKOR_HTTP_ERROR', `${where}: HTTP ${response.status}`, {
        expected: '200',
        actual: response.status,
      });
    }
    const text = await boundedText(response, max, where);
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw lookupError('REKOR_ANSWER_INVALID', `${where}: the answer is not JSON`, {
        actual: `${text.length} characters`,
        cause,
      });
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw lookupError(
        'REKOR_TIMEOUT',
        `${where}: the lookup did not complete within ${options.timeoutMs / 1000} s (--timeout)`,
        { cause: error },
      );
    }
    const reason = (error as { cause?: { code?: string; message?: string } }).cause;
    throw lookupError(
      'REKOR_UNREACHABLE',
      `${where}: ${reason?.code ?? reason?.message ?? (error as Error).message}`,
      { cause: error },
    );
  }
}

/** The hashedrekord 0.0.1 entry cosign proposes when it searches the log for a signature. */
function proposedEntry(query: LogQuery, pem: string): unknown {
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: {
        hash: { algorithm: 'sha256', value: Buffer.from(query.artifactSha256).toString('hex') },
      },
      signature: {
        content: Buffer.from(query.signature).toString('base64'),
        publicKey: { content: Buffer.from(pem, 'utf8').toString('base64') },
      },
    },
  };
}

const UUID = /^(?:[0-9a-f]{16})?[0-9a-f]{64}$/i;

/**
 * Look up the log entries of a signature through the Rekor v1 REST API, as cosign does:
 * first `POST /api/v1/log/entries/retrieve` with the hashedrekord entry this signature would
 * have (cosign's search); when that finds nothing (the log may hold the certificate PEM
 * written differently), `POST /api/v1/index/retrieve` by the artifact's SHA-256 and
 * `GET /api/v1/log/entries/{uuid}` for at most {@link MAX_CANDIDATES} of the UUIDs. Entries
 * come back converted to bundle form; nothing here decides whether one is good.
 */
export async function lookUpLogEntries(
  query: LogQuery,
  options: LookupOptions,
): Promise<LookupAnswer> {
  const { tlogEntryFromRekorApi, RekorError: RekorErrorClass } = await import('@flareo/rekor-set');
  checkRekorUrl(options.url);
  const deadline = Date.now() + options.timeoutMs;
  let requests = 0;
  const entries: RekorApiEntry[] = [];
  const refused: { uuid: string; error: RekorError }[] = [];
  const take = (answer: unknown, where: string): void => {
    const maps = answer === undefined ? [] : Array.isArray(answer) ? answer : [answer];
    for (const map of maps) {
      if (typeof map !== 'object' || map === null || Array.isArray(map)) {
        throw lookupError('REKOR_ANSWER_INVALID', `${where}: an entry is not a {uuid: entry} map`);
      }
      for (const [uuid, value] of Object.entries(map)) {
        // The same entry found twice (one proposed entry per PEM spelling) is verified once.
        if (entries.some((e) => e.uuid === uuid.toLowerCase())) continue;
        if (entries.length + refused.length >= MAX_CANDIDATES) {
          throw lookupError(
            'REKOR_ANSWER_INVALID',
            `${where}: more than ${MAX_CANDIDATES} entries for one signature`,
            { expected: `<= ${MAX_CANDIDATES}` },
          );
        }
        try {
          entries.push({ uuid: uuid.toLowerCase(), entry: tlogEntryFromRekorApi(uuid, value) });
        } catch (error) {
          if (!(error instanceof RekorErrorClass)) throw error;
          refused.push({ uuid: shown(uuid), error });
        }
      }
    }
  };
  const pems = [...new Set(query.verifierPems)].slice(0, MAX_CANDIDATES);
  requests++;
  take(
    await call(options, deadline, 'POST', 'api/v1/log/entries/retrieve', {
      entries: pems.map((pem) => proposedEntry(query, pem)),
    }),
    'Rekor entries/retrieve',
  );
  if (entries.length + refused.length === 0) {
    requests++;
    const hash = `sha256:${Buffer.from(query.artifactSha256).toString('hex')}`;
    const uuids = (await call(options, deadline, 'POST', 'api/v1/index/retrieve', { hash })) ?? [];
    if (!Array.isArray(uuids) || !uuids.every((u) => typeof u === 'string' && UUID.test(u))) {
      throw lookupError(
        'REKOR_ANSWER_INVALID',
        'Rekor index/retrieve: the answer is not a list of entry UUIDs',
      );
    }
    for (const uuid of [...new Set(uuids as string[])].slice(0, MAX_CANDIDATES)) {
      requests++;
      take(
        await call(options, deadline, 'GET', `api/v1/log/entries/${uuid}`),
        `Rekor entry ${uuid}`,
      );
    }
  }
  return { entries, refused, requests };
}

/** PEM text of a DER block, 64 characters a line, as Go's encoder writes it. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** SHA-256 of artifact bytes. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
