/**
 * Container image references (`registry/repository[:tag][@digest]`), the one parser the
 * packages share. Two modes, for two jobs:
 *
 * - `strict` (image-verify, which fetches what the reference names): the grammar of the
 *   distribution project's reference regexps, refused with a reason when it does not hold;
 *   Docker's defaults (`docker.io`, `library/` for one-segment Docker Hub names, tag
 *   `latest` when neither tag nor digest is given); `index.docker.io` read as `docker.io`,
 *   as go-containerregistry does.
 * - `lax` (vex, which compares what scanners and VEX authors wrote): no grammar check, case
 *   folded, a URL scheme and trailing slashes dropped, every Docker Hub host alias read as
 *   `docker.io` and `library/` added, so that two spellings of the same repository compare
 *   equal. No tag is assumed.
 *
 * Hand-written on purpose: the grammar is a few lines, the maintained parsers are Go, and the
 * npm ports pull in unrelated Docker tooling.
 */

/** The registry Docker's defaults name. */
export const DOCKER_HUB = 'docker.io';

/** Other host names of Docker Hub's registry, read as {@link DOCKER_HUB} in `lax` mode. */
export const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set([
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

/** How {@link parseImageReference} reads a reference (see the module comment). */
export type ImageReferenceMode = 'strict' | 'lax';

/** A parsed image reference. */
export interface ImageReferenceParts {
  /** Registry host (and port): `docker.io` when the reference names none. */
  readonly registry: string;
  /** Repository path, with `library/` added for one-segment Docker Hub names. */
  readonly repository: string;
  /** The tag, when given (strict mode: `latest` when neither tag nor digest is given). */
  readonly tag?: string;
  /** The digest, when given. */
  readonly digest?: string;
}

/** What {@link parseImageReference} returns: the parts, or why the text is not a reference. */
export type ImageReferenceResult =
  | { readonly ok: true; readonly reference: ImageReferenceParts }
  | { readonly ok: false; readonly reason: string };

/** Longest reference text read in strict mode. */
export const MAX_REFERENCE_LENGTH = 512;
/** Longest repository path in strict mode (distribution's limit). */
export const MAX_REPOSITORY_LENGTH = 255;

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Whether the first path segment names a registry host rather than a repository segment. */
export function looksLikeHost(segment: string): boolean {
  return (
    segment.includes('.') ||
    segment.includes(':') ||
    segment === 'localhost' ||
    segment.startsWith('[')
  );
}

/**
 * Split `text` into name, tag and digest, the same way in both modes: the digest follows the
 * first `@`, the tag the last `:` after the last `/` of what precedes it.
 */
function splitReference(text: string): {
  name: string;
  tag: string | undefined;
  digest: string | undefined;
} {
  let name = text;
  let digest: string | undefined;
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at + 1);
    name = name.slice(0, at);
  }
  let tag: string | undefined;
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
  }
  return { name, tag, digest };
}

/** Parse an image reference in the given mode. Never throws. */
export function parseImageReference(text: string, mode: ImageReferenceMode): ImageReferenceResult {
  if (typeof text !== 'string' || text.length === 0) return { ok: false, reason: 'empty' };
  return mode === 'strict' ? parseStrict(text) : parseLax(text);
}

function fail(reason: string): ImageReferenceResult {
  return { ok: false, reason };
}

function parseStrict(text: string): ImageReferenceResult {
  if (text.length > MAX_REFERENCE_LENGTH) {
    return fail(`longer than ${MAX_REFERENCE_LENGTH} characters`);
  }
  const { name, tag: givenTag, digest } = splitReference(text);
  if (digest !== undefined && !DIGEST.test(digest)) {
    return fail('the digest must be sha256:<64 hex> or sha512:<128 hex>');
  }
  if (givenTag !== undefined && !TAG.test(givenTag)) return fail(`bad tag "${givenTag}"`);
  const parts = name.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (parts.length > 1 && looksLikeHost(first)) {
    registry = first;
    parts.shift();
    if (!HOST.test(registry)) return fail(`bad registry host "${registry}"`);
  }
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  for (const part of parts) {
    if (!COMPONENT.test(part)) return fail(`bad repository component "${part}"`);
  }
  const repository = parts.join('/');
  if (repository.length > MAX_REPOSITORY_LENGTH) {
    return fail(`repository longer than ${MAX_REPOSITORY_LENGTH} characters`);
  }
  const tag = givenTag === undefined && digest === undefined ? 'latest' : givenTag;
  return {
    ok: true,
    reference: {
      registry,
      repository,
      ...(tag === undefined ? {} : { tag }),
      ...(digest === undefined ? {} : { digest }),
    },
  };
}

function parseLax(text: string): ImageReferenceResult {
  const { name, tag, digest } = splitReference(text.trim().replace(SCHEME, ''));
  const { registry, path } = laxRepository(name, false);
  if (path.length === 0) return fail('no repository');
  if (registry === DOCKER_HUB && path.length === 1) path.unshift('library');
  return {
    ok: true,
    reference: {
      registry,
      repository: path.join('/'),
      ...(tag === undefined || tag === '' ? {} : { tag }),
      ...(digest === undefined || digest === '' ? {} : { digest }),
    },
  };
}

/**
 * A repository name read in lax mode: case folded, a scheme and empty segments dropped, the
 * first segment taken as the registry when it looks like a host (and, unless `hostAlone`,
 * more segments follow), Docker Hub's aliases read as `docker.io`.
 */
function laxRepository(text: string, hostAlone: boolean): { registry: string; path: string[] } {
  const path = text
    .trim()
    .replace(SCHEME, '')
    .toLowerCase()
    .split('/')
    .filter((s) => s !== '');
  const first = path[0];
  if (first === undefined || !looksLikeHost(first) || (!hostAlone && path.length < 2)) {
    return { registry: DOCKER_HUB, path };
  }
  path.shift();
  return { registry: DOCKER_HUB_ALIASES.has(first) ? DOCKER_HUB : first, path };
}

/**
 * An OCI purl's `repository_url` qualifier as `registry/full/path/name`, in lax mode,
 * whichever shape it was written in: with or without the image name (`imageName` is added
 * when the last segment is not it), with or without a scheme or a registry host, with any
 * Docker Hub alias. A one-segment URL with a dot, a colon or `localhost` is a host: the
 * qualifier may name only the registry.
 */
export function normalizeRepositoryUrl(url: string, imageName: string): string {
  const { registry, path } = laxRepository(url, true);
  const name = imageName.toLowerCase();
  if (path[path.length - 1] !== name) path.push(name);
  if (registry === DOCKER_HUB && path.length === 1) path.unshift('library');
  return `${registry}/${path.join('/')}`;
}

/** The text `registry/repository[:tag][@digest]` of parsed parts. */
export function formatImageReference(parts: ImageReferenceParts): string {
  const tag = parts.tag === undefined ? '' : `:${parts.tag}`;
  const digest = parts.digest === undefined ? '' : `@${parts.digest}`;
  return `${parts.registry}/${parts.repository}${tag}${digest}`;
}
