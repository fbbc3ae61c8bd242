import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { TrustRootError } from '@flareo/trust-root';

/** The version and expiry of one TUF role's metadata. */
export interface TufRoleState {
  /** The metadata's `version`. */
  readonly version: number;
  /** The metadata's `expires`, as written (RFC 3339). */
  readonly expires: string;
}

/** The target a cache holds: its name and what the signed targets metadata says about it. */
export interface TufTargetState {
  /** The target's name in the repository, e.g. `trusted_root.json`. */
  readonly name: string;
  /** Its length in bytes. */
  readonly length: number;
  /** Its sha256, lowercase hex. */
  readonly sha256: string;
}

/**
 * Where a cached trusted root came from: which mirror, the TUF metadata that vouched for it,
 * and when it was fetched. Written once per successful update, never edited.
 */
export interface TufProvenance {
  /** The mirror's base URL, without a trailing slash. */
  readonly mirror: string;
  /** When the update that produced this cache finished (ISO 8601). */
  readonly fetchedAt: string;
  readonly root: TufRoleState;
  readonly timestamp: TufRoleState;
  readonly snapshot: TufRoleState;
  readonly targets: TufRoleState;
  readonly target: TufTargetState;
}

/** Name of the pointer file that names the current generation. */
const CURRENT = 'current';
const LOCK = '.lock';
const STATE = 'state.json';
const STATE_FORMAT = 'flareo-tuf-cache/1';
/** A lock older than this is taken over even if its process seems alive (a hung update). */
const STALE_LOCK_MS = 10 * 60_000;

/**
 * The default cache base directory: `$XDG_CACHE_HOME/flareo/tuf`, else `~/.cache/flareo/tuf`
 * (on Windows `%LOCALAPPDATA%\flareo\tuf` when set).
 */
export function defaultTufCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  // The XDG spec says to ignore a relative value.
  if (xdg && isAbsolute(xdg)) return join(xdg, 'flareo', 'tuf');
  if (process.platform === 'win32' && env.LOCALAPPDATA) {
    return join(env.LOCALAPPDATA, 'flareo', 'tuf');
  }
  return join(homedir(), '.cache', 'flareo', 'tuf');
}

/**
 * The mirror's own directory name under the cache base: its host (for people listing the
 * directory) and the first 16 hex digits of sha256 of the normalised URL (for uniqueness).
 */
export function mirrorCacheName(mirror: string): string {
  const host = new URL(mirror).host.replace(/[^a-zA-Z0-9.-]+/g, '_').toLowerCase();
  const hash = createHash('sha256').update(mirror).digest('hex').slice(0, 16);
  return `${host}-${hash}`;
}

/** A generation directory as found on disk, verified against its state file. */
export interface CacheGeneration {
  readonly directory: string;
  readonly provenance: TufProvenance;
  /** The target's bytes (the trusted_root.json text, as UTF-8). */
  readonly target: Uint8Array;
}

const cacheError = (message: string, directory: string, cause?: unknown) =>
  new TrustRootError(
    'TUF_CACHE_INVALID',
    message,
    { source: directory },
    cause === undefined ? undefined : { cause },
  );

const isNotFound = (error: unknown) => (error as { code?: unknown })?.code === 'ENOENT';

/** Encode a target name as one file name (tuf-js stores targets the same way). */
export const targetFileName = (name: string): string => encodeURIComponent(name);

function isRoleState(v: unknown): v is TufRoleState {
  const o = v as Record<string, unknown> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    Number.isSafeInteger(o.version) &&
    (o.version as number) >= 1 &&
    typeof o.expires === 'string'
  );
}

function parseState(text: string, directory: string): TufProvenance {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw cacheError(`${STATE} in ${directory} is not JSON`, directory, error);
  }
  const o = doc as Record<string, unknown> | null;
  const target = o?.target as Record<string, unknown> | undefined;
  if (
    typeof o !== 'object' ||
    o === null ||
    o.format !== STATE_FORMAT ||
    typeof o.mirror !== 'string' ||
    typeof o.fetchedAt !== 'string' ||
    !isRoleState(o.root) ||
    !isRoleState(o.timestamp) ||
    !isRoleState(o.snapshot) ||
    !isRoleState(o.targets) ||
    typeof target !== 'object' ||
    target === null ||
    typeof target.name !== 'string' ||
    !Number.isSafeInteger(target.length) ||
    typeof target.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(target.sha256)
  ) {
    throw cacheError(`${STATE} in ${directory} is not a ${STATE_FORMAT} state file`, directory);
  }
  const role = (r: TufRoleState): TufRoleState => ({ version: r.version, expires: r.expires });
  return {
    mirror: o.mirror,
    fetchedAt: o.fetchedAt,
    root: role(o.root as TufRoleState),
    timestamp: role(o.timestamp as TufRoleState),
    snapshot: role(o.snapshot as TufRoleState),
    targets: role(o.targets as TufRoleState),
    target: {
      name: target.name,
      length: target.length as number,
      sha256: target.sha256,
    },
  };
}

/** Serialise a provenance record as the state file of a generation. */
export function stateText(p: TufProvenance): string {
  return `${JSON.stringify({ format: STATE_FORMAT, ...p }, null, 2)}\n`;
}

/**
 * One mirror's cache directory. Layout (every generation is written once and never changed):
 *
 *     <entry>/current          the name of the current generation, replaced by rename
 *     <entry>/g-<time>-<rand>/ metadata/{root,timestamp,snapshot,targets}.json,
 *                              targets/<target>, state.json
 *     <entry>/tmp-<rand>/      an update in progress (removed when it fails or ends)
 *     <entry>/.lock            held by the one update in progress
 *
 * An update builds a complete generation in a `tmp-` directory, renames it to `g-…`, then
 * replaces `current` by renaming a new file over it. Until that last rename the previous
 * generation is what readers get; a crash at any point leaves either the old or the new
 * generation current, both complete.
 */
export class MirrorCache {
  readonly entry: string;

  constructor(
    readonly base: string,
    readonly mirror: string,
  ) {
    this.entry = join(base, mirrorCacheName(mirror));
  }

  /** The current generation, verified against its state; `undefined` when there is none. */
  read(): CacheGeneration | undefined {
    // A reader can race an update that removes the generation it just found; look again once.
    for (let attempt = 0; ; attempt++) {
      try {
        return this.readOnce();
      } catch (error) {
        if (attempt === 0 && isNotFound((error as { cause?: unknown }).cause)) continue;
        throw error;
      }
    }
  }

  private readOnce(): CacheGeneration | undefined {
    let name: string;
    try {
      name = readFileSync(join(this.entry, CURRENT), 'utf8').trim();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw cacheError(`cannot read ${join(this.entry, CURRENT)}`, this.entry, error);
    }
    if (!/^g-[A-Za-z0-9-]+$/.test(name)) {
      throw cacheError(`${join(this.entry, CURRENT)} does not name a generation`, this.entry);
    }
    const directory = join(this.entry, name);
    let stateRaw: string;
    let target: Uint8Array;
    let provenance: TufProvenance;
    try {
      stateRaw = readFileSync(join(directory, STATE), 'utf8');
      provenance = parseState(stateRaw, directory);
      target = readFileSync(join(directory, 'targets', targetFileName(provenance.target.name)));
    } catch (error) {
      if (error instanceof TrustRootError) throw error;
      throw cacheError(`cannot read the cached generation ${directory}`, directory, error);
    }
    if (provenance.mirror !== this.mirror) {
      throw cacheError(`${directory} holds ${provenance.mirror}, not ${this.mirror}`, directory);
    }
    const sha256 = createHash('sha256').update(target).digest('hex');
    if (target.byteLength !== provenance.target.length || sha256 !== provenance.target.sha256) {
      throw new TrustRootError(
        'TUF_CACHE_INVALID',
        `${provenance.target.name} in ${directory} is not the file TUF verified (changed on disk?)`,
        {
          source: directory,
          expected: `${provenance.target.length} bytes, sha256 ${provenance.target.sha256}`,
          actual: `${target.byteLength} bytes, sha256 ${sha256}`,
        },
      );
    }
    return { directory, provenance, target };
  }

  /** The current generation's directory name, or `undefined`. */
  currentName(): string | undefined {
    try {
      return readFileSync(join(this.entry, CURRENT), 'utf8').trim();
    } catch {
      return undefined;
    }
  }

  /** Take the update lock: exclusive create of `.lock`; a dead or hung holder is replaced. */
  lock(): () => void {
    this.ensureEntry();
    const path = join(this.entry, LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      let fd: number;
      try {
        fd = openSync(path, 'wx');
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') {
          throw new TrustRootError(
            'TUF_CACHE_WRITE_FAILED',
            `cannot create ${path}: ${(error as Error).message}`,
            { source: this.entry },
            { cause: error },
          );
        }
        if (attempt === 0 && this.lockIsStale(path)) {
          rmSync(path, { force: true });
          continue;
        }
        throw new TrustRootError(
          'TUF_CACHE_LOCKED',
          `another update of ${this.entry} is in progress (${path})`,
          { source: this.entry },
        );
      }
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now() }));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    }
    /* c8 ignore next */
    throw new TrustRootError('TUF_CACHE_LOCKED', `cannot take ${path}`, { source: this.entry });
  }

  private lockIsStale(path: string): boolean {
    try {
      const held = JSON.parse(readFileSync(path, 'utf8')) as {
        pid?: unknown;
        host?: unknown;
        at?: unknown;
      };
      if (typeof held.at === 'number' && Date.now() - held.at > STALE_LOCK_MS) return true;
      if (held.host !== hostname() || typeof held.pid !== 'number') return false;
      try {
        process.kill(held.pid, 0);
        return false;
      } catch (error) {
        return (error as { code?: unknown }).code === 'ESRCH';
      }
    } catch {
      // Unreadable or half-written: judge by age alone.
      try {
        return Date.now() - statSync(path).mtimeMs > STALE_LOCK_MS;
      } catch {
        return true;
      }
    }
  }

  private ensureEntry(): void {
    try {
      mkdirSync(this.entry, { recursive: true });
    } catch (error) {
      throw new TrustRootError(
        'TUF_CACHE_WRITE_FAILED',
        `cannot create ${this.entry}: ${(error as Error).message}`,
        { source: this.entry },
        { cause: error },
      );
    }
  }

  /**
   * Start an update (under the lock): remove what interrupted updates left (`tmp-` and
   * generations that are not current), then create a staging directory seeded with the
   * current generation's metadata and target, so tuf-js starts from the trusted state.
   */
  stage(): { staging: string; previous: CacheGeneration | undefined } {
    const current = this.currentName();
    for (const name of readdirSync(this.entry)) {
      if ((name.startsWith('tmp-') || name.startsWith('g-')) && name !== current) {
        rmSync(join(this.entry, name), { recursive: true, force: true });
      }
      if (name.startsWith(`${CURRENT}.`)) rmSync(join(this.entry, name), { force: true });
    }
    let previous: CacheGeneration | undefined;
    try {
      previous = this.read();
    } catch {
      // A damaged cache is not a trust anchor: start again from the initial root.
      previous = undefined;
    }
    let staging: string;
    try {
      staging = mkdtempSync(join(this.entry, 'tmp-'));
      if (previous) {
        cpSync(join(previous.directory, 'metadata'), join(staging, 'metadata'), {
          recursive: true,
        });
        cpSync(join(previous.directory, 'targets'), join(staging, 'targets'), {
          recursive: true,
        });
      } else {
        mkdirSync(join(staging, 'metadata'));
        mkdirSync(join(staging, 'targets'));
      }
    } catch (error) {
      throw new TrustRootError(
        'TUF_CACHE_WRITE_FAILED',
        `cannot prepare an update in ${this.entry}: ${(error as Error).message}`,
        { source: this.entry },
        { cause: error },
      );
    }
    return { staging, previous };
  }

  /**
   * Make a finished staging directory the current generation, atomically; then remove the
   * previous generation. Returns the new generation's directory.
   */
  commit(staging: string, provenance: TufProvenance, previous?: CacheGeneration): string {
    const stamp = provenance.fetchedAt.replace(/[^0-9]/g, '').slice(0, 17);
    const name = `g-${stamp}-${randomBytes(4).toString('hex')}`;
    const directory = join(this.entry, name);
    const pointer = join(this.entry, `${CURRENT}.${randomBytes(4).toString('hex')}`);
    try {
      writeFileSync(join(staging, STATE), stateText(provenance));
      renameSync(staging, directory);
      writeFileSync(pointer, `${name}\n`);
      renameSync(pointer, join(this.entry, CURRENT));
    } catch (error) {
      rmSync(pointer, { force: true });
      throw new TrustRootError(
        'TUF_CACHE_WRITE_FAILED',
        `cannot write the update to ${this.entry}: ${(error as Error).message}`,
        { source: this.entry },
        { cause: error },
      );
    }
    if (previous && previous.directory !== directory) {
      rmSync(previous.directory, { recursive: true, force: true });
    }
    return directory;
  }

  /** Remove a staging directory (a failed update). */
  discard(staging: string): void {
    rmSync(staging, { recursive: true, force: true });
  }
}
