import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseTrustedRoot,
  type TrustRoot,
  TrustRootError,
  type TrustRootErrorCode,
  type TrustRootErrorDetail,
} from '@flareo/trust-root';
import {
  SIGSTORE_TUF_MIRROR_URL,
  SIGSTORE_TUF_ROOT_JSON,
  SIGSTORE_TUF_SEED_SOURCE,
} from '../generated/sigstore-tuf-seed.js';
import {
  type CacheGeneration,
  defaultTufCacheDir,
  MirrorCache,
  type TufProvenance,
  type TufRoleState,
  targetFileName,
} from './cache.js';
import { BoundedFetcher, type DownloadFailure } from './fetcher.js';

/** Sigstore's public TUF repository, the default mirror. */
export const SIGSTORE_TUF_MIRROR: string = SIGSTORE_TUF_MIRROR_URL;

/**
 * The initial `root.json` of Sigstore's TUF repository embedded in this build, and where it
 * came from (the `@sigstore/tuf` seeds it was copied from, its version and sha256).
 */
export const sigstoreTufRoot: { readonly json: string; readonly source: string } = Object.freeze({
  json: SIGSTORE_TUF_ROOT_JSON,
  source: SIGSTORE_TUF_SEED_SOURCE,
});

/** The target fetched by default: Sigstore's trusted root. */
export const TRUSTED_ROOT_TARGET = 'trusted_root.json';

/** Options shared by {@link updateTufTrustedRoot} and {@link readTufTrustedRoot}. */
export interface TufCacheOptions {
  /**
   * Base URL of the TUF repository's metadata (`<mirror>/<N>.root.json`, `timestamp.json`, …).
   * Default {@link SIGSTORE_TUF_MIRROR}. `http:` and `https:` only; a trailing `/` is ignored.
   */
  readonly mirror?: string;
  /**
   * Base directory of the cache; each mirror gets its own subdirectory. Default
   * {@link defaultTufCacheDir}: `$XDG_CACHE_HOME/flareo/tuf`, else `~/.cache/flareo/tuf`.
   */
  readonly cacheDir?: string;
}

/** Options of {@link updateTufTrustedRoot}. */
export interface TufUpdateOptions extends TufCacheOptions {
  /**
   * The mirror's initial `root.json` (text or bytes), the trust anchor of the first update.
   * Used only when the cache holds no verified state yet: afterwards the cached root, reached
   * from it through signed rotations, is the anchor. Default: the embedded Sigstore root
   * ({@link sigstoreTufRoot}) for {@link SIGSTORE_TUF_MIRROR}; required for any other mirror.
   */
  readonly initialRoot?: string | Uint8Array;
  /** The target to fetch. Default {@link TRUSTED_ROOT_TARGET} (`trusted_root.json`). */
  readonly targetName?: string;
  /** Base URL of the targets. Default `<mirror>/targets`. */
  readonly targetBaseUrl?: string;
  /**
   * Time allowed for each file, from request to last byte, in milliseconds. Default 30000.
   * There are no retries: a failed update changes nothing and can simply be run again.
   */
  readonly timeoutMs?: number;
}

/** A trusted root that TUF vouched for, from the cache or from a fresh update. */
export interface TufTrustedRoot {
  /** The target's text (`trusted_root.json`), byte for byte as verified. */
  readonly json: string;
  /** Where it came from: mirror, TUF metadata versions and expiries, fetch time, digest. */
  readonly provenance: TufProvenance;
  /** The cache generation directory holding it. */
  readonly directory: string;
}

/** What {@link updateTufTrustedRoot} did. */
export interface TufUpdateResult extends TufTrustedRoot {
  /** The trust root parsed from {@link TufTrustedRoot.json} (the update refuses one that does not parse). */
  readonly trustRoot: TrustRoot;
  /** The cache's state before this update, if there was one. */
  readonly previous?: TufProvenance;
  /** Where this update's trust started: the cached TUF state, or the initial root. */
  readonly anchor: 'cache' | 'initial-root';
  /** Bytes downloaded from the mirror. */
  readonly bytesFetched: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * tuf-js and its error classes, loaded on the first update only: reading the cache (what every
 * verification command does) then never loads the TUF client.
 */
async function loadTuf() {
  // These are CommonJS modules: Node's ESM loader names their exports, but a bundler (the
  // flareo CLI is one file set) may hand over `module.exports` as `default` only.
  const cjs = <T extends object>(m: T): T => ((m as { default?: T }).default as T | undefined) ?? m;
  const [client0, errors0, models0] = await Promise.all([
    import('tuf-js'),
    import('tuf-js/dist/error.js'),
    import('@tufjs/models/dist/error.js'),
  ]);
  const client = cjs(errors0);
  const models = cjs(models0);
  return {
    Updater: cjs(client0).Updater,
    BadVersionError: client.BadVersionError,
    ExpiredMetadataError: client.ExpiredMetadataError,
    RuntimeError: client.RuntimeError,
    UnsignedMetadataError: models.UnsignedMetadataError,
    LengthOrHashMismatchError: models.LengthOrHashMismatchError,
  };
}
type Tuf = Awaited<ReturnType<typeof loadTuf>>;
const argument = (message: string, actual?: unknown) =>
  new TrustRootError(
    'ARGUMENT_INVALID',
    message,
    actual === undefined ? {} : { actual: String(actual) },
  );

/** Parse and normalise a mirror URL: http(s), no query or fragment, no trailing slash. */
export function normalizeMirror(mirror: unknown): string {
  if (typeof mirror !== 'string' || mirror === '') {
    throw argument('mirror must be a non-empty URL string', typeof mirror);
  }
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    throw argument(`mirror ${JSON.stringify(mirror)} is not a URL`, mirror);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw argument(`mirror must be an http(s) URL, got ${url.protocol}`, mirror);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw argument('mirror must not carry credentials, a query or a fragment', mirror);
  }
  return url.toString().replace(/\/+$/, '');
}

function cacheFor(options: TufCacheOptions | undefined, name: string): MirrorCache {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw argument(`${name}: options must be an object`, options);
  }
  const mirror = normalizeMirror(options?.mirror ?? SIGSTORE_TUF_MIRROR);
  const base = options?.cacheDir ?? defaultTufCacheDir();
  if (typeof base !== 'string' || base === '') {
    throw argument(`${name}: cacheDir must be a non-empty path`, base);
  }
  return new MirrorCache(base, mirror);
}

/**
 * The trusted root of the last successful update for a mirror, or `undefined` when the cache
 * holds none. Reads only the local cache (never the network); checks that the cached file is
 * byte for byte the one TUF verified. The TUF metadata may have expired since: compare
 * `provenance.timestamp.expires` with the time if freshness matters to you.
 *
 * @throws TrustRootError `TUF_CACHE_INVALID` when a cache exists but is damaged.
 */
export function readTufTrustedRoot(options?: TufCacheOptions): TufTrustedRoot | undefined {
  const cache = cacheFor(options, 'readTufTrustedRoot');
  const generation = cache.read();
  return generation === undefined ? undefined : fromGeneration(generation);
}

/** Where a mirror's cache lives (the directory may not exist yet). */
export function tufCacheLocation(options?: TufCacheOptions): string {
  return cacheFor(options, 'tufCacheLocation').entry;
}

function fromGeneration(g: CacheGeneration): TufTrustedRoot {
  return {
    json: Buffer.from(g.target).toString('utf8'),
    provenance: g.provenance,
    directory: g.directory,
  };
}

/**
 * Fetch the target (`trusted_root.json`) from a TUF repository with tuf-js, verifying the
 * whole chain of metadata (root rotations, timestamp, snapshot, targets, the target's length
 * and hashes), check that it parses as a trusted root, and make it the mirror's cached state.
 *
 * The update is atomic: it works in a staging directory and only a complete, verified result
 * replaces the cache (by renames). Any refusal or failure, or an interrupted process, leaves
 * the previous cache exactly as it was.
 *
 * @throws TrustRootError with a `TUF_*` code (see `TrustRootErrorCode`) when the repository is
 *   refused or unreachable, a trusted-root code when the target does not parse, or
 *   `ARGUMENT_INVALID` for bad options.
 */
export async function updateTufTrustedRoot(options?: TufUpdateOptions): Promise<TufUpdateResult> {
  const cache = cacheFor(options, 'updateTufTrustedRoot');
  const mirror = cache.mirror;
  const targetName = options?.targetName ?? TRUSTED_ROOT_TARGET;
  if (typeof targetName !== 'string' || targetName === '') {
    throw argument('targetName must be a non-empty string', targetName);
  }
  const timeoutMs = options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw argument('timeoutMs must be a positive integer (milliseconds)', timeoutMs);
  }
  const targetBaseUrl =
    options?.targetBaseUrl === undefined
      ? `${mirror}/targets`
      : normalizeMirror(options.targetBaseUrl);
  const initialRoot = initialRootBytes(options?.initialRoot, mirror);
  const tuf = await loadTuf();

  const release = cache.lock();
  let staging: string | undefined;
  try {
    const stage = cache.stage();
    staging = stage.staging;
    const { previous } = stage;
    const metadataDir = join(staging, 'metadata');
    const targetDir = join(staging, 'targets');
    const anchor = previous ? 'cache' : 'initial-root';
    if (!previous) {
      if (initialRoot === undefined) {
        throw new TrustRootError(
          'TUF_ROOT_MISSING',
          `no cached TUF state for ${mirror}: give the mirror's initial root.json`,
          { source: mirror },
        );
      }
      writeFileSync(join(metadataDir, 'root.json'), initialRoot);
    }
    const fetcher = new BoundedFetcher({
      timeoutMs,
      scratchDir: staging,
      userAgent: 'flareo-trust-root',
    });
    let phase: Phase = 'metadata';
    try {
      const updater = new tuf.Updater({
        metadataDir,
        metadataBaseUrl: mirror,
        targetDir,
        targetBaseUrl,
        fetcher,
      });
      await updater.refresh();
      const info = await updater.getTargetInfo(targetName);
      if (info === undefined) {
        throw new TrustRootError(
          'TUF_TARGET_MISSING',
          `the targets metadata of ${mirror} does not list ${targetName}`,
          { source: mirror, role: targetName },
        );
      }
      const targetPath = join(targetDir, targetFileName(targetName));
      phase = 'target';
      if ((await updater.findCachedTarget(info, targetPath)) === undefined) {
        await updater.downloadTarget(info, targetPath);
      }
      const bytes = readFileSync(targetPath);
      const json = bytes.toString('utf8');
      phase = 'content';
      const trustRoot = parseTrustedRoot(json, { name: `${targetName} from ${mirror}` });
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const provenance: TufProvenance = {
        mirror,
        fetchedAt: new Date().toISOString(),
        root: roleState(metadataDir, 'root'),
        timestamp: roleState(metadataDir, 'timestamp'),
        snapshot: roleState(metadataDir, 'snapshot'),
        targets: roleState(metadataDir, 'targets'),
        target: { name: targetName, length: bytes.byteLength, sha256 },
      };
      const directory = cache.commit(staging, provenance, previous);
      staging = undefined;
      return {
        json,
        provenance,
        directory,
        trustRoot,
        ...(previous ? { previous: previous.provenance } : {}),
        anchor,
        bytesFetched: fetcher.bytesReceived,
      };
    } catch (error) {
      throw classify(tuf, error, phase, fetcher, mirror, targetName);
    }
  } finally {
    if (staging !== undefined) cache.discard(staging);
    release();
  }
}

function initialRootBytes(
  given: string | Uint8Array | undefined,
  mirror: string,
): Uint8Array | undefined {
  if (given === undefined) {
    return mirror === SIGSTORE_TUF_MIRROR ? Buffer.from(SIGSTORE_TUF_ROOT_JSON) : undefined;
  }
  if (typeof given === 'string') return Buffer.from(given);
  if (given instanceof Uint8Array) return given;
  throw argument('initialRoot must be the root.json text or bytes', typeof given);
}

/** The version and expiry of a role's metadata that tuf-js verified and persisted. */
function roleState(metadataDir: string, role: string): TufRoleState {
  const doc = JSON.parse(readFileSync(join(metadataDir, `${role}.json`), 'utf8')) as {
    signed: { version: number; expires: string };
  };
  return { version: doc.signed.version, expires: doc.signed.expires };
}

type Phase = 'metadata' | 'target' | 'content';

/** The role a metadata URL names (`3.root.json` → root, `timestamp.json` → timestamp). */
function roleOf(url: string | undefined, phase: Phase, targetName: string): string | undefined {
  if (phase !== 'metadata') return targetName;
  if (url === undefined) return 'root';
  const file = decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));
  const m = /^(?:\d+\.)?(.+)\.json$/.exec(file);
  return m ? m[1] : undefined;
}

/**
 * Turn whatever the update threw into a {@link TrustRootError}. tuf-js throws typed errors
 * for root and timestamp, but wraps snapshot and targets failures in a RuntimeError whose
 * message embeds the original error's text; for those, the text is matched against the
 * messages of the pinned tuf-js and @tufjs/models versions (each case has a test, so an
 * upgrade that changes a message fails a test instead of changing a code silently).
 */
function classify(
  tuf: Tuf,
  error: unknown,
  phase: Phase,
  fetcher: BoundedFetcher,
  mirror: string,
  targetName: string,
): TrustRootError {
  if (error instanceof TrustRootError) return error;
  const role = roleOf(fetcher.lastUrl, phase, targetName);
  const base: TrustRootErrorDetail = {
    source: mirror,
    ...(role === undefined ? {} : { role }),
    ...(fetcher.lastUrl === undefined ? {} : { url: fetcher.lastUrl }),
  };
  const message = error instanceof Error ? error.message : String(error);
  const make = (code: TrustRootErrorCode, text: string, detail: TrustRootErrorDetail = {}) =>
    new TrustRootError(code, text, { ...base, ...detail }, { cause: error });

  // After a failed download, whatever tuf-js throws (often a generic wrapper) is about it.
  const failure = fetcher.lastFailure;
  if (failure !== undefined) return fromFailure(failure, make, role);

  const what = role ?? 'metadata';
  if (error instanceof tuf.ExpiredMetadataError) {
    // tuf-js checks the final root's expiry when it reads the timestamp.
    const expired = /root\.json is expired/.test(message) ? 'root' : what;
    return make('TUF_EXPIRED', `${expired}: the newest metadata has expired (${message})`, {
      role: expired,
    });
  }
  if (error instanceof tuf.BadVersionError) {
    // `N.root.json` holding a later version than N is not a rollback, but the wrong file.
    const root = /^Expected version (\d+), got (\d+)$/.exec(message);
    if (root && Number(root[2]) > Number(root[1])) {
      return make('TUF_METADATA_MISMATCH', `${what}: ${message}`, {
        expected: Number(root[1]),
        actual: Number(root[2]),
      });
    }
    return make('TUF_ROLLBACK', `${what}: refused as a rollback (${message})`);
  }
  if (error instanceof tuf.UnsignedMetadataError) {
    return make(
      'TUF_UNSIGNED',
      `${what}: not signed by a threshold of the trusted keys (${message})`,
    );
  }
  if (error instanceof tuf.LengthOrHashMismatchError) {
    return phase === 'target'
      ? make(
          'TUF_TARGET_MISMATCH',
          `${targetName} is not the file the targets metadata lists (${message})`,
        )
      : make('TUF_METADATA_MISMATCH', `${what}: ${message}`);
  }
  if (error instanceof tuf.RuntimeError) {
    const inner = /^Unable to load (\w+)/.exec(message);
    const innerRole = inner?.[1] === 'snapshot' ? 'snapshot' : (role ?? 'targets');
    const m = (code: TrustRootErrorCode, text: string) =>
      make(code, `${innerRole}: ${text} (${message})`, { role: innerRole });
    if (/ is expired/.test(message)) return m('TUF_EXPIRED', 'the newest metadata has expired');
    if (
      /signed by \d+\/\d+ keys|failed to verify \S+ signature|no signature for key/.test(message)
    ) {
      return m('TUF_UNSIGNED', 'not signed by a threshold of the trusted keys');
    }
    if (/less than current version/.test(message)) {
      return m('TUF_ROLLBACK', 'refused as a rollback');
    }
    if (
      /Expected (length|hash)|does not match snapshot version|doesn't match timestamp|Missing \S+ in (new )?snapshot/.test(
        message,
      )
    ) {
      return m(
        'TUF_METADATA_MISMATCH',
        'does not match what the timestamp or snapshot metadata recorded for it',
      );
    }
    return m('TUF_METADATA_INVALID', 'metadata refused');
  }
  if (phase === 'content') {
    return make('TRUSTED_ROOT_INVALID', `${targetName} from ${mirror}: ${message}`);
  }
  return make('TUF_METADATA_INVALID', `${what}: not valid TUF metadata (${message})`);
}

function fromFailure(
  failure: DownloadFailure,
  make: (code: TrustRootErrorCode, text: string, detail?: TrustRootErrorDetail) => TrustRootError,
  role: string | undefined,
): TrustRootError {
  const what = role ?? 'file';
  switch (failure.kind) {
    case 'too-large':
      return make(
        'TUF_TOO_LARGE',
        `${what}: ${failure.url} is longer than the ${failure.limit} bytes allowed for it`,
        { expected: `at most ${failure.limit} bytes`, url: failure.url },
      );
    case 'http':
      return make('TUF_FETCH_FAILED', `${what}: HTTP ${failure.status} from ${failure.url}`, {
        actual: failure.status,
        url: failure.url,
      });
    case 'timeout':
      return make(
        'TUF_FETCH_FAILED',
        `${what}: ${failure.url} did not answer completely within ${failure.timeoutMs} ms`,
        { url: failure.url },
      );
    case 'network': {
      const e = failure.error as { message?: unknown; cause?: { message?: unknown } } | undefined;
      const reason = String(e?.cause?.message ?? e?.message ?? failure.error);
      return make('TUF_FETCH_FAILED', `${what}: ${failure.url} could not be fetched: ${reason}`, {
        url: failure.url,
      });
    }
  }
}
